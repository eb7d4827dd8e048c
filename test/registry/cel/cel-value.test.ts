import { describe, expect, it } from 'vitest'
import { parseGoDuration } from '../../../src/registry/cel/cel-value.js'

describe('parseGoDuration', () => {
  it("reads time.ParseDuration's units, both micro signs included", () => {
    expect(parseGoDuration('1h30m')).toBe(5400e9)
    expect(parseGoDuration('-1.5s')).toBe(-1.5e9)
    // U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU, as Go's unitMap has both.
    expect(parseGoDuration('3\u00b5s')).toBe(3000)
    expect(parseGoDuration('3\u03bcs')).toBe(3000)
    expect(parseGoDuration('3xs')).toBeUndefined()
  })
})
