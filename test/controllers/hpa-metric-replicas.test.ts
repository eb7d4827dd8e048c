/** @module hpa-metric-replicas.test: computeReplicasForMetrics — several metrics, ContainerResource, AverageValue, partial failures. */
import type { MetricSpec } from 'kubernetes-types/autoscaling/v2.js'
import { describe, expect, it } from 'vitest'
import { computeReplicasForMetrics, type MetricsContext } from '../../src/controllers/hpa-metric-replicas.js'
import type { Pod } from '../../src/controllers/scheduler-filters.js'
import type { MetricsSource, PodUsageSample } from '../../src/sim/usage/metrics-source.js'
import { rfc3339 } from '../../src/util/time.js'

const now = Date.parse('2025-03-01T12:00:00Z')
const pod = (name: string): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [
      { name: 'app', image: 'x', resources: { requests: { cpu: '200m', memory: '100Mi' } } },
      { name: 'proxy', image: 'y', resources: { requests: { cpu: '100m' } } },
    ],
  },
  status: {
    phase: 'Running',
    startTime: rfc3339(now - 3_600_000),
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(now - 3_600_000) }],
  },
})
const sample = (name: string, app: [number, number], proxy: [number, number]): PodUsageSample => ({
  namespace: 'default',
  name,
  timestamp: now - 5_000,
  windowMs: 15_000,
  containers: [
    { name: 'app', cpuNanoCores: app[0] * 1e6, memoryBytes: app[1] },
    { name: 'proxy', cpuNanoCores: proxy[0] * 1e6, memoryBytes: proxy[1] },
  ],
})
const source = (samples: PodUsageSample[]): MetricsSource => ({
  pods: () => samples,
  pod: (_ns, n) => samples.find((s) => s.name === n),
  nodes: () => [],
  node: () => undefined,
})
const ctx = (samples: PodUsageSample[], warnings: string[][] = []): MetricsContext => ({
  namespace: 'default',
  pods: [pod('a'), pod('b')],
  source: source(samples),
  now,
  currentReplicas: 2,
  warn: (r, m) => warnings.push([r, m]),
})
const cpu = (u: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: u } } })

describe('computeReplicasForMetrics', () => {
  const samples = [sample('a', [300, 50 << 20], [30, 10 << 20]), sample('b', [300, 70 << 20], [30, 10 << 20])]

  it('Resource utilisation sums the containers against the pod requests', () => {
    // (330 + 330) / (300 + 300) = 110% against 50% → ceil(2.2 × 2) = 5.
    const r = computeReplicasForMetrics(ctx(samples), [cpu(50)])
    expect(r).toMatchObject({ replicas: 5, metric: 'cpu resource utilization (percentage of request)' })
    expect(r.statuses).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 110, averageValue: '330m' } } }])
    expect(r.condition).toEqual({
      status: 'True',
      reason: 'ValidMetricFound',
      message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    })
  })

  it('ContainerResource reads one container; AverageValue compares raw usage; the largest proposal wins', () => {
    const specs: MetricSpec[] = [
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'proxy', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '20Mi' } } },
    ]
    const r = computeReplicasForMetrics(ctx(samples), specs)
    // proxy: 30m of 100m = 30% against 60% → 1; memory: (60Mi + 80Mi)/2 = 70Mi against 20Mi → ceil(3.5 × 2) = 7.
    expect(r).toMatchObject({ replicas: 7, metric: 'memory resource' })
    expect(r.statuses).toEqual([
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'proxy', current: { averageUtilization: 30, averageValue: '30m' } } },
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '73400320' } } },
    ])
  })

  it('one invalid metric does not stop a scale-up by the others, but the error is kept', () => {
    const warnings: string[][] = []
    const specs: MetricSpec[] = [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }, cpu(50)]
    const r = computeReplicasForMetrics(ctx(samples, warnings), specs)
    expect(r.replicas).toBe(5)
    expect(r.statuses[0]).toEqual({ type: '' })
    expect(r.error).toBe(
      'invalid metrics (1 invalid out of 2), first error is: failed to get pods metric value: unable to get metric qps: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered',
    )
    expect(warnings[0][0]).toBe('FailedGetPodsMetric')
  })

  it('every metric invalid: -1 with the first failure as the condition', () => {
    const warnings: string[][] = []
    const r = computeReplicasForMetrics(ctx([], warnings), [cpu(50)])
    expect(r.replicas).toBe(-1)
    expect(r.condition).toEqual({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    })
    expect(warnings).toEqual([
      ['FailedGetResourceMetric', 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API'],
    ])
  })

  it('a container missing from the samples is an error for ContainerResource', () => {
    const specs: MetricSpec[] = [
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'nope', target: { type: 'Utilization', averageUtilization: 60 } } },
    ]
    const r = computeReplicasForMetrics(ctx(samples), specs)
    expect(r.error).toBe(
      'invalid metrics (1 invalid out of 1), first error is: failed to get nope container metric value: failed to get cpu utilization: unable to get metrics for resource cpu: failed to get container metrics: container nope not present in metrics for pod default/a',
    )
  })
})
