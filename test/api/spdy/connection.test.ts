/** @module spdy/connection.test: the server stream lifecycle — accept/refuse, reply before data, half-close, reset, id rules, pings, GOAWAY, teardown. */
import { createDeflate, constants as zc } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { SpdyConnection, type SpdyStream } from '../../../src/api/spdy/connection.js'
import {
  SpdyFrameReader,
  SpdyRst,
  SpdyType,
  spdyControlFrame,
  spdyData,
  spdyGoAway,
  spdyPing,
  spdyRstStream,
  spdySynStream,
  type SpdyFrame,
} from '../../../src/api/spdy/frames.js'
import { encodeHeaderBlock, spdyHeaderDictionary } from '../../../src/api/spdy/headers.js'

/** A connection plus a Go-like client side: compressed SYN_STREAMs in, frames out. */
function harness(onStream: (s: SpdyStream) => boolean | void = () => true) {
  const reader = new SpdyFrameReader()
  const out: SpdyFrame[] = []
  const z = createDeflate({ level: 9, dictionary: spdyHeaderDictionary })
  const conn = new SpdyConnection({ send: (b) => out.push(...reader.push(b)), onStream })
  const compress = (headers: Record<string, string>) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      const on = (c: Buffer) => chunks.push(c)
      z.on('data', on)
      z.write(encodeHeaderBlock(headers))
      z.flush(zc.Z_SYNC_FLUSH, () => {
        z.off('data', on)
        resolve(Buffer.concat(chunks))
      })
    })
  return {
    conn,
    out,
    compress,
    async syn(id: number, headers: Record<string, string>, fin = false) {
      conn.receive(spdySynStream(id, await compress(headers), { fin }))
    },
    kinds: () =>
      out.map((f) =>
        f.kind === 'data'
          ? `data:${f.streamId}${f.flags & 1 ? ':fin' : ''}:${f.data.toString()}`
          : `${Object.entries(SpdyType).find(([, v]) => v === f.type)![0]}:${f.payload.readUInt32BE(0)}`,
      ),
  }
}

describe('SpdyConnection', () => {
  test('an accepted stream gets its SYN_REPLY before any data; headers are parsed; data flows both ways', async () => {
    let stream!: SpdyStream
    const got: string[] = []
    const h = harness((s) => {
      stream = s
      s.handlers = { data: (c) => got.push(c.toString()), end: () => got.push('<eof>') }
      s.write('hello')
    })
    await h.syn(1, { streamType: 'stdout', Port: '80' })
    expect(stream.header('streamtype')).toBe('stdout')
    expect(stream.header('PORT')).toBe('80')
    expect(h.kinds()).toEqual(['SynReply:1', 'data:1:hello'])
    h.conn.receive(spdyData(1, Buffer.from('abc')))
    h.conn.receive(spdyData(1, Buffer.alloc(0), true))
    expect(got).toEqual(['abc', '<eof>'])
    expect(stream.remoteClosed).toBe(true)
    expect(h.conn.openStreams).toBe(1)
    stream.end('bye')
    expect(h.kinds().slice(2)).toEqual(['data:1:bye', 'data:1:fin:'])
    expect(h.conn.openStreams).toBe(0)
    stream.write('dropped')
    expect(h.out).toHaveLength(4)
  })

  test('a refused stream is reset with CANCEL; bad ids (even, not increasing) with PROTOCOL_ERROR', async () => {
    const h = harness((s) => s.header('streamtype') !== 'no')
    await h.syn(3, { streamType: 'no' })
    await h.syn(2, { streamType: 'x' })
    await h.syn(1, { streamType: 'x' })
    await h.syn(5, { streamType: 'x' })
    expect(h.kinds()).toEqual(['RstStream:3', 'RstStream:2', 'RstStream:1', 'SynReply:5'])
    const statuses = h.out.filter((f) => f.kind === 'control' && f.type === SpdyType.RstStream).map((f) => (f as { payload: Buffer }).payload.readUInt32BE(4))
    expect(statuses).toEqual([SpdyRst.Cancel, SpdyRst.ProtocolError, SpdyRst.ProtocolError])
  })

  test('RST_STREAM from the client and the transport going away reset the open streams', async () => {
    const resets: number[] = []
    const h = harness((s) => {
      s.handlers = { reset: () => resets.push(s.id) }
    })
    await h.syn(1, {})
    await h.syn(3, {})
    await h.syn(5, {}, true)
    h.conn.receive(spdyRstStream(1, SpdyRst.Cancel))
    expect(resets).toEqual([1])
    h.conn.destroy()
    expect(resets).toEqual([1, 3, 5])
    const before = h.out.length
    await h.syn(7, {})
    expect(h.out).toHaveLength(before)
  })

  test("pings of the client's parity are echoed; GOAWAY from us FINs open streams, from the client stops new ones", async () => {
    let goneAway = 0
    const h = harness()
    const conn = new SpdyConnection({ send: () => {}, onStream: () => true, onGoAway: () => goneAway++ })
    conn.receive(spdyGoAway(0))
    expect(goneAway).toBe(1)
    h.conn.receive(spdyPing(1))
    h.conn.receive(spdyPing(2))
    expect(h.kinds()).toEqual(['Ping:1'])
    await h.syn(1, {})
    await h.syn(3, {})
    h.conn.goAway()
    expect(h.kinds().slice(1)).toEqual(['SynReply:1', 'SynReply:3', 'data:1:fin:', 'data:3:fin:', 'GoAway:3'])
    await h.syn(5, {})
    expect(h.kinds()).toHaveLength(6)
  })

  test('HEADERS frames keep the shared zlib context in step; SETTINGS and WINDOW_UPDATE are ignored; data for unknown streams is dropped', async () => {
    const seen: string[] = []
    const h = harness((s) => {
      seen.push(s.header('streamtype'))
    })
    await h.syn(1, { streamType: 'a' })
    const id = Buffer.alloc(4)
    id.writeUInt32BE(1, 0)
    h.conn.receive(spdyControlFrame(SpdyType.Headers, 0, Buffer.concat([id, await h.compress({ extra: 'header' })])))
    h.conn.receive(spdyControlFrame(SpdyType.Settings, 0, Buffer.from([0, 0, 0, 0])))
    h.conn.receive(spdyControlFrame(SpdyType.WindowUpdate, 0, Buffer.from([0, 0, 0, 1, 0, 0, 1, 0])))
    h.conn.receive(spdyData(99, Buffer.from('nobody')))
    await h.syn(3, { streamType: 'b' })
    expect(seen).toEqual(['a', 'b'])
  })

  test('bytes that are not SPDY/3 throw (the transport then drops the connection)', () => {
    const h = harness()
    expect(() => h.conn.receive(Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0]))).toThrow('unsupported SPDY version 2')
  })
})
