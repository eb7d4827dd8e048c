/**
 * @module activity-planner: the seeded, state-free plan of a scenario's activity — when each
 * change happens, which action it is, and the random draws that choose its target and value.
 * The plan depends on the seed alone, so the same seed replays the same sequence.
 */
import { seededRandom } from '../../util/random.js'
import type { ActivityKind, ActivitySpec } from './activity-spec.js'

/** One planned change. */
export interface ActivityStep {
  /** 1, 2, … in order. */
  n: number
  /** Simulated ms after the activity started. */
  atMs: number
  /** Index into `spec.actions`. */
  action: number
  kind: ActivityKind
  /** Draw in [0, 1) that picks the target among the sorted candidates. */
  pick: number
  /** Draw in [0, 1) that picks the value (replicas, image, whether a Job fails). */
  value: number
}

/**
 * Where a plan is: the steps drawn so far, the plan time of the last one, and the generator's
 * state. A planner created from a position draws exactly what the original would have drawn next.
 */
export interface PlannerPosition {
  /** Steps drawn (the `n` of the last one; 0 before the first). */
  n: number
  /** Plan time (ms after the start) of the last step drawn (of the first one to come when n = 0). */
  atMs: number
  /** The seeded generator's 32-bit state. */
  rng: number
}

/** Yields the steps of a spec's plan, one per call. */
export interface ActivityPlanner {
  next(): ActivityStep
  /** The position now: what {@link createActivityPlanner} takes to continue from here. */
  position(): PlannerPosition
}

/** The planner of `spec` (must have passed the scenario's validation), from the start or from `from`. */
export function createActivityPlanner(spec: ActivitySpec, from?: PlannerPosition): ActivityPlanner {
  const rand = seededRandom(spec.seed ?? 1, from?.rng)
  const everyMs = (spec.everySeconds ?? 30) * 1000
  const jitterMs = (spec.jitterSeconds ?? (spec.everySeconds ?? 30) / 2) * 1000
  const weights = spec.actions.map((a) => Math.max(0, a.weight ?? 1))
  const total = weights.reduce((s, w) => s + w, 0)
  let at = from?.atMs ?? (spec.startAfterSeconds !== undefined ? spec.startAfterSeconds * 1000 : everyMs)
  let n = from?.n ?? 0
  return {
    position: () => ({ n, atMs: at, rng: rand.state }),
    next() {
      // Every step draws the same four numbers, whatever its kind, so one entry's change never shifts the rest.
      const delay = rand()
      const which = rand()
      const pick = rand()
      const value = rand()
      if (n > 0) at += Math.max(1, Math.round(everyMs + (delay * 2 - 1) * jitterMs))
      n++
      let action = weights.length - 1
      let acc = 0
      for (const [i, w] of weights.entries()) {
        acc += w
        if (w > 0 && which * total < acc) {
          action = i
          break
        }
      }
      return { n, atMs: at, action, kind: spec.actions[action].kind, pick, value }
    },
  }
}

/** The first `count` steps of `spec`'s plan (tests, and the README's examples). */
export function planActivity(spec: ActivitySpec, count: number): ActivityStep[] {
  const p = createActivityPlanner(spec)
  return Array.from({ length: count }, () => p.next())
}

/** The element of `items` that draw `u` ∈ [0, 1) picks (undefined when there is none). */
export function pickWith<T>(items: readonly T[], u: number): T | undefined {
  return items.length ? items[Math.min(items.length - 1, Math.floor(u * items.length))] : undefined
}
