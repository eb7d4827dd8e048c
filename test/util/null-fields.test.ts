/** @module null-fields.test: nulls dropped as Go's decoder zeroes them, in one pass. */
import { describe, expect, it } from 'vitest'
import { dropNullFields } from '../../src/util/null-fields.js'

describe('dropNullFields', () => {
  it('drops null members and list items at any depth', () => {
    expect(dropNullFields({ a: null, b: [1, null, { c: null, d: [null] }], e: { f: null } })).toEqual({ b: [1, { d: [] }], e: {} })
  })

  it('compacts a long list with many nulls in linear time', () => {
    const list: (string | null)[] = []
    for (let i = 0; i < 400_000; i++) list.push(i % 2 ? null : 'a')
    const t = performance.now()
    dropNullFields({ list })
    expect(performance.now() - t).toBeLessThan(1_000)
    expect(list).toHaveLength(200_000)
    expect(list.every((x) => x === 'a')).toBe(true)
  })
})
