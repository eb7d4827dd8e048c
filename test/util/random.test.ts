import { describe, expect, it } from 'vitest'
import { randomHex, seededRandom } from '../../src/util/random.js'

describe('randomHex', () => {
  it('gives lowercase hex of twice the byte count', () => {
    for (const n of [1, 16, 32, 33]) expect(randomHex(n)).toMatch(new RegExp(`^[0-9a-f]{${2 * n}}$`))
  })

  it('never repeats across pool refills, and serves sizes larger than the pool', () => {
    // 1,000 IDs of 32 bytes cross the 8 KiB pool several times.
    const ids = new Set(Array.from({ length: 1000 }, () => randomHex(32)))
    expect(ids.size).toBe(1000)
    expect(randomHex(10_000)).toHaveLength(20_000)
  })

  it('draws roughly uniform digits', () => {
    const counts = new Map<string, number>()
    for (const ch of Array.from({ length: 200 }, () => randomHex(32)).join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1)
    // 12,800 digits: 800 expected per digit; a fixed or biased source lands far outside this.
    expect(counts.size).toBe(16)
    for (const n of counts.values()) expect(n).toBeGreaterThan(600)
  })
})

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, numbers or strings, and another for another seed', () => {
    const draw = (seed: number | string) => {
      const r = seededRandom(seed)
      return Array.from({ length: 8 }, () => r())
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw('busy')).toEqual(draw('busy'))
    expect(draw(42)).not.toEqual(draw(43))
    expect(draw('busy')).not.toEqual(draw('unhealthy'))
    for (const x of draw(7)) expect(x >= 0 && x < 1).toBe(true)
  })

  it('resumes from a state where the sequence was', () => {
    const r = seededRandom('busy')
    for (let i = 0; i < 5; i++) r()
    const resumed = seededRandom('anything', r.state)
    expect(Array.from({ length: 8 }, () => resumed())).toEqual(Array.from({ length: 8 }, () => r()))
  })
})
