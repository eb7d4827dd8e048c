/** @module activity-spec: the `activity:` section of a scenario as data, and the checks the schema cannot make. */
import { parseLabelSelector } from '../../store/selectors.js'
import type { FieldError } from '../../types.js'

/** The changes activity can make. */
export type ActivityKind = 'rollout' | 'scale' | 'crash' | 'imagePullFailure' | 'nodeOutage' | 'job'

/** One weighted entry of `activity.actions`. */
export interface ActivityAction {
  kind: ActivityKind
  /** Relative chance of this entry at each tick (default 1; 0 disables it). */
  weight?: number
  /** Namespaces to pick targets in (default: all). For `job`: the first one is where Jobs are made (default `default`). */
  namespaces?: string[]
  /**
   * Label selector of the targets (Deployments, or Pods for `crash`, Nodes for `nodeOutage`).
   * Default: `kubemock.dev/activity=true` when `namespaces` is not given either; for
   * `nodeOutage` the worker nodes (`!node-role.kubernetes.io/control-plane`).
   */
  selector?: string
  /** `scale`: bounds of the new replica count (defaults 1 and 5). */
  minReplicas?: number
  maxReplicas?: number
  /** `rollout`: images to roll the first container to (default: a restart, as `kubectl rollout restart`). */
  images?: string[]
  /** `imagePullFailure`: the image that fails (default: the container's repository, tag `kubemock-missing`). */
  image?: string
  /** `crash`: the container (default the first) and its exit code (default 1). */
  container?: string
  exitCode?: number
  /**
   * How long the change lasts, in simulated seconds: `nodeOutage` (default 120) and
   * `imagePullFailure` (default 120) are undone after it; a `job`'s container runs this long (default 30).
   */
  durationSeconds?: number
  /** `job`: the chance (0…1) that a Job's pod fails (default 0). */
  failureRatio?: number
  /** `job`: Job name prefix (default `activity-job`); Jobs are named `<prefix>-<n>`. */
  namePrefix?: string
  /** `job`: finished Jobs of this entry kept; older ones are deleted (default 3). */
  keep?: number
  /** `job`: the image the Job runs (default `busybox:1.36`; it runs `sh -c "sleep <d>; exit <code>"`). */
  jobImage?: string
}

/** `activity:` of a scenario. */
export interface ActivitySpec {
  /** Same seed, same sequence (a number or any string; default 1). */
  seed?: number | string
  /** Mean simulated seconds between two changes (default 30). */
  everySeconds?: number
  /** Each interval is everySeconds ± up to this (default everySeconds / 2). */
  jitterSeconds?: number
  /** Simulated seconds after start (boot or reset) before the first change (default everySeconds). */
  startAfterSeconds?: number
  actions: ActivityAction[]
}

/** What a target selector defaults to when neither `namespaces` nor `selector` is given. */
export const activityLabelSelector = 'kubemock.dev/activity=true'

/** Checks beyond the schema (selectors parse, bounds are ordered, something has weight), as field errors under `activity`. */
export function activitySpecErrors(spec: ActivitySpec): FieldError[] {
  const out: FieldError[] = []
  let total = 0
  for (const [i, a] of spec.actions.entries()) {
    const at = `activity.actions[${i}]`
    total += a.weight ?? 1
    if (a.selector !== undefined) {
      try {
        parseLabelSelector(a.selector)
      } catch (err) {
        out.push({ type: 'FieldValueInvalid', field: `${at}.selector`, badValue: a.selector, detail: (err as Error).message })
      }
    }
    if ((a.minReplicas ?? 1) > (a.maxReplicas ?? Math.max(5, a.minReplicas ?? 1)))
      out.push({
        type: 'FieldValueInvalid',
        field: `${at}.maxReplicas`,
        badValue: a.maxReplicas,
        detail: `must be greater than or equal to minReplicas (${a.minReplicas ?? 1})`,
      })
  }
  if (spec.actions.length && total <= 0)
    out.push({ type: 'FieldValueInvalid', field: 'activity.actions', badValue: total, detail: 'at least one action must have a weight above 0' })
  const every = spec.everySeconds ?? 30
  if (spec.jitterSeconds !== undefined && spec.jitterSeconds >= every)
    out.push({ type: 'FieldValueInvalid', field: 'activity.jitterSeconds', badValue: spec.jitterSeconds, detail: `must be less than everySeconds (${every})` })
  return out
}
