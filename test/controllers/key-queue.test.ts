import { describe, expect, it } from 'vitest'
import { KeyQueue } from '../../src/controllers/key-queue.js'
import { prng } from '../helpers/prng.js'

describe('KeyQueue', () => {
  it('takes keys oldest first, once each, and moves refused keys to the back', () => {
    const q = new KeyQueue()
    for (const k of ['a', 'b', 'c', 'a']) q.add(k)
    expect(q.size).toBe(3)
    expect(q.take(() => true)).toBe('a')
    // b is refused (running): c goes first, and b is now behind a re-added a.
    expect(q.take((k) => k !== 'b')).toBe('c')
    q.add('a')
    expect(q.take(() => true)).toBe('b')
    expect(q.take(() => true)).toBe('a')
    expect(q.take(() => true)).toBeUndefined()
    expect(q.size).toBe(0)
  })

  it('behaves as an ordered set under any sequence of adds, deletes and takes (seeded)', () => {
    const rand = prng(7)
    const q = new KeyQueue()
    // The model: insertion-ordered keys; a refused key moves to the end.
    let model: string[] = []
    for (let step = 0; step < 20_000; step++) {
      const r = rand()
      const key = `k${Math.floor(rand() * 300)}`
      if (r < 0.5) {
        q.add(key)
        if (!model.includes(key)) model.push(key)
      } else if (r < 0.6) {
        expect(q.delete(key)).toBe(model.includes(key))
        model = model.filter((k) => k !== key)
      } else {
        const refuse = new Set(model.filter(() => rand() < 0.2))
        const got = q.take((k) => !refuse.has(k))
        const i = model.findIndex((k) => !refuse.has(k))
        const want = i < 0 ? undefined : model[i]
        expect(got).toBe(want)
        const scanned = i < 0 ? model : model.slice(0, i)
        model = [...model.slice(scanned.length + (i < 0 ? 0 : 1)), ...scanned]
      }
      expect(q.size).toBe(model.length)
    }
    expect([...q.keys()].sort()).toEqual([...model].sort())
  })
})
