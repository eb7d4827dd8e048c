/**
 * @module authentication.test: authentication end to end with real kubectl and client-node —
 * client-certificate kubeconfigs, `kubectl auth whoami`, `kubectl create token` and its expiry on
 * the simulated clock, TokenReview, a pod's projected token used from curl inside the pod and
 * from the test, impersonation.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify } from 'yaml'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { generateCA, issueClientCertificate } from '../../src/tls.js'

/** A kubeconfig for the server at `url` trusting `caData` (base64), with `user`'s credentials. */
function kubeconfig(url: string, caData: string, user: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: url, 'certificate-authority-data': caData } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
    'current-context': 'c',
    users: [{ name: 'u', user }],
  })
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

/** The ATTRIBUTE/VALUE rows of `kubectl auth whoami`, as [attribute, value] pairs. */
function whoamiRows(stdout: string): [string, string][] {
  const lines = stdout.trimEnd().split('\n')
  expect(lines[0]).toMatch(/^ATTRIBUTE\s+VALUE$/)
  const col = lines[0].indexOf('VALUE')
  return lines.slice(1).map((l) => [l.slice(0, col).trim(), l.slice(col).trim()])
}

/** GET `path` over HTTPS trusting `ca`, with a bearer token. */
function httpsGet(
  url: string,
  ca: string,
  token: string,
  headers: Record<string, string | string[]> = {},
): Promise<{ status: number; body: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode!, body, contentType: res.headers['content-type'] }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('authentication with --tls, --token-file and --client-ca-file', () => {
  let km: Kubemock
  let dir: string
  let caData: string
  let caPEM: string
  /** A kubeconfig file with `user`'s credentials; returns its path. */
  let writeKubeconfig: (name: string, user: Record<string, string>) => string
  const clientCA = generateCA()

  /** kubectl with another kubeconfig (the server's cache dir, so discovery is shared). */
  const kubectlAs = (file: string, args: string[]) => km.kubectl(['--kubeconfig', file, ...args])
  const advance = async (seconds: number) => {
    const r = await km.kubectl(['create', '--raw', '/kubemock/v1/clock/advance', '-f', '-'], { input: JSON.stringify({ seconds }) })
    expect(r.code, r.stderr).toBe(0)
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-authn-'))
    writeFileSync(join(dir, 'tokens'), 'admin-token,admin,1000,"system:masters"\nbob-token,bob,1001,"devs,qa"\n')
    writeFileSync(join(dir, 'client-ca.pem'), clientCA.cert)
    km = await startKubemock({ args: ['--tls', '--token-file', join(dir, 'tokens'), '--client-ca-file', join(dir, 'client-ca.pem'), '--speed', '0'] })
    const cfg = parseYaml(readFileSync(km.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[] }
    caData = cfg.clusters[0].cluster['certificate-authority-data']
    caPEM = Buffer.from(caData, 'base64').toString('utf8')
    writeKubeconfig = (name, user) => {
      const file = join(dir, `${name}.kubeconfig`)
      writeFileSync(file, kubeconfig(km.url, caData, user))
      return file
    }
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('auth whoami names the static-token user of the written kubeconfig, with system:authenticated added', async () => {
    const r = await km.kubectl(['auth', 'whoami'])
    expect(r.code, r.stderr).toBe(0)
    expect(whoamiRows(r.stdout)).toEqual([
      ['Username', 'admin'],
      ['UID', '1000'],
      ['Groups', '[system:masters system:authenticated]'],
    ])
    const bob = writeKubeconfig('bob', { token: 'bob-token' })
    expect(whoamiRows((await kubectlAs(bob, ['auth', 'whoami'])).stdout)).toEqual([
      ['Username', 'bob'],
      ['UID', '1001'],
      ['Groups', '[devs qa system:authenticated]'],
    ])
  })

  it('a client certificate from --client-ca-file is CN = user, O = groups; untrusted and expired ones are 401', async () => {
    const alice = issueClientCertificate(clientCA, { user: 'alice', groups: ['devs', 'ops'] })
    const file = writeKubeconfig('alice', { 'client-certificate-data': b64(alice.cert), 'client-key-data': b64(alice.key) })
    const r = await kubectlAs(file, ['auth', 'whoami'])
    expect(r.code, r.stderr).toBe(0)
    // 1.32+: the certificate's SHA-256 fingerprint (of its DER) as the credential id.
    const fingerprint = createHash('sha256').update(new X509Certificate(alice.cert).raw).digest('hex')
    expect(whoamiRows(r.stdout)).toEqual([
      ['Username', 'alice'],
      ['Groups', '[devs ops system:authenticated]'],
      ['Extra: authentication.kubernetes.io/credential-id', `[X509SHA256=${fingerprint}]`],
    ])
    const stranger = issueClientCertificate(generateCA(), { user: 'mallory', groups: ['system:masters'] })
    const bad = writeKubeconfig('mallory', { 'client-certificate-data': b64(stranger.cert), 'client-key-data': b64(stranger.key) })
    const denied = await kubectlAs(bad, ['get', 'pods'])
    expect(denied.code).toBe(1)
    // Discovery meets the 401 first: kubectl words it so for a real kube-apiserver too.
    expect(denied.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)')
    const old = issueClientCertificate(clientCA, { user: 'alice', now: new Date(Date.now() - 10 * 86400_000), validForMs: 86400_000 })
    const expired = writeKubeconfig('expired', { 'client-certificate-data': b64(old.cert), 'client-key-data': b64(old.key) })
    expect((await kubectlAs(expired, ['get', 'pods'])).stderr).toContain('error: You must be logged in to the server')
  })

  it('no credentials at all is system:anonymous, which may only reach the open paths under AlwaysAllow', async () => {
    const anon = await httpsGet(`${km.url}/api/v1/namespaces/default/pods`, caPEM, '')
    expect(anon.status).toBe(401)
    expect(JSON.parse(anon.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 })
    expect((await httpsGet(`${km.url}/healthz`, caPEM, '')).body).toBe('ok')
  })

  it('kubectl create token issues a service-account JWT that authenticates until the simulated clock passes its expiry', async () => {
    const created = await km.kubectl(['create', 'serviceaccount', 'robot'])
    expect(created.code, created.stderr).toBe(0)
    const issued = await km.kubectl(['create', 'token', 'robot', '--duration', '20m'])
    expect(issued.code, issued.stderr).toBe(0)
    const token = issued.stdout.trim()
    const [, payload] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    const sa = JSON.parse((await km.kubectl(['get', 'sa', 'robot', '-o', 'json'])).stdout)
    expect(claims).toMatchObject({
      aud: ['https://kubernetes.default.svc.cluster.local'],
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:default:robot',
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } },
    })
    expect(claims.exp - claims.iat).toBe(1200)
    expect(claims.nbf).toBe(claims.iat)
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg).toBe('RS256')

    const file = writeKubeconfig('robot', { token })
    const rows = whoamiRows((await kubectlAs(file, ['auth', 'whoami'])).stdout)
    expect(rows.slice(0, 3)).toEqual([
      ['Username', 'system:serviceaccount:default:robot'],
      ['UID', sa.metadata.uid],
      ['Groups', '[system:serviceaccounts system:serviceaccounts:default system:authenticated]'],
    ])
    expect(rows[3]).toEqual(['Extra: authentication.kubernetes.io/credential-id', `[JTI=${claims.jti}]`])
    expect((await kubectlAs(file, ['get', 'pods'])).code).toBe(0)

    const tooShort = await km.kubectl(['create', 'token', 'robot', '--duration', '1m'])
    expect(tooShort.stderr).toContain(
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    )
    const missing = await km.kubectl(['create', 'token', 'nobody'])
    expect(missing.stderr).toContain('error: failed to create token: serviceaccounts "nobody" not found')

    await advance(1200 + 61)
    const late = await kubectlAs(file, ['get', 'pods'])
    expect(late.code).toBe(1)
    expect(late.stderr).toContain('error: You must be logged in to the server (Unauthorized)')
  })

  it('TokenReview through client-node: a service-account token is authenticated with its audiences, a deleted account’s is not', async () => {
    await km.kubectl(['create', 'serviceaccount', 'reviewed'])
    const token = (
      await km.kubectl(['create', 'token', 'reviewed', '--audience', 'vault', '--audience', 'https://kubernetes.default.svc.cluster.local'])
    ).stdout.trim()
    const kc = new KubeConfig()
    kc.loadFromFile(km.kubeconfigPath)
    const api = kc.makeApiClient(AuthenticationV1Api)
    const review = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: ['vault'] } } })
    expect(review.status?.authenticated).toBe(true)
    expect(review.status?.audiences).toEqual(['vault'])
    expect(review.status?.user?.username).toBe('system:serviceaccount:default:reviewed')
    expect(review.status?.user?.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'])
    const other = await api.createTokenReview({ body: { spec: { token, audiences: ['elsewhere'] } } })
    expect(other.status?.authenticated).toBeFalsy()
    expect(other.status?.error).toBe(
      'token audiences ["vault" "https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["elsewhere"]',
    )
    const staticToken = await api.createTokenReview({ body: { spec: { token: 'bob-token' } } })
    expect(staticToken.status?.user).toMatchObject({ username: 'bob', uid: '1001', groups: ['devs', 'qa', 'system:authenticated'] })
    await km.kubectl(['delete', 'serviceaccount', 'reviewed'])
    const gone = await api.createTokenReview({ body: { spec: { token, audiences: ['vault'] } } })
    expect(gone.status?.authenticated).toBeFalsy()
    expect(gone.status?.error).toBe('serviceaccounts "reviewed" not found')
    const unknown = await api.createTokenReview({ body: { spec: { token: 'no-such-token' } } })
    expect(unknown.status?.authenticated).toBeFalsy()
  })

  it("a pod's projected token works from curl inside the pod and from the test; a token bound to the pod dies with it", async () => {
    expect((await km.kubectl(['run', 'shell', '--image=busybox', '--', 'sleep', '3600'])).code).toBe(0)
    let phase = ''
    for (let i = 0; i < 20 && phase !== 'Running'; i++) {
      await advance(5)
      phase = (await km.kubectl(['get', 'pod', 'shell', '-o', 'jsonpath={.status.phase}'])).stdout
    }
    expect(phase).toBe('Running')
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount'
    expect((await km.kubectl(['exec', 'shell', '--', 'ls', dir])).stdout.split(/\s+/).filter(Boolean)).toEqual(['ca.crt', 'namespace', 'token'])
    expect((await km.kubectl(['exec', 'shell', '--', 'cat', `${dir}/namespace`])).stdout).toBe('default')
    expect((await km.kubectl(['exec', 'shell', '--', 'cat', `${dir}/ca.crt`])).stdout).toBe(caPEM)

    const curl = `curl -sS --cacert ${dir}/ca.crt -H "Authorization: Bearer $(cat ${dir}/token)"`
    const list = await km.kubectl(['exec', 'shell', '--', 'sh', '-c', `${curl} https://kubernetes.default.svc/api/v1/namespaces/default/pods`])
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toMatchObject({ kind: 'PodList', items: [{ metadata: { name: 'shell' } }] })
    const who = await km.kubectl([
      'exec',
      'shell',
      '--',
      'sh',
      '-c',
      `${curl} -X POST -H "Content-Type: application/json" -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews`,
    ])
    const pod = JSON.parse((await km.kubectl(['get', 'pod', 'shell', '-o', 'json'])).stdout)
    expect(JSON.parse(who.stdout).status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:default',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['shell'],
        'authentication.kubernetes.io/pod-uid': [pod.metadata.uid],
        'authentication.kubernetes.io/node-name': [pod.spec.nodeName],
      },
    })
    // Without the cluster CA, curl refuses the server's certificate.
    const untrusted = await km.kubectl(['exec', 'shell', '--', 'sh', '-c', 'curl -sS https://kubernetes.default.svc/api'])
    expect(untrusted.code).toBe(60)
    expect(untrusted.stderr).toContain('curl: (60) SSL certificate problem: unable to get local issuer certificate')

    const podToken = (await km.kubectl(['exec', 'shell', '--', 'cat', `${dir}/token`])).stdout
    const claims = JSON.parse(Buffer.from(podToken.split('.')[1], 'base64url').toString())
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'shell', uid: pod.metadata.uid })
    expect(claims['kubernetes.io'].warnafter - claims.iat).toBe(3607)
    const fromTest = await httpsGet(`${km.url}/api/v1/namespaces/default/pods/shell`, caPEM, podToken)
    expect(fromTest.status).toBe(200)

    const bound = await km.kubectl(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'shell'])
    expect(bound.code, bound.stderr).toBe(0)
    const boundToken = bound.stdout.trim()
    expect((await httpsGet(`${km.url}/api/v1/namespaces/default/pods`, caPEM, boundToken)).status).toBe(200)
    await km.kubectl(['delete', 'pod', 'shell', '--wait=false'])
    await advance(40)
    expect((await km.kubectl(['get', 'pod', 'shell'])).stderr).toContain('NotFound')
    expect((await httpsGet(`${km.url}/api/v1/namespaces/default/pods`, caPEM, boundToken)).status).toBe(401)
    expect((await httpsGet(`${km.url}/api/v1/namespaces/default/pods`, caPEM, podToken)).status).toBe(401)
  })

  it('impersonation: --as and --as-group change who kubectl is (system:authenticated added), a service account gets its groups', async () => {
    const r = await km.kubectl(['auth', 'whoami', '--as', 'jane', '--as-group', 'devs'])
    expect(r.code, r.stderr).toBe(0)
    expect(whoamiRows(r.stdout)).toEqual([
      ['Username', 'jane'],
      ['Groups', '[devs system:authenticated]'],
    ])
    const two = await km.kubectl(['auth', 'whoami', '--as', 'jane', '--as-group', 'devs', '--as-group', 'ops'])
    expect(whoamiRows(two.stdout)).toContainEqual(['Groups', '[devs ops system:authenticated]'])
    const sa = whoamiRows((await km.kubectl(['auth', 'whoami', '--as', 'system:serviceaccount:kube-system:builder'])).stdout)
    expect(sa).toEqual([
      ['Username', 'system:serviceaccount:kube-system:builder'],
      ['Groups', '[system:serviceaccounts system:serviceaccounts:kube-system system:authenticated]'],
    ])
    const uid = whoamiRows((await km.kubectl(['auth', 'whoami', '--as', 'jane', '--as-uid', 'u-1'])).stdout)
    expect(uid).toEqual([
      ['Username', 'jane'],
      ['UID', 'u-1'],
      ['Groups', '[system:authenticated]'],
    ])
    // kubectl itself refuses groups without a user (clientcmd's validation), before any request.
    const orphan = await km.kubectl(['get', 'pods', '--as-group', 'devs', '--as-group', 'ops'])
    expect(orphan.code).toBe(1)
    expect(orphan.stderr).toBe('error: requesting uid, groups or user-extra for kubemock without impersonating a user\n')
    // The same headers sent anyway: kube-apiserver's responsewriters.InternalError, a plain-text 500.
    const raw = await httpsGet(`${km.url}/api/v1/namespaces/default/pods?limit=500`, caPEM, 'admin-token', { 'Impersonate-Group': ['devs', 'ops'] })
    expect(raw).toEqual({
      status: 500,
      contentType: 'text/plain; charset=utf-8',
      body: 'Internal Server Error: "/api/v1/namespaces/default/pods?limit=500": requested [{Group  devs    } {Group  ops    }] without impersonating a user\n',
    })
  })
})

describe('--tls without tokens', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--tls', '--speed', '0'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('writes a kubeconfig with a client certificate for kubemock-admin in system:masters, as kubeadm’s admin.conf', async () => {
    const cfg = parseYaml(readFileSync(km.kubeconfigPath, 'utf8')) as { users: { user: Record<string, string> }[] }
    expect(Object.keys(cfg.users[0].user).sort()).toEqual(['client-certificate-data', 'client-key-data'])
    const r = await km.kubectl(['auth', 'whoami', '-o', 'yaml'])
    expect(r.code, r.stderr).toBe(0)
    const cert = Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64').toString()
    const fingerprint = createHash('sha256').update(new X509Certificate(cert).raw).digest('hex')
    const review = parseYaml(r.stdout)
    // The review's creationTimestamp is the time it was made (selfsubjectreview's REST Create).
    expect(review.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect({ ...review, metadata: {} }).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
      status: {
        userInfo: {
          username: 'kubemock-admin',
          groups: ['system:masters', 'system:authenticated'],
          extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${fingerprint}`] },
        },
      },
    })
  })
})

// Which credential ids a server reports follows its version: x509 from 1.32 (kubernetes#125634),
// a service-account token's JTI (and the jti claim) from 1.30 (ServiceAccountTokenJTI beta).
describe.each([
  { version: '1.29', x509: false, jti: false },
  { version: '1.31', x509: false, jti: true },
])('--tls --kube-version $version: credential ids', ({ version, x509, jti }) => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ kubeVersion: version, args: ['--tls', '--speed', '0', '--nodes', '0'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it(`a client certificate user has ${x509 ? 'a' : 'no'} credential-id; a token ${jti ? 'has' : 'has no'} jti`, async () => {
    const me = await km.kubectl(['auth', 'whoami', '-o', 'json'])
    expect(me.code, me.stderr).toBe(0)
    expect(JSON.parse(me.stdout).status.userInfo).toEqual({ username: 'kubemock-admin', groups: ['system:masters', 'system:authenticated'] })
    const issued = await km.kubectl(['create', 'token', 'default'])
    expect(issued.code, issued.stderr).toBe(0)
    const token = issued.stdout.trim()
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
    const review = await km.kubectl(['create', '-f', '-', '-o', 'json'], {
      input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
    })
    expect(review.code, review.stderr).toBe(0)
    const user = JSON.parse(review.stdout).status.user
    if (jti) {
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/)
      expect(user.extra).toEqual({ 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] })
    } else {
      expect(claims.jti).toBeUndefined()
      expect(user.extra).toBeUndefined()
    }
  })
})
