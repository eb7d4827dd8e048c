/** @module spdy/upgrade: the kubelet's SPDY/3.1 upgrade — stream-protocol negotiation, the 101 answer, and a SpdyConnection bound to the raw socket. */
import type { Duplex } from 'node:stream'
import type { FastifyReply } from 'fastify'
import { SpdyConnection, type SpdyConnectionOptions } from './connection.js'

/** The Upgrade token (apimachinery util/httpstream/spdy HeaderSpdy31). */
export const spdyUpgradeToken = 'SPDY/3.1'

/** True when the request asks to upgrade to SPDY/3.1 (Upgrade contains it, as UpgradeResponse checks). */
export function isSpdyUpgrade(headers: Record<string, string | string[] | undefined>): boolean {
  const u = headers.upgrade
  const c = headers.connection
  const s = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? '')).toLowerCase()
  return s(u).includes(spdyUpgradeToken.toLowerCase()) && s(c).includes('upgrade')
}

/** A negotiation failure, answered as the kubelet does with http.Error (text/plain body). */
export interface HandshakeFailure {
  code: number
  message: string
  headers: Record<string, string[]>
}

/**
 * httpstream.Handshake: the client's `X-Stream-Protocol-Version` values (repeated and/or
 * comma-separated, in its order of preference) against ours; the first client value we speak
 * wins. Missing header: 400 `unable to upgrade: X-Stream-Protocol-Version is required`; no common
 * value: 403 with `X-Accepted-Stream-Protocol-Versions` listing ours.
 */
export function negotiateStreamProtocol(header: string | string[] | undefined, serverProtocols: readonly string[]): { protocol: string } | HandshakeFailure {
  const client = ([] as string[])
    .concat(header ?? [])
    .flatMap((h) => h.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
  if (!client.length) return { code: 400, message: 'unable to upgrade: X-Stream-Protocol-Version is required', headers: {} }
  const protocol = client.find((p) => serverProtocols.includes(p))
  if (protocol) return { protocol }
  return {
    code: 403,
    message: `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server accepts [${serverProtocols.join(' ')}]`,
    headers: { 'X-Accepted-Stream-Protocol-Versions': [...serverProtocols] },
  }
}

/**
 * Go's http.Error, answered before any upgrade: the text plus a newline as text/plain with
 * nosniff (the kubelet's streaming errors are plain text, not Status objects).
 */
export function replyPlainError(reply: FastifyReply, code: number, message: string, headers: Record<string, string[]> = {}): FastifyReply {
  for (const [k, vs] of Object.entries(headers)) reply.header(k, vs)
  reply.header('X-Content-Type-Options', 'nosniff')
  return reply.code(code).type('text/plain; charset=utf-8').send(`${message}\n`)
}

/** A SPDY connection on an upgraded socket. */
export interface SpdySocket {
  readonly conn: SpdyConnection
  /** Graceful end: FIN on our open streams, GOAWAY, then the socket is ended (and destroyed if the client lingers). */
  close(): void
  /** Drops the socket at once (the peer sees the TCP connection end). */
  destroy(): void
}

/** How long a closed SPDY socket waits for the client to hang up before it is destroyed. */
const closeGraceMs = 5_000

/**
 * Writes `101 Switching Protocols` (Connection: Upgrade, Upgrade: SPDY/3.1, the negotiated
 * X-Stream-Protocol-Version) and serves SPDY on the socket. `onGone` runs once when the socket
 * closes for any reason, after every open stream was reset. Bytes that are not SPDY/3 end the
 * connection.
 */
export function acceptSpdy(socket: Duplex, protocol: string | undefined, opts: Omit<SpdyConnectionOptions, 'send'> & { onGone(): void }): SpdySocket {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Date: ${new Date().toUTCString()}`, `Upgrade: ${spdyUpgradeToken}`]
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`)
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  ;(socket as { setNoDelay?(b: boolean): void }).setNoDelay?.(true)
  const conn = new SpdyConnection({
    ...opts,
    send: (chunk) => {
      if (socket.writable) socket.write(chunk)
    },
  })
  let gone = false
  const onClose = () => {
    if (gone) return
    gone = true
    conn.destroy()
    opts.onGone()
  }
  socket.on('data', (chunk: Buffer) => {
    try {
      conn.receive(chunk)
    } catch {
      // Not SPDY/3 (SpdyProtocolError, a bad header block) or a failing stream handler: the
      // byte stream cannot be trusted any more, so the connection ends rather than the process.
      socket.destroy()
    }
  })
  socket.on('close', onClose)
  socket.on('error', () => socket.destroy())
  // The client half-closing its side means it sends nothing more; we are done too.
  socket.on('end', () => socket.end())
  return {
    conn,
    close() {
      if (gone) return
      conn.goAway()
      socket.end()
      ;(socket as { setTimeout?(ms: number, fn: () => void): void }).setTimeout?.(closeGraceMs, () => socket.destroy())
    },
    destroy() {
      socket.destroy()
    },
  }
}
