/** @module portforward: pods/portforward over its three transports — raw SPDY/3.1 (kubectl ≤ 1.30), SPDY tunnelled over WebSocket (kubectl 1.31+) and the WebSocket channel protocol (client-node). */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { WebSocket } from 'ws'
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import { podDialer } from './pod-network.js'
import { PortForwardSession, PortForwardStreams } from './portforward-streams.js'
import { queryPorts, type RawQuery } from './query-params.js'
import type { ResourceCall } from './resources.js'
import { acceptSpdy, isSpdyUpgrade, negotiateStreamProtocol, replyPlainError } from './spdy/upgrade.js'
import { hijackUpgrade, isRawUpgrade } from './upgrade.js'
import { wsSubresources } from './ws-subresources.js'

/**
 * The WebSocket subprotocol kubectl offers: the SPDY port-forward protocol behind the tunnelling
 * prefix (client-go tools/portforward/tunneling_dialer.go, apimachinery util/portforward constants).
 * Each binary message carries raw bytes of one SPDY/3.1 connection, in any chunking.
 */
export const portForwardTunnelProtocol = 'SPDY/3.1+portforward.k8s.io'

/** The one X-Stream-Protocol-Version the kubelet's SPDY port-forward speaks (PortForwardProtocolV1Name). */
export const portForwardProtocolV1 = 'portforward.k8s.io'

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
  const session = new PortForwardSession(
    (chunk) => {
      if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true })
    },
    podDialer(registry, namespace, name),
  )
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
 * pods/portforward over plain HTTP: the pre-upgrade checks, then either the SPDY/3.1 upgrade
 * (kubectl up to 1.30, and 1.31+ when WebSocket fails) or, for a request that is no upgrade,
 * `Upgrade request required` as the UpgradeAwareHandler answers.
 */
export function servePortForwardHTTP(call: ResourceCall): unknown {
  checkPortForward(call.registry, call.namespace, call.name!)
  if (isRawUpgrade(call.req) && isSpdyUpgrade(call.req.headers)) return servePortForwardSpdy(call)
  throw StatusError.badRequest('Upgrade request required')
}

/**
 * The kubelet's SPDY port-forward (portforward/httpstream.go handleHTTPStreams): negotiate
 * `portforward.k8s.io`, answer 101, then serve (data, error) stream pairs on the socket.
 */
function servePortForwardSpdy(call: ResourceCall): unknown {
  const neg = negotiateStreamProtocol(call.req.headers['x-stream-protocol-version'], [portForwardProtocolV1])
  if ('code' in neg) {
    // handleHTTPStreams returns on a missing header without writing (Handshake wrote nothing):
    // Go answers an empty 200. A mismatch is Handshake's own 403.
    if (neg.code === 400) return call.reply.code(200).send('')
    return replyPlainError(call.reply, neg.code, neg.message, neg.headers)
  }
  const socket = hijackUpgrade(call.req, call.reply)
  const streams = new PortForwardStreams(podDialer(call.registry, call.namespace, call.name!))
  const spdy = acceptSpdy(socket, neg.protocol, {
    onStream: (s) => streams.onStream(s),
    onGoAway: () => spdy.close(),
    onGone: () => streams.close(),
  })
  return undefined
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
    admitSlashProtocols(call)
  },
  serve: (socket, call) => {
    // kubectl negotiates the SPDY tunnel; other clients (client-node) get the channel protocol.
    if (socket.protocol.replaceAll(slashMarker, '/') === portForwardTunnelProtocol) servePortForwardWebSocket(socket, call.registry, call.namespace, call.name!)
    else serveChannelPortForward(socket, call.registry, call.namespace, call.name!, parsePorts(call.query))
  },
}
