import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { horizontalPodAutoscalers as hpas, type HorizontalPodAutoscaler } from '../../../src/registry/autoscaling/horizontalpodautoscalers.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'

const now = new Date('2026-01-01T00:00:45Z')
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }

function hpa(spec: Record<string, unknown>): HorizontalPodAutoscaler {
  return {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec },
  } as HorizontalPodAutoscaler
}
const errors = (spec: Record<string, unknown>) => {
  const o = hpa(spec)
  hpas.applyDefaults!(o, { now, randomSuffix: () => 'x' })
  return hpas.validate!(o).map((e) => `${e.field}: ${e.detail ?? ''}`)
}

describe('horizontalpodautoscalers', () => {
  it('defaults minReplicas 1 and the 80% CPU metric; behavior only when given (SetDefaults_HorizontalPodAutoscaler)', () => {
    const o = hpa({})
    hpas.applyDefaults!(o, { now, randomSuffix: () => 'x' })
    expect(o.spec?.minReplicas).toBe(1)
    expect(o.spec?.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }])
    expect(o.spec?.behavior).toBeUndefined()
    const b = hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } })
    hpas.applyDefaults!(b, { now, randomSuffix: () => 'x' })
    expect(b.spec?.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    })
  })

  it('validates replicas, the target reference and metrics', () => {
    expect(errors({})).toEqual([])
    expect(errors({ minReplicas: 0 })).toEqual([
      'spec.minReplicas: must be greater than or equal to 1',
      'spec.metrics: must specify at least one Object or External metric to support scaling to zero replicas',
    ])
    expect(errors({ minReplicas: 3, maxReplicas: 2 })).toEqual(['spec.maxReplicas: must be greater than or equal to `minReplicas`'])
    expect(errors({ maxReplicas: 0, minReplicas: undefined })).toEqual([
      'spec.maxReplicas: must be greater than 0',
      'spec.maxReplicas: must be greater than or equal to `minReplicas`',
    ])
    expect(errors({ scaleTargetRef: { kind: 'Deployment' } })).toEqual(['spec.scaleTargetRef.name: '])
    const bad = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }]
    expect(errors({ metrics: bad })).toEqual(['spec.metrics[0].resource.target.averageUtilization: must be greater than 0'])
    expect(errors({ metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] })).toEqual([
      'spec.metrics[0].pods: must populate information for the given metric source',
    ])
    expect(errors({ metrics: [{ type: 'Foo' }] })).toEqual([
      'spec.metrics[0].type: supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ])
  })

  it('validates behavior policies', () => {
    expect(errors({ behavior: { scaleUp: {} } })).toEqual([])
    expect(errors({ behavior: { scaleUp: { policies: [] } } })).toEqual(['spec.behavior.scaleUp.policies: must specify at least one Policy'])
    expect(
      errors({ behavior: { scaleUp: { stabilizationWindowSeconds: 4000, selectPolicy: 'Any', policies: [{ type: 'Pods', value: 0, periodSeconds: 2000 }] } } }),
    ).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds: must be less than or equal to 3600',
      'spec.behavior.scaleUp.selectPolicy: supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].value: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: must be less than or equal to 1800',
    ])
  })

  it('prints NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE as printHorizontalPodAutoscaler', () => {
    const o = hpa({})
    hpas.applyDefaults!(o, { now, randomSuffix: () => 'x' })
    expect(hpas.row!(o, now)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 0, '45s'])
    const m = hpa({
      metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        { type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '3' } } },
      ],
    })
    m.status = {
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } }],
    }
    expect(hpas.row!(m, now).slice(2, 6)).toEqual(['memory: 50Mi/100Mi, <unknown>/10 + 1 more...', '<unset>', 5, 2])
  })

  it('stores an empty v2 status on create', async () => {
    const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
    const r = new Registry({ store: new MemoryStore(), clock, definitions })
    await r.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const s = await r.resource('autoscaling', 'horizontalpodautoscalers').create('default', { ...hpa({}), status: { currentReplicas: 3 } })
    expect(JSON.parse(s.json).status).toEqual({ currentMetrics: null, desiredReplicas: 0 })
  })
})
