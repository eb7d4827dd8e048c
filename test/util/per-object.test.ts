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

describe('perObject storage', () => {
  it('leaves no trace in JSON, spreads or keys, so a copy is a new version', () => {
    let calls = 0
    const f = perObject((o: { n: number }) => {
      calls++
      return o.n * 2
    })
    const a = { n: 1 }
    expect(f(a)).toBe(2)
    expect(JSON.stringify(a)).toBe('{"n":1}')
    expect(Object.keys(a)).toEqual(['n'])
    expect(a).toEqual({ n: 1 })
    const copy = { ...a }
    expect(f(copy)).toBe(2)
    expect(calls).toBe(2)
  })

  it('works on frozen objects, and keeps memos of different functions apart', () => {
    const frozen = Object.freeze({ n: 3 })
    let calls = 0
    const double = perObject((o: { n: number }) => {
      calls++
      return o.n * 2
    })
    const negate = perObject((o: { n: number }) => -o.n)
    expect([double(frozen), double(frozen), negate(frozen)]).toEqual([6, 6, -3])
    expect(calls).toBe(1)
    const open = { n: 4 }
    expect([double(open), negate(open)]).toEqual([8, -4])
  })
})
