/** @module spdy/headers.test: the SPDY/3 dictionary, header blocks, and both zlib directions (Go-like compression in, stored blocks out). */
import { createDeflate, inflateSync, constants as zc } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { HeaderDeflater, HeaderInflater, encodeHeaderBlock, parseHeaderBlock, spdyHeaderDictionary } from '../../../src/api/spdy/headers.js'

function adler32(b: Buffer): number {
  let a = 1
  let s = 0
  for (const x of b) {
    a = (a + x) % 65521
    s = (s + a) % 65521
  }
  return (s * 65536 + a) >>> 0
}

/** One zlib stream with the dictionary, sync-flushed per block, as Go's spdy framer compresses. */
async function goCompress(blocks: Buffer[]): Promise<Buffer[]> {
  const z = createDeflate({ level: 9, dictionary: spdyHeaderDictionary })
  const out: Buffer[] = []
  for (const b of blocks) {
    out.push(
      await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = []
        const on = (c: Buffer) => chunks.push(c)
        z.on('data', on)
        z.write(b)
        z.flush(zc.Z_SYNC_FLUSH, () => {
          z.off('data', on)
          resolve(Buffer.concat(chunks))
        })
      }),
    )
  }
  z.close()
  return out
}

describe('SPDY header blocks', () => {
  test('the dictionary is byte-identical to the SPDY/3 one (length and Adler-32 of the Go framer table)', () => {
    expect(spdyHeaderDictionary.length).toBe(1423)
    expect(adler32(spdyHeaderDictionary).toString(16)).toBe('e3c6a7c2')
  })

  test('header blocks round-trip; names are lower-cased; multi-values are NUL-separated', () => {
    const b = encodeHeaderBlock({ streamType: 'data', port: '80' })
    expect(parseHeaderBlock(b)).toEqual({ streamtype: ['data'], port: ['80'] })
    const multi = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 3]), Buffer.from('x\0y')])
    expect(parseHeaderBlock(multi)).toEqual({ a: ['x', 'y'] })
  })

  test('a truncated block throws instead of reading garbage', () => {
    expect(() => parseHeaderBlock(Buffer.from([0, 0, 0, 2, 0, 0, 0, 9, 0x61]))).toThrow()
  })

  test('the inflater follows one dictionary-primed zlib stream across blocks', async () => {
    const blocks = [
      encodeHeaderBlock({ streamtype: 'error', port: '80', requestid: '0' }),
      encodeHeaderBlock({ streamtype: 'data', port: '80', requestid: '0' }),
      encodeHeaderBlock({ streamtype: 'stdout' }),
    ]
    const compressed = await goCompress(blocks)
    // The first block declares the preset dictionary (FDICT) with its Adler-32.
    expect(compressed[0][1] & 0x20).toBe(0x20)
    expect(compressed[0].readUInt32BE(2).toString(16)).toBe('e3c6a7c2')
    const inf = new HeaderInflater()
    expect(compressed.map((c) => parseHeaderBlock(inf.inflate(c)))).toEqual([
      { streamtype: ['error'], port: ['80'], requestid: ['0'] },
      { streamtype: ['data'], port: ['80'], requestid: ['0'] },
      { streamtype: ['stdout'] },
    ])
  })

  test('the stored-block deflater makes one zlib stream that inflates block by block', () => {
    const d = new HeaderDeflater()
    const one = d.deflate(encodeHeaderBlock({}))
    const two = d.deflate(encodeHeaderBlock({ a: 'b' }))
    expect(one.subarray(0, 2)).toEqual(Buffer.from([0x78, 0x01]))
    // Each block ends with the sync-flush marker (an empty stored block), which Go's flate reader needs.
    for (const b of [one, two]) expect(b.subarray(-5)).toEqual(Buffer.from([0, 0, 0, 0xff, 0xff]))
    expect(inflateSync(one, { finishFlush: zc.Z_SYNC_FLUSH })).toEqual(encodeHeaderBlock({}))
    expect(inflateSync(Buffer.concat([one, two]), { finishFlush: zc.Z_SYNC_FLUSH })).toEqual(
      Buffer.concat([encodeHeaderBlock({}), encodeHeaderBlock({ a: 'b' })]),
    )
  })
})

describe('HeaderInflater under hostile input', () => {
  const goCompressor = () => {
    const z = createDeflate({ level: 9, dictionary: spdyHeaderDictionary })
    const compress = (block: Buffer) =>
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = []
        const on = (c: Buffer) => chunks.push(c)
        z.on('data', on)
        z.write(block)
        z.flush(zc.Z_SYNC_FLUSH, () => {
          z.off('data', on)
          resolve(Buffer.concat(chunks))
        })
      })
    return { compress, close: () => z.close() }
  }

  test('a block that inflates past 1 MiB throws instead of filling memory (a zlib bomb)', async () => {
    const c = goCompressor()
    const inf = new HeaderInflater()
    expect(inf.inflate(await c.compress(encodeHeaderBlock({ streamtype: 'error' })))).toEqual(encodeHeaderBlock({ streamtype: 'error' }))
    const bomb = await c.compress(Buffer.alloc(64 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(100_000)
    expect(() => inf.inflate(bomb)).toThrow()
    c.close()
  })

  test('each block costs its own bytes: 3,000 blocks on one connection inflate in linear time', async () => {
    const c = goCompressor()
    const inf = new HeaderInflater()
    const blocks: Buffer[] = []
    for (let i = 0; i < 3000; i++)
      blocks.push(await c.compress(encodeHeaderBlock({ streamtype: 'data', port: '80', requestid: String(i), pad: 'x'.repeat(200) })))
    const t = performance.now()
    for (let i = 0; i < blocks.length; i++) expect(parseHeaderBlock(inf.inflate(blocks[i])).requestid).toEqual([String(i)])
    expect(performance.now() - t).toBeLessThan(5_000)
    c.close()
  })
})
