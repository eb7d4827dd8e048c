import { describe, expect, it } from 'vitest'
import { SimClock } from '../../src/sim/clock.js'

describe('SimClock', () => {
  it('in manual mode only moves when advanced, firing timers in due order', async () => {
    const c = new SimClock({ start: 1_000_000, speed: 0 })
    const fired: string[] = []
    c.setTimer(300, () => fired.push(`b@${c.now()}`))
    c.setTimer(100, () => fired.push(`a@${c.now()}`))
    const t = c.setTimer(200, () => fired.push('cancelled'))
    c.clearTimer(t)
    expect(c.now()).toBe(1_000_000)
    await c.advance(250)
    expect(fired).toEqual(['a@1000100'])
    expect(c.now()).toBe(1_000_250)
    await c.advance(1000)
    expect(fired).toEqual(['a@1000100', 'b@1000300'])
    expect(c.now()).toBe(1_001_250)
  })

  it('fires timers that timers register within the same advance', async () => {
    const c = new SimClock({ start: 0, speed: 0 })
    const fired: number[] = []
    const tick = () => {
      fired.push(c.now())
      if (fired.length < 4) c.setTimer(10, tick)
    }
    c.setTimer(10, tick)
    await c.advance(100)
    expect(fired).toEqual([10, 20, 30, 40])
  })

  it('runs at a real-time multiple', async () => {
    const c = new SimClock({ start: 0, speed: 100 })
    await new Promise((r) => setTimeout(r, 30))
    expect(c.now()).toBeGreaterThanOrEqual(2000)
    c.dispose()
  })
})
