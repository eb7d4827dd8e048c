import { describe, expect, it } from 'vitest'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
  const r = new Registry({ store: new MemoryStore(), clock, definitions })
  await r.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return r
}
const v1 = (name: string, cpu: number) =>
  ({
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: cpu },
  }) as KubeObject

describe('ResourceVersionView (a further served version over the storage version)', () => {
  it('serves only declared versions; the storage version is the resource itself', async () => {
    const r = await setup()
    expect(r.findVersion('autoscaling', 'v2', 'horizontalpodautoscalers')).toBe(r.resource('autoscaling', 'horizontalpodautoscalers'))
    expect(r.findVersion('autoscaling', 'v1', 'horizontalpodautoscalers')?.apiVersion).toBe('autoscaling/v1')
    expect(r.findVersion('autoscaling', 'v2beta2', 'horizontalpodautoscalers')).toBeUndefined()
    expect(r.findVersion('apps', 'v1beta1', 'deployments')).toBeUndefined()
    expect(r.resources.map((rs) => rs.apiVersion)).not.toContain('autoscaling/v1')
    expect(r.forKind('autoscaling/v1', 'HorizontalPodAutoscaler')).toBe(r.findVersion('autoscaling', 'v1', 'horizontalpodautoscalers'))
  })

  it('stores v1 writes as v2 and converts reads, lists, watch events and updates back', async () => {
    const r = await setup()
    const view = r.findVersion('autoscaling', 'v1', 'horizontalpodautoscalers')!
    const v2 = r.resource('autoscaling', 'horizontalpodautoscalers')
    const seen: string[] = []
    const w = view.watch('default', { resourceVersion: String(view.currentRV()) }, (ev) => seen.push(`${ev.type} ${ev.stored.obj.apiVersion}`))
    const created = await view.create('default', v1('web', 50))
    expect(created.obj.apiVersion).toBe('autoscaling/v1')
    expect(JSON.parse(created.json).status).toEqual({ currentReplicas: 0, desiredReplicas: 0 })
    const stored = v2.get('default', 'web').obj as KubeObject & { spec: { metrics: unknown[]; minReplicas: number } }
    expect(stored.apiVersion).toBe('autoscaling/v2')
    expect(stored.spec.minReplicas).toBe(1)
    expect(stored.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }])
    await view.guaranteedUpdate('default', 'web', (cur) => ({ ...cur, spec: { ...(cur as { spec: object }).spec, targetCPUUtilizationPercentage: 70 } }))
    const got = view.get('default', 'web').obj as KubeObject & { spec: { targetCPUUtilizationPercentage: number } }
    expect(got.spec.targetCPUUtilizationPercentage).toBe(70)
    expect(view.list('default').items.map((s) => s.obj.apiVersion)).toEqual(['autoscaling/v1'])
    await view.delete('default', 'web')
    w.stop()
    expect(seen).toEqual(['ADDED autoscaling/v1', 'MODIFIED autoscaling/v1', 'DELETED autoscaling/v1'])
  })

  it('validates in the storage version', async () => {
    const r = await setup()
    const view = r.findVersion('autoscaling', 'v1', 'horizontalpodautoscalers')!
    const err = await view.create('default', { ...v1('bad', 0), metadata: { name: 'bad' } }).catch((e) => e)
    expect(err.status.message).toBe(
      'HorizontalPodAutoscaler.autoscaling "bad" is invalid: spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    )
  })
})
