/** @module safety.test: a default server is safe from browser pages and behaves like a real control plane at its limits — over real sockets, with kubectl and ws. */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { ok } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { withTimeout } from '../helpers/with-timeout.js'

interface Answer {
  status: number
  body: string
}

/** One request with any headers (fetch cannot set Host), read to the end. */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: false }, (res) => {
        let text = ''
        res
          .setEncoding('utf8')
          .on('data', (d: string) => {
            text += d
          })
          .on('end', () => resolve({ status: res.statusCode!, body: text }))
      })
      req.on('error', reject)
      req.end(body)
    }),
    20_000,
    `${method} ${url}`,
  )
}

/** Opens a WebSocket; resolves 'open' or the HTTP status of a refused handshake. */
function handshake(url: string, opts: WebSocket.ClientOptions, protocols?: string[]): Promise<number | 'open'> {
  const ws = new WebSocket(url, protocols, opts)
  return withTimeout(
    new Promise<number | 'open'>((resolve, reject) => {
      ws.once('open', () => {
        ws.terminate()
        resolve('open')
      })
      ws.once('unexpected-response', (_req, res) => {
        res.resume()
        ws.terminate()
        resolve(res.statusCode!)
      })
      ws.once('error', reject)
    }),
    10_000,
    `websocket ${url}`,
  )
}

const evil = 'http://evil.example'

describe('a default server and browser pages', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('refuses a cross-origin "simple" POST to the control API with 403, so a foreign page cannot reset the cluster', async () => {
    ok(await km.kubectl(['create', 'configmap', 'precious', '--from-literal=k=v']))
    const r = await send(`${km.url}/kubemock/v1/reset`, 'POST', { Origin: evil, 'Content-Type': 'text/plain' }, '')
    expect(r.status).toBe(403)
    expect(JSON.parse(r.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: expect.stringContaining('origin "http://evil.example" is not allowed'),
    })
    const api = await send(`${km.url}/api/v1/namespaces/default/configmaps/precious`, 'DELETE', { Origin: evil })
    expect(api.status).toBe(403)
    expect(ok(await km.kubectl(['get', 'configmap', 'precious', '-o', 'name']))).toBe('configmap/precious\n')
    // A page on the developer's own machine is welcome, with the CORS headers.
    const local = await send(`${km.url}/api/v1/namespaces/default/configmaps/precious`, 'GET', { Origin: 'http://localhost:5173' })
    expect(local.status).toBe(200)
  })

  it('refuses a DNS-rebinding Host with 403 before reading Secrets or resetting', async () => {
    const secrets = await send(`${km.url}/api/v1/namespaces/kube-system/secrets`, 'GET', { Host: `evil.example:${km.port}` })
    expect(secrets.status).toBe(403)
    expect(JSON.parse(secrets.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: 'forbidden: host "evil.example" is not allowed (DNS rebinding protection); start kubemock with --allowed-host evil.example to accept it',
    })
    expect((await send(`${km.url}/kubemock/v1/reset`, 'POST', { Host: `evil.example:${km.port}` })).status).toBe(403)
    expect(ok(await km.kubectl(['get', 'configmap', 'precious', '-o', 'name']))).toBe('configmap/precious\n')
    for (const host of [`localhost:${km.port}`, `127.0.0.1:${km.port}`, `app.localhost:${km.port}`])
      expect((await send(`${km.url}/version`, 'GET', { Host: host })).status, host).toBe(200)
  })

  it('refuses watch and exec WebSockets from a foreign origin or Host, and opens them for loopback pages', async () => {
    const watch = `ws://127.0.0.1:${km.port}/api/v1/namespaces/default/configmaps?watch=1`
    const exec = `ws://127.0.0.1:${km.port}/api/v1/namespaces/default/pods/any/exec?command=sh&stdout=1`
    expect(await handshake(watch, { origin: evil })).toBe(403)
    expect(await handshake(exec, { origin: evil }, ['v5.channel.k8s.io'])).toBe(403)
    expect(await handshake(watch, { headers: { Host: `evil.example:${km.port}` } })).toBe(403)
    expect(await handshake(watch, { origin: 'http://localhost:5173' })).toBe('open')
  })

  it('`kubectl delete namespace` of default, kube-system and kube-public is Forbidden, as the NamespaceLifecycle admission plugin says', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await km.kubectl(['delete', 'namespace', ns])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`Error from server (Forbidden): namespaces "${ns}" is forbidden: this namespace may not be deleted\n`)
    }
    expect(ok(await km.kubectl(['get', 'namespace', 'default', '-o', 'jsonpath={.status.phase}']))).toBe('Active')
  })

  it('answers %YAML 9.9 and nesting bombs with 400 and keeps running, printing no YAML warning', async () => {
    const r = await send(
      `${km.url}/api/v1/namespaces/default/configmaps`,
      'POST',
      { 'Content-Type': 'application/yaml' },
      '%YAML 9.9\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: v99}\n',
    )
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).message).toBe('error converting YAML to JSON: yaml: found incompatible YAML document')
    // Two of these in a row used to abort the process inside the YAML library.
    for (const n of [10_005, 5007, 2506]) {
      const bomb = await send(`${km.url}/api/v1/namespaces/default/configmaps`, 'POST', { 'Content-Type': 'application/yaml' }, `${'- '.repeat(n)}x`)
      expect(bomb.status).toBe(400)
      const snap = await send(`${km.url}/kubemock/v1/snapshot`, 'PUT', { 'Content-Type': 'application/yaml' }, '['.repeat(n) + ']'.repeat(n))
      expect(snap.status).toBe(400)
    }
    expect((await send(`${km.url}/readyz`, 'GET', {})).status).toBe(200)
    expect(km.logs()).not.toMatch(/YAMLWarning|BAD_DIRECTIVE|FATAL/)
  })
})

describe('the storage limits, through kubectl', () => {
  let km: Kubemock
  // The default cluster (metrics-server and the RBAC bootstrap policy included) stores about 232 KB;
  // room for two 100 KB ConfigMaps more, not three, nor a 50 KB annotation on top of the two.
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0', '--storage-quota-bytes', '455000'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('past --storage-quota-bytes writes fail with etcd\'s "database space exceeded" while get and delete work, and freed space is usable again', async () => {
    const data = 'x'.repeat(100_000)
    const manifest = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: data } })
    ok(await km.kubectl(['create', '-f', '-'], { input: manifest('a') }))
    ok(await km.kubectl(['create', '-f', '-'], { input: manifest('b') }))
    const full = await km.kubectl(['create', '-f', '-'], { input: manifest('c') })
    expect(full.code).toBe(1)
    expect(full.stderr).toBe('Error from server: error when creating "STDIN": etcdserver: mvcc: database space exceeded\n')
    const annotate = await km.kubectl(['annotate', 'configmap', 'a', `big=${'y'.repeat(50_000)}`])
    expect(annotate.stderr).toBe('Error from server: etcdserver: mvcc: database space exceeded\n')
    expect(ok(await km.kubectl(['get', 'configmaps', '-o', 'name']))).toContain('configmap/b')
    ok(await km.kubectl(['delete', 'configmap', 'b']))
    ok(await km.kubectl(['create', '-f', '-'], { input: manifest('c') }))
  })

  it('refuses an object over etcd\'s 1.5 MiB request limit with "request is too large"', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge' },
      spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'BIG', value: 'x'.repeat(1_700_000) }] }] },
    }
    const r = await km.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Error from server: error when creating "STDIN": etcdserver: request is too large\n')
  })
})

describe('names and origins a server is told about', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({
      args: ['--host', '0.0.0.0', '--allowed-host', 'kubemock.test', '--kubeconfig-server', 'https://kubemock:6443', '--cors-origin', 'https://app.example'],
    })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('answers --allowed-host names and the --kubeconfig-server host, and refuses the rest', async () => {
    for (const host of ['kubemock.test', 'kubemock:6443', `127.0.0.1:${km.port}`, '192.168.1.5:8080'])
      expect((await send(`${km.url}/version`, 'GET', { Host: host })).status, host).toBe(200)
    expect((await send(`${km.url}/version`, 'GET', { Host: 'other.test' })).status).toBe(403)
  })

  it('still warns that a non-loopback bind without a token lets anyone in', () => {
    expect(km.logs()).toContain('warning: kubemock is bound to 0.0.0.0, which is reachable from other machines, and anyone can use it: add --tls --token TOKEN')
  })

  it('allows loopback pages and the --cors-origin ones on a 0.0.0.0 bind, and refuses others', async () => {
    for (const origin of ['https://app.example', 'http://localhost:3000']) {
      const r = await send(`${km.url}/version`, 'GET', { Origin: origin })
      expect(r.status, origin).toBe(200)
    }
    expect((await send(`${km.url}/version`, 'GET', { Origin: 'https://app.example:8443' })).status).toBe(403)
  })
})
