import { describe, expect, it } from 'vitest'
import { failedIndexesOutcome, isJobPodFailed, jobOutcome } from '../../src/controllers/job-conditions.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'
import type { Job } from '../../src/registry/batch/jobs.js'

const now = Date.parse('2025-01-01T00:10:00Z')
const job = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): Job =>
  ({ metadata: { name: 'pi', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } }, ...spec }, status }) as Job
const pod = (phase: string, exitCode?: number, restartCount = 0, deleted = false): PodObject => ({
  metadata: { name: 'pi-x', namespace: 'default', ...(deleted ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}) },
  status: {
    phase,
    containerStatuses: [
      { name: 'main', image: 'x', imageID: '', ready: false, restartCount, state: exitCode === undefined ? { running: {} } : { terminated: { exitCode } } },
    ],
  },
})
const summary = (r: ReturnType<typeof jobOutcome>) => [r.finishedCond?.type, r.finishedCond?.reason, r.requeueMs]

describe('jobOutcome', () => {
  it('a FailJob match wins over the backoff limit', () => {
    const j = job({ backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } })
    expect(summary(jobOutcome(j, [pod('Failed', 42)], 1, undefined, now))).toEqual(['FailureTarget', 'PodFailurePolicy', undefined])
    expect(summary(jobOutcome(j, [pod('Failed', 1)], 1, undefined, now))).toEqual(['FailureTarget', 'BackoffLimitExceeded', undefined])
  })

  it('a recorded FailureTarget becomes Failed with its reason and message', () => {
    const j = job({}, { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'm' }] })
    const r = jobOutcome(j, [], 0, undefined, now)
    expect([r.finishedCond?.type, r.finishedCond?.reason, r.finishedCond?.message]).toEqual(['Failed', 'DeadlineExceeded', 'm'])
  })

  it('restartPolicy OnFailure: container restarts of running pods reach backoffLimit', () => {
    const j = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } })
    expect(summary(jobOutcome(j, [pod('Running', undefined, 1)], 0, undefined, now))[1]).toBeUndefined()
    expect(summary(jobOutcome(j, [pod('Running', undefined, 2)], 0, undefined, now))[1]).toBe('BackoffLimitExceeded')
  })

  it('activeDeadlineSeconds: when to look again, then DeadlineExceeded; never while suspended', () => {
    const start = '2025-01-01T00:09:00Z'
    expect(summary(jobOutcome(job({ activeDeadlineSeconds: 90 }), [], 0, start, now))).toEqual([undefined, undefined, 30_000])
    expect(summary(jobOutcome(job({ activeDeadlineSeconds: 60 }), [], 0, start, now))).toEqual(['FailureTarget', 'DeadlineExceeded', undefined])
    expect(summary(jobOutcome(job({ activeDeadlineSeconds: 60, suspend: true }), [], 0, start, now))).toEqual([undefined, undefined, undefined])
  })

  it('failed indexes: over maxFailedIndexes, or all indexes done with some failed', () => {
    expect(failedIndexesOutcome(job({ completions: 4, maxFailedIndexes: 1 }), 2, 0, now)?.reason).toBe('MaxFailedIndexesExceeded')
    expect(failedIndexesOutcome(job({ completions: 4 }), 1, 3, now)?.reason).toBe('FailedIndexes')
    expect(failedIndexesOutcome(job({ completions: 4 }), 1, 2, now)).toBeUndefined()
  })

  it('a deleted pod counts as failed unless only failed pods are replaced', () => {
    expect(isJobPodFailed(pod('Running', undefined, 0, true), job({}))).toBe(true)
    const started = pod('Running', undefined, 0, true)
    started.status!.startTime = '2025-01-01T00:08:00Z'
    expect(isJobPodFailed(started, job({ podReplacementPolicy: 'Failed' }))).toBe(false)
    // Deleted before the kubelet started it: PodGC would mark it Failed.
    expect(isJobPodFailed(pod('Pending', undefined, 0, true), job({ podReplacementPolicy: 'Failed' }))).toBe(true)
    expect(isJobPodFailed(pod('Succeeded', 0, 0, true), job({}))).toBe(false)
  })
})
