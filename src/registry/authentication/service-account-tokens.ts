/**
 * @module service-account-tokens: signed service-account JWTs (RS256, or ES256/384/512 for an EC key) — issued by TokenRequest,
 * checked by the authenticator — on the cluster's simulated clock (pkg/serviceaccount/jwt.go,
 * claims.go).
 */
import { generateKeyPair, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { Registry } from '../registry.js'
import type { RequestUser } from '../resource-definition.js'
import { apiAudiences, serviceAccountIssuer, type TokenAuthentication, type TokenAuthenticator } from './authenticator.js'
import { digestOf, signingKey, type SigningKey, type TokenAlgorithm, type VerificationKey } from './service-account-keys.js'

/** A reference kept in the token: name and uid. */
export interface ObjectRefClaim {
  name: string
  uid: string
}

/** The private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string
  serviceaccount: ObjectRefClaim
  pod?: ObjectRefClaim
  secret?: ObjectRefClaim
  node?: ObjectRefClaim
  warnafter?: number
}

/** The claims of a service-account token, as upstream's Claims() writes them. */
export interface ServiceAccountClaims {
  aud: string[]
  exp: number
  iat: number
  iss: string
  jti?: string
  'kubernetes.io': KubernetesClaim
  nbf: number
  sub: string
}

/** What to issue a token for. */
export interface TokenIssueRequest {
  namespace: string
  serviceAccount: ObjectRefClaim
  audiences: string[]
  expirationSeconds: number
  pod?: ObjectRefClaim
  secret?: ObjectRefClaim
  node?: ObjectRefClaim
  /** Seconds after issue for the `warnafter` claim (extended kubelet tokens). */
  warnAfterSeconds?: number
}

/** The issuer of legacy Secret-based tokens. */
const legacyIssuer = 'kubernetes/serviceaccount'

/** go-jose's DefaultLeeway: exp and nbf are checked with a minute of tolerance. */
const leewaySeconds = 60

/** `system:serviceaccount:<ns>:<name>` (serviceaccount.MakeUsername). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/**
 * One RSA-2048 key pair per process for clusters given no key (in memory), made in the background
 * when the first cluster starts: generating it takes about half a second of CPU, which must not
 * stall the event loop (a caller that needs it before it is ready makes it synchronously).
 */
let processKeys: SigningKey | undefined
let processKeysReady: Promise<void> | undefined

function startKeyGeneration(): Promise<void> {
  processKeysReady ??= new Promise<void>((resolve) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => {
      if (!err && !processKeys) processKeys = signingKey(privateKey)
      resolve()
    })
  })
  return processKeysReady
}

/** The keys and issuer of a cluster's service-account tokens (kube-apiserver's `--service-account-*` flags). */
export interface ServiceAccountTokenOptions {
  /** The key tokens are signed with (`--service-account-signing-key-file`, or the cluster's durable key). */
  signingKey?: SigningKey
  /** More public keys tokens are accepted from (`--service-account-key-file`); the signing key's is always one. */
  verificationKeys?: VerificationKey[]
  /**
   * `--service-account-issuer` (repeatable): the first is the `iss` of new tokens, every one is
   * accepted, and they are the API audiences (default {@link serviceAccountIssuer}).
   */
  issuers?: string[]
  /**
   * The Kubernetes minor the server reports (default the newest): from 1.30 (ServiceAccountTokenJTI
   * and ServiceAccountTokenPodNodeInfo beta) tokens carry a `jti` and pod-bound ones their node,
   * and the user the `credential-id` (`JTI=…`) and `node-name`/`node-uid` extras.
   */
  kubeMinor?: number
}

/** The first minor with the jti claim, the credential-id extra and the node of pod-bound tokens. */
const jtiMinor = 30

/**
 * The cluster's service-account token signer and validator. Without a configured key the RSA key
 * pair lives as long as the process (tokens of an earlier process do not verify, as after
 * rotating `--service-account-key-file` without keeping the old key); a durable cluster
 * (`--data-dir`, `--etcd-servers`) configures the key it keeps, so its tokens outlive restarts.
 */
export class ServiceAccountTokens implements TokenAuthenticator {
  private configured: SigningKey | undefined
  private extraKeys: VerificationKey[] = []
  /** The `iss` of the tokens issued (the first `--service-account-issuer`). */
  issuer = serviceAccountIssuer
  private issuers: readonly string[] = [serviceAccountIssuer]
  /** The audiences the API server accepts (`--api-audiences`' default: the issuer). */
  apiAudiences: readonly string[] = apiAudiences
  private kubeMinor = Number.POSITIVE_INFINITY

  constructor(private readonly registry: Registry) {
    void startKeyGeneration()
  }

  /** Sets the keys and issuer; must be called before tokens are issued (tokens of another key stop verifying). */
  configure(opts: ServiceAccountTokenOptions): void {
    if (opts.signingKey) this.configured = opts.signingKey
    if (opts.verificationKeys) this.extraKeys = [...opts.verificationKeys]
    if (opts.kubeMinor !== undefined) this.kubeMinor = opts.kubeMinor
    if (opts.issuers?.length) {
      this.issuer = opts.issuers[0]
      this.issuers = [...opts.issuers]
      this.apiAudiences = [...opts.issuers]
    }
  }

  /** Whether the signing key exists already (signing now does not block). */
  get ready(): boolean {
    return (this.configured ?? processKeys) !== undefined
  }

  /** Resolves once the signing key exists. */
  whenReady(): Promise<void> {
    return this.configured ? Promise.resolve() : startKeyGeneration()
  }

  private keyPair(): SigningKey {
    if (this.configured) return this.configured
    if (!processKeys) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      processKeys = signingKey(privateKey)
    }
    return processKeys
  }

  /** The keys a token may be signed with: the signing key's (when it exists) and the extra ones. */
  private verificationKeys(): VerificationKey[] {
    const own = this.configured ?? processKeys
    return own ? [own, ...this.extraKeys] : this.extraKeys
  }

  /** The public key (PEM): what `--service-account-key-file` would hold. */
  publicKeyPEM(): string {
    return this.keyPair().publicKey.export({ type: 'spki', format: 'pem' }) as string
  }

  /** header.claims.signature with the signing key (ECDSA signatures as JWS's r||s). */
  private signed(claims: object): string {
    const keys = this.keyPair()
    const signingInput = `${b64url({ alg: keys.alg, kid: keys.kid })}.${b64url(claims)}`
    const signature = sign(digestOf[keys.alg], Buffer.from(signingInput), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' })
    return `${signingInput}.${signature.toString('base64url')}`
  }

  /** Signs a token for `req` now (the simulated clock); returns it with its claims. */
  issue(req: TokenIssueRequest): { token: string; claims: ServiceAccountClaims } {
    const now = Math.floor(this.registry.clock.now() / 1000)
    const k: KubernetesClaim = { namespace: req.namespace, serviceaccount: req.serviceAccount }
    const v130 = this.kubeMinor >= jtiMinor
    // Before 1.30 a pod-bound token does not name the pod's node (a token bound to a node itself does).
    if (req.node && (v130 || !req.pod)) k.node = req.node
    if (req.pod) k.pod = req.pod
    else if (req.secret) k.secret = req.secret
    if (req.warnAfterSeconds) k.warnafter = now + req.warnAfterSeconds
    const claims: ServiceAccountClaims = {
      aud: req.audiences,
      exp: now + req.expirationSeconds,
      iat: now,
      iss: this.issuer,
      ...(v130 ? { jti: randomUUID() } : {}),
      'kubernetes.io': k,
      nbf: now,
      sub: serviceAccountUsername(req.namespace, req.serviceAccount.name),
    }
    return { token: this.signed(claims), claims }
  }

  /**
   * A legacy token for a `kubernetes.io/service-account-token` Secret (pkg/serviceaccount/legacy.go):
   * issuer `kubernetes/serviceaccount`, no expiry, valid while the Secret holds it.
   */
  issueLegacy(namespace: string, serviceAccount: ObjectRefClaim, secretName: string): string {
    const claims = {
      iss: legacyIssuer,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secretName,
      'kubernetes.io/serviceaccount/service-account.name': serviceAccount.name,
      'kubernetes.io/serviceaccount/service-account.uid': serviceAccount.uid,
      sub: serviceAccountUsername(namespace, serviceAccount.name),
    }
    return this.signed(claims)
  }

  /** The legacy validator: the Secret must still exist and hold this very token, the account the same uid. */
  private authenticateLegacy(token: string, claims: Record<string, string>, audiences: readonly string[]): TokenAuthentication {
    const ns = claims['kubernetes.io/serviceaccount/namespace'] ?? ''
    const saName = claims['kubernetes.io/serviceaccount/service-account.name'] ?? ''
    const saUID = claims['kubernetes.io/serviceaccount/service-account.uid'] ?? ''
    const secretName = claims['kubernetes.io/serviceaccount/secret.name'] ?? ''
    const secret = this.registry.find('', 'secrets')?.getStored(ns, secretName)?.obj as (KubeObject & { data?: Record<string, string> }) | undefined
    if (!secret) return { error: 'Token has been invalidated' }
    if (secret.data?.token !== Buffer.from(token).toString('base64')) return { error: "Token does not match server's copy" }
    const sa = this.registry.find('', 'serviceaccounts')?.getStored(ns, saName)?.obj
    if (!sa) return { error: StatusError.notFound({ group: '', resource: 'serviceaccounts' }, saName).message }
    if (sa.metadata.uid !== saUID) return { error: `service account UID (${sa.metadata.uid}) does not match claim (${saUID})` }
    return {
      user: { username: serviceAccountUsername(ns, saName), uid: saUID, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] },
      audiences: [...audiences],
    }
  }

  /**
   * Checks a token as the service-account JWT authenticator does: undefined when it is not a JWT
   * of our issuer (another authenticator may know it); otherwise the user, or upstream's error
   * for a bad signature, a foreign audience, expiry, or a service account, pod, secret or node
   * that is gone or was recreated (other uid).
   */
  authenticateToken(token: string, audiences: readonly string[] = this.apiAudiences): TokenAuthentication {
    const parts = token.split('.')
    if (parts.length !== 3) return undefined
    let claims: ServiceAccountClaims
    let alg: TokenAlgorithm
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string }
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as ServiceAccountClaims
      if (!Object.hasOwn(digestOf, header.alg ?? '') || typeof claims !== 'object' || claims === null) return undefined
      alg = header.alg as TokenAlgorithm
    } catch {
      return undefined
    }
    if (!this.issuers.includes(claims.iss) && claims.iss !== legacyIssuer) return undefined
    // Before the process key exists nothing it signed can be presented: no need to make it now.
    const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`)
    const signature = Buffer.from(parts[2], 'base64url')
    const ok = this.verificationKeys().some(
      (k) => k.alg === alg && verify(digestOf[alg], signingInput, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    )
    if (!ok) return { error: 'square/go-jose: error in cryptographic primitive' }
    if (claims.iss === legacyIssuer) return this.authenticateLegacy(token, claims as unknown as Record<string, string>, audiences)
    const tokenAuds = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : []
    const accepted = tokenAuds.filter((a) => audiences.includes(a))
    if (accepted.length === 0) return { error: `token audiences ${goQuoted(tokenAuds)} is invalid for the target audiences ${goQuoted(audiences)}` }
    const now = this.registry.clock.now() / 1000
    if (typeof claims.exp === 'number' && now > claims.exp + leewaySeconds) return { error: 'service account token has expired' }
    if (typeof claims.nbf === 'number' && now < claims.nbf - leewaySeconds) return { error: 'service account token is not valid yet' }
    const k = claims['kubernetes.io']
    if (!k?.serviceaccount?.name) return { error: 'service account token claims could not be validated due to unexpected private claim' }
    const problem = this.boundObjectsProblem(k, now)
    if (problem) return { error: problem }
    const extra: Record<string, string[]> = {}
    if (k.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name]
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid]
    }
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name]
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid]
    }
    if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`]
    const user: RequestUser = {
      username: serviceAccountUsername(k.namespace, k.serviceaccount.name),
      uid: k.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`],
      ...(Object.keys(extra).length ? { extra } : {}),
    }
    return { user, audiences: accepted }
  }

  /** The validator's checks that the objects the token names still exist with the same uid. */
  private boundObjectsProblem(k: KubernetesClaim, nowSeconds: number): string | undefined {
    const get = (plural: string, ns: string, name: string) => this.registry.find('', plural)?.getStored(ns, name)?.obj as KubeObject | undefined
    // Objects deleted more than the leeway ago no longer count.
    const deleted = (o: KubeObject) => {
      const ts = o.metadata.deletionTimestamp as string | undefined
      return ts !== undefined && Date.parse(ts) / 1000 < nowSeconds - leewaySeconds
    }
    const sa = get('serviceaccounts', k.namespace, k.serviceaccount.name)
    if (!sa) return StatusError.notFound({ group: '', resource: 'serviceaccounts' }, k.serviceaccount.name).message
    if (deleted(sa)) return `service account ${k.namespace}/${k.serviceaccount.name} has been deleted`
    if (sa.metadata.uid !== k.serviceaccount.uid) return `service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount.uid})`
    if (k.secret) {
      const s = get('secrets', k.namespace, k.secret.name)
      if (!s || deleted(s)) return 'service account token has been invalidated'
      if (s.metadata.uid !== k.secret.uid) return `secret UID (${s.metadata.uid}) does not match service account secret ref claim (${k.secret.uid})`
    }
    if (k.pod) {
      const p = get('pods', k.namespace, k.pod.name)
      if (!p || deleted(p)) return 'service account token has been invalidated'
      if (p.metadata.uid !== k.pod.uid) return `pod UID (${p.metadata.uid}) does not match service account pod ref claim (${k.pod.uid})`
    }
    if (k.node && !k.pod) {
      const n = get('nodes', '', k.node.name)
      if (!n || deleted(n)) return 'service account token has been invalidated'
      if (n.metadata.uid !== k.node.uid) return `node UID (${n.metadata.uid}) does not match service account node ref claim (${k.node.uid})`
    }
    return undefined
  }
}

/** A string list as Go's %q prints a []string: `["a" "b"]`. */
function goQuoted(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`
}
