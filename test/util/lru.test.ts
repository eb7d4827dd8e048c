import { describe, expect, it } from 'vitest'
import { GenerationalLru } from '../../src/util/lru.js'

describe('GenerationalLru', () => {
  it('keeps an entry between one and two generations of other entries after its last use', () => {
    const lru = new GenerationalLru<number, string>(3)
    lru.set(0, 'zero')
    for (let i = 1; i <= 4; i++) lru.set(i, String(i))
    // 4 entries later (one generation and one more) 0 is still there, and the hit renews it.
    expect(lru.get(0)).toBe('zero')
    for (let i = 5; i <= 7; i++) lru.set(i, String(i))
    expect(lru.get(0)).toBe('zero')
    expect(lru.get(1)).toBeUndefined()
    for (let i = 8; i <= 14; i++) lru.set(i, String(i))
    expect(lru.get(0)).toBeUndefined()
  })

  it('replaces a value in either generation without duplicating the key', () => {
    const lru = new GenerationalLru<string, number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    lru.set('a', 10)
    expect(lru.get('a')).toBe(10)
    lru.set('a', 11)
    expect(lru.get('a')).toBe(11)
  })
})
