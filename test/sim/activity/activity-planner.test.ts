/** @module activity-planner.test: the seeded plan — same seed same steps, weights and timing respected. */
import { describe, expect, it } from 'vitest'
import { createActivityPlanner, pickWith, planActivity } from '../../../src/sim/activity/activity-planner.js'
import type { ActivitySpec } from '../../../src/sim/activity/activity-spec.js'

const spec = (over: Partial<ActivitySpec> = {}): ActivitySpec => ({
  seed: 7,
  everySeconds: 20,
  actions: [{ kind: 'scale', weight: 3 }, { kind: 'rollout' }, { kind: 'crash' }, { kind: 'nodeOutage', weight: 0.5 }, { kind: 'job', weight: 2 }],
  ...over,
})

describe('planActivity', () => {
  it('plans the same steps for the same seed', () => {
    expect(planActivity(spec(), 50)).toEqual(planActivity(spec(), 50))
    expect(planActivity(spec({ seed: 'busy' }), 50)).toEqual(planActivity(spec({ seed: 'busy' }), 50))
  })

  it('plans other steps for another seed', () => {
    const kinds = (s: ActivitySpec) => planActivity(s, 50).map((st) => `${st.atMs}:${st.kind}`)
    expect(kinds(spec({ seed: 8 }))).not.toEqual(kinds(spec()))
    expect(kinds(spec({ seed: 'a' }))).not.toEqual(kinds(spec({ seed: 'b' })))
  })

  it('starts after everySeconds (or startAfterSeconds) and keeps every interval within the jitter', () => {
    const steps = planActivity(spec({ jitterSeconds: 5 }), 200)
    expect(steps[0].atMs).toBe(20_000)
    expect(steps.map((s) => s.n)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    for (let i = 1; i < steps.length; i++) {
      const gap = steps[i].atMs - steps[i - 1].atMs
      expect(gap).toBeGreaterThanOrEqual(15_000)
      expect(gap).toBeLessThanOrEqual(25_000)
    }
    expect(planActivity(spec({ startAfterSeconds: 0 }), 1)[0].atMs).toBe(0)
    // No jitter: a fixed beat.
    expect(planActivity(spec({ jitterSeconds: 0 }), 4).map((s) => s.atMs)).toEqual([20_000, 40_000, 60_000, 80_000])
  })

  it('chooses actions by weight and never one of weight 0', () => {
    const steps = planActivity(
      spec({
        actions: [
          { kind: 'scale', weight: 3 },
          { kind: 'job', weight: 1 },
          { kind: 'crash', weight: 0 },
        ],
      }),
      4000,
    )
    const count = (k: string) => steps.filter((s) => s.kind === k).length
    expect(count('crash')).toBe(0)
    expect(count('scale') / steps.length).toBeGreaterThan(0.7)
    expect(count('scale') / steps.length).toBeLessThan(0.8)
    for (const s of steps) {
      expect(s.pick >= 0 && s.pick < 1).toBe(true)
      expect(s.value >= 0 && s.value < 1).toBe(true)
    }
  })

  it('keeps the same timing and draws when only the action list changes', () => {
    // Every step draws the same numbers whatever its kind, so editing one entry does not reshuffle the timeline.
    const a = planActivity(spec(), 30)
    const b = planActivity(spec({ actions: [{ kind: 'job' }] }), 30)
    expect(b.map((s) => [s.atMs, s.pick, s.value])).toEqual(a.map((s) => [s.atMs, s.pick, s.value]))
  })
})

describe('createActivityPlanner from a position', () => {
  it('draws exactly what the uninterrupted planner draws next (what a snapshot restore relies on)', () => {
    const all = planActivity(spec({ seed: 'busy' }), 40)
    const p = createActivityPlanner(spec({ seed: 'busy' }))
    for (let i = 0; i < 17; i++) p.next()
    const at = p.position()
    expect(at).toMatchObject({ n: 17, atMs: all[16].atMs })
    const resumed = createActivityPlanner(spec({ seed: 'busy' }), JSON.parse(JSON.stringify(at)))
    expect(Array.from({ length: 23 }, () => resumed.next())).toEqual(all.slice(17))
    // From the start, a position of nothing drawn yet is the plan itself.
    expect(createActivityPlanner(spec(), createActivityPlanner(spec()).position()).next()).toEqual(planActivity(spec(), 1)[0])
  })
})

describe('pickWith', () => {
  it('maps a draw onto the items, and nothing onto an empty list', () => {
    expect(pickWith(['a', 'b', 'c'], 0)).toBe('a')
    expect(pickWith(['a', 'b', 'c'], 0.5)).toBe('b')
    expect(pickWith(['a', 'b', 'c'], 0.9999)).toBe('c')
    expect(pickWith([], 0.5)).toBeUndefined()
  })
})
