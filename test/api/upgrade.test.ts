/** @module upgrade.test: HTTP Upgrade routing — non-streaming routes answer as plain HTTP whatever the Upgrade header, SPDY upgrades pass the whole request chain (authentication), claimed sockets end with the app. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultTokenUser, TokenAuthenticator } from '../../src/api/auth.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { runtimeFor } from '../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../src/types.js'
import { SpdyTestClient } from '../helpers/spdy-client.js'

let cluster: Cluster
let app: FastifyInstance
let port: number

const q = (cmd: string[], extra: string) => `${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`

beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
  await cluster.registry.resource('', 'pods').create('default', {
    metadata: { name: 'web' },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] },
  } as KubeObject)
})
afterAll(async () => {
  await app.close()
  cluster.close()
})

describe('upgrade requests for routes that do not stream', () => {
  it('are served as plain HTTP requests, as kube-apiserver does (no 101)', async () => {
    const ws = await SpdyTestClient.upgrade(port, 'GET', '/api/v1/namespaces', {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    })
    expect(ws.response.status).toBe(200)
    expect(JSON.parse(ws.response.body)).toMatchObject({ kind: 'NamespaceList' })
    const spdy = await SpdyTestClient.upgrade(port, 'GET', '/version', {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
    })
    expect(spdy.response.status).toBe(200)
    expect(JSON.parse(spdy.response.body)).toMatchObject({ major: '1' })
    const missing = await SpdyTestClient.upgrade(port, 'GET', '/api/v1/namespaces/default/pods/ghost', {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    })
    expect(missing.response.status).toBe(404)
    // A POST WebSocket upgrade of exec is no WebSocket request either: the SPDY-or-nothing answer.
    const post = await SpdyTestClient.upgrade(port, 'POST', `/api/v1/namespaces/default/pods/web/exec?${q(['ls'], 'stdout=true')}`, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    })
    expect(JSON.parse(post.response.body)).toMatchObject({ code: 400, message: 'Upgrade request required' })
  })
})

describe('the SPDY upgrade goes through the same request chain', () => {
  it('authentication answers 401 before any upgrade; an accepted session is torn down when the app closes', async () => {
    const c2 = await Cluster.open({ speed: 0 })
    const a2 = await buildApp({ cluster: c2, auth: new TokenAuthenticator([{ token: 's3cret', ...defaultTokenUser }]) })
    await a2.listen({ port: 0, host: '127.0.0.1' })
    const p2 = (a2.server.address() as { port: number }).port
    await c2.registry.resource('', 'pods').create('default', {
      metadata: { name: 'web' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] },
    } as KubeObject)
    for (let i = 0; i < 40 && !runtimeFor(c2.registry).current('default', 'web', 'nginx')?.running; i++) await c2.clock.advance(100)
    const path = `/api/v1/namespaces/default/pods/web/exec?${q(['sleep', '999'], 'stdout=true')}`
    const headers = { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' }
    const anon = await SpdyTestClient.upgrade(p2, 'POST', path, headers)
    expect(anon.response.status).toBe(401)
    expect(JSON.parse(anon.response.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized' })
    const ok = await SpdyTestClient.upgrade(p2, 'POST', path, { ...headers, Authorization: 'Bearer s3cret' })
    expect(ok.response.status).toBe(101)
    await ok.client!.open({ streamType: 'error' })
    const out = await ok.client!.open({ streamType: 'stdout' })
    await ok.client!.until(() => !!ok.client!.stream(out)?.replied)
    const t0 = Date.now()
    await a2.close()
    expect(Date.now() - t0).toBeLessThan(2000)
    await ok.client!.until(() => ok.client!.ended)
    c2.close()
  })
})

describe('closing the app', () => {
  it('ends a watch that was served as plain HTTP on an upgrade socket', async () => {
    const c3 = await Cluster.open({ speed: 0 })
    const a3 = await buildApp({ cluster: c3 })
    await a3.listen({ port: 0, host: '127.0.0.1' })
    const p3 = (a3.server.address() as { port: number }).port
    const { connect } = await import('node:net')
    const sock = connect(p3, '127.0.0.1')
    const got: Buffer[] = []
    sock.on('data', (d: Buffer) => got.push(d))
    const closed = new Promise<void>((r) => sock.on('close', () => r()))
    // An SPDY "upgrade" of a watch is no upgrade for the apiserver: a chunked watch answers.
    sock.write(`GET /api/v1/namespaces?watch=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n`)
    for (let i = 0; i < 100 && !Buffer.concat(got).toString().includes('ADDED'); i++) await new Promise((r) => setTimeout(r, 10))
    expect(Buffer.concat(got).toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"type":"ADDED"/)
    const t0 = Date.now()
    await a3.close()
    await closed
    expect(Date.now() - t0).toBeLessThan(2000)
    c3.close()
  })
})
