/** @module hpa-replica-calculator.test: the resource replica calculator against cases of upstream's replica_calculator_test.go. */
import { describe, expect, it } from 'vitest'
import { calculatePodRequests, rawResourceReplicas, resourceReplicas, type PodMetricsInfo } from '../../src/controllers/hpa-replica-calculator.js'
import type { Pod } from '../../src/controllers/scheduler-filters.js'
import { rfc3339 } from '../../src/util/time.js'

const now = Date.parse('2025-03-01T12:00:00Z')
const longAgo = rfc3339(now - 60 * 60_000)

interface PodCase {
  request?: string
  ready?: 'True' | 'False'
  phase?: string
  deleting?: boolean
  /** Pod start, ms before now (default an hour). */
  startedAgoMs?: number
  /** Ready transition, ms before now (default an hour). */
  readyAgoMs?: number
}

function pods(cases: PodCase[]): Pod[] {
  return cases.map((c, i) => ({
    metadata: { name: `p${i}`, namespace: 'default', ...(c.deleting ? { deletionTimestamp: rfc3339(now) } : {}) },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: c.request === undefined ? {} : { requests: { cpu: c.request } } }] },
    status: {
      phase: c.phase ?? 'Running',
      startTime: c.startedAgoMs === undefined ? longAgo : rfc3339(now - c.startedAgoMs),
      conditions: [{ type: 'Ready', status: c.ready ?? 'True', lastTransitionTime: c.readyAgoMs === undefined ? longAgo : rfc3339(now - c.readyAgoMs) }],
    },
  }))
}

function metrics(levels: (number | undefined)[], timestamp = now - 10_000): PodMetricsInfo {
  const m: PodMetricsInfo = new Map()
  levels.forEach((v, i) => {
    if (v !== undefined) m.set(`p${i}`, { value: v, timestamp, windowMs: 30_000 })
  })
  return m
}

const calc = (currentReplicas: number, ps: Pod[], m: PodMetricsInfo, target: number) =>
  resourceReplicas({ currentReplicas, pods: ps, metrics: m, resource: 'cpu', container: '', now }, target)

describe('resourceReplicas (GetResourceReplicas)', () => {
  it('TestReplicaCalcScaleUp: 3 pods at 300/500/700m of 1 CPU, target 30% → 5', () => {
    const r = calc(3, pods([{ request: '1' }, { request: '1' }, { request: '1' }]), metrics([300, 500, 700]), 30)
    expect(r).toEqual({ replicas: 5, utilization: 50, rawAverage: 500 })
  })

  it('TestReplicaCalcScaleUpUnreadyLessScale: an unready pod counts as 0% on a scale-up → 4', () => {
    const r = calc(
      3,
      pods([{ request: '1', ready: 'False', startedAgoMs: 60_000, readyAgoMs: 50_000 }, { request: '1' }, { request: '1' }]),
      metrics([300, 500, 700]),
      30,
    )
    expect(r).toEqual({ replicas: 4, utilization: 60, rawAverage: 600 })
  })

  it('TestReplicaCalcScaleUpUnreadyNoScale: unready pods can cancel a scale-up', () => {
    const unready = { request: '1', ready: 'False' as const, startedAgoMs: 60_000, readyAgoMs: 50_000 }
    const r = calc(3, pods([{ request: '1' }, unready, unready]), metrics([400, 500, 700]), 30)
    expect(r).toEqual({ replicas: 3, utilization: 40, rawAverage: 400 })
  })

  it('TestReplicaCalcScaleDown: 5 pods, target 50% → 3', () => {
    const ps = pods(Array.from({ length: 5 }, () => ({ request: '1' })))
    expect(calc(5, ps, metrics([100, 300, 500, 250, 250]), 50)).toEqual({ replicas: 3, utilization: 28, rawAverage: 280 })
  })

  it('TestReplicaCalcScaleDownExcludeUnreadyPods / ignored deleted and failed pods', () => {
    const ps = pods([{ request: '1' }, { request: '1' }, { request: '1', deleting: true }, { request: '1', phase: 'Failed' }, { request: '1' }])
    expect(calc(5, ps, metrics([100, 300, 500, 250, 250]), 50)).toEqual({ replicas: 2, utilization: 21, rawAverage: 216 })
  })

  it('TestReplicaCalcTolerance: within 10% of the target keeps the count', () => {
    const ps = pods([{ request: '900m' }, { request: '1' }, { request: '1100m' }])
    expect(calc(3, ps, metrics([1010, 1030, 1020]), 100)).toEqual({ replicas: 3, utilization: 102, rawAverage: 1020 })
  })

  it('missing metrics on a scale-down count as 100% of request (conservative)', () => {
    const ps = pods(Array.from({ length: 4 }, () => ({ request: '1' })))
    expect(calc(4, ps, metrics([400, 95]), 100).replicas).toBe(3)
  })

  it('missing metrics on a scale-up count as 0% and may cancel it', () => {
    const ps = pods(Array.from({ length: 4 }, () => ({ request: '1' })))
    expect(calc(4, ps, metrics([900, 1000, undefined, undefined]), 50)).toEqual({ replicas: 4, utilization: 95, rawAverage: 950 })
  })

  it('a sample older than one window after readiness, inside the CPU initialisation period, is unready', () => {
    // Started 1 min ago, Ready 5 s ago, sample taken 10 s ago: ignored; the scale-up uses the other pod only.
    const ps = pods([{ request: '1', startedAgoMs: 60_000, readyAgoMs: 5_000 }, { request: '1' }])
    expect(calc(2, ps, metrics([2000, 900]), 50)).toEqual({ replicas: 2, utilization: 90, rawAverage: 900 })
  })

  it('errors: no pods, no usable metrics, missing request', () => {
    expect(() => calc(1, [], metrics([1]), 50)).toThrow('no pods returned by selector while calculating replica count')
    expect(() => calc(1, pods([{ request: '1', phase: 'Pending' }]), metrics([1]), 50)).toThrow(
      'did not receive metrics for targeted pods (pods might be unready)',
    )
    expect(() => calc(1, pods([{}]), metrics([100]), 50)).toThrow('missing request for cpu in container c of Pod p0')
  })

  it('sidecars (restartable init containers) add their requests', () => {
    const [p] = pods([{ request: '500m' }])
    p.spec!.initContainers = [
      { name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '250m' } } },
      { name: 'init', image: 'x' },
    ]
    expect(calculatePodRequests([p], '', 'cpu').get('p0')).toBe(750)
  })
})

describe('rawResourceReplicas (AverageValue targets)', () => {
  it('TestReplicaCalcScaleUpCM-style: average 500m against 300m → ceil(3 × 500/300) = 5', () => {
    const ps = pods(Array.from({ length: 3 }, () => ({ request: '1' })))
    expect(rawResourceReplicas({ currentReplicas: 3, pods: ps, metrics: metrics([300, 500, 700]), resource: 'cpu', container: '', now }, 300)).toEqual({
      replicas: 5,
      rawAverage: 500,
    })
  })

  it('missing pods on a scale-down count as the target value', () => {
    const ps = pods(Array.from({ length: 4 }, () => ({ request: '1' })))
    const r = rawResourceReplicas({ currentReplicas: 4, pods: ps, metrics: metrics([100, 100]), resource: 'memory', container: '', now }, 1000)
    // (100+100+1000+1000)/4 = 550 → ratio 0.55 → ceil(0.55 × 4) = 3.
    expect(r).toEqual({ replicas: 3, rawAverage: 100 })
  })
})
