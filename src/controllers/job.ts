/**
 * @module job: the Job controller — pods per completions/parallelism, finalizer-based tracking,
 * podFailurePolicy, backoff, FailureTarget → Failed and SuccessCriteriaMet → Complete
 * (pkg/controller/job/job_controller.go, 1.32).
 */
import type { JobStatus } from 'kubernetes-types/batch/v1.js'
import { StatusError } from '../errors.js'
import type { Job } from '../registry/batch/jobs.js'
import { cloneJSON } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import { ownerKeys } from './daemonset.js'
import type { ControllerDeps } from './index.js'
import { indexes } from './informers.js'
import { backoffRecord, backoffRemainingMs, jobTimings, podFinishedTime } from './job-backoff.js'
import {
  completionIndex,
  firstPendingIndexes,
  formatIntervals,
  indexAbsoluteFailureCount,
  intervalsHave,
  intervalsTotal,
  isIndexFailed,
  matchSuccessPolicy,
  mergeIntervals,
  nextIndexFailureCounts,
  parseIndexes,
  podsForRemoval,
  withIndexes,
} from './job-indexes.js'
import { condition, ensureCondition, findCondition, isJobPodFailed, jobOutcome, failedIndexesOutcome, onlyReplaceFailedPods } from './job-conditions.js'
import { matchPodFailurePolicy } from './job-pod-failure-policy.js'
import { jobPodFor, jobTrackingFinalizer } from './job-pod-template.js'
import { splitKey, type Controller } from './runtime.js'
import { byCreation, controllerRef, isPodReady, isPodTerminal, podsControlledBy, type PodObject } from './workload-pods.js'

const source = { component: 'job-controller' }

export { jobTrackingFinalizer } from './job-pod-template.js'

export { failureBackoffMs, jobTimings } from './job-backoff.js'

const hasFinalizer = (p: PodObject) => p.metadata.finalizers?.includes(jobTrackingFinalizer) ?? false
const uidOf = (p: PodObject) => p.metadata.uid ?? ''

/** Creates the Job controller. */
export function createJobController(deps: ControllerDeps): Controller {
  const { registry, clock, events, timings } = deps
  const jobs = registry.resource<Job>('batch', 'jobs')
  const pods = registry.resource('', 'pods')
  const podCache = deps.manager.informers.for('', 'pods')
  const base = timings['job.backoffBaseMs'] ?? jobTimings['job.backoffBaseMs']
  const cap = timings['job.backoffMaxMs'] ?? jobTimings['job.backoffMaxMs']

  const dropFinalizer = async (p: PodObject) => {
    try {
      await pods.guaranteedUpdate(p.metadata.namespace ?? '', p.metadata.name ?? '', (o) => {
        const rest = (o.metadata.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer)
        if (rest.length) o.metadata.finalizers = rest
        else delete o.metadata.finalizers
        return o
      })
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err
    }
  }
  const deletePod = async (job: Job, p: PodObject) => {
    try {
      await pods.delete(p.metadata.namespace ?? '', p.metadata.name ?? '')
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return
      throw err
    }
    events.record(source, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`)
  }
  const writeStatus = async (job: Job, status: JobStatus) =>
    (await jobs.guaranteedUpdate(job.metadata.namespace ?? '', job.metadata.name ?? '', (j) => ({ ...j, status }), { subresource: 'status' })).obj as Job

  return {
    name: 'job',
    watches: [
      { group: 'batch', plural: 'jobs' },
      { group: '', plural: 'pods', keys: ownerKeys('Job') },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const stored = jobs.getStored(ns, name)
      if (!stored) {
        // The Job is gone: release its pods so the garbage collector can remove them.
        for (const s of podCache.byIndex(indexes.label, `batch.kubernetes.io/job-name=${name}`)) {
          const p = s.obj as PodObject
          if (p.metadata.namespace !== ns) continue
          const ref = controllerRef(p)
          if (ref?.kind === 'Job' && ref.name === name && hasFinalizer(p)) await dropFinalizer(p)
        }
        return
      }
      let job = stored.obj as Job
      const spec = job.spec!
      const now = clock.now()
      const owned = podsControlledBy(podCache, job, spec.selector)
      // A finished Job is not synced again; pods it still holds are only released.
      if (findCondition(job, 'Complete') || findCondition(job, 'Failed')) {
        for (const p of owned) if (hasFinalizer(p)) await dropFinalizer(p)
        return
      }
      const policy = spec.podFailurePolicy
      const failedPod = (p: PodObject) => isJobPodFailed(p, job)
      const indexed = spec.completionMode === 'Indexed'
      const completions = spec.completions ?? 0
      const perIndex = indexed && spec.backoffLimitPerIndex !== undefined
      // Indexed Jobs count only pods with a valid completion index (getValidPodsWithFilter).
      const validIndex = (p: PodObject) => !indexed || (completionIndex(p) >= 0 && completionIndex(p) < completions)
      const status: JobStatus = cloneJSON(job.status ?? {})
      const tracked = owned.filter(hasFinalizer)
      const withFinalizer = new Set(tracked.map(uidOf))
      // cleanUncountedPodsWithoutFinalizers: UIDs recorded by an earlier sync whose finalizer is gone are counted now.
      const unc = status.uncountedTerminatedPods ?? {}
      const keptS = (unc.succeeded ?? []).filter((u) => withFinalizer.has(u))
      const keptF = (unc.failed ?? []).filter((u) => withFinalizer.has(u))
      status.succeeded = (status.succeeded ?? 0) + (unc.succeeded ?? []).length - keptS.length
      status.failed = (status.failed ?? 0) + (unc.failed ?? []).length - keptF.length
      const uncountedS = new Set(keptS)
      const uncountedF = new Set(keptF)
      let active = owned.filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp).sort(byCreation)
      const terminatingPods = owned.filter((p) => !isPodTerminal(p) && !!p.metadata.deletionTimestamp)
      let terminating = terminatingPods.length
      const newSucceeded = tracked.filter((p) => p.status?.phase === 'Succeeded' && !uncountedS.has(uidOf(p)) && validIndex(p))
      const newFailed = tracked.filter((p) => failedPod(p) && !uncountedF.has(uidOf(p)) && validIndex(p))
      let succeeded = status.succeeded + newSucceeded.length + uncountedS.size
      const failed = status.failed + newFailed.filter((p) => matchPodFailurePolicy(policy, p).countFailed).length + uncountedF.size
      if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now)

      // 1. The outcome, if decided: FailureTarget (pod failure policy, backoff limit, deadline, failed indexes) or SuccessCriteriaMet.
      let { finishedCond, requeueMs: requeue } = jobOutcome(job, owned, failed, status.startTime, now)
      // Indexed: completed (and, per index, failed) indexes; the last failed pod of each index waiting for its replacement.
      let succeededIndexes = parseIndexes(status.completedIndexes, completions)
      let failedIndexes = perIndex ? parseIndexes(status.failedIndexes, completions) : []
      const delayed = new Map<number, PodObject>()
      if (indexed) {
        succeededIndexes = withIndexes(succeededIndexes, newSucceeded.map(completionIndex))
        succeeded = intervalsTotal(succeededIndexes)
        if (perIndex) {
          failedIndexes = withIndexes(failedIndexes, tracked.filter((p) => validIndex(p) && isIndexFailed(job, p, failedPod(p))).map(completionIndex))
          finishedCond ??= failedIndexesOutcome(job, intervalsTotal(failedIndexes), succeeded, now)
          const activeIx = new Set(active.map(completionIndex))
          for (const p of tracked) {
            const ix = completionIndex(p)
            if (!failedPod(p) || !validIndex(p) || intervalsHave(succeededIndexes, ix) || intervalsHave(failedIndexes, ix) || activeIx.has(ix)) continue
            const last = delayed.get(ix)
            if (!last || (indexAbsoluteFailureCount(last) <= indexAbsoluteFailureCount(p) && podFinishedTime(p) >= podFinishedTime(last))) delayed.set(ix, p)
          }
        }
        const matched = finishedCond ? undefined : matchSuccessPolicy(job, succeededIndexes)
        if (matched) finishedCond = condition('SuccessCriteriaMet', 'SuccessPolicy', matched, now)
      }

      // 2. Act: a decided Job loses its active pods (kept finalizers: they are counted below); otherwise manageJob.
      if (finishedCond) {
        for (const p of active) await deletePod(job, p)
        terminating += active.length
        active = []
      } else if (!job.metadata.deletionTimestamp) {
        const parallelism = spec.parallelism ?? 1
        let want = spec.suspend ? 0 : parallelism
        if (!spec.suspend && spec.completions !== undefined) want = Math.max(0, Math.min(parallelism, spec.completions - succeeded))
        else if (!spec.suspend && succeeded > 0) want = active.length
        const remove = podsForRemoval(active, want, indexed ? completions : undefined)
        if (remove.length) {
          // deleteJobPods: released first, so these pods are never counted.
          for (const p of remove) {
            await dropFinalizer(p)
            withFinalizer.delete(uidOf(p))
            await deletePod(job, p)
          }
          terminating += remove.length
          const removed = new Set(remove)
          active = active.filter((p) => !removed.has(p))
        } else if (want - (onlyReplaceFailedPods(job) ? terminating : 0) - active.length > 0) {
          let n = want - (onlyReplaceFailedPods(job) ? terminating : 0) - active.length
          // Replacements wait out the exponential backoff since the last failure after the last success (per index with backoffLimitPerIndex).
          let wait = 0
          if (!perIndex) {
            const record = backoffRecord(
              owned.filter((p) => p.status?.phase === 'Succeeded'),
              owned.filter((p) => p.status?.phase === 'Failed' || (failedPod(p) && hasFinalizer(p))),
            )
            wait = backoffRemainingMs(record.failuresAfterLastSuccess, record.lastFailureTime, now, base, cap)
          }
          let toAdd: (number | undefined)[] = Array.from({ length: n }, () => undefined)
          if (indexed && wait === 0) {
            let taken = withIndexes(
              succeededIndexes,
              active.map(completionIndex).filter((i) => i >= 0),
            )
            if (onlyReplaceFailedPods(job))
              taken = withIndexes(
                taken,
                terminatingPods.map(completionIndex).filter((i) => i >= 0),
              )
            taken = mergeIntervals(taken, failedIndexes)
            const pending = firstPendingIndexes(taken, n, completions)
            if (perIndex) {
              // getPodCreationInfoForIndependentIndexes: the indexes whose own backoff has passed, else the shortest wait.
              const remaining = (ix: number) => {
                const last = delayed.get(ix)
                return last ? backoffRemainingMs(indexAbsoluteFailureCount(last) + 1, podFinishedTime(last), now, base, cap) : 0
              }
              const ready = pending.filter((ix) => remaining(ix) === 0)
              if (!ready.length && pending.length) wait = Math.min(...pending.map(remaining))
              toAdd = ready
            } else toAdd = pending
            n = toAdd.length
          }
          if (wait > 0) requeue = Math.min(requeue ?? wait, wait)
          else {
            for (const ix of toAdd) {
              const pod = jobPodFor(job, ix, perIndex && ix !== undefined ? nextIndexFailureCounts(job, delayed.get(ix)) : undefined)
              const created = (await pods.create(ns, pod)).obj as PodObject
              events.record(source, job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`)
              active.push(created)
              if (ix !== undefined) delayed.delete(ix)
            }
          }
        }
        const done = spec.completions === undefined ? succeeded > 0 : succeeded >= spec.completions
        if (done && active.length === 0) finishedCond = condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now)
        else if (spec.suspend) {
          if (ensureCondition(status, condition('Suspended', 'JobSuspended', 'Job suspended', now)))
            events.record(source, job, 'Normal', 'Suspended', 'Job suspended')
        } else if (ensureCondition(status, { ...condition('Suspended', 'JobResumed', 'Job resumed', now), status: 'False' })) {
          // A resumed Job's activeDeadlineSeconds counts from now.
          events.record(source, job, 'Normal', 'Resumed', 'Job resumed')
          status.startTime = rfc3339(now)
        }
      }

      // 3. trackJobStatusAndRemoveFinalizers: record finished pods as uncounted, release them, then fold them into the counters.
      const failing = finishedCond !== undefined && finishedCond.type !== 'SuccessCriteriaMet'
      const release: PodObject[] = []
      const addS: string[] = []
      const addF: string[] = []
      for (const p of tracked) {
        if (!withFinalizer.has(uidOf(p))) continue
        const podFailed = failedPod(p)
        const settled = job.metadata.deletionTimestamp || finishedCond || p.status?.phase === 'Succeeded'
        // canRemoveFinalizer: an index's last failed pod stays until its replacement carries the failure count.
        if (!settled && (!podFailed || delayed.get(completionIndex(p)) === p)) continue
        release.push(p)
        const uid = uidOf(p)
        if (p.status?.phase === 'Succeeded' && !uncountedF.has(uid)) {
          // Indexed Jobs count succeeded pods through completedIndexes.
          if (!indexed && !uncountedS.has(uid)) addS.push(uid)
        } else if ((podFailed || failing) && !uncountedF.has(uid) && validIndex(p)) {
          // When the Job is failing, every pod still running is counted as failed.
          if (matchPodFailurePolicy(policy, p).countFailed) addF.push(uid)
        }
      }
      if (indexed) {
        status.succeeded = succeeded
        status.completedIndexes = formatIntervals(succeededIndexes)
        if (perIndex) status.failedIndexes = formatIntervals(failedIndexes)
      }
      const conditions = [...(status.conditions ?? [])]
      let flush =
        addS.length > 0 ||
        addF.length > 0 ||
        (status.completedIndexes ?? '') !== (job.status?.completedIndexes ?? '') ||
        status.failedIndexes !== job.status?.failedIndexes
      if (finishedCond?.type === 'FailureTarget') {
        conditions.push(finishedCond)
        flush = true
        finishedCond = condition('Failed', finishedCond.reason ?? '', finishedCond.message ?? '', now)
      } else if (finishedCond?.type === 'SuccessCriteriaMet') {
        if (!findCondition(job, 'SuccessCriteriaMet')) {
          conditions.push(finishedCond)
          flush = true
        }
        finishedCond = condition('Complete', finishedCond.reason ?? '', finishedCond.message ?? '', now)
      }
      const snapshot = (uncounted: JobStatus['uncountedTerminatedPods']): JobStatus => ({
        ...(conditions.length ? { conditions } : {}),
        ...(status.startTime ? { startTime: status.startTime } : {}),
        ...(status.completionTime ? { completionTime: status.completionTime } : {}),
        ...(active.length ? { active: active.length } : {}),
        ...(status.succeeded ? { succeeded: status.succeeded } : {}),
        ...(status.failed ? { failed: status.failed } : {}),
        terminating,
        ...(status.completedIndexes ? { completedIndexes: status.completedIndexes } : {}),
        ...(status.failedIndexes !== undefined ? { failedIndexes: status.failedIndexes } : {}),
        uncountedTerminatedPods: uncounted,
        ready: active.filter((p) => isPodReady(p)).length,
      })
      const pendingS = [...uncountedS, ...addS]
      const pendingF = [...uncountedF, ...addF]
      if (flush) {
        job = await writeStatus(job, snapshot({ ...(pendingS.length ? { succeeded: pendingS } : {}), ...(pendingF.length ? { failed: pendingF } : {}) }))
      }
      for (const p of release) await dropFinalizer(p)
      status.succeeded += pendingS.length
      status.failed += pendingF.length
      // enactJobFinished: the terminal condition waits for the pods still terminating.
      const finished = finishedCond !== undefined && terminating === 0
      if (finished) {
        const i = conditions.findIndex((c) => c.type === finishedCond!.type)
        if (i >= 0) conditions[i] = finishedCond!
        else conditions.push(finishedCond!)
        if (finishedCond!.type === 'Complete') status.completionTime = finishedCond!.lastTransitionTime
      }
      await writeStatus(job, snapshot({}))
      if (finished) {
        if (finishedCond!.type === 'Complete') {
          if (spec.completions !== undefined && status.succeeded > spec.completions)
            events.record(source, job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached')
          events.record(source, job, 'Normal', 'Completed', 'Job completed')
        } else events.record(source, job, 'Warning', finishedCond!.reason ?? '', finishedCond!.message ?? '')
      }
      return requeue !== undefined ? { requeueAfterMs: Math.max(1, requeue) } : undefined
    },
  }
}
