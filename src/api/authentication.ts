/**
 * @module authentication: the request authenticator union of kube-apiserver (x509 client
 * certificates, then bearer tokens: static tokens, then service-account JWTs) as one request
 * filter that sets `req.kubeUser`.
 */
import { createHash } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { StatusError } from '../errors.js'
import { alwaysAllow } from '../registry/authorization/authorizer.js'
import { tokenUnion, withAuthenticatedGroup, type TokenAuthenticator } from '../registry/authentication/authenticator.js'
import type { Registry } from '../registry/registry.js'
import type { RequestUser } from '../registry/resource-definition.js'
import { authenticateBearer, openPaths, type TokenAuthenticator as StaticTokens } from './auth.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'
import { isUiPath } from './ui.js'

/** The user of requests that carry no credentials (user.Anonymous). */
export const anonymousUser: RequestUser = { username: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] }

/** What the authentication filter checks. */
export interface AuthenticationOptions {
  /** Static bearer tokens (`--token`, `--token-file`). */
  tokens?: StaticTokens
  /** Client certificates are verified (the HTTPS server asks for them against the client CAs). */
  clientCertificates?: boolean
  /**
   * Whether an authenticator was configured (`--token`, `--token-file`, `--client-ca-file`):
   * then a request without credentials is system:anonymous and bad credentials are a 401.
   * Without one (and under AlwaysAllow), such requests are the administrator, as before any
   * authenticator existed; credentials that do authenticate still name their user.
   */
  required: boolean
  /**
   * The Kubernetes minor the server reports: from 1.32 a client certificate's user carries the
   * `authentication.kubernetes.io/credential-id` extra `X509SHA256=<hex>` (kubernetes#125634).
   */
  kubeMinor?: number
}

/** The first minor whose x509 authenticator sets the credential-id extra. */
const x509CredentialIDMinor = 32

const clientAuthOID = '1.3.6.1.5.5.7.3.2'

/**
 * The x509 authenticator (request/x509/x509.go with CommonNameUserConversion): undefined
 * without a client certificate, the CN as user and the O entries as groups for one that chains
 * to a client CA (the TLS layer checked the chain and validity), or upstream's error otherwise.
 * With `credentialID` the user's extra `authentication.kubernetes.io/credential-id` is
 * `X509SHA256=` and the hex SHA-256 of the certificate's DER (1.32+).
 */
export function authenticateClientCertificate(socket: TLSSocket, credentialID = false): { user: RequestUser } | { error: string } | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined
  const cert = socket.getPeerCertificate()
  if (!cert || Object.keys(cert).length === 0) return undefined
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? '')
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
      return { error: `verifying certificate SN=${BigInt(`0x${cert.serialNumber}`)}, SKID=, AKID= failed: x509: certificate has expired or is not yet valid` }
    return { error: 'x509: certificate signed by unknown authority' }
  }
  const usages = (cert as { ext_key_usage?: string[] }).ext_key_usage
  if (usages && !usages.includes(clientAuthOID)) return { error: 'x509: certificate specifies an incompatible key usage' }
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v])
  const cn = list(cert.subject?.CN)[0] ?? ''
  if (!cn) return undefined
  const user: RequestUser = { username: cn, uid: '', groups: list(cert.subject?.O) }
  if (credentialID && cert.raw)
    user.extra = { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${createHash('sha256').update(cert.raw).digest('hex')}`] }
  return { user }
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who authenticated the request (system:authenticated included); system:anonymous without
     * credentials when authentication is required; null when no authenticator is configured and
     * none matched, which {@link requestUser} reads as the administrator.
     */
    kubeUser: RequestUser | null
  }
}

function isWebSocketUpgrade(req: FastifyRequest): boolean {
  const upgrade = req.headers.upgrade
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket'
}

function pathOf(req: FastifyRequest): string {
  const url = req.raw.url ?? '/'
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** One cluster's authenticators: its registry, the union of its tokens, and its options. */
export interface ClusterAuthentication {
  registry: Registry
  tokens: TokenAuthenticator
  opts: AuthenticationOptions
}

/**
 * One cluster's authenticators: the static tokens and the service-account tokens become the
 * registry's token authenticator (what TokenReview asks) as well as the filter's.
 */
export function clusterAuthentication(registry: Registry, opts: AuthenticationOptions): ClusterAuthentication {
  const tokenAuthenticators: TokenAuthenticator[] = [...(opts.tokens ? [opts.tokens.asTokenAuthenticator()] : []), registry.serviceAccountTokens]
  const tokens = tokenUnion(tokenAuthenticators)
  registry.tokenAuthenticator = tokens
  return { registry, tokens, opts }
}

/**
 * Adds the authentication filter to the request filters; `authOf` gives the authenticators of
 * the cluster a request is for ({@link clusterAuthentication}). A request
 * whose credentials fail gets the 401 `Unauthorized` Status (kubectl: `error: You must be logged
 * in to the server (Unauthorized)`). A request without credentials is system:anonymous: under
 * AlwaysAllow it may only reach {@link openPaths} (401 elsewhere, as before); under another
 * authorizer the authorization filter decides. Add it after the CORS filter, so that preflights
 * (which never carry credentials) are answered first, as kube-apiserver's filter chain puts
 * WithCORS outside WithAuthentication. Failures are logged at debug level with the reason.
 */
export function installAuthentication(app: FastifyInstance, chain: FilterChain, authOf: (req: FastifyRequest) => ClusterAuthentication): void {
  app.decorateRequest('kubeUser', null)
  chain.add((req, reply) => {
    const { registry, tokens, opts } = authOf(req)
    const errors: string[] = []
    if (opts.clientCertificates) {
      const x = authenticateClientCertificate(req.raw.socket as TLSSocket, (opts.kubeMinor ?? x509CredentialIDMinor) >= x509CredentialIDMinor)
      if (x && 'user' in x) {
        req.kubeUser = withAuthenticatedGroup(x.user)
        return false
      }
      if (x) errors.push(x.error)
    }
    const bearer = authenticateBearer(req.headers, isWebSocketUpgrade(req), (t) => {
      const r = tokens.authenticateToken(t)
      return r && 'user' in r ? r.user : r
    })
    if (bearer.ok) {
      req.kubeUser = withAuthenticatedGroup(bearer.user)
      return false
    }
    if (bearer.error) errors.push(bearer.error)
    const required = opts.required || registry.authorizer !== alwaysAllow
    if (!required) return false
    if (errors.length === 0 && bearer.anonymous) {
      req.kubeUser = anonymousUser
      // The web view's static files carry no cluster data; the page asks for the token itself.
      if (registry.authorizer !== alwaysAllow || openPaths.has(pathOf(req)) || isUiPath(pathOf(req))) return false
    }
    if (errors.length) req.log.debug({ reason: errors.join(', ') }, 'Unable to authenticate the request')
    sendStatus(reply, StatusError.unauthorized())
    return true
  })
}
