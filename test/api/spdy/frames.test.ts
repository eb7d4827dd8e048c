/** @module spdy/frames.test: every frame kind round-trips through the reader, split anywhere. */
import { describe, expect, test } from 'vitest'
import {
  SpdyFrameReader,
  SpdyType,
  controlStreamId,
  spdyControlFrame,
  spdyData,
  spdyGoAway,
  spdyPing,
  spdyRstStream,
  spdySynReply,
  spdySynStream,
  spdyWindowUpdate,
} from '../../../src/api/spdy/frames.js'

describe('SPDY frames', () => {
  test('the frame reader reassembles frames split anywhere', () => {
    const r = new SpdyFrameReader()
    const bytes = Buffer.concat([spdyData(3, Buffer.from('hello'), true), spdyPing(7)])
    const frames = [...r.push(bytes.subarray(0, 5)), ...r.push(bytes.subarray(5, 14)), ...r.push(bytes.subarray(14))]
    expect(frames).toEqual([
      { kind: 'data', streamId: 3, flags: 1, data: Buffer.from('hello') },
      { kind: 'control', version: 3, type: SpdyType.Ping, flags: 0, payload: Buffer.from([0, 0, 0, 7]) },
    ])
  })

  test('control frames carry version 3, their type, flags and payload', () => {
    const all = Buffer.concat([
      spdySynStream(5, Buffer.from('hdrs'), { fin: true, priority: 7 }),
      spdySynReply(5, Buffer.from('h')),
      spdyRstStream(5, 5),
      spdyGoAway(5),
      spdyWindowUpdate(5, 65536),
      spdyControlFrame(SpdyType.Settings, 0, Buffer.from([0, 0, 0, 0])),
    ])
    const frames = new SpdyFrameReader().push(all)
    expect(frames.map((f) => f.kind === 'control' && [f.version, f.type, f.flags, f.payload.length])).toEqual([
      [3, SpdyType.SynStream, 1, 14],
      [3, SpdyType.SynReply, 0, 5],
      [3, SpdyType.RstStream, 0, 8],
      [3, SpdyType.GoAway, 0, 8],
      [3, SpdyType.WindowUpdate, 0, 8],
      [3, SpdyType.Settings, 0, 4],
    ])
    const syn = frames[0] as { payload: Buffer }
    expect(controlStreamId(syn.payload)).toBe(5)
    expect(syn.payload[8] >> 5).toBe(7)
    expect(syn.payload.subarray(10).toString()).toBe('hdrs')
    expect((frames[2] as { payload: Buffer }).payload.readUInt32BE(4)).toBe(5)
  })

  test('an empty DATA frame with FIN is a half-close; large payloads keep their 24-bit length', () => {
    const big = Buffer.alloc(70_000, 1)
    const [fin, data] = new SpdyFrameReader().push(Buffer.concat([spdyData(1, Buffer.alloc(0), true), spdyData(1, big)]))
    expect(fin).toEqual({ kind: 'data', streamId: 1, flags: 1, data: Buffer.alloc(0) })
    expect(data.kind === 'data' && data.data.length).toBe(70_000)
  })
})
