/** @module portforward.test: the kubelet's port-forward stream pairing (driven by a client that compresses as Go's spdy framer does), the upgrade checks and the v4 channel protocol. */
import { request } from 'node:http'
import { inflateSync, constants as zc } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import type { KubeObject } from '../../src/types.js'
import type { ConnectionIO, PodConnection } from '../../src/api/pod-network.js'
import { PortForwardSession } from '../../src/api/portforward-streams.js'
import { SpdyFrameReader, SpdyType, spdyData, spdyFlagFin, spdyPing, type SpdyFrame } from '../../src/api/spdy/frames.js'
import { encodeHeaderBlock } from '../../src/api/spdy/headers.js'
import { GoHeaderCompressor } from '../helpers/spdy-client.js'

/** A SPDY client the way client-go's spdystream writes: one zlib stream (best compression, SPDY dictionary), sync-flushed per header block. */
class GoLikeClient {
  private readonly z = new GoHeaderCompressor()
  private readonly reader = new SpdyFrameReader()
  private nextId = 1
  readonly frames: SpdyFrame[] = []

  constructor(private readonly session: PortForwardSession) {}

  async synStream(headers: Record<string, string>, fin = false): Promise<number> {
    const id = this.nextId
    this.nextId += 2
    const block = await this.z.compress(encodeHeaderBlock(headers))
    const p = Buffer.alloc(10)
    p.writeUInt32BE(id, 0)
    const payload = Buffer.concat([p, block])
    const h = Buffer.alloc(8)
    h.writeUInt32BE(0x80030000 + SpdyType.SynStream, 0)
    h.writeUInt32BE((fin ? spdyFlagFin : 0) * 0x1000000 + payload.length, 4)
    this.session.receive(Buffer.concat([h, payload]))
    return id
  }

  /** Bytes the session sent, split into frames, in arbitrary chunking. */
  take(bytes: Buffer) {
    for (let i = 0; i < bytes.length; i += 7) this.frames.push(...this.reader.push(bytes.subarray(i, i + 7)))
  }

  dataOn(id: number): string {
    return Buffer.concat(
      this.frames.filter((f): f is Extract<SpdyFrame, { kind: 'data' }> => f.kind === 'data' && f.streamId === id).map((f) => f.data),
    ).toString()
  }

  finOn(id: number): boolean {
    return this.frames.some((f) => f.kind === 'data' && f.streamId === id && (f.flags & spdyFlagFin) !== 0)
  }
}

function setup(dial: (port: number, io: ConnectionIO) => PodConnection | { error: string }) {
  let client!: GoLikeClient
  const session = new PortForwardSession((b) => client.take(b), dial)
  client = new GoLikeClient(session)
  return { session, client }
}

/** An echo "server" that upper-cases what it gets and closes when the client does. */
const echo = (port: number, io: ConnectionIO): PodConnection => ({
  write: (c) => io.send(Buffer.from(`${port}:${c.toString().toUpperCase()}`)),
  end: () => io.close(),
})

describe('port-forward session', () => {
  test('each SYN_STREAM gets an empty SYN_REPLY; a complete pair is dialled; data flows; FIN closes both streams', async () => {
    const { session, client } = setup(echo)
    const errId = await client.synStream({ streamType: 'error', port: '80', requestID: '0' })
    session.receive(spdyData(errId, Buffer.alloc(0), true)) // kubectl closes its side of the error stream at once
    const dataId = await client.synStream({ streamType: 'data', port: '80', requestID: '0' })
    const replies = client.frames.filter((f) => f.kind === 'control' && f.type === SpdyType.SynReply)
    expect(replies.map((f) => (f as { payload: Buffer }).payload.readUInt32BE(0))).toEqual([errId, dataId])
    // The reply header blocks inflate (without a dictionary) to zero headers.
    const blocks = Buffer.concat(replies.map((f) => (f as { payload: Buffer }).payload.subarray(4)))
    expect(inflateSync(blocks, { finishFlush: zc.Z_SYNC_FLUSH })).toEqual(Buffer.concat([encodeHeaderBlock({}), encodeHeaderBlock({})]))
    session.receive(spdyData(dataId, Buffer.from('get /')))
    expect(client.dataOn(dataId)).toBe('80:GET /')
    expect(client.finOn(dataId)).toBe(false)
    session.receive(spdyData(dataId, Buffer.alloc(0), true))
    expect(client.finOn(dataId)).toBe(true)
    expect(client.finOn(errId)).toBe(true)
    expect(client.dataOn(errId)).toBe('')
  })

  test('data sent before the error stream arrives is buffered until the pair is complete', async () => {
    const { session, client } = setup(echo)
    const dataId = await client.synStream({ streamType: 'data', port: '8080', requestID: '4' })
    session.receive(spdyData(dataId, Buffer.from('early')))
    expect(client.dataOn(dataId)).toBe('')
    await client.synStream({ streamType: 'error', port: '8080', requestID: '4' })
    expect(client.dataOn(dataId)).toBe('8080:EARLY')
  })

  test('a refused dial writes the text on the error stream, then FIN on both', async () => {
    const { client } = setup(() => ({ error: 'connection refused' }))
    const errId = await client.synStream({ streamType: 'error', port: '80', requestID: '0' })
    const dataId = await client.synStream({ streamType: 'data', port: '80', requestID: '0' })
    expect(client.dataOn(errId)).toBe('connection refused')
    expect(client.finOn(errId) && client.finOn(dataId)).toBe(true)
  })

  test('streams without a valid port or type are reset (RST_STREAM CANCEL); pings are echoed', async () => {
    const { session, client } = setup(echo)
    const bad = await client.synStream({ streamType: 'data', port: '0', requestID: '1' })
    const rst = client.frames.find((f) => f.kind === 'control' && f.type === SpdyType.RstStream) as { payload: Buffer }
    expect(rst.payload.readUInt32BE(0)).toBe(bad)
    expect(rst.payload.readUInt32BE(4)).toBe(5)
    session.receive(spdyPing(1))
    expect(client.frames.at(-1)).toEqual({ kind: 'control', version: 3, type: SpdyType.Ping, flags: 0, payload: Buffer.from([0, 0, 0, 1]) })
  })

  test('the pod closing the connection FINs the streams; a second pair on the same connection works', async () => {
    let io!: ConnectionIO
    const { session, client } = setup((_p, i) => {
      io = i
      return { write: (c) => i.send(c), end: () => {} }
    })
    const e0 = await client.synStream({ streamType: 'error', port: '80', requestID: '0' })
    const d0 = await client.synStream({ streamType: 'data', port: '80', requestID: '0' })
    io.close()
    expect(client.finOn(d0) && client.finOn(e0)).toBe(true)
    await client.synStream({ streamType: 'error', port: '80', requestID: '1' })
    const d1 = await client.synStream({ streamType: 'data', port: '80', requestID: '1' })
    session.receive(spdyData(d1, Buffer.from('again')))
    expect(client.dataOn(d1)).toBe('again')
  })
})

describe('pods/portforward through the app', () => {
  let cluster: Cluster
  let app: FastifyInstance
  beforeEach(async () => {
    cluster = await Cluster.open({ speed: 0 })
    app = await buildApp({ cluster })
  })
  afterEach(async () => {
    await app.close()
    cluster.close()
  })

  async function runningNginx() {
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', {
      metadata: { name: 'web' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] },
    } as KubeObject)
    for (
      let i = 0;
      i < 50 &&
      !(pods.getStored('default', 'web')!.obj.status as { containerStatuses?: { state?: { running?: object } }[] })?.containerStatuses?.[0]?.state?.running;
      i++
    )
      await cluster.clock.advance(100)
    await app.listen({ port: 0, host: '127.0.0.1' })
    return `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/namespaces/default/pods/web/portforward`
  }

  test('pre-upgrade checks: a missing pod is 404, an unscheduled one 400, a plain request asks for the upgrade', async () => {
    let res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods/nope/portforward' })
    expect(res.statusCode).toBe(404)
    await cluster.registry
      .resource('', 'pods')
      .create('default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }], nodeSelector: { none: 'x' } } } as KubeObject)
    res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods/p/portforward' })
    expect(JSON.parse(res.body).message).toBe('pod p does not have a host assigned')
    await runningNginx()
    res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods/web/portforward', headers: { upgrade: 'SPDY/3.1', connection: 'Upgrade' } })
    expect(JSON.parse(res.body)).toMatchObject({ code: 400, message: 'Upgrade request required' })
  })

  test('the SPDY tunnel subprotocol, slash included, is accepted and echoed', async () => {
    // Node's ws client refuses the slash too, so upgrade by hand as Go's gorilla client does.
    const url = new URL((await runningNginx()).replace('ws:', 'http:'))
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io',
        },
      })
      req.once('upgrade', (res, socket) => {
        socket.destroy()
        resolve({ status: res.statusCode, ...res.headers })
      })
      req.once('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)))
      req.once('error', reject)
      req.end()
    })
    expect(headers).toMatchObject({ status: 101, 'sec-websocket-protocol': 'SPDY/3.1+portforward.k8s.io' })
  })

  test('the v4 channel protocol (client-node): port bytes first, then HTTP over channel 0, closing with the connection', async () => {
    const url = await runningNginx()
    const ws = new WebSocket(`${url}?ports=80`, ['v4.channel.k8s.io'])
    const got: Buffer[] = []
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('message', (d: Buffer) => got.push(d))
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')]))
    expect(await closed).toBe(1000)
    expect(got.slice(0, 2).map((b) => [...b])).toEqual([
      [0, 80, 0],
      [1, 80, 0],
    ])
    const http = Buffer.concat(
      got
        .slice(2)
        .filter((b) => b[0] === 0)
        .map((b) => b.subarray(1)),
    ).toString()
    expect(http).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.15\.12\r\n/)
    expect(http).toContain('Connection: close\r\n')
    expect(http).toContain('<title>Welcome to nginx!</title>')
  })

  test("v4 channel protocol to a closed port: containerd's refusal on the error channel", async () => {
    const url = await runningNginx()
    const ws = new WebSocket(`${url}?ports=81`, ['v4.channel.k8s.io'])
    const got: Buffer[] = []
    ws.on('message', (d: Buffer) => got.push(d))
    await new Promise<void>((resolve) => ws.once('close', () => resolve()))
    const err = Buffer.concat(
      got
        .filter((b) => b[0] === 1)
        .slice(1)
        .map((b) => b.subarray(1)),
    ).toString()
    expect(err).toMatch(
      /^error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]{36}": failed to connect to localhost:81 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 \[::1\]:81: connect: connection refused $/,
    )
  })
})
