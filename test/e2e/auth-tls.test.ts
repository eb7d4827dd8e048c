/** @module auth-tls.test: `--tls --token` end to end — kubectl and client-node with the written kubeconfig, 401s, WebSocket bearer subprotocol. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { parse as parseYaml } from 'yaml'
import { kubectlPath, repoRoot } from '../helpers/kubectl-path.js'
import { startProcess, type RunningProcess } from '../helpers/run-process.js'
import { withTimeout } from '../helpers/with-timeout.js'
import { start } from '../../src/index.js'

const token = 'e2e-secret-token'
const listening = /kubemock listening on (https?:\/\/\S+?):(\d+)\s*$/m

/** A kubemock CLI started with extra flags (the shared harness only knows the http listening line). */
interface Server {
  url: string
  port: number
  dir: string
  kubeconfigPath: string
  proc: RunningProcess
  kubectl(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }>
  stop(): Promise<void>
}

async function startServer(args: string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-tls-'))
  const kubeconfigPath = join(dir, 'config')
  const proc = startProcess(
    process.execPath,
    [join(repoRoot, 'bin', 'kubemock.js'), '--port', '0', '--kubeconfig', kubeconfigPath, ...args.map((a) => a.replace('$DIR', dir))],
    { cwd: repoRoot, timeoutMs: 600_000 },
  )
  let out: string
  try {
    out = await proc.waitForStdout(listening, 15_000)
  } catch (e) {
    await proc.stop(1_000)
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  const m = listening.exec(out)!
  const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfigPath, NO_COLOR: '1' }
  return {
    url: `${m[1]}:${m[2]}`,
    port: Number(m[2]),
    dir,
    kubeconfigPath,
    proc,
    kubectl: async (a) => {
      const r = await startProcess(kubectlPath(), ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...a], { env, timeoutMs: 20_000 }).done
      return { stdout: r.stdout, stderr: r.stderr, code: r.code }
    },
    stop: async () => {
      await proc.stop(5_000)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** One HTTPS request trusting only `ca`; resolves with status, headers, body and the peer certificate. */
function get(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown>; cert: PeerCertificate }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca, headers, agent: false }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers, cert: (res.socket as TLSSocket).getPeerCertificate() }))
      })
      req.on('error', reject)
      req.end()
    }),
    10_000,
    `GET ${url}`,
  )
}

describe('kubemock --tls --token', () => {
  let s: Server
  let kubeconfig: { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] }
  let ca: string

  beforeAll(async () => {
    s = await startServer(['--tls', '--token', token])
    kubeconfig = parseYaml(readFileSync(s.kubeconfigPath, 'utf8'))
    ca = Buffer.from(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8')
  })
  afterAll(async () => {
    await s?.stop()
  })

  it('prints an https URL and writes a kubeconfig with the server, the CA and the token', async () => {
    expect(s.url).toBe(`https://127.0.0.1:${s.port}`)
    expect(kubeconfig.clusters[0].cluster.server).toBe(s.url)
    expect(kubeconfig.clusters[0].cluster['insecure-skip-tls-verify']).toBeUndefined()
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    expect(kubeconfig.users[0].user).toEqual({ token })
    await s.proc.waitForStdout(/export KUBECONFIG=/, 5_000)
    expect(s.proc.stdout()).toContain(`kubeconfig written to ${s.kubeconfigPath} (with the CA and the token)\n  export KUBECONFIG=${s.kubeconfigPath}\n`)
  })

  it('serves a certificate the kubeconfig CA verifies, with the apiserver SANs', async () => {
    const r = await get(`${s.url}/healthz`, ca)
    expect(r.status).toBe(200)
    expect(r.body).toBe('ok')
    expect(r.cert.subject.CN).toBe('kube-apiserver')
    for (const san of ['DNS:localhost', 'DNS:kubernetes.default.svc', 'IP Address:127.0.0.1', 'IP Address:10.96.0.1'])
      expect(r.cert.subjectaltname).toContain(san)
  })

  it('kubectl with the written kubeconfig works over verified TLS', async () => {
    const r = await s.kubectl(['get', 'nodes'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/)
    expect(r.stdout).toContain('kubemock-control-plane')
  })

  it('kubectl with a wrong token prints the real Unauthorized error', async () => {
    const r = await s.kubectl(['--token', 'wrong', 'get', 'pods'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('error: You must be logged in to the server (Unauthorized)')
  })

  it('answers 401 with the Unauthorized Status without a token, and keeps the probes open', async () => {
    const r = await get(`${s.url}/api/v1/namespaces/default/pods`, ca)
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    })
    for (const p of ['/livez', '/readyz', '/version']) expect((await get(`${s.url}${p}`, ca)).status, p).toBe(200)
    expect((await get(`${s.url}/api`, ca, { Authorization: `Bearer ${token}` })).status).toBe(200)
  })

  it('@kubernetes/client-node 1.4 works from the kubeconfig file, and gets 401 with a wrong token', async () => {
    const kc = new KubeConfig()
    kc.loadFromFile(s.kubeconfigPath)
    const list = await kc.makeApiClient(CoreV1Api).listNamespace()
    expect(list.items.map((n) => n.metadata?.name)).toContain('kube-system')

    const bad = new KubeConfig()
    bad.loadFromString(readFileSync(s.kubeconfigPath, 'utf8').replace(token, 'wrong'))
    const err = await bad
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiException)
    expect((err as ApiException<unknown>).code).toBe(401)
  })

  it('logs one JSON line per request when stdout is not a terminal', async () => {
    await s.kubectl(['get', 'nodes'])
    const out = await s.proc.waitForStdout(/"url":"\/api\/v1\/nodes\?limit=500"/, 5_000)
    const line = out.split('\n').find((l) => l.includes('"url":"/api/v1/nodes?limit=500"'))!
    expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'request', method: 'GET', status: 200, userAgent: expect.stringMatching(/^kubectl\/v1\.\d+/) })
    expect(typeof JSON.parse(line).ms).toBe('number')
  })

  describe('WebSocket watch', () => {
    const b64url = (t: string) => Buffer.from(t, 'utf8').toString('base64url')
    const wsUrl = () => `wss://127.0.0.1:${s.port}/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dkube-root-ca.crt`

    it('authenticates with the bearer subprotocol and echoes the other protocol', async () => {
      const ws = new WebSocket(wsUrl(), [`base64url.bearer.authorization.k8s.io.${b64url(token)}`, 'base64.binary.k8s.io'], {
        ca,
        origin: 'https://localhost:5173',
      })
      try {
        const first = await withTimeout(
          new Promise<string>((resolve, reject) => {
            ws.once('message', (d) => resolve(d.toString()))
            ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)))
            ws.once('error', reject)
          }),
          10_000,
          'first watch event',
        )
        expect(ws.protocol).toBe('base64.binary.k8s.io')
        expect(JSON.parse(first)).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } } })
      } finally {
        ws.terminate()
      }
    })

    it('rejects a wrong subprotocol token, and a missing one, with HTTP 401 before the upgrade', async () => {
      for (const protocols of [[`base64url.bearer.authorization.k8s.io.${b64url('wrong')}`, 'base64.binary.k8s.io'], ['base64.binary.k8s.io']]) {
        const ws = new WebSocket(wsUrl(), protocols, { ca, origin: 'https://localhost:5173' })
        const res = await withTimeout(
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            ws.once('unexpected-response', (_q, r) => {
              let body = ''
              r.setEncoding('utf8')
                .on('data', (d: string) => {
                  body += d
                })
                .on('end', () => resolve({ status: r.statusCode!, body }))
            })
            ws.once('open', () => reject(new Error('the handshake succeeded')))
            ws.once('error', reject)
          }),
          10_000,
          'handshake answer',
        )
        ws.terminate()
        expect(res.status).toBe(401)
        expect(JSON.parse(res.body)).toMatchObject({ reason: 'Unauthorized', code: 401 })
      }
    })
  })
})

describe('kubemock --token-file', () => {
  let s: Server
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-tokens-'))
    const file = join(dir, 'tokens.csv')
    writeFileSync(file, '# token,user,uid,groups\nalice-token,alice,1001,"dev,ops"\nbare-token\n')
    s = await startServer(['--tls', '--token-file', file])
    rmSync(dir, { recursive: true, force: true })
  })
  afterAll(async () => {
    await s?.stop()
  })

  it('accepts every token in the file; the kubeconfig carries the first', async () => {
    const cfg = parseYaml(readFileSync(s.kubeconfigPath, 'utf8'))
    expect(cfg.users[0].user.token).toBe('alice-token')
    expect((await s.kubectl(['get', 'ns', 'default', '-o', 'name'])).stdout).toBe('namespace/default\n')
    expect((await s.kubectl(['--token', 'bare-token', 'get', 'ns', 'default', '-o', 'name'])).stdout).toBe('namespace/default\n')
    expect((await s.kubectl(['--token', 'nope', 'get', 'ns'])).stderr).toContain('You must be logged in to the server (Unauthorized)')
  })
})

describe('CLI validation', () => {
  it("refuses a two-column token file with kube-apiserver's message, before listening", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-tokens-'))
    try {
      writeFileSync(join(dir, 't.csv'), 'tok,alice\n')
      const r = await startProcess(process.execPath, [join(repoRoot, 'bin', 'kubemock.js'), '--port', '0', '--token-file', join(dir, 't.csv')], {
        timeoutMs: 15_000,
      }).done
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`token file '${join(dir, 't.csv')}' must have at least 3 columns (token, user name, user uid), found 2`)
      expect(r.stdout).not.toContain('listening')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses --tls-cert without --tls-key', async () => {
    const r = await startProcess(process.execPath, [join(repoRoot, 'bin', 'kubemock.js'), '--port', '0', '--tls-cert', '/nonexistent'], { timeoutMs: 15_000 })
      .done
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--tls-cert and --tls-key must be given together')
  })
})

describe('library start({ tokens, tls: true })', () => {
  it('serves https; client-node trusts it through the returned kubeconfig, and needs the token', async () => {
    const c = await start({ tokens: ['lib-token'], tls: true, speed: 0 })
    try {
      expect(c.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      expect(c.ca).toMatch(/BEGIN CERTIFICATE/)
      const kc = new KubeConfig()
      kc.loadFromString(c.kubeconfig)
      expect(kc.getCurrentUser()?.token).toBe('lib-token')
      const nodes = await kc.makeApiClient(CoreV1Api).listNode()
      expect(nodes.items.length).toBeGreaterThan(0)
      const r = await get(`${c.url}/api`, c.ca!)
      expect(r.status).toBe(401)
    } finally {
      await c.close()
    }
  })
})
