/** @module job-indexes: completion indexes of Indexed Jobs — interval sets, pending indexes, per-index failure counts (pkg/controller/job/indexed_job_utils.go, 1.32). */
import type { Job } from '../registry/batch/jobs.js'
import { matchPodFailurePolicy } from './job-pod-failure-policy.js'
import { byCreation, isPodReady, type PodObject } from './workload-pods.js'

/** The annotation (and label) with a pod's completion index. */
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index'
/** The annotations counting an index's failures before this pod (backoffLimitPerIndex). */
export const indexFailureCountKey = 'batch.kubernetes.io/job-index-failure-count'
export const indexIgnoredFailureCountKey = 'batch.kubernetes.io/job-index-ignored-failure-count'
/** The env var every container of an Indexed Job's pods gets. */
export const completionIndexEnvName = 'JOB_COMPLETION_INDEX'

/** Sorted, disjoint, non-adjacent closed intervals of indexes. */
export type Intervals = [number, number][]

/** getCompletionIndex: the pod's index, or -1 when missing or not a non-negative integer. */
export function completionIndex(p: PodObject): number {
  const v = p.metadata.annotations?.[completionIndexKey]
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return -1
  const i = Number(v)
  return i >= 0 && Number.isSafeInteger(i) ? i : -1
}

/** parseIndexesFromString: `1,3-5,7` with intervals at or past `completions` cut off; corrupt parts skipped. */
export function parseIndexes(s: string | undefined, completions: number): Intervals {
  const out: Intervals = []
  if (!s) return out
  for (const part of s.split(',')) {
    const [a, b] = part.split('-')
    if (!/^\d+$/.test(a)) continue
    const first = Number(a)
    if (first >= completions) break
    let last = first
    if (b !== undefined) {
      if (!/^\d+$/.test(b)) continue
      last = Math.min(Number(b), completions - 1)
    }
    const prev = out[out.length - 1]
    if (prev && prev[1] === first - 1) prev[1] = last
    else out.push([first, last])
  }
  return out
}

/** merge: the union of two interval lists. Pure. */
export function mergeIntervals(a: Intervals, b: Intervals): Intervals {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0])
  const out: Intervals = []
  for (const [f, l] of all) {
    const prev = out[out.length - 1]
    if (!prev || f > prev[1] + 1) out.push([f, l])
    else if (prev[1] < l) prev[1] = l
  }
  return out
}

/** withOrderedIndexes: the union with single indexes. */
export function withIndexes(a: Intervals, indexes: Iterable<number>): Intervals {
  return mergeIntervals(
    a,
    [...indexes].map((i) => [i, i]),
  )
}

/** How many indexes the intervals hold. */
export const intervalsTotal = (a: Intervals) => a.reduce((n, [f, l]) => n + l - f + 1, 0)

/** Whether index `ix` is in the intervals. */
export const intervalsHave = (a: Intervals, ix: number) => a.some(([f, l]) => f <= ix && ix <= l)

/** The status string: `0-2,4,6,7` (two adjacent indexes are written with a comma). */
export function formatIntervals(a: Intervals): string {
  return a.map(([f, l]) => (l === f ? `${f}` : l === f + 1 ? `${f},${l}` : `${f}-${l}`)).join(',')
}

/** firstPendingIndexes: the first `count` indexes below `completions` outside `taken`. */
export function firstPendingIndexes(taken: Intervals, count: number, completions: number): number[] {
  const out: number[] = []
  let candidate = 0
  for (const [f, l] of taken) {
    for (; candidate < completions && out.length < count && candidate < f; candidate++) out.push(candidate)
    if (candidate < l + 1) candidate = l + 1
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate)
  return out
}

/** An int32 annotation value, 0 when missing, unparsable or out of range. */
function count(p: PodObject, key: string): number {
  const v = p.metadata.annotations?.[key]
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0
  const n = Number(v)
  return n < 0 || n > 2147483647 ? 0 : n
}

/** The index's counted failures before this pod. */
export const indexFailureCount = (p: PodObject) => count(p, indexFailureCountKey)
/** Counted plus ignored failures before this pod (getIndexAbsoluteFailureCount). */
export const indexAbsoluteFailureCount = (p: PodObject) => count(p, indexFailureCountKey) + count(p, indexIgnoredFailureCountKey)

/**
 * isIndexFailed: a failed pod fails its index when a FailIndex rule matched it, or when its
 * failure counts and the index already failed backoffLimitPerIndex times before it.
 */
export function isIndexFailed(job: Job, p: PodObject, podFailed: boolean): boolean {
  if (!podFailed) return false
  const m = matchPodFailurePolicy(job.spec?.podFailurePolicy, p)
  if (m.action === 'FailIndex') return true
  return m.countFailed && indexFailureCount(p) >= (job.spec?.backoffLimitPerIndex ?? 0)
}

/** getNewIndexFailureCounts: the counts a replacement of `replaced` starts with. */
export function nextIndexFailureCounts(job: Job, replaced: PodObject | undefined): { failed: number; ignored: number } {
  if (!replaced) return { failed: 0, ignored: 0 }
  const failed = count(replaced, indexFailureCountKey)
  const ignored = count(replaced, indexIgnoredFailureCountKey)
  return matchPodFailurePolicy(job.spec?.podFailurePolicy, replaced).countFailed ? { failed: failed + 1, ignored } : { failed, ignored: ignored + 1 }
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the prefix stays within 58 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`
  const prefix = jobName + suffix
  return prefix.length > 58 ? prefix.slice(0, 58 - suffix.length) + suffix : prefix
}

/**
 * activePodsForRemoval: for an Indexed Job (`completions` given) pods without a valid index and
 * all but one pod per index first, then, to get down to `want`, the newest not-ready pods.
 */
export function podsForRemoval(active: PodObject[], want: number, completions?: number): PodObject[] {
  const rm: PodObject[] = []
  let left = active
  if (completions !== undefined) {
    const kept = new Map<number, PodObject>()
    for (const p of active) {
      const ix = completionIndex(p)
      if (ix < 0 || ix >= completions) rm.push(p)
      else {
        const other = kept.get(ix)
        // Keep the ready (else the oldest) pod of a repeated index.
        if (!other) kept.set(ix, p)
        else if (isPodReady(p) && !isPodReady(other)) {
          rm.push(other)
          kept.set(ix, p)
        } else rm.push(p)
      }
    }
    const keep = new Set(kept.values())
    left = active.filter((p) => keep.has(p))
  }
  const extra = left.length - want
  if (extra > 0) {
    const order = [...left].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || byCreation(b, a))
    rm.push(...order.slice(0, extra))
  }
  return rm
}

/** matchSucceededIndexesRule: every index of the rule succeeded, or at least `count` of them. */
function succeededIndexesRuleMet(rule: Intervals, succeeded: Intervals, count: number | undefined): boolean {
  let contains = 0
  for (const [rf, rl] of rule) for (const [sf, sl] of succeeded) contains += Math.max(0, Math.min(rl, sl) - Math.max(rf, sf) + 1)
  return contains === intervalsTotal(rule) || (count !== undefined && contains >= count)
}

/**
 * matchSuccessPolicy (pkg/controller/job/success_policy.go): the first rule the succeeded indexes
 * meet gives `Matched rules at index N`; rules whose succeededIndexes do not parse are skipped.
 */
export function matchSuccessPolicy(job: Job, succeeded: Intervals): string | undefined {
  const rules = job.spec?.successPolicy?.rules
  if (!rules || !succeeded.length) return undefined
  const completions = job.spec?.completions ?? 0
  for (const [index, rule] of rules.entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIndexes(rule.succeededIndexes, completions)
      if (required.length && succeededIndexesRuleMet(required, succeeded, rule.succeededCount)) return `Matched rules at index ${index}`
    } else if (rule.succeededCount !== undefined && intervalsTotal(succeeded) >= rule.succeededCount) return `Matched rules at index ${index}`
  }
  return undefined
}
