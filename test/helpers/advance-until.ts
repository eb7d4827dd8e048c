/** @module advance-until: moves a manual clock on in steps until a condition holds — waiting in simulated time, never in real time. */
import type { Clock } from '../../src/sim/clock.js'

/** Advances `clock` by `step` ms until `cond()` holds; returns the simulated ms it took. Throws past `maxMs`. */
export async function advanceUntil(clock: Clock, cond: () => boolean, maxMs = 5000, step = 100): Promise<number> {
  const t0 = clock.now()
  while (!cond()) {
    if (clock.now() - t0 > maxMs) throw new Error(`condition not met within ${maxMs} ms`)
    await clock.advance(step)
  }
  return clock.now() - t0
}
