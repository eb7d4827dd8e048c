/** @module spdy-client: a minimal hand-written SPDY/3.1 client (HTTP upgrade, SYN_STREAM with Go-like header compression, DATA, RST, PING, GOAWAY) for transport tests. */
import { connect, type Socket } from 'node:net'
import { createDeflate, inflateSync, constants as zc, type Deflate } from 'node:zlib'
import { spdyHeaderDictionary } from '../../src/api/spdy/headers.js'

/** The HTTP answer to the upgrade request. */
export interface UpgradeResponse {
  status: number
  headers: Record<string, string[]>
  body: string
}

interface StreamState {
  replied: boolean
  reset?: number
  fin: boolean
  data: Buffer[]
  replyHeaders?: Record<string, string[]>
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0, 0)
  return b
}

function headerBlock(headers: Record<string, string>): Buffer {
  const parts = [u32(Object.keys(headers).length)]
  for (const [k, v] of Object.entries(headers)) for (const s of [k.toLowerCase(), v]) parts.push(u32(Buffer.byteLength(s)), Buffer.from(s))
  return Buffer.concat(parts)
}

function parseBlock(b: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  let o = 4
  for (let i = 0, n = b.readUInt32BE(0); i < n; i++) {
    const kl = b.readUInt32BE(o)
    const k = b.subarray(o + 4, o + 4 + kl).toString()
    o += 4 + kl
    const vl = b.readUInt32BE(o)
    out[k] = b
      .subarray(o + 4, o + 4 + vl)
      .toString()
      .split('\0')
    o += 4 + vl
  }
  return out
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([u32(0x80030000 + type), u32(flags * 0x1000000 + payload.length), payload])
}

/**
 * One client connection. {@link SpdyTestClient.upgrade} sends the HTTP/1.1 request and resolves
 * with the response; on 101 `client` speaks SPDY on the socket: streams get odd ids, header
 * blocks share one zlib stream primed with the SPDY dictionary (sync flush per block, as Go's
 * framer writes them), and everything the server sends is recorded per stream.
 */
/**
 * Compresses header blocks the way client-go's spdystream does: one zlib stream for the whole
 * connection (best compression, the SPDY dictionary), sync-flushed after each block.
 */
export class GoHeaderCompressor {
  private readonly z: Deflate = createDeflate({ level: 9, dictionary: spdyHeaderDictionary })

  /** The compressed bytes of one header block. */
  compress(block: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = []
      const on = (c: Buffer) => chunks.push(c)
      this.z.on('data', on)
      this.z.write(block)
      this.z.flush(zc.Z_SYNC_FLUSH, () => {
        this.z.off('data', on)
        resolve(Buffer.concat(chunks))
      })
    })
  }

  close(): void {
    this.z.close()
  }
}

export class SpdyTestClient {
  private readonly z = new GoHeaderCompressor()
  private compressedIn: Buffer = Buffer.alloc(0)
  private inflated = 0
  private buf: Buffer = Buffer.alloc(0)
  private nextId = 1
  private readonly waiters = new Set<() => void>()
  /** Streams by id. */
  readonly streams = new Map<number, StreamState>()
  /** Ping ids the server echoed. */
  readonly pings: number[] = []
  /** Set when the server sent GOAWAY (its last-good stream id). */
  goAway?: number
  /** True once the socket closed. */
  ended = false

  private constructor(
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    socket.on('data', (c: Buffer) => this.onBytes(c))
    socket.on('close', () => {
      this.ended = true
      this.z.close()
      this.notify()
    })
    socket.on('error', () => {})
    if (rest.length) this.onBytes(rest)
  }

  /** Sends `method path` with the upgrade headers (plus `headers`) and reads the answer. */
  static upgrade(
    port: number,
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
  ): Promise<{ response: UpgradeResponse; client?: SpdyTestClient }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      const lines = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`]
      for (const [k, v] of Object.entries(headers)) for (const x of ([] as string[]).concat(v)) lines.push(`${k}: ${x}`)
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
      let buf = Buffer.alloc(0)
      const onData = (c: Buffer) => {
        buf = Buffer.concat([buf, c])
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const [statusLine, ...hl] = buf.subarray(0, end).toString('latin1').split('\r\n')
        const h: Record<string, string[]> = {}
        for (const l of hl) {
          const i = l.indexOf(':')
          const k = l.slice(0, i).toLowerCase()
          ;(h[k] ??= []).push(l.slice(i + 1).trim())
        }
        const status = Number(statusLine.split(' ')[1])
        let rest = buf.subarray(end + 4)
        if (status === 101) {
          socket.off('data', onData)
          resolve({ response: { status, headers: h, body: '' }, client: new SpdyTestClient(socket, rest) })
          return
        }
        const len = Number(h['content-length']?.[0] ?? -1)
        const finish = () => {
          socket.destroy()
          resolve({ response: { status, headers: h, body: rest.toString() } })
        }
        if (len >= 0 && rest.length >= len) return finish()
        socket.off('data', onData)
        socket.on('data', (more: Buffer) => {
          rest = Buffer.concat([rest, more])
          if (len >= 0 && rest.length >= len) finish()
        })
        socket.on('end', finish)
      }
      socket.on('data', onData)
      socket.on('error', reject)
    })
  }

  /** Opens a stream (SYN_STREAM); resolves with its id once sent. */
  async open(headers: Record<string, string>, fin = false): Promise<number> {
    const id = this.nextId
    this.nextId += 2
    this.streams.set(id, { replied: false, fin: false, data: [] })
    const block = await this.z.compress(headerBlock(headers))
    this.socket.write(control(1, fin ? 1 : 0, Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), block])))
    return id
  }

  /** DATA on a stream (FIN with `fin`). */
  write(id: number, data: string | Buffer, fin = false): void {
    const b = typeof data === 'string' ? Buffer.from(data) : data
    this.socket.write(Buffer.concat([u32(id), u32((fin ? 1 : 0) * 0x1000000 + b.length), b]))
  }

  /** RST_STREAM CANCEL. */
  reset(id: number): void {
    this.socket.write(control(3, 0, Buffer.concat([u32(id), u32(5)])))
  }

  /** PING with an odd id. */
  ping(id: number): void {
    this.socket.write(control(6, 0, u32(id)))
  }

  /** Any frame, raw (for protocol-error tests). */
  raw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Drops the TCP connection. */
  destroy(): void {
    this.socket.destroy()
  }

  /** What the server wrote on a stream so far. */
  text(id: number): string {
    return Buffer.concat(this.streams.get(id)?.data ?? []).toString()
  }

  /** The stream's state (undefined for an id never opened). */
  stream(id: number): StreamState | undefined {
    return this.streams.get(id)
  }

  /** Resolves when `pred` holds (checked on every frame); rejects after `ms`. */
  until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return
        clearTimeout(t)
        this.waiters.delete(check)
        resolve()
      }
      const t = setTimeout(() => {
        this.waiters.delete(check)
        reject(
          new Error(
            `timed out waiting for ${what}; streams: ${JSON.stringify([...this.streams].map(([id, s]) => [id, s.replied, s.fin, s.reset, Buffer.concat(s.data).toString()]))}`,
          ),
        )
      }, ms)
      this.waiters.add(check)
    })
  }

  private notify() {
    for (const w of [...this.waiters]) w()
  }

  private onBytes(chunk: Buffer) {
    this.buf = Buffer.concat([this.buf, chunk])
    while (this.buf.length >= 8) {
      const w0 = this.buf.readUInt32BE(0)
      const w1 = this.buf.readUInt32BE(4)
      const len = w1 & 0xffffff
      if (this.buf.length < 8 + len) break
      const p = Buffer.from(this.buf.subarray(8, 8 + len))
      const flags = w1 >>> 24
      this.buf = this.buf.subarray(8 + len)
      if (!(w0 & 0x80000000)) {
        const s = this.streams.get(w0 & 0x7fffffff)
        if (!s) continue
        if (p.length) s.data.push(p)
        if (flags & 1) s.fin = true
        continue
      }
      const type = w0 & 0xffff
      if (type === 2) {
        const s = this.streams.get(p.readUInt32BE(0) & 0x7fffffff)
        this.compressedIn = Buffer.concat([this.compressedIn, p.subarray(4)])
        const all = inflateSync(this.compressedIn, { dictionary: spdyHeaderDictionary, finishFlush: zc.Z_SYNC_FLUSH })
        const block = all.subarray(this.inflated)
        this.inflated = all.length
        if (s) {
          s.replied = true
          s.replyHeaders = parseBlock(block)
          if (flags & 1) s.fin = true
        }
      } else if (type === 3) {
        const s = this.streams.get(p.readUInt32BE(0) & 0x7fffffff)
        if (s) s.reset = p.readUInt32BE(4)
      } else if (type === 6) this.pings.push(p.readUInt32BE(0))
      else if (type === 7) this.goAway = p.readUInt32BE(0)
    }
    this.notify()
  }
}
