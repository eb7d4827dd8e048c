import { describe, expect, it } from 'vitest'
import { perObject } from '../../src/util/per-object.js'

describe('perObject', () => {
  it('computes once per object identity, including falsy results, and separately for equal copies', () => {
    let calls = 0
    const f = perObject((o: { n: number }) => {
      calls++
      return o.n > 0 ? o.n : undefined
    })
    const a = { n: 2 }
    const z = { n: 0 }
    expect([f(a), f(a), f(z), f(z)]).toEqual([2, 2, undefined, undefined])
    expect(calls).toBe(2)
    // An equal but different object is another version: computed again.
    expect(f({ n: 2 })).toBe(2)
    expect(calls).toBe(3)
  })
})
