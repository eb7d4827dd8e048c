import { describe, expect, it } from 'vitest'
import { behaviorAnnotation, hpaFromV1, hpaToV1, metricsAnnotation } from '../../../src/registry/autoscaling/hpa-v1-conversion.js'
import type { KubeObject } from '../../../src/types.js'

const meta = { name: 'web', namespace: 'default', resourceVersion: '7' }
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }
const cpu = (n: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } })

describe('autoscaling/v1 ⇄ v2 HorizontalPodAutoscaler', () => {
  it('maps the CPU utilization metric to targetCPUUtilizationPercentage and back', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, metrics: [cpu(50)] },
      status: { currentMetrics: null, desiredReplicas: 0 },
    }
    const v1 = hpaToV1(v2 as KubeObject)
    expect(v1).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    })
    expect(hpaFromV1(v1)).toEqual(v2)
  })

  it('defaults a v1 object without a CPU target to 80% (the old implicit controller default)', () => {
    const v2 = hpaFromV1({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'a' },
      spec: { scaleTargetRef: ref, maxReplicas: 3 },
    } as KubeObject)
    expect((v2 as unknown as { spec: { metrics: unknown } }).spec.metrics).toEqual([cpu(80)])
  })

  it('carries v2-only metrics, statuses, conditions and behavior across a v1 round trip in annotations', () => {
    const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }
    const behavior = { scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } }
    const conditions = [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' }]
    const current = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30, averageValue: '120m' } } }]
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...meta, annotations: { team: 'a' } },
      spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, metrics: [mem, pods, cpu(50)], behavior },
      status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: current, conditions },
    }
    const v1 = hpaToV1(v2 as KubeObject) as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> }
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(50)
    expect(v1.status.currentCPUUtilizationPercentage).toBe(30)
    const ann = v1.metadata.annotations ?? {}
    expect(JSON.parse(ann[metricsAnnotation])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
    ])
    expect(JSON.parse(ann[behaviorAnnotation])).toEqual(behavior)
    expect(ann.team).toBe('a')
    const back = hpaFromV1(v1) as typeof v2
    expect(back.metadata.annotations).toEqual({ team: 'a' })
    expect(back.spec).toEqual(v2.spec)
    expect(back.status).toEqual(v2.status)
  })
})
