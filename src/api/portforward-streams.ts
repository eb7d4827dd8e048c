/** @module portforward-streams: the kubelet's SPDY port-forward stream pairing (pkg/kubelet/cri/streaming/portforward/httpstream.go), for any SPDY transport. */
import { SpdyConnection, type SpdyStream } from './spdy/connection.js'
import type { PodConnection, PodDialer } from './pod-network.js'

interface Pair {
  data?: SpdyStream
  error?: SpdyStream
  conn?: PodConnection
  pending: Buffer[]
  clientDone: boolean
}

/**
 * Streams of one port-forward connection. They come in (data, error) pairs per `requestID`; a
 * pair is dialled once complete, data flows both ways, and when either end closes both streams
 * get FIN (an error text goes on the error stream first), as the kubelet does. Streams without a
 * valid `port` or `streamType` are refused.
 */
export class PortForwardStreams {
  private readonly pairs = new Map<string, Pair>()
  private closed = false

  constructor(private readonly dial: PodDialer) {}

  /** The SpdyConnection stream callback: accepts (true) or refuses (false) one stream. */
  onStream(s: SpdyStream): boolean {
    if (this.closed) return false
    const portString = s.header('port')
    const streamType = s.header('streamtype')
    const port = /^\d+$/.test(portString) ? Number(portString) : NaN
    // httpStreamReceived rejects streams without a valid port or type; spdystream then resets them.
    if (!portString || !(port >= 1 && port <= 65535) || (streamType !== 'error' && streamType !== 'data')) return false
    // Old clients without requestID: derive it from the stream id (error = id, data = id - 2).
    const requestID = s.header('requestid') || String(streamType === 'error' ? s.id : s.id - 2)
    let pair = this.pairs.get(requestID)
    if (!pair) this.pairs.set(requestID, (pair = { pending: [], clientDone: false }))
    if (pair[streamType]) {
      this.writeErrorText(pair, `error processing stream for request ${requestID}: ${streamType} stream already assigned`)
      return true
    }
    pair[streamType] = s
    const p = pair
    if (streamType === 'data') {
      if (s.remoteClosed) p.clientDone = true
      s.handlers = {
        data: (chunk) => (p.conn ? p.conn.write(chunk) : p.pending.push(chunk)),
        end: () => {
          p.clientDone = true
          p.conn?.end()
        },
        reset: () => this.finishPair(requestID, undefined),
      }
    }
    // The client never writes on the error stream (it closes its half at once).
    if (p.data && p.error) this.startPair(requestID, p)
    return true
  }

  /** The connection is gone: every forwarded connection ends. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const p of this.pairs.values()) p.conn?.end()
    this.pairs.clear()
  }

  private writeErrorText(pair: Pair, text: string) {
    pair.error?.write(text)
  }

  private startPair(requestID: string, pair: Pair) {
    if (this.pairs.get(requestID) !== pair) return
    const data = pair.data!
    const conn = this.dial(Number(data.header('port')), {
      send: (chunk) => {
        if (this.pairs.get(requestID) === pair) data.write(chunk)
      },
      close: () => this.finishPair(requestID, undefined),
    })
    if ('error' in conn) {
      this.finishPair(requestID, conn.error)
      return
    }
    pair.conn = conn
    for (const b of pair.pending.splice(0)) conn.write(b)
    if (pair.clientDone) conn.end()
  }

  /** Ends a request: optional error text on the error stream, then FIN on both streams. */
  private finishPair(requestID: string, error: string | undefined) {
    const pair = this.pairs.get(requestID)
    if (!pair) return
    this.pairs.delete(requestID)
    if (error) this.writeErrorText(pair, error)
    pair.conn?.end()
    pair.data?.end()
    pair.error?.end()
  }
}

/**
 * A port-forward SPDY connection over a byte transport that is not a socket of its own (the
 * WebSocket tunnel): `send` writes bytes towards the client, `receive` takes the client's bytes
 * in any chunking (throws on bytes that are not SPDY/3), `close` ends every forwarded connection.
 */
export class PortForwardSession {
  private readonly streams: PortForwardStreams
  private readonly conn: SpdyConnection

  constructor(send: (chunk: Buffer) => void, dial: PodDialer) {
    this.streams = new PortForwardStreams(dial)
    this.conn = new SpdyConnection({ send, onStream: (s) => this.streams.onStream(s), onGoAway: () => this.close() })
  }

  /** Feeds bytes from the tunnel. */
  receive(chunk: Buffer): void {
    this.conn.receive(chunk)
  }

  /** The tunnel went away: every open connection ends. */
  close(): void {
    this.streams.close()
    this.conn.destroy()
  }
}
