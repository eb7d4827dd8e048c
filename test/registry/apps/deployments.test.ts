import { describe, expect, it } from 'vitest'
import { deployments, type Deployment } from '../../../src/registry/apps/deployments.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { GoLiteral } from '../../../src/util/go-value.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:10:00Z'), randomSuffix: () => 'abcde' }

function deploy(over: Record<string, unknown> = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...over,
    },
  } as Deployment
}

function created(d: Deployment): Deployment {
  deployments.applyDefaults!(d, ctx)
  deployments.prepareForCreate!(d, ctx)
  return d
}

describe('deployments', () => {
  it('fills the apps/v1 defaults and the pod template defaults', () => {
    const d = created(deploy())
    expect(d.spec!.replicas).toBe(1)
    expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } })
    expect(d.spec!.revisionHistoryLimit).toBe(10)
    expect(d.spec!.progressDeadlineSeconds).toBe(600)
    expect(d.spec!.template.metadata).toMatchObject({ creationTimestamp: null })
    expect(d.spec!.template.spec!.restartPolicy).toBe('Always')
    expect(d.spec!.template.spec!.containers[0].imagePullPolicy).toBe('IfNotPresent')
    expect(d.status).toEqual({})
    expect(deployments.validate!(d)).toEqual([])
  })

  it('does not add rollingUpdate to a Recreate strategy', () => {
    const d = created(deploy({ strategy: { type: 'Recreate' } }))
    expect(d.spec!.strategy).toEqual({ type: 'Recreate' })
    expect(deployments.validate!(d)).toEqual([])
  })

  it('rejects a selector that does not match the template labels', () => {
    const d = created(deploy({ selector: { matchLabels: { app: 'x' } } }))
    const errs = deployments.validate!(d)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatchObject({ field: 'spec.template.metadata.labels', badValue: { app: 'web' }, detail: '`selector` does not match template `labels`' })
  })

  it('requires a selector', () => {
    const d = created(deploy({ selector: undefined }))
    expect(deployments.validate!(d).map(fieldErrorString)).toContain('spec.selector: Required value')
  })

  it('rejects maxUnavailable and maxSurge both 0 with the Go-printed IntOrString', () => {
    const d = created(deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }))
    const errs = deployments.validate!(d)
    expect(errs).toHaveLength(1)
    expect(errs[0].field).toBe('spec.strategy.rollingUpdate.maxUnavailable')
    expect(errs[0].detail).toBe('may not be 0 when `maxSurge` is 0')
    expect((errs[0].badValue as GoLiteral).goString).toBe('intstr.IntOrString{Type:0, IntVal:0, StrVal:""}')
  })

  it('rejects rollingUpdate on a Recreate strategy and bad percents', () => {
    const d = created(deploy({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: '10' } } }))
    expect(deployments.validate!(d).map(fieldErrorString)).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ])
    const e = created(deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '120%', maxUnavailable: 'x' } } }))
    const details = deployments.validate!(e).map((x) => `${x.field}: ${x.detail}`)
    expect(details).toContain(
      "spec.strategy.rollingUpdate.maxUnavailable: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')",
    )
  })

  it('rejects negative replicas and a restartPolicy other than Always', () => {
    const d = created(deploy({ replicas: -1 }))
    d.spec!.template.spec!.restartPolicy = 'Never'
    const msgs = deployments.validate!(d).map(fieldErrorString)
    expect(msgs).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0')
    expect(msgs).toContain('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"')
  })

  it('keeps the selector immutable', () => {
    const old = created(deploy())
    const next = created(deploy({ selector: { matchLabels: { app: 'web2' } } }))
    const errs = deployments.validateUpdate!(next, old)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatchObject({ field: 'spec.selector', detail: 'field is immutable' })
    expect((errs[0].badValue as GoLiteral).goString).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    )
    expect(deployments.validateUpdate!(created(deploy()), old)).toEqual([])
  })

  it('keeps status on update and spec on status update; generation also follows annotations', () => {
    const old = created(deploy())
    old.status = { readyReplicas: 1 }
    const next = created(deploy({ replicas: 3 }))
    deployments.prepareForUpdate!(next, old, ctx)
    expect(next.status).toEqual({ readyReplicas: 1 })
    const st = created(deploy({ replicas: 7 }))
    deployments.prepareForStatusUpdate!(st, old, ctx)
    expect(st.spec!.replicas).toBe(1)
    const a = deployments.generationFields!(old)
    const withAnno = created(deploy())
    withAnno.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }
    expect(JSON.stringify(deployments.generationFields!(withAnno))).not.toBe(JSON.stringify(a))
  })

  it('prints READY 2/3 with integer UP-TO-DATE/AVAILABLE cells and the wide columns', () => {
    const d = created(deploy({ replicas: 3 }))
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 }
    expect(deployments.columns!.map((c) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'])
    expect(deployments.columns!.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['Containers', 'Images', 'Selector'])
    expect(deployments.row!(d, ctx.now)).toEqual(['web', '2/3', 3, 2, '10m', 'nginx', 'nginx:1.25', 'app=web'])
  })

  it('declares the scale subresource as autoscaling/v1 Scale', () => {
    expect(deployments.subresources).toContainEqual({
      name: 'scale',
      verbs: ['get', 'patch', 'update'],
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    })
    expect(deployments.shortNames).toEqual(['deploy'])
  })
})
