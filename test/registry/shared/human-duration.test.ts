import { describe, expect, it } from 'vitest'
import { humanDuration, translateTimestampSince } from '../../../src/registry/shared/human-duration.js'

const s = 1000
const m = 60 * s
const h = 60 * m
const d = 24 * h

describe('humanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [10 * m, '10m'],
    [179 * m, '179m'],
    [3 * h + 5 * m, '3h5m'],
    [4 * h, '4h'],
    [47 * h + 59 * m, '47h'],
    [2 * d + 3 * h, '2d3h'],
    [3 * d, '3d'],
    [400 * d, '400d'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [3 * 365 * d, '3y'],
    [9 * 365 * d, '9y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want)
  })
})

describe('translateTimestampSince', () => {
  const now = new Date('2026-11-27T22:20:03Z')
  it('formats the age of a timestamp', () => {
    expect(translateTimestampSince('2026-11-27T22:12:36Z', now)).toBe('7m27s')
  })
  it('is <unknown> for missing or zero timestamps', () => {
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>')
    expect(translateTimestampSince('0001-01-01T00:00:00Z', now)).toBe('<unknown>')
  })
  it('accepts MicroTime values', () => {
    expect(translateTimestampSince('2026-11-27T22:19:58.123456Z', now)).toBe('4s')
  })
})
