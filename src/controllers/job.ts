/** @module job: the Job controller — pods per completions/parallelism, finalizer-based tracking, backoff, Complete/Failed (pkg/controller/job/job_controller.go). */
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js'
import { StatusError } from '../errors.js'
import type { Job } from '../registry/batch/jobs.js'
import { cloneJSON } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import { ownerKeys } from './daemonset.js'
import type { ControllerDeps } from './index.js'
import { splitKey, type Controller } from './runtime.js'
import { indexes } from './informers.js'
import { byCreation, controllerRef, isPodReady, isPodTerminal, newControllerRef, podsControlledBy, type PodObject } from './workload-pods.js'

const source = { component: 'job-controller' }

/** The finalizer that keeps a Job's pods until the controller has counted them. */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking'

/** Timing names (simulated ms) and defaults: the pod failure backoff base and cap (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). */
export const jobTimings = { 'job.backoffBaseMs': 10_000, 'job.backoffMaxMs': 360_000 }

/** How a pod counts for its Job: still running, or finished one way or the other. */
export function podOutcome(p: PodObject): 'active' | 'terminating' | 'succeeded' | 'failed' {
  if (p.status?.phase === 'Succeeded') return 'succeeded'
  if (p.status?.phase === 'Failed') return 'failed'
  return p.metadata.deletionTimestamp ? 'terminating' : 'active'
}

/** The pod failure backoff before the next replacement: base × 2^(failures−1), capped. */
export function failureBackoffMs(failures: number, baseMs = jobTimings['job.backoffBaseMs'], maxMs = jobTimings['job.backoffMaxMs']): number {
  if (failures <= 0) return 0
  return Math.min(baseMs * 2 ** (failures - 1), maxMs)
}

/** The latest time a pod finished (its containers' finishedAt, else now). */
function finishedAt(p: PodObject, now: number): number {
  let t = 0
  for (const c of p.status?.containerStatuses ?? []) {
    const f = c.state?.terminated?.finishedAt
    if (f) t = Math.max(t, Date.parse(f))
  }
  return t || now
}

function condition(type: string, reason: string, message: string, now: number): JobCondition {
  const ts = rfc3339(now)
  return { type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message }
}

const has = (job: Job, type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false

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
          if (ref?.kind === 'Job' && ref.name === name && p.metadata.finalizers?.includes(jobTrackingFinalizer)) await dropFinalizer(p)
        }
        return
      }
      let job = stored.obj as Job
      const spec = job.spec!
      const now = clock.now()
      const owned = podsControlledBy(podCache, job, spec.selector)
      const finished = has(job, 'Complete') || has(job, 'Failed')
      // Once the outcome is decided, pods still stopping are released without being counted.
      const ending = finished || has(job, 'SuccessCriteriaMet') || has(job, 'FailureTarget')
      // 1. Count finished pods that still hold the finalizer: record them as uncounted, release them, then fold them in.
      const fresh = owned.filter((p) => p.metadata.finalizers?.includes(jobTrackingFinalizer) && (isPodTerminal(p) || podOutcome(p) === 'terminating'))
      const newSucceeded = fresh.filter((p) => podOutcome(p) === 'succeeded')
      const newFailed = fresh.filter((p) => podOutcome(p) === 'failed' || podOutcome(p) === 'terminating')
      let status: JobStatus = cloneJSON(job.status ?? {})
      status.uncountedTerminatedPods ??= {}
      if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now)
      if (!ending && (newSucceeded.length || newFailed.length)) {
        status.uncountedTerminatedPods = {
          ...(newSucceeded.length ? { succeeded: newSucceeded.map((p) => p.metadata.uid ?? '') } : {}),
          ...(newFailed.length ? { failed: newFailed.map((p) => p.metadata.uid ?? '') } : {}),
        }
        job = await writeStatus(job, status)
        status = cloneJSON(job.status ?? {})
      }
      for (const p of fresh) await dropFinalizer(p)
      if (!ending) {
        if (newSucceeded.length) status.succeeded = (status.succeeded ?? 0) + newSucceeded.length
        if (newFailed.length) status.failed = (status.failed ?? 0) + newFailed.length
      }
      status.uncountedTerminatedPods = {}
      // 2. Decide: failed past the backoff limit or deadline, complete, or keep pods running.
      let active = owned.filter((p) => podOutcome(p) === 'active').sort(byCreation)
      const terminating = owned.filter((p) => podOutcome(p) === 'terminating').length
      const succeeded = status.succeeded ?? 0
      const failed = status.failed ?? 0
      const conditions = [...(status.conditions ?? [])]
      const addCondition = (c: JobCondition) => {
        if (!conditions.some((x) => x.type === c.type)) conditions.push(c)
      }
      let requeue: number | undefined
      const deadline =
        spec.activeDeadlineSeconds !== undefined && status.startTime ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined
      const failure =
        failed > (spec.backoffLimit ?? 6)
          ? ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']
          : deadline !== undefined && now >= deadline
            ? ['DeadlineExceeded', 'Job was active longer than specified deadline']
            : undefined
      const complete = spec.completions !== undefined ? succeeded >= spec.completions : succeeded > 0 && active.length === 0
      if (finished) {
        // nothing more to run
      } else if (failure || has(job, 'FailureTarget')) {
        const [reason, message] = failure ?? [
          job.status!.conditions!.find((c) => c.type === 'FailureTarget')!.reason!,
          job.status!.conditions!.find((c) => c.type === 'FailureTarget')!.message!,
        ]
        if (!has(job, 'FailureTarget')) events.record(source, job, 'Warning', reason, message)
        addCondition(condition('FailureTarget', reason, message, now))
        for (const p of active) await pods.delete(ns, p.metadata.name ?? '')
        active = []
        if (terminating === 0) addCondition(condition('Failed', reason, message, now))
      } else if (complete) {
        addCondition(condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now))
        for (const p of active) await pods.delete(ns, p.metadata.name ?? '')
        active = []
        if (terminating === 0) {
          addCondition(condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now))
          status.completionTime = rfc3339(now)
          events.record(source, job, 'Normal', 'Completed', 'Job completed')
        }
      } else if (!spec.suspend) {
        const parallelism = spec.parallelism ?? 1
        const want = spec.completions === undefined ? parallelism : Math.min(parallelism, spec.completions - succeeded)
        if (active.length > want) {
          for (const p of active.slice(want).reverse()) {
            await pods.delete(ns, p.metadata.name ?? '')
            events.record(source, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`)
          }
          active = active.slice(0, want)
        } else if (active.length < want) {
          // Replacements for failed pods wait out the exponential backoff since the last failure.
          const lastFailure = owned.filter((p) => podOutcome(p) === 'failed').reduce((t, p) => Math.max(t, finishedAt(p, now)), 0)
          const wait = failed > 0 && lastFailure ? lastFailure + Math.min(base * 2 ** (failed - 1), cap) - now : 0
          if (wait > 0) requeue = wait
          else {
            const tpl = spec.template
            for (let i = active.length; i < want; i++) {
              const pod: PodObject = {
                apiVersion: 'v1',
                kind: 'Pod',
                metadata: {
                  generateName: `${name}-`,
                  namespace: ns,
                  labels: { ...(tpl.metadata?.labels ?? {}) },
                  ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
                  finalizers: [jobTrackingFinalizer],
                  ownerReferences: [newControllerRef(job)],
                },
                spec: cloneJSON(tpl.spec!),
              }
              const created = (await pods.create(ns, pod)).obj as PodObject
              events.record(source, job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`)
              active.push(created)
            }
          }
        }
        if (deadline !== undefined) requeue = Math.min(requeue ?? Infinity, Math.max(1, deadline - now))
      }
      const next: JobStatus = {
        ...(conditions.length ? { conditions } : {}),
        ...(status.startTime ? { startTime: status.startTime } : {}),
        ...(status.completionTime ? { completionTime: status.completionTime } : {}),
        ...(active.length ? { active: active.length } : {}),
        ...(succeeded ? { succeeded } : {}),
        ...(failed ? { failed } : {}),
        terminating,
        ...(status.completedIndexes ? { completedIndexes: status.completedIndexes } : {}),
        uncountedTerminatedPods: {},
        ready: active.filter((p) => isPodReady(p)).length,
      }
      await writeStatus(job, next)
      return requeue !== undefined ? { requeueAfterMs: requeue } : undefined
    },
  }
}
