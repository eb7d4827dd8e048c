/** @module job-backoff: the Job pod failure backoff, computed from the Job's pods (pkg/controller/job/backoff_utils.go, 1.32). */
import type { ContainerStatus } from 'kubernetes-types/core/v1.js'
import type { PodObject } from './workload-pods.js'

/** Timing names (simulated ms) and defaults: the pod failure backoff base and cap (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). */
export const jobTimings = { 'job.backoffBaseMs': 10_000, 'job.backoffMaxMs': 360_000 }

/** The pod failure backoff after `failures` consecutive failures: base × 2^(failures−1), capped. */
export function failureBackoffMs(failures: number, baseMs = jobTimings['job.backoffBaseMs'], maxMs = jobTimings['job.backoffMaxMs']): number {
  if (failures <= 0) return 0
  return Math.min(baseMs * 2 ** Math.min(failures - 1, 30), maxMs)
}

/** The latest finishedAt of `statuses`, or undefined as soon as one has not terminated (latestFinishTime). */
function latestFinish(prev: number | undefined, statuses: ContainerStatus[]): number | undefined {
  let t = prev
  for (const s of statuses) {
    const f = s.state?.terminated?.finishedAt
    if (!f) return undefined
    t = Math.max(t ?? 0, Date.parse(f))
  }
  return t
}

/**
 * getFinishedTime: when a pod finished — its containers' (and sidecars') latest finishedAt, else
 * the Ready=False transition, else deletionTimestamp − grace period, else its creation.
 */
export function podFinishedTime(p: PodObject): number {
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name))
  let t = latestFinish(undefined, p.status?.containerStatuses ?? [])
  if (t !== undefined)
    t = latestFinish(
      t,
      (p.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)),
    )
  if (t !== undefined) return t
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready')
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime)
  if (p.metadata.deletionTimestamp) return Date.parse(p.metadata.deletionTimestamp) - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0
}

/** A Job's backoff state: failures since its last success and when the latest happened (backoffRecord). */
export interface BackoffRecord {
  failuresAfterLastSuccess: number
  lastFailureTime?: number
}

/**
 * The backoff record of a Job's finished pods (newBackoffRecord over everything it still has):
 * failures that finished after the latest success. Ignored failures count here too, as upstream.
 */
export function backoffRecord(succeeded: PodObject[], failed: PodObject[]): BackoffRecord {
  const lastSuccess = succeeded.reduce((t, p) => Math.max(t, podFinishedTime(p)), Number.NEGATIVE_INFINITY)
  let n = 0
  let last: number | undefined
  for (const p of failed) {
    const t = podFinishedTime(p)
    if (t <= lastSuccess) continue
    n++
    last = Math.max(last ?? t, t)
  }
  return { failuresAfterLastSuccess: n, ...(last !== undefined ? { lastFailureTime: last } : {}) }
}

/** getRemainingTimeForFailuresCount: how long until a replacement may be created (0: now). */
export function backoffRemainingMs(failures: number, lastFailureTime: number | undefined, now: number, baseMs: number, maxMs: number): number {
  if (failures <= 0 || lastFailureTime === undefined) return 0
  const backoff = failureBackoffMs(failures, baseMs, maxMs)
  const elapsed = now - lastFailureTime
  return backoff < elapsed ? 0 : backoff - elapsed
}
