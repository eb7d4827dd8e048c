import { describe, expect, it } from 'vitest'
import { ControllerManager, drainSliceMs, type Controller } from '../../src/controllers/runtime.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'

/** Spins for `ms` of real time: a reconcile that costs that much synchronous work. */
function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

function manager(speed: number): { m: ControllerManager; clock: SimClock } {
  const clock = new SimClock({ speed, start: Date.parse('2026-12-01T10:00:00Z') })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  return { m: new ControllerManager(registry, clock), clock }
}

/** A controller whose keys cost `costMs` each and record the order they ran in. */
function recording(name: string, costMs: number, log: string[]): Controller {
  return {
    name,
    watches: [],
    reconcile(key) {
      busy(costMs)
      log.push(`${name}:${key}`)
    },
  }
}

describe('controller runtime', () => {
  it('with a manual clock, defers an expensive key behind every other runnable key, and still runs it', async () => {
    const { m } = manager(0)
    const log: string[] = []
    m.add(recording('expensive', 4, log))
    m.add(recording('cheap', 0, log))
    m.start()
    m.enqueueTo('expensive', 'rs')
    await m.whenIdle()
    expect(log).toEqual(['expensive:rs'])
    // It cost more than the threshold: re-dirtied among 50 cheap keys, it waits for all of them.
    log.length = 0
    m.enqueueTo('expensive', 'rs')
    for (let i = 0; i < 50; i++) m.enqueueTo('cheap', `p${i}`)
    await m.whenIdle()
    expect(log).toHaveLength(51)
    expect(log.at(-1)).toBe('expensive:rs')
    m.stop()
  })

  it('gives the event loop back after a slice of work, so I/O and timers run between keys', async () => {
    const { m } = manager(0)
    const log: string[] = []
    m.add(recording('slow', 1, log))
    m.start()
    for (let i = 0; i < 40; i++) m.enqueueTo('slow', `k${i}`)
    let ranAfter = -1
    setImmediate(() => {
      ranAfter = log.length
    })
    await m.whenIdle()
    expect(log).toHaveLength(40)
    // One slice is about drainSliceMs of 1 ms keys, not all 40.
    expect(ranAfter).toBeGreaterThan(0)
    expect(ranAfter).toBeLessThanOrEqual(drainSliceMs + 2)
    m.stop()
  })

  it('shares turns fairly by time: cheap keys are not starved by an expensive controller', async () => {
    const { m } = manager(1)
    const log: string[] = []
    m.add(recording('heavy', 3, log))
    m.add(recording('light', 0, log))
    m.start()
    for (let i = 0; i < 10; i++) m.enqueueTo('heavy', `h${i}`)
    for (let i = 0; i < 10; i++) m.enqueueTo('light', `l${i}`)
    await m.whenIdle()
    // Every light key has run before the heavy controller got through half of its keys.
    const lastLight = log.lastIndexOf('light:l9')
    const heavyBefore = log.slice(0, lastLight).filter((x) => x.startsWith('heavy')).length
    expect(heavyBefore).toBeLessThan(5)
    m.stop()
  })

  it('deterministic (a scenario seed, manual clock): turns by keys, nothing deferred for its cost, the same order whatever the costs', async () => {
    const order = async (costs: Record<string, number>) => {
      const { m } = manager(0)
      m.deterministic = true
      const log: string[] = []
      for (const [name, cost] of Object.entries(costs)) m.add(recording(name, cost, log))
      m.start()
      for (let i = 0; i < 6; i++) for (const name of Object.keys(costs)) m.enqueueTo(name, `k${i}`)
      await m.whenIdle()
      // An expensive key made dirty again runs in its turn, not after everything else.
      m.enqueueTo('a', 'again')
      for (const name of Object.keys(costs)) m.enqueueTo(name, 'k9')
      await m.whenIdle()
      m.stop()
      return log
    }
    const cheap = await order({ a: 0, b: 0, c: 0 })
    const costly = await order({ a: 4, b: 0, c: 1 })
    expect(costly).toEqual(cheap)
    // Shares by keys: the three controllers interleave.
    for (const name of ['a', 'b', 'c']) expect(cheap.slice(0, 9).filter((x) => x.startsWith(`${name}:`)).length).toBeGreaterThanOrEqual(2)
    expect(cheap.indexOf('a:again')).toBeLessThan(cheap.indexOf('c:k9'))
  })
})
