/** @module long-timeout.test: timers longer than Node's 2^31-1 ms limit fire when due, not at once. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { longTimeout, maxTimerDelayMs } from '../src/long-timeout.js'

describe('longTimeout', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('waits the whole delay across several Node timers', () => {
    const fn = vi.fn()
    const days40 = 40 * 86_400_000
    longTimeout(fn, days40)
    vi.advanceTimersByTime(maxTimerDelayMs)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(days40 - maxTimerDelayMs - 1)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('fires non-positive delays on the next tick, never fires Infinity, and can be cleared', () => {
    const soon = vi.fn()
    longTimeout(soon, -1000)
    vi.advanceTimersByTime(0)
    expect(soon).toHaveBeenCalledTimes(1)
    const never = vi.fn()
    longTimeout(never, Infinity)
    const cleared = vi.fn()
    longTimeout(cleared, 10).clear()
    vi.advanceTimersByTime(maxTimerDelayMs * 3)
    expect(never).not.toHaveBeenCalled()
    expect(cleared).not.toHaveBeenCalled()
  })
})
