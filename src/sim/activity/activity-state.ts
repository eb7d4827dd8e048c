/**
 * @module activity-state: where a running activity plan is, as the data a snapshot carries
 * (`kubemock.activity` of GET /kubemock/v1/snapshot) and a restore puts back, so the plan goes on
 * from there exactly as it would have gone on uninterrupted.
 */
import { createHash } from 'node:crypto'
import type { FieldError } from '../../types.js'
import type { ActivityStep, PlannerPosition } from './activity-planner.js'
import type { ActivitySpec } from './activity-spec.js'

/** A change activity made that it undoes later, with what the undo needs. */
export type PendingUndo =
  | { kind: 'recover'; n: number; node: string; dueInMs: number }
  | { kind: 'restoreImage'; n: number; namespace: string; name: string; image: string; broken: string; dueInMs: number }

/** One record of the activity log as snapshots (and GET /kubemock/v1/activity) show it. */
export interface ActivityLogItem {
  n: number
  /** RFC 3339 with microseconds, simulated. */
  time: string
  kind: string
  target?: string
  detail: string
}

/** `kubemock.activity` of a snapshot: the plan's position and what it did so far. */
export interface ActivityState {
  /** The spec's seed (for the reader; {@link ActivityState.plan} is what is checked). */
  seed: number | string
  /** Fingerprint of the whole `activity:` spec: a state only fits the plan it was taken from. */
  plan: string
  /** Simulated ms since the plan started (boot or reset), at the snapshot. */
  elapsedMs: number
  /** The step due next (drawn already), timed in plan ms like elapsedMs. */
  next: ActivityStep
  /** The seeded generator's state after drawing `next`. */
  rng: number
  /** Jobs made so far per `actions` index (names `<prefix>-<n>` go on from there). */
  jobs: Record<string, number>
  /** Outages and broken images that are still to be undone, with the simulated ms left. */
  pending: PendingUndo[]
  /** What the plan did so far, oldest first (GET /kubemock/v1/activity). */
  log: ActivityLogItem[]
}

/** A stable fingerprint of `spec` (12 hex digits of a SHA-256 over its JSON with sorted keys). */
export function planFingerprint(spec: ActivitySpec): string {
  return createHash('sha256').update(canonicalJSON(spec)).digest('hex').slice(0, 12)
}

function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

/** The planner position a state continues from. */
export function positionOf(s: ActivityState): PlannerPosition {
  return { n: s.next.n, atMs: s.next.atMs, rng: s.rng }
}

/**
 * Checks beyond the schema that a state fits `spec` (field paths under `kubemock.activity`): the
 * same plan, and a next step the plan can have drawn.
 */
export function activityStateErrors(spec: ActivitySpec, s: ActivityState): FieldError[] {
  const at = 'kubemock.activity'
  const plan = planFingerprint(spec)
  if (s.plan !== plan)
    return [
      {
        type: 'FieldValueInvalid',
        field: `${at}.plan`,
        badValue: s.plan,
        detail: `the snapshot was taken from another activity plan than this cluster runs (${plan}, seed ${JSON.stringify(spec.seed ?? 1)}); restore it on a cluster started from the same scenario`,
      },
    ]
  const out: FieldError[] = []
  const action = spec.actions[s.next.action]
  if (!action || action.kind !== s.next.kind)
    out.push({
      type: 'FieldValueInvalid',
      field: `${at}.next.action`,
      badValue: s.next.action,
      detail: `must be the index of a "${s.next.kind}" entry of activity.actions`,
    })
  for (const [i, p] of s.pending.entries()) {
    const need = p.kind === 'recover' ? (['node'] as const) : (['namespace', 'name', 'image', 'broken'] as const)
    for (const k of need)
      if (!(p as Record<string, unknown>)[k]) out.push({ type: 'FieldValueRequired', field: `${at}.pending[${i}].${k}`, detail: `a ${p.kind} needs it` })
  }
  for (const [i, r] of s.log.entries())
    if (Number.isNaN(Date.parse(r.time)))
      out.push({ type: 'FieldValueInvalid', field: `${at}.log[${i}].time`, badValue: r.time, detail: 'must be an RFC 3339 time' })
  if (s.next.atMs < s.elapsedMs)
    out.push({ type: 'FieldValueInvalid', field: `${at}.next.atMs`, badValue: s.next.atMs, detail: `must not be before elapsedMs (${s.elapsedMs})` })
  return out
}
