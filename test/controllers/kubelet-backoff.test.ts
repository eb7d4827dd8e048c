/** @module kubelet-backoff.test: flowcontrol.Backoff semantics the kubelet relies on. */
import { expect, test } from 'vitest'
import { Backoff } from '../../src/controllers/kubelet-backoff.js'

test('starts at 10 s, doubles, caps at 300 s', () => {
  let now = 0
  const b = new Backoff(10_000, 300_000, () => now)
  const seen: number[] = []
  for (let i = 0; i < 8; i++) {
    b.next('k', now)
    seen.push(b.get('k'))
    now += 1000
  }
  expect(seen).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000])
})

test('isInBackOffSince counts from the event (a container finishedAt)', () => {
  let now = 0
  const b = new Backoff(10_000, 300_000, () => now)
  expect(b.isInBackOffSince('k', 0)).toBe(false)
  b.next('k', 0)
  now = 5000
  expect(b.isInBackOffSince('k', 1000)).toBe(true)
  now = 11_000
  expect(b.isInBackOffSince('k', 1000)).toBe(false)
})

test('isInBackOffSinceUpdate counts from the last next()', () => {
  let now = 1000
  const b = new Backoff(10_000, 300_000, () => now)
  b.next('img')
  now = 10_999
  expect(b.isInBackOffSinceUpdate('img')).toBe(true)
  now = 11_000
  expect(b.isInBackOffSinceUpdate('img')).toBe(false)
})

test('an entry idle for more than 2 × max starts over', () => {
  let now = 0
  const b = new Backoff(10_000, 300_000, () => now)
  b.next('k')
  b.next('k')
  expect(b.get('k')).toBe(20_000)
  now = 600_001
  expect(b.isInBackOffSince('k', now)).toBe(false)
  b.next('k', now)
  expect(b.get('k')).toBe(10_000)
  b.forgetPrefix('k')
  expect(b.get('k')).toBe(0)
})
