/** @module portforward: pods/portforward — SPDY/3.1 port-forward streams tunnelled over WebSocket (kubectl 1.31+), served by the images' simulated listeners. */
import { inflateSync, constants as zc } from 'node:zlib'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { WebSocket } from 'ws'
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import { HTTPRequestParser, connectPort, formatResponseHead, malformedRequestResponse, serveHTTP } from '../sim/containers/http.js'
import { runtimeFor, type ContainerInstance, type LogBuffer } from '../sim/containers/runtime.js'
import type { ResourceCall } from './resources.js'
import { queryPorts, type RawQuery } from './query-params.js'
import { wsSubresources } from './ws-subresources.js'

/**
 * The WebSocket subprotocol kubectl offers: the SPDY port-forward protocol behind the tunnelling
 * prefix (client-go tools/portforward/tunneling_dialer.go, apimachinery util/portforward constants).
 * Each binary message carries raw bytes of one SPDY/3.1 connection, in any chunking.
 */
export const portForwardTunnelProtocol = 'SPDY/3.1+portforward.k8s.io'

// ---------------------------------------------------------------------------------------------
// SPDY/3.1 framing: the subset spdystream (moby/spdystream) uses for port-forward.

/** SPDY/3 control frame types. */
export const SpdyType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const
/** FLAG_FIN on DATA, SYN_STREAM and SYN_REPLY. */
export const spdyFlagFin = 0x01
/** RST_STREAM status spdystream sends when a stream is refused (Stream.Reset). */
export const spdyCancel = 5

/** One frame off the wire. */
export type SpdyFrame = { kind: 'data'; streamId: number; flags: number; data: Buffer } | { kind: 'control'; type: number; flags: number; payload: Buffer }

/** Splits a byte stream into SPDY frames (8-byte header, 24-bit length). */
export class SpdyFrameReader {
  private buf: Buffer = Buffer.alloc(0)

  /** Feeds bytes; returns every frame they complete. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const out: SpdyFrame[] = []
    while (this.buf.length >= 8) {
      const w0 = this.buf.readUInt32BE(0)
      const w1 = this.buf.readUInt32BE(4)
      const len = w1 & 0xffffff
      if (this.buf.length < 8 + len) break
      const body = Buffer.from(this.buf.subarray(8, 8 + len))
      const flags = w1 >>> 24
      if (w0 & 0x80000000) out.push({ kind: 'control', type: w0 & 0xffff, flags, payload: body })
      else out.push({ kind: 'data', streamId: w0 & 0x7fffffff, flags, data: body })
      this.buf = this.buf.subarray(8 + len)
    }
    return out
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt32BE((0x8000 | 3) * 0x10000 + type, 0)
  h.writeUInt32BE(flags * 0x1000000 + payload.length, 4)
  return Buffer.concat([h, payload])
}

/** A DATA frame. */
export function spdyData(streamId: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt32BE(streamId & 0x7fffffff, 0)
  h.writeUInt32BE((fin ? spdyFlagFin : 0) * 0x1000000 + data.length, 4)
  return Buffer.concat([h, data])
}

/** RST_STREAM. */
export function spdyRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8)
  p.writeUInt32BE(streamId, 0)
  p.writeUInt32BE(status, 4)
  return controlFrame(SpdyType.RstStream, 0, p)
}

/** PING with an id (a server echoes the client's odd ids). */
export function spdyPing(id: number): Buffer {
  const p = Buffer.alloc(4)
  p.writeUInt32BE(id, 0)
  return controlFrame(SpdyType.Ping, 0, p)
}

/** GOAWAY (status 0 = OK). */
export function spdyGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8)
  p.writeUInt32BE(lastGoodStreamId, 0)
  p.writeUInt32BE(status, 4)
  return controlFrame(SpdyType.GoAway, 0, p)
}

/**
 * The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): these
 * names, each with a 32-bit length prefix, then one run of common values without prefixes.
 */
const dictionaryWords = (
  'options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow ' +
  'authorization cache-control connection content-base content-encoding content-language content-length content-location ' +
  'content-md5 content-range content-type date etag expect expires from host if-match if-modified-since if-none-match ' +
  'if-range if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range ' +
  'referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get ' +
  'status 200_OK version HTTP/1.1 url public set-cookie keep-alive origin'
)
  .split(' ')
  .map((w) => w.replace('_', ' '))
const dictionaryTail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.'

/** The dictionary bytes both zlib ends of a SPDY/3 connection are primed with. */
export const spdyHeaderDictionary: Buffer = Buffer.concat([
  ...dictionaryWords.map((w) => {
    const b = Buffer.alloc(4 + w.length)
    b.writeUInt32BE(w.length, 0)
    b.write(w, 4, 'latin1')
    return b
  }),
  Buffer.from(dictionaryTail, 'latin1'),
])

/** Decodes an uncompressed name/value header block (values with several entries are NUL-separated). */
export function parseHeaderBlock(block: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  let o = 0
  const n = block.readUInt32BE(o)
  o += 4
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(o)
    const name = block.subarray(o + 4, o + 4 + nl).toString('latin1').toLowerCase()
    o += 4 + nl
    const vl = block.readUInt32BE(o)
    const value = block.subarray(o + 4, o + 4 + vl).toString('latin1')
    o += 4 + vl
    out[name] = [...(out[name] ?? []), ...value.split('\0')]
  }
  return out
}

/** Encodes a name/value header block (uncompressed). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = []
  const count = Buffer.alloc(4)
  count.writeUInt32BE(Object.keys(headers).length, 0)
  parts.push(count)
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const len = Buffer.alloc(4)
      len.writeUInt32BE(Buffer.byteLength(s, 'latin1'), 0)
      parts.push(len, Buffer.from(s, 'latin1'))
    }
  }
  return Buffer.concat(parts)
}

/**
 * The decompressing side: one zlib stream spans every header block of the connection (each block
 * ends at a sync flush). Node has no synchronous streaming inflate, so the compressed bytes so far
 * are inflated again and the new output is the tail; header blocks are small and few.
 */
export class HeaderInflater {
  private compressed: Buffer = Buffer.alloc(0)
  private produced = 0

  /** The uncompressed bytes of the next header block. */
  inflate(block: Buffer): Buffer {
    this.compressed = Buffer.concat([this.compressed, block])
    const all = inflateSync(this.compressed, { dictionary: spdyHeaderDictionary, finishFlush: zc.Z_SYNC_FLUSH })
    const out = all.subarray(this.produced)
    this.produced = all.length
    return Buffer.from(out)
  }
}

/**
 * The compressing side, with stored (uncompressed) deflate blocks: a valid zlib stream that needs
 * no shared window, so each block stands alone. The first block carries the zlib header (no
 * preset dictionary is declared, which Go's zlib reader accepts).
 */
export class HeaderDeflater {
  private started = false

  /** The compressed form of one header block. */
  deflate(block: Buffer): Buffer {
    const parts: Buffer[] = []
    if (!this.started) {
      parts.push(Buffer.from([0x78, 0x01]))
      this.started = true
    }
    const stored = (chunk: Buffer) => {
      const h = Buffer.alloc(5)
      h[0] = 0 // BFINAL=0, BTYPE=00 (stored); the stream never ends
      h.writeUInt16LE(chunk.length, 1)
      h.writeUInt16LE(~chunk.length & 0xffff, 3)
      parts.push(h, chunk)
    }
    for (let o = 0; o < block.length; o += 0xffff) stored(block.subarray(o, o + 0xffff))
    // End with an empty stored block, as a zlib sync flush does: Go's flate reader hands out a
    // stored block's bytes only when the next block begins, and reading past the frame's bytes
    // would leave it with a sticky unexpected-EOF error for every later header block.
    stored(Buffer.alloc(0))
    return Buffer.concat(parts)
  }
}

/** SYN_REPLY with a (compressed) header block. */
export function spdySynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4)
  id.writeUInt32BE(streamId, 0)
  return controlFrame(SpdyType.SynReply, fin ? spdyFlagFin : 0, Buffer.concat([id, headerBlock]))
}

// ---------------------------------------------------------------------------------------------
// The kubelet's port-forward stream handling (pkg/kubelet/cri/streaming/portforward/httpstream.go).

/** The pod side of one forwarded TCP connection. */
export interface PodConnection {
  /** Bytes the client sent. */
  write(chunk: Buffer): void
  /** The client closed its sending side. */
  end(): void
}

/** What the forwarded connection may do towards the client. */
export interface ConnectionIO {
  send(chunk: Buffer): void
  /** The pod closed the connection (nginx after `Connection: close`, or the process died). */
  close(): void
}

/** Opens a connection to a port of the pod, or returns the error text the error stream carries. */
export type PodDialer = (port: number, io: ConnectionIO) => PodConnection | { error: string }

interface StreamInfo {
  id: number
  type: 'data' | 'error'
  port: number
  requestID: string
  localClosed: boolean
}

interface Pair {
  data?: StreamInfo
  error?: StreamInfo
  conn?: PodConnection
  pending: Buffer[]
  clientDone: boolean
}

/**
 * The server end of one port-forward SPDY connection. `send` writes bytes to the tunnel. Streams
 * come in (data, error) pairs per request id; every SYN_STREAM is answered with an empty
 * SYN_REPLY, a pair is dialled once complete, data flows both ways, and when either end closes
 * both streams get FIN (an error text goes on the error stream first), as the kubelet does.
 */
export class PortForwardSession {
  private readonly reader = new SpdyFrameReader()
  private readonly inflater = new HeaderInflater()
  private readonly deflater = new HeaderDeflater()
  private readonly streams = new Map<number, StreamInfo>()
  private readonly pairs = new Map<string, Pair>()
  private closed = false

  constructor(
    private readonly send: (chunk: Buffer) => void,
    private readonly dial: PodDialer,
  ) {}

  /** Feeds bytes from the tunnel. */
  receive(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      if (this.closed) return
      if (f.kind === 'data') this.onData(f.streamId, f.data, (f.flags & spdyFlagFin) !== 0)
      else this.onControl(f.type, f.flags, f.payload)
    }
  }

  /** The tunnel went away: every open connection ends. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const p of this.pairs.values()) p.conn?.end()
    this.pairs.clear()
  }

  private write(chunk: Buffer) {
    if (!this.closed) this.send(chunk)
  }

  private onControl(type: number, flags: number, payload: Buffer) {
    switch (type) {
      case SpdyType.SynStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff
        const headers = parseHeaderBlock(this.inflater.inflate(payload.subarray(10)))
        this.onSynStream(id, headers, (flags & spdyFlagFin) !== 0)
        return
      }
      case SpdyType.Ping:
        // spdystream echoes pings whose id parity is not its own; the server never pings.
        this.write(controlFrame(SpdyType.Ping, 0, payload))
        return
      case SpdyType.RstStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff
        const s = this.streams.get(id)
        this.streams.delete(id)
        if (s?.type === 'data') this.finishPair(s.requestID, undefined, false)
        return
      }
      case SpdyType.GoAway:
        this.close()
        return
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS: spdystream has no flow control; nothing to do.
        return
    }
  }

  private onSynStream(id: number, headers: Record<string, string[]>, fin: boolean) {
    const get = (k: string) => headers[k]?.[0] ?? ''
    const portString = get('port')
    const streamType = get('streamtype')
    const port = /^\d+$/.test(portString) ? Number(portString) : NaN
    // httpStreamReceived rejects streams without a valid port or type; spdystream then resets them.
    if (!portString || !(port >= 1 && port <= 65535) || (streamType !== 'error' && streamType !== 'data')) {
      this.write(spdyRstStream(id, spdyCancel))
      return
    }
    this.write(spdySynReply(id, this.deflater.deflate(encodeHeaderBlock({}))))
    // Old clients without requestID: derive it from the stream id (error = id, data = id - 2).
    const requestID = get('requestid') || String(streamType === 'error' ? id : id - 2)
    const s: StreamInfo = { id, type: streamType, port, requestID, localClosed: false }
    this.streams.set(id, s)
    let pair = this.pairs.get(requestID)
    if (!pair) this.pairs.set(requestID, (pair = { pending: [], clientDone: false }))
    if (pair[streamType]) {
      this.writeErrorText(pair, `error processing stream for request ${requestID}: ${streamType} stream already assigned`)
      return
    }
    pair[streamType] = s
    if (streamType === 'data' && fin) pair.clientDone = true
    if (pair.data && pair.error) this.startPair(requestID, pair)
  }

  private writeErrorText(pair: Pair, text: string) {
    if (pair.error && !pair.error.localClosed) this.write(spdyData(pair.error.id, Buffer.from(text)))
  }

  private startPair(requestID: string, pair: Pair) {
    const data = pair.data!
    const conn = this.dial(data.port, {
      send: (chunk) => {
        if (!data.localClosed && this.pairs.get(requestID) === pair) this.write(spdyData(data.id, chunk))
      },
      close: () => this.finishPair(requestID, undefined, true),
    })
    if ('error' in conn) {
      this.finishPair(requestID, conn.error, true)
      return
    }
    pair.conn = conn
    for (const b of pair.pending.splice(0)) conn.write(b)
    if (pair.clientDone) conn.end()
  }

  private onData(streamId: number, data: Buffer, fin: boolean) {
    const s = this.streams.get(streamId)
    if (s?.type !== 'data') return // the client never writes on the error stream (only its FIN)
    const pair = this.pairs.get(s.requestID)
    if (!pair) return
    if (data.length) {
      if (pair.conn) pair.conn.write(data)
      else pair.pending.push(data)
    }
    if (fin) {
      pair.clientDone = true
      pair.conn?.end()
    }
  }

  /** Ends a request: optional error text on the error stream, then FIN on both streams. */
  private finishPair(requestID: string, error: string | undefined, sendFin: boolean) {
    const pair = this.pairs.get(requestID)
    if (!pair) return
    this.pairs.delete(requestID)
    if (error) this.writeErrorText(pair, error)
    for (const s of [pair.data, pair.error]) {
      if (!s) continue
      if (sendFin && !s.localClosed && this.streams.has(s.id)) this.write(spdyData(s.id, Buffer.alloc(0), true))
      s.localClosed = true
      this.streams.delete(s.id)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The pod's network as seen from inside its namespace (containerd dials localhost:PORT).

/** What `connectPort` said nobody listens on: containerd's wording, as the kubelet wraps it. */
export function portForwardRefusedText(pod: Pod, port: number): string {
  const sandbox = sandboxID(pod)
  return (
    `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${netnsID(pod)}": ` +
    `failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
    `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  )
}

function hex(s: string, len: number): string {
  let h = ''
  let x = 0x811c9dc5
  while (h.length < len) {
    for (const c of s + h.length) x = Math.imul(x ^ c.charCodeAt(0), 16777619) >>> 0
    h += x.toString(16).padStart(8, '0')
  }
  return h.slice(0, len)
}

/** A stable fake pod sandbox id (64 hex) from the pod uid. */
function sandboxID(pod: Pod): string {
  return hex(`sandbox:${pod.metadata?.uid ?? ''}`, 64)
}

/** A stable fake CNI netns uuid from the pod uid. */
function netnsID(pod: Pod): string {
  const h = hex(`netns:${pod.metadata?.uid ?? ''}`, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * An HTTP server connection on a running instance: parses requests from the bytes, answers each
 * with the image behaviour (access lines go to the instance's logs with client 127.0.0.1, as
 * containerd connects from inside the pod), closes after `Connection: close`, on bad requests
 * (nginx's 400 page) and when the process exits.
 */
export function httpConnection(inst: ContainerInstance, io: ConnectionIO, opts: { logs: LogBuffer; now: () => number; onExit: (fn: () => void) => () => void }): PodConnection {
  const parser = new HTTPRequestParser()
  let open = true
  const stopExit = opts.onExit(() => shut())
  function shut() {
    if (!open) return
    open = false
    stopExit()
    io.close()
  }
  return {
    write(chunk) {
      if (!open) return
      for (const req of parser.push(chunk)) {
        const res = serveHTTP(inst, { ...req, remoteAddr: '127.0.0.1' }, { logs: opts.logs, now: opts.now() })
        if (!res) return shut()
        io.send(Buffer.concat([Buffer.from(formatResponseHead(res), 'latin1'), Buffer.from(res.body)]))
        if (!res.keepAlive) return shut()
      }
      if (parser.malformed) {
        const res = malformedRequestResponse(inst, opts.now())
        if (res) io.send(Buffer.concat([Buffer.from(formatResponseHead(res), 'latin1'), Buffer.from(res.body)]))
        shut()
      }
    },
    end() {
      shut()
    },
  }
}

/** The dialer for one pod: the first container whose instance listens on the port serves it. */
export function podDialer(registry: Registry, namespace: string, podName: string): PodDialer {
  const rt = runtimeFor(registry)
  return (port, io) => {
    const pod = registry.find('', 'pods')?.getStored(namespace, podName)?.obj as Pod | undefined
    if (!pod) return { error: `pod ${podName} not found` }
    for (const c of pod.spec?.containers ?? []) {
      const inst = rt.current(namespace, podName, c.name)
      const kind = connectPort(inst, port)
      if (kind === 'refused' || !inst) continue
      if (kind === 'not-http') return { write() {}, end: () => io.close() }
      return httpConnection(inst, io, {
        logs: rt.logs(inst.containerID),
        now: () => registry.clock.now(),
        onExit: (fn) => rt.onExit((stopped) => {
          if (stopped.containerID === inst.containerID) fn()
        }),
      })
    }
    return { error: portForwardRefusedText(pod, port) }
  }
}

/**
 * The checks PortForwardLocation makes before any upgrade: the pod exists (404) and has a node
 * (400 `pod x does not have a host assigned`). Throws the StatusError.
 */
export function checkPortForward(registry: Registry, namespace: string, name: string): Pod {
  const pod = registry.find('', 'pods')!.get(namespace, name).obj as Pod
  if (!pod.spec?.nodeName) throw StatusError.badRequest(`pod ${name} does not have a host assigned`)
  return pod
}

/**
 * Serves an upgraded port-forward WebSocket (subprotocol {@link portForwardTunnelProtocol}):
 * binary messages are the SPDY byte stream both ways; closing either end ends every forwarded
 * connection. Text messages are a protocol error (the tunnel closes).
 */
export function servePortForwardWebSocket(socket: WebSocket, registry: Registry, namespace: string, name: string): void {
  const session = new PortForwardSession((chunk) => {
    if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true })
  }, podDialer(registry, namespace, name))
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary) {
      socket.close(1002)
      return
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    try {
      session.receive(buf)
    } catch {
      // A frame we cannot parse means the byte stream is lost: end the tunnel as a protocol error.
      session.close()
      socket.close(1002)
    }
  })
  socket.on('close', () => session.close())
  socket.on('error', () => session.close())
}

/**
 * pods/portforward without a WebSocket upgrade (for instance kubectl's SPDY fallback POST): the
 * pre-upgrade checks, then `Upgrade request required`, as the UpgradeAwareHandler answers.
 */
export function servePortForwardHTTP(call: ResourceCall): unknown {
  checkPortForward(call.registry, call.namespace, call.name!)
  throw StatusError.badRequest('Upgrade request required')
}

/**
 * `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token (the slash), and the ws library rejects
 * such a Sec-WebSocket-Protocol with 400 before any protocol selection. Go's gorilla/websocket
 * does not check, so kubectl sends it. Before the upgrade the slash is swapped for this marker,
 * and the 101's header line gets the slash back (the WebSocketServer 'headers' event), so kubectl
 * sees exactly the protocol it offered.
 */
const slashMarker = '_kubemock-slash_'
const fixedServers = new WeakSet<object>()

interface HeadersEmitter {
  on(event: 'headers', fn: (headers: string[]) => void): unknown
}

function admitSlashProtocols(call: { req: { raw: { headers: Record<string, string | string[] | undefined> }; server: unknown } }) {
  const h = call.req.raw.headers
  const offered = h['sec-websocket-protocol']
  if (typeof offered !== 'string' || !offered.includes('/')) return
  h['sec-websocket-protocol'] = offered.replaceAll('/', slashMarker)
  const wss = (call.req.server as { websocketServer?: HeadersEmitter }).websocketServer
  if (!wss || fixedServers.has(wss)) return
  fixedServers.add(wss)
  wss.on('headers', (headers) => {
    for (let i = 0; i < headers.length; i++) {
      if (/^sec-websocket-protocol:/i.test(headers[i])) headers[i] = headers[i].replaceAll(slashMarker, '/')
    }
  })
}

/** Forwarded ports from the query (`ports=80,443` or repeated), converted as PodPortForwardOptions (bad → 400). */
export function parsePorts(query: RawQuery): number[] {
  return queryPorts(query, 'ports')
}

/**
 * The WebSocket channel protocol for port-forward (the kubelet's portforward/websocket.go, which
 * @kubernetes/client-node speaks): port i uses channel 2i for data and 2i+1 for errors; every
 * message starts with its channel byte, and the server first writes each channel's port as two
 * little-endian bytes. One connection per port, dialled at once; the socket closes (1000) when
 * every connection has ended.
 */
export function serveChannelPortForward(socket: WebSocket, registry: Registry, namespace: string, name: string, ports: number[]): void {
  const send = (channel: number, data: Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true })
  }
  if (!ports.length || ports.some((p) => !(Number.isInteger(p) && p >= 1 && p <= 65535))) {
    send(1, Buffer.from(ports.length ? `invalid port in ${JSON.stringify(ports)}` : 'query parameter "port" is required'))
    socket.close(1000)
    return
  }
  const dial = podDialer(registry, namespace, name)
  let open = ports.length
  const ended = () => {
    if (--open === 0 && socket.readyState === socket.OPEN) socket.close(1000)
  }
  const conns = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2)
    portBytes.writeUInt16LE(port, 0)
    send(2 * i, portBytes)
    send(2 * i + 1, portBytes)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      ended()
    }
    const conn = dial(port, { send: (chunk) => send(2 * i, chunk), close: finish })
    if ('error' in conn) {
      send(2 * i + 1, Buffer.from(conn.error))
      finish()
      return undefined
    }
    return conn
  })
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    if (!isBinary || buf.length === 0) return
    const channel = buf[0]
    if (channel % 2 === 0) conns[channel / 2]?.write(buf.subarray(1))
  })
  socket.on('close', () => {
    for (const c of conns) c?.end()
  })
}

/** pods/portforward over WebSocket: the pre-upgrade checks, then the SPDY tunnel. */
wsSubresources.portforward = {
  preflight: (call) => {
    checkPortForward(call.registry, call.namespace, call.name!)
    parsePorts(call.query)
    admitSlashProtocols(call)
  },
  serve: (socket, call) => {
    // kubectl negotiates the SPDY tunnel; other clients (client-node) get the channel protocol.
    if (socket.protocol.replaceAll(slashMarker, '/') === portForwardTunnelProtocol) servePortForwardWebSocket(socket, call.registry, call.namespace, call.name!)
    else serveChannelPortForward(socket, call.registry, call.namespace, call.name!, parsePorts(call.query))
  },
}
