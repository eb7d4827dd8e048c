import { describe, expect, it } from 'vitest'
import { canonicalQuantity, milliValue, quantity } from '../../../src/registry/shared/quantity-format.js'

describe('quantity-format', () => {
  it('prints quantities as Quantity.String() does', () => {
    const cases: [string | number, string][] = [
      ['1', '1'],
      ['1000m', '1'],
      ['1500m', '1500m'],
      ['1.5', '1500m'],
      ['0.5', '500m'],
      ['1000', '1k'],
      ['1500', '1500'],
      ['128Mi', '128Mi'],
      ['1024Mi', '1Gi'],
      ['1.5Gi', '1536Mi'],
      ['512', '512'],
      ['0.5Ki', '512'],
      ['2', '2'],
      [2, '2'],
      ['100M', '100M'],
      ['0', '0'],
      ['1e3', '1e3'],
    ]
    for (const [input, want] of cases) expect(canonicalQuantity(input), String(input)).toBe(want)
  })
  it('parses exactly and rejects junk', () => {
    expect(quantity('250m')!.nanos).toBe(250_000_000n)
    expect(milliValue(quantity('0.0001')!)).toBe(1n)
    expect(quantity('abc')).toBeUndefined()
    expect(quantity('.')).toBeUndefined()
  })
})
