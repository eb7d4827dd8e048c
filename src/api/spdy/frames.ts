/** @module spdy/frames: SPDY/3.1 frame encoding and an incremental frame reader (the subset moby/spdystream speaks). */

/** SPDY/3 control frame types (draft-mbelshe-httpbis-spdy-00 §2.6). */
export const SpdyType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const

/** FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender's half of the stream is closed. */
export const spdyFlagFin = 0x01

/** FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver may not send on the stream. */
export const spdyFlagUnidirectional = 0x02

/** RST_STREAM status codes. */
export const SpdyRst = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6, StreamInUse: 8 } as const

/** The largest payload one frame can carry (24-bit length). */
export const spdyMaxFrameLength = 0xffffff

/** One frame off the wire. Control payloads are raw (header blocks still compressed). */
export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; version: number; type: number; flags: number; payload: Buffer }

/** A byte stream that is not SPDY (or a frame we cannot make sense of): the connection is lost. */
export class SpdyProtocolError extends Error {}

/** Splits a byte stream into SPDY frames (8-byte header, 24-bit length), across any chunking. */
export class SpdyFrameReader {
  private buf: Buffer = Buffer.alloc(0)

  /** Feeds bytes; returns every frame they complete, in order. */
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
      if (w0 & 0x80000000) out.push({ kind: 'control', version: (w0 >>> 16) & 0x7fff, type: w0 & 0xffff, flags, payload: body })
      else out.push({ kind: 'data', streamId: w0 & 0x7fffffff, flags, data: body })
      this.buf = this.buf.subarray(8 + len)
    }
    return out
  }
}

/** A version-3 control frame of `type` around `payload`. */
export function spdyControlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt32BE((0x8000 | 3) * 0x10000 + type, 0)
  h.writeUInt32BE(flags * 0x1000000 + payload.length, 4)
  return Buffer.concat([h, payload])
}

/** A DATA frame; `data` must fit one frame ({@link spdyMaxFrameLength}). */
export function spdyData(streamId: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt32BE(streamId & 0x7fffffff, 0)
  h.writeUInt32BE((fin ? spdyFlagFin : 0) * 0x1000000 + data.length, 4)
  return Buffer.concat([h, data])
}

/** SYN_STREAM with a compressed header block (what a client sends; the server never opens streams). */
export function spdySynStream(streamId: number, headerBlock: Buffer, opts: { fin?: boolean; associatedTo?: number; priority?: number } = {}): Buffer {
  const p = Buffer.alloc(10)
  p.writeUInt32BE(streamId & 0x7fffffff, 0)
  p.writeUInt32BE((opts.associatedTo ?? 0) & 0x7fffffff, 4)
  p[8] = ((opts.priority ?? 0) & 7) << 5
  return spdyControlFrame(SpdyType.SynStream, opts.fin ? spdyFlagFin : 0, Buffer.concat([p, headerBlock]))
}

/** SYN_REPLY with a compressed header block. */
export function spdySynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4)
  id.writeUInt32BE(streamId & 0x7fffffff, 0)
  return spdyControlFrame(SpdyType.SynReply, fin ? spdyFlagFin : 0, Buffer.concat([id, headerBlock]))
}

/** RST_STREAM with a {@link SpdyRst} status. */
export function spdyRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8)
  p.writeUInt32BE(streamId & 0x7fffffff, 0)
  p.writeUInt32BE(status, 4)
  return spdyControlFrame(SpdyType.RstStream, 0, p)
}

/** PING with an id (a server echoes the client's odd ids and sends even ones). */
export function spdyPing(id: number): Buffer {
  const p = Buffer.alloc(4)
  p.writeUInt32BE(id >>> 0, 0)
  return spdyControlFrame(SpdyType.Ping, 0, p)
}

/** GOAWAY (status 0 = OK): no stream above `lastGoodStreamId` will be processed. */
export function spdyGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8)
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0)
  p.writeUInt32BE(status, 4)
  return spdyControlFrame(SpdyType.GoAway, 0, p)
}

/** WINDOW_UPDATE (SPDY/3.1 flow control; stream 0 is the whole connection). */
export function spdyWindowUpdate(streamId: number, delta: number): Buffer {
  const p = Buffer.alloc(8)
  p.writeUInt32BE(streamId & 0x7fffffff, 0)
  p.writeUInt32BE(delta & 0x7fffffff, 4)
  return spdyControlFrame(SpdyType.WindowUpdate, 0, p)
}

/** The stream id a SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE payload starts with. */
export function controlStreamId(payload: Buffer): number {
  if (payload.length < 4) throw new SpdyProtocolError('control frame too short')
  return payload.readUInt32BE(0) & 0x7fffffff
}
