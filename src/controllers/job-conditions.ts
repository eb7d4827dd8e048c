/** @module job-conditions: a Job's conditions and how its outcome is decided — pod failure policy, backoff limit, deadline, failed indexes (pkg/controller/job/job_controller.go syncJob, 1.32). */
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { Job } from '../registry/batch/jobs.js'
import { rfc3339 } from '../util/time.js'
import { matchPodFailurePolicy } from './job-pod-failure-policy.js'
import type { PodObject } from './workload-pods.js'

/** onlyReplaceFailedPods: podReplacementPolicy Failed (implied by a podFailurePolicy). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy
}

/**
 * isPodFailed: phase Failed, or (unless only failed pods are replaced) deleted before it succeeded.
 * A pod deleted before its kubelet started it counts as failed either way: upstream's PodGC marks
 * such pods Failed, and kubemock has no PodGC, so without this it would hold its finalizer forever.
 */
export function isJobPodFailed(p: PodObject, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true
  if (!p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded') return false
  return !onlyReplaceFailedPods(job) || !p.status?.startTime
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, the container restarts of running pods reach backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: PodObject[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false
  let restarts = 0
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0
  }
  const limit = job.spec.backoffLimit ?? 6
  return limit === 0 ? restarts > 0 : restarts >= limit
}

/** A True Job condition stamped `now`. */
export function condition(type: string, reason: string, message: string, now: number): JobCondition {
  const ts = rfc3339(now)
  return { type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message }
}

/** ensureJobConditionStatus: replaces the condition of that type when status, reason or message differ; appends it unless False. */
export function ensureCondition(status: JobStatus, c: JobCondition): boolean {
  const list = (status.conditions ??= [])
  const i = list.findIndex((x) => x.type === c.type)
  if (i >= 0) {
    const old = list[i]
    if (old.status === c.status && old.reason === c.reason && old.message === c.message) return false
    list[i] = c
    return true
  }
  if (c.status === 'False') return false
  list.push(c)
  return true
}

/** The condition of that type when its status is True. */
export const findCondition = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True')

/**
 * The outcome of a Job not yet finished, in upstream's order: a SuccessCriteriaMet or FailureTarget
 * already recorded (the latter becoming Failed), a FailJob rule matched by a failed pod, more than
 * backoffLimit counted failures (`failed`) or OnFailure restarts, the active deadline passed
 * since `startTime` (else when to look again for it). Pure.
 */
export function jobOutcome(
  job: Job,
  pods: PodObject[],
  failed: number,
  startTime: string | undefined,
  now: number,
): { finishedCond?: JobCondition; requeueMs?: number } {
  const spec = job.spec!
  const met = findCondition(job, 'SuccessCriteriaMet')
  if (met) return { finishedCond: met }
  const target = findCondition(job, 'FailureTarget')
  if (target) return { finishedCond: condition('Failed', target.reason ?? '', target.message ?? '', now) }
  if (spec.podFailurePolicy) {
    for (const p of pods) {
      const message = isJobPodFailed(p, job) ? matchPodFailurePolicy(spec.podFailurePolicy, p).message : undefined
      if (message) return { finishedCond: condition('FailureTarget', 'PodFailurePolicy', message, now) }
    }
  }
  if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))
    return { finishedCond: condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now) }
  if (spec.activeDeadlineSeconds === undefined || !startTime || spec.suspend) return {}
  const deadline = Date.parse(startTime) + spec.activeDeadlineSeconds * 1000
  if (now >= deadline) return { finishedCond: condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now) }
  return { requeueMs: deadline - now }
}

/** With backoffLimitPerIndex: more failed indexes than maxFailedIndexes, or every index done and some failed. */
export function failedIndexesOutcome(job: Job, failedIndexes: number, succeededIndexes: number, now: number): JobCondition | undefined {
  const max = job.spec?.maxFailedIndexes
  if (max !== undefined && failedIndexes > max)
    return condition('FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now)
  if (failedIndexes > 0 && failedIndexes + succeededIndexes >= (job.spec?.completions ?? 0))
    return condition('FailureTarget', 'FailedIndexes', 'Job has failed indexes', now)
  return undefined
}
