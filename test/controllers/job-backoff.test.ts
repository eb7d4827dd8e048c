import { describe, expect, it } from 'vitest'
import { backoffRecord, backoffRemainingMs, failureBackoffMs, podFinishedTime } from '../../src/controllers/job-backoff.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString()
const finished = (s: number): PodObject => ({
  metadata: { name: `p${s}`, creationTimestamp: at(0) },
  status: {
    containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: at(s) } } }],
  },
})

describe('job backoff', () => {
  it('doubles from 10 s and caps at 6 min', () => {
    expect([0, 1, 2, 3, 7, 8, 100].map((n) => failureBackoffMs(n))).toEqual([0, 10_000, 20_000, 40_000, 360_000, 360_000, 360_000])
  })

  it('finish time: containers, else Ready=False, else deletion minus grace, else creation', () => {
    expect(podFinishedTime(finished(5))).toBe(Date.parse(at(5)))
    const running: PodObject = {
      metadata: { name: 'r', creationTimestamp: at(1) },
      status: {
        containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } }],
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at(7) }],
      },
    }
    expect(podFinishedTime(running)).toBe(Date.parse(at(7)))
    const deleted: PodObject = { metadata: { name: 'd', creationTimestamp: at(1), deletionTimestamp: at(40), deletionGracePeriodSeconds: 30 } }
    expect(podFinishedTime(deleted)).toBe(Date.parse(at(10)))
    expect(podFinishedTime({ metadata: { name: 'n', creationTimestamp: at(3) } })).toBe(Date.parse(at(3)))
  })

  it('counts only the failures after the last success', () => {
    expect(backoffRecord([finished(10)], [finished(5), finished(12), finished(15)])).toEqual({
      failuresAfterLastSuccess: 2,
      lastFailureTime: Date.parse(at(15)),
    })
    expect(backoffRecord([finished(20)], [finished(5)])).toEqual({ failuresAfterLastSuccess: 0 })
  })

  it('remaining time is the backoff minus the time since the last failure', () => {
    const last = Date.parse(at(0))
    expect(backoffRemainingMs(2, last, last + 5_000, 10_000, 360_000)).toBe(15_000)
    expect(backoffRemainingMs(2, last, last + 25_000, 10_000, 360_000)).toBe(0)
    expect(backoffRemainingMs(0, last, last, 10_000, 360_000)).toBe(0)
  })
})
