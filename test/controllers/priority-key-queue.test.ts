import { describe, expect, it } from 'vitest'
import { PriorityKeyQueue } from '../../src/controllers/priority-key-queue.js'

describe('PriorityKeyQueue', () => {
  it('takes the highest priority first and, within one, the oldest key', () => {
    const prio: Record<string, number> = { a: 0, b: 10, c: 0, d: 10, e: -5 }
    const q = new PriorityKeyQueue((k) => prio[k])
    for (const k of ['e', 'a', 'b', 'c', 'd', 'a']) q.add(k)
    expect(q.size).toBe(5)
    expect(q.has('d')).toBe(true)
    const order: (string | undefined)[] = []
    for (let i = 0; i < 6; i++) order.push(q.take(() => true))
    expect(order).toEqual(['b', 'd', 'a', 'c', 'e', undefined])
    expect(q.size).toBe(0)
  })

  it('skips refused keys for the next best one, and forgets deleted keys', () => {
    const q = new PriorityKeyQueue((k) => (k.startsWith('hi') ? 1 : 0))
    for (const k of ['lo1', 'hi1', 'lo2', 'hi2']) q.add(k)
    expect(q.take((k) => k !== 'hi1')).toBe('hi2')
    expect(q.delete('hi1')).toBe(true)
    expect(q.delete('hi1')).toBe(false)
    expect([...q.keys()].sort()).toEqual(['lo1', 'lo2'])
    expect(q.take(() => true)).toBe('lo1')
    q.clear()
    expect(q.take(() => true)).toBeUndefined()
  })
})
