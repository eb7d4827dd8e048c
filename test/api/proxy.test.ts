/** @module proxy.test: pods/proxy, services/proxy and nodes/proxy through app.inject — page, headers, redirects, dial errors while a container is down, load balancing over ready endpoints, link rewriting. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { rewriteHTMLLinks, splitSchemeNamePort } from '../../src/api/proxy.js'
import { runtimeFor } from '../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../src/types.js'
import { advanceUntil } from '../helpers/advance-until.js'

let cluster: Cluster
let app: FastifyInstance
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as (Pod & KubeObject) | undefined
const ns = '/api/v1/namespaces/default'

const until = (cond: () => boolean, maxMs = 5000) => advanceUntil(cluster.clock, cond, maxMs)

const ready = (name: string) => !!pod(name)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')

async function runningPod(name: string, image = 'nginx:1.15.12', labels: Record<string, string> = {}, ports?: { name?: string; containerPort: number }[]) {
  await pods().create('default', {
    metadata: { name, labels },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'web', image, ...(ports ? { ports } : {}) }] },
  } as KubeObject)
  await until(() => ready(name))
}

const status = (body: string) => JSON.parse(body) as { code: number; reason: string; message: string }

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
})
afterEach(async () => {
  await app.close()
  cluster.close()
})

describe('pods/proxy', () => {
  test('GET /proxy/ is the nginx page with the backend headers; the pod logs an access line with X-Forwarded-For', async () => {
    await runningPod('nginx-pod')
    const res = await app.inject({ url: `${ns}/pods/nginx-pod/proxy/`, headers: { 'user-agent': 'curl/8.5.0' }, remoteAddress: '127.0.0.1' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<title>Welcome to nginx!</title>')
    expect(res.headers.server).toBe('nginx/1.15.12')
    expect(res.headers['content-length']).toBe('612')
    expect(res.headers['accept-ranges']).toBe('bytes')
    expect(res.headers['audit-id']).toBeTruthy()
    const rt = runtimeFor(cluster.registry)
    const last = rt.logs(rt.current('default', 'nginx-pod')!.containerID).lines.at(-1)!.text
    expect(last).toMatch(/^10\.244\.1\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 612 "-" "curl\/8\.5\.0" "127\.0\.0\.1"$/)
  })

  test('/proxy without a slash redirects; other paths, HEAD and POST reach nginx', async () => {
    await runningPod('nginx-pod')
    let res = await app.inject({ url: `${ns}/pods/nginx-pod/proxy?x=1` })
    expect(res.statusCode).toBe(301)
    expect(res.headers.location).toBe(`${ns}/pods/nginx-pod/proxy/?x=1`)
    res = await app.inject({ url: `${ns}/pods/nginx-pod/proxy/nope` })
    expect(res.statusCode).toBe(404)
    expect(res.body).toContain('<hr><center>nginx/1.15.12</center>')
    res = await app.inject({ method: 'HEAD', url: `${ns}/pods/nginx-pod/proxy/` })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
    res = await app.inject({
      method: 'POST',
      url: `${ns}/pods/nginx-pod/proxy/index.html`,
      payload: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(res.statusCode).toBe(405)
  })

  test('a port nothing listens on, and a stopped container, are 503 connection refused; the restart brings the page back', async () => {
    await runningPod('nginx-pod')
    const ip = pod('nginx-pod')!.status!.podIP
    let res = await app.inject({ url: `${ns}/pods/nginx-pod:8080/proxy/` })
    expect(res.statusCode).toBe(503)
    expect(status(res.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: `error trying to reach service: dial tcp ${ip}:8080: connect: connection refused`,
    })
    const rt = runtimeFor(cluster.registry)
    const first = rt.current('default', 'nginx-pod')!
    rt.markExited(first.containerID, 0)
    cluster.sim.exitContainer!('default', 'nginx-pod', 'web', 0, 'Completed')
    res = await app.inject({ url: `${ns}/pods/nginx-pod/proxy/` })
    expect(status(res.body).message).toBe(`error trying to reach service: dial tcp ${ip}:80: connect: connection refused`)
    await until(() => !!rt.current('default', 'nginx-pod')?.running && rt.current('default', 'nginx-pod')!.containerID !== first.containerID)
    res = await app.inject({ url: `${ns}/pods/nginx-pod/proxy/` })
    expect(res.statusCode).toBe(200)
  })

  test('bad ids, https to a plain server, and pods without an IP', async () => {
    let res = await app.inject({ url: `${ns}/pods/a:b:c:d/proxy/` })
    expect(status(res.body)).toMatchObject({ code: 400, message: 'invalid pod request "a:b:c:d"' })
    await pods().create('default', {
      metadata: { name: 'pending' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], nodeSelector: { none: 'x' } },
    } as KubeObject)
    res = await app.inject({ url: `${ns}/pods/pending/proxy/` })
    expect(status(res.body)).toMatchObject({ code: 400, message: 'address not allowed' })
    await runningPod('nginx-pod')
    res = await app.inject({ url: `${ns}/pods/https:nginx-pod:80/proxy/` })
    expect(status(res.body).message).toBe('error trying to reach service: tls: first record does not look like a TLS handshake')
    res = await app.inject({ url: `${ns}/pods/nope/proxy/` })
    expect(res.statusCode).toBe(404)
  })
})

describe('services/proxy', () => {
  async function service(spec: Record<string, unknown>) {
    await cluster.registry.resource('', 'services').create('default', { metadata: { name: 'svc' }, spec } as KubeObject)
  }

  test('balances over ready pods, resolving a named targetPort', async () => {
    const ports = [{ name: 'http', containerPort: 80 }]
    await runningPod('echo-a', 'sysnet4admin/echo-hname', { app: 'echo' }, ports)
    await runningPod('echo-b', 'sysnet4admin/echo-hname', { app: 'echo' }, ports)
    await runningPod('other', 'sysnet4admin/echo-hname', { app: 'other' }, ports)
    await service({ selector: { app: 'echo' }, ports: [{ port: 8080, targetPort: 'http' }] })
    const bodies = new Set<string>()
    for (let i = 0; i < 4; i++) bodies.add((await app.inject({ url: `${ns}/services/svc/proxy/` })).body)
    expect([...bodies].sort()).toEqual(['echo-a\n', 'echo-b\n'])
    const byPort = await app.inject({ url: `${ns}/services/svc:8080/proxy/` })
    expect(byPort.statusCode).toBe(200)
  })

  test('no ready endpoints, and an unknown port number, are 503 as the service REST says', async () => {
    await service({ selector: { app: 'none' }, ports: [{ port: 80 }] })
    let res = await app.inject({ url: `${ns}/services/svc/proxy/` })
    expect(status(res.body)).toMatchObject({ code: 503, message: 'no endpoints available for service "svc"' })
    res = await app.inject({ url: `${ns}/services/svc:81/proxy/` })
    expect(status(res.body).message).toBe('no service port 81 found for service "svc"')
  })
})

describe('nodes/proxy and helpers', () => {
  test('nodes/NAME/proxy/healthz is ok', async () => {
    const res = await app.inject({ url: '/api/v1/nodes/kubemock-worker/proxy/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('ok')
  })

  test('splitSchemeNamePort and same-host link rewriting', () => {
    expect(splitSchemeNamePort('x')).toEqual({ scheme: '', name: 'x', port: '' })
    expect(splitSchemeNamePort('https:x:443')).toEqual({ scheme: 'https', name: 'x', port: '443' })
    expect(splitSchemeNamePort('ftp:x:1')).toBeUndefined()
    const p = '/api/v1/namespaces/default/pods/x/proxy'
    expect(
      rewriteHTMLLinks('<a href="/docs/">d</a><a href="http://nginx.org/">n</a><img src="http://10.244.1.5/i.png">', p, '10.244.1.5', 'localhost:8001'),
    ).toBe(`<a href="${p}/docs/">d</a><a href="http://nginx.org/">n</a><img src="${p}/i.png">`)
  })
})
