/** @module spdy/connection: the server end of one SPDY/3.1 connection — streams the client opens, their replies, data, half-close and reset. */
import {
  SpdyFrameReader,
  SpdyProtocolError,
  SpdyRst,
  SpdyType,
  controlStreamId,
  spdyControlFrame,
  spdyData,
  spdyFlagFin,
  spdyFlagUnidirectional,
  spdyGoAway,
  spdyMaxFrameLength,
  spdyRstStream,
  spdySynReply,
} from './frames.js'
import { HeaderDeflater, HeaderInflater, encodeHeaderBlock, parseHeaderBlock } from './headers.js'

/** What the owner of a stream does with what the peer sends on it. */
export interface SpdyStreamHandlers {
  /** Bytes the peer sent (never empty). */
  data?(chunk: Buffer): void
  /** The peer closed its sending half (FIN). */
  end?(): void
  /** The stream is gone without a FIN: RST_STREAM from the peer, or the connection ended. */
  reset?(): void
}

/**
 * One stream the client opened. Writes before the stream was accepted are preceded by its
 * SYN_REPLY; writes after our half is closed (or the stream reset) are dropped, as spdystream's
 * `Write on closed stream` error would drop them.
 */
export class SpdyStream {
  /** Set by the owner; the connection calls these as frames arrive. */
  handlers: SpdyStreamHandlers = {}
  private replied = false
  private _localClosed: boolean
  private _remoteClosed: boolean
  private _reset = false

  /** @internal created by SpdyConnection only. */
  constructor(
    private readonly conn: SpdyConnection,
    /** The stream id (odd: the client opened it). */
    readonly id: number,
    /** The SYN_STREAM headers, names lower-cased, values split at NUL. */
    readonly headers: Record<string, string[]>,
    flags: number,
  ) {
    this._remoteClosed = (flags & spdyFlagFin) !== 0
    this._localClosed = (flags & spdyFlagUnidirectional) !== 0
  }

  /** The first value of a header (`''` when absent); names are case-insensitive. */
  header(name: string): string {
    return this.headers[name.toLowerCase()]?.[0] ?? ''
  }

  /** We sent FIN (or may not send at all). */
  get localClosed(): boolean {
    return this._localClosed
  }

  /** The peer sent FIN. */
  get remoteClosed(): boolean {
    return this._remoteClosed
  }

  /** The stream was reset by either end, or its connection is gone. */
  get isReset(): boolean {
    return this._reset
  }

  /** Sends bytes (split into frames as needed); a no-op once our half is closed. */
  write(data: Buffer | string): void {
    if (this._localClosed || this._reset) return
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    if (!buf.length) return
    this.reply()
    for (let o = 0; o < buf.length; o += spdyMaxFrameLength) this.conn.write(spdyData(this.id, buf.subarray(o, o + spdyMaxFrameLength)))
  }

  /** Closes our half with FIN (after `data`, if any); the peer may still send until it FINs. */
  end(data?: Buffer | string): void {
    if (data !== undefined) this.write(data)
    if (this._localClosed || this._reset) return
    this.reply()
    this._localClosed = true
    this.conn.write(spdyData(this.id, Buffer.alloc(0), true))
    this.conn.settle(this)
  }

  /** Tears both halves down with RST_STREAM (CANCEL by default, as spdystream's Stream.Reset). */
  reset(status: number = SpdyRst.Cancel): void {
    if (this._reset) return
    this._reset = true
    this._localClosed = this._remoteClosed = true
    this.conn.write(spdyRstStream(this.id, status))
    this.conn.settle(this)
  }

  /** Sends the (empty) SYN_REPLY once, before anything else we write on the stream. */
  reply(): void {
    if (this.replied || this._reset) return
    this.replied = true
    this.conn.write(spdySynReply(this.id, this.conn.headerBlock({})))
  }

  /** @internal the peer's DATA. */
  receive(data: Buffer, fin: boolean): void {
    if (this._remoteClosed || this._reset) return
    if (data.length) this.handlers.data?.(data)
    if (fin && !this._reset && !this._remoteClosed) {
      this._remoteClosed = true
      this.handlers.end?.()
      this.conn.settle(this)
    }
  }

  /** @internal RST_STREAM from the peer or the connection going away: nothing more is sent. */
  gone(): void {
    if (this._reset) return
    this._reset = true
    this._localClosed = this._remoteClosed = true
    this.handlers.reset?.()
  }
}

/** How a {@link SpdyConnection} talks to its transport and its owner. */
export interface SpdyConnectionOptions {
  /** Writes bytes towards the client (a raw socket, or WebSocket binary messages). */
  send(chunk: Buffer): void
  /**
   * A stream the client opened. Returning false refuses it with RST_STREAM CANCEL (what
   * apimachinery's connection does when its stream handler fails); anything else accepts it,
   * and the empty SYN_REPLY goes out before anything the handler writes.
   */
  onStream(stream: SpdyStream): boolean | void
  /** The client sent GOAWAY: it opens no more streams. */
  onGoAway?(): void
}

/**
 * The server end of one SPDY/3.1 connection, fed bytes by its transport. It accepts streams
 * from the client (odd, increasing ids), answers pings, and keeps the one zlib context per
 * direction that header blocks share. No flow control: spdystream, the only SPDY peer
 * Kubernetes clients use, neither sends WINDOW_UPDATE nor honours it, so windows are ignored
 * both ways (SETTINGS too).
 */
export class SpdyConnection {
  private readonly reader = new SpdyFrameReader()
  private readonly inflater = new HeaderInflater()
  private readonly deflater = new HeaderDeflater()
  private readonly streams = new Map<number, SpdyStream>()
  private lastStreamId = 0
  private goneAway = false
  private destroyed = false

  constructor(private readonly opts: SpdyConnectionOptions) {}

  /** Streams not yet closed in both directions. */
  get openStreams(): number {
    return this.streams.size
  }

  /** Feeds bytes from the transport. Throws SpdyProtocolError when they are not SPDY/3. */
  receive(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      if (this.destroyed) return
      if (f.kind === 'data') {
        this.streams.get(f.streamId)?.receive(f.data, (f.flags & spdyFlagFin) !== 0)
        continue
      }
      if (f.version !== 3) throw new SpdyProtocolError(`unsupported SPDY version ${f.version}`)
      this.onControl(f.type, f.flags, f.payload)
    }
  }

  /**
   * Ends the connection gracefully: FIN on every stream still open on our side, then GOAWAY
   * naming the last stream we accepted. The transport should be closed after this.
   */
  goAway(): void {
    if (this.destroyed) return
    for (const s of [...this.streams.values()]) s.end()
    if (!this.goneAway) this.write(spdyGoAway(this.lastStreamId))
    this.goneAway = true
  }

  /** The transport is gone: every open stream is reset locally; nothing is written any more. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.goneAway = true
    const open = [...this.streams.values()]
    this.streams.clear()
    for (const s of open) s.gone()
  }

  /** @internal writes a frame unless the connection is destroyed. */
  write(frame: Buffer): void {
    if (!this.destroyed) this.opts.send(frame)
  }

  /** @internal one compressed header block in our zlib context. */
  headerBlock(headers: Record<string, string>): Buffer {
    return this.deflater.deflate(encodeHeaderBlock(headers))
  }

  /** @internal forgets a stream once both halves are closed. */
  settle(s: SpdyStream): void {
    if (s.localClosed && s.remoteClosed) this.streams.delete(s.id)
  }

  private onControl(type: number, flags: number, payload: Buffer) {
    switch (type) {
      case SpdyType.SynStream: {
        if (payload.length < 10) throw new SpdyProtocolError('SYN_STREAM too short')
        const id = controlStreamId(payload)
        // The header block must be inflated even for a stream we refuse: the zlib context is shared.
        const headers = parseHeaderBlock(this.inflater.inflate(payload.subarray(10)))
        if (this.goneAway) return // spdystream drops streams after GOAWAY without a reply
        if (id % 2 === 0 || id <= this.lastStreamId) {
          this.write(spdyRstStream(id, SpdyRst.ProtocolError))
          return
        }
        this.lastStreamId = id
        const s = new SpdyStream(this, id, headers, flags)
        this.streams.set(id, s)
        if (this.opts.onStream(s) === false) {
          if (!s.isReset) s.reset()
          return
        }
        s.reply()
        this.settle(s)
        return
      }
      case SpdyType.SynReply:
      case SpdyType.Headers:
        // Clients never send these to a server, but their header blocks advance the zlib context.
        if (payload.length > 4) this.inflater.inflate(payload.subarray(4))
        return
      case SpdyType.RstStream: {
        const id = controlStreamId(payload)
        const s = this.streams.get(id)
        this.streams.delete(id)
        s?.gone()
        return
      }
      case SpdyType.Ping:
        // Echo pings of the client's parity (odd); the server sends none, so even ids are stray.
        if (payload.length >= 4 && payload.readUInt32BE(0) % 2 === 1) this.write(spdyControlFrame(SpdyType.Ping, 0, payload))
        return
      case SpdyType.GoAway:
        this.goneAway = true
        this.opts.onGoAway?.()
        return
      default:
        // SETTINGS, WINDOW_UPDATE and unknown types: nothing to do (see the class comment).
        return
    }
  }
}
