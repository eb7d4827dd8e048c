/** @module upgrade: routes HTTP Upgrade requests — WebSocket ones to @fastify/websocket only where a stream is served, everything else through the normal handlers (SPDY/3.1 upgrades included). */
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

interface UpgradeInfo {
  head: Buffer
}

/** Requests that came in through the server's 'upgrade' event and were routed as plain requests. */
const upgrades = new WeakMap<IncomingMessage, UpgradeInfo>()

/** How long a socket whose plain answer is written may stay open before it is destroyed. */
const lingerMs = 10_000

/** True when the request's Upgrade header names WebSocket. */
export function isWebSocketHeader(req: { headers: IncomingMessage['headers'] }): boolean {
  const u = req.headers.upgrade
  return typeof u === 'string' && u.toLowerCase() === 'websocket'
}

/**
 * Takes over the server's 'upgrade' event. Node emits it for every request with
 * `Connection: Upgrade`, and @fastify/websocket would then answer each one with a WebSocket
 * handshake (or the ws library's bare 400 for SPDY). kube-apiserver instead serves an upgrade
 * request like any other unless its handler upgrades: `GET /api/v1/namespaces` with
 * `Upgrade: websocket` is a plain 200 list, and only watches and the exec/attach/portforward
 * handlers switch protocols. So WebSocket upgrades for which `servesWebSocket` is true go to the
 * plugin; every other upgrade request is routed through Fastify as a normal request on the
 * socket (all hooks: CORS, authentication, faults), where a handler may claim the socket with
 * {@link hijackUpgrade} (SPDY/3.1) or just answer; a plain answer closes the connection.
 * Call after registering @fastify/websocket. Sockets claimed are destroyed when the app closes.
 */
export function installUpgradeRouting(app: FastifyInstance, servesWebSocket: (req: IncomingMessage) => boolean): void {
  const server = app.server
  const plugin = server.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[]
  server.removeAllListeners('upgrade')
  const live = new Set<Duplex>()
  const track = (socket: Duplex) => {
    live.add(socket)
    socket.once('close', () => live.delete(socket))
  }
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isWebSocketHeader(req) && servesWebSocket(req)) {
      for (const l of plugin) l.call(server, req, socket, head)
      return
    }
    socket.on('error', () => socket.destroy())
    // Node no longer counts an upgraded socket as an HTTP connection, so closing the server would
    // not end a long answer (a watch) on it: the app closes every such socket itself.
    track(socket)
    upgrades.set(req, { head })
    const res = new ServerResponse(req)
    // Nothing parses a second request on this socket: close it once the answer is written.
    res.shouldKeepAlive = false
    res.assignSocket(socket as never)
    res.once('finish', () => {
      if (socket.destroyed) return
      socket.end()
      ;(socket as Socket).setTimeout?.(lingerMs, () => socket.destroy())
    })
    try {
      app.routing(req, res)
    } catch {
      socket.destroy()
    }
  }
  server.on('upgrade', onUpgrade)
  app.addHook('preClose', (done) => {
    server.removeListener('upgrade', onUpgrade)
    for (const s of live) s.destroy()
    live.clear()
    done()
  })
}

/** True when this request arrived as an HTTP upgrade on a real socket (not `inject()`, not a plain request). */
export function isRawUpgrade(req: FastifyRequest): boolean {
  return upgrades.has(req.raw)
}

/**
 * Claims the socket of a raw upgrade request: the reply is hijacked (Fastify writes nothing more;
 * the request is logged with status 101 when the socket closes),
 * and bytes the client sent after its request head are put back (the socket is destroyed if the
 * app closes, as every upgrade socket is). The caller writes the 101 itself. Throws when the request was no raw upgrade.
 */
export function hijackUpgrade(req: FastifyRequest, reply: FastifyReply): Duplex {
  const info = upgrades.get(req.raw)
  if (!info) throw new Error('hijackUpgrade: not an upgrade request')
  reply.hijack()
  const socket = req.raw.socket as Duplex
  // The ServerResponse writes nothing more; detach it so it does not react to the socket. The
  // request still ends as one with status 101 when the socket closes, so the request log and the
  // journal record the session as they record a watch (Fastify's onResponse runs on 'finish').
  const res = reply.raw as ServerResponse
  res.detachSocket(socket as never)
  res.statusCode = 101
  socket.once('close', () => res.emit('finish'))
  if (info.head.length) socket.unshift(info.head)
  return socket
}
