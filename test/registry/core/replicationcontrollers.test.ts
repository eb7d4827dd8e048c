import { describe, expect, it } from 'vitest'
import { replicationControllers, type ReplicationController } from '../../../src/registry/core/replicationcontrollers.js'
import { podTemplates, type PodTemplate } from '../../../src/registry/core/podtemplates.js'
import { fieldErrorString } from '../../../src/errors.js'
import { Registry } from '../../../src/registry/registry.js'
import { definitions } from '../../../src/registry/definitions.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'

const template = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } }
const rc = (spec: Record<string, unknown>): ReplicationController =>
  ({ metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec }) as ReplicationController

function defaulted(obj: ReplicationController): ReplicationController {
  replicationControllers.applyDefaults!(obj, { now: new Date(), randomSuffix: () => 'xxxxx' })
  return obj
}

describe('replicationcontrollers', () => {
  it('defaults selector, labels and replicas from the template (SetDefaults_ReplicationController)', () => {
    const o = defaulted(rc({ template: structuredClone(template) }))
    expect(o.spec!.selector).toEqual({ app: 'web', tier: 'fe' })
    expect(o.metadata.labels).toEqual({ app: 'web', tier: 'fe' })
    expect(o.spec!.replicas).toBe(1)
    // Explicit values stay.
    const kept = defaulted({
      ...rc({ template: structuredClone(template), selector: { app: 'web' }, replicas: 0 }),
      metadata: { name: 'x', labels: { own: 'y' } },
    })
    expect(kept.spec!.selector).toEqual({ app: 'web' })
    expect(kept.metadata.labels).toEqual({ own: 'y' })
    expect(kept.spec!.replicas).toBe(0)
  })

  it('validates as ValidateReplicationControllerSpec', () => {
    const errs = (o: ReplicationController) => replicationControllers.validate!(o).map(fieldErrorString)
    expect(errs(defaulted(rc({ template: structuredClone(template) })))).toEqual([])
    expect(errs(defaulted(rc({ replicas: -1, selector: { app: 'other' }, template: structuredClone(template) })))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
    ])
    expect(errs(rc({}))).toEqual(['spec.selector: Required value', 'spec.template: Required value'])
    const never = defaulted(rc({ template: { ...structuredClone(template), spec: { ...template.spec, restartPolicy: 'Never' } } }))
    expect(errs(never)).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'])
  })

  it('validates status writes as ValidateReplicationControllerStatus', () => {
    const errs = (status: ReplicationController['status']) => replicationControllers.validateStatusUpdate!({ ...rc({}), status }, rc({})).map(fieldErrorString)
    expect(errs({ replicas: 2, readyReplicas: 2, availableReplicas: 1 })).toEqual([])
    expect(errs({ replicas: 1, readyReplicas: 2, availableReplicas: 3 })).toEqual([
      'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas',
    ])
    // As upstream, the zero counts are then also "greater" than -1.
    expect(errs({ replicas: -1 })[0]).toBe('status.replicas: Invalid value: -1: must be greater than or equal to 0')
  })

  it('prints NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR', () => {
    const o = defaulted(rc({ template: structuredClone(template), replicas: 3 }))
    o.status = { replicas: 2, readyReplicas: 1 }
    expect(replicationControllers.columns!.map((c) => c.name)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'])
    expect(replicationControllers.row!(o, new Date('2026-01-01T00:05:00Z'))).toEqual(['web', 3, 2, 1, '5m', 'nginx', 'nginx:1.15.12', 'app=web,tier=fe'])
  })

  it('serves the scale subresource selector as a label string and keeps status on spec writes', async () => {
    const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0, start: Date.parse('2026-01-01T00:00:00Z') }), definitions })
    await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const rcs = registry.resource<ReplicationController>('', 'replicationcontrollers')
    const s = await rcs.create('default', rc({ template: structuredClone(template) }))
    expect(s.obj.status).toEqual({ replicas: 0 })
    expect(s.obj.metadata.generation).toBe(1)
    expect(replicationControllers.scaleSelector!(s.obj as ReplicationController)).toBe('app=web,tier=fe')
    const u = await rcs.guaranteedUpdate('default', 'web', (o) => ({ ...o, spec: { ...o.spec!, replicas: 4 }, status: { replicas: 9 } }))
    expect(u.obj.metadata.generation).toBe(2)
    expect((u.obj as ReplicationController).status).toEqual({ replicas: 0 })
  })
})

describe('podtemplates', () => {
  const pt = (tpl: unknown): PodTemplate => ({ metadata: { name: 'pt', namespace: 'default' }, template: tpl }) as PodTemplate
  it('prints NAME CONTAINERS IMAGES POD LABELS', () => {
    expect(podTemplates.columns!.map((c) => c.name)).toEqual(['Name', 'Containers', 'Images', 'Pod Labels'])
    expect(podTemplates.row!(pt(template), new Date())).toEqual(['pt', 'nginx', 'nginx:1.15.12', 'app=web,tier=fe'])
    expect(podTemplates.row!(pt({ spec: { containers: [] } }), new Date())[3]).toBe('<none>')
  })
  it('validates the template at `template`', () => {
    expect(podTemplates.validate!(pt({ spec: { containers: [{ name: 'c' }] } })).map(fieldErrorString)).toContain(
      'template.spec.containers[0].image: Required value',
    )
  })
})
