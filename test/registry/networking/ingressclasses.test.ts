import { describe, expect, it } from 'vitest'
import { ingressClasses, type IngressClass } from '../../../src/registry/networking/ingressclasses.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:00:30Z'), randomSuffix: () => 'abcde' }
const ic = (spec: Record<string, unknown>): IngressClass => ({ metadata: { name: 'nginx', creationTimestamp: '2026-01-01T00:00:00Z' }, spec }) as IngressClass
const errors = (o: IngressClass) => ingressClasses.validate!(o).map((e) => `${e.field}: ${e.detail ?? ''}`)

describe('ingressclasses', () => {
  it('needs a domain-prefixed controller, immutable on update', () => {
    expect(errors(ic({ controller: 'k8s.io/ingress-nginx' }))).toEqual([])
    expect(errors(ic({}))).toEqual(['spec.controller: '])
    expect(errors(ic({ controller: 'nginx' }))).toEqual(['spec.controller: must be a domain-prefixed path (such as "acme.io/foo")'])
    const upd = ingressClasses.validateUpdate!(ic({ controller: 'k8s.io/b' }), ic({ controller: 'k8s.io/a' }))
    expect(upd.map((e) => `${e.field}: ${e.detail}`)).toEqual(['spec.controller: field is immutable'])
  })

  it('defaults parameters.scope to Cluster and checks namespace against the scope', () => {
    const o = ic({ controller: 'k8s.io/x', parameters: { kind: 'Params', name: 'p', apiGroup: 'k8s.example.com' } })
    ingressClasses.applyDefaults!(o, ctx)
    expect(o.spec?.parameters?.scope).toBe('Cluster')
    expect(errors(o)).toEqual([])
    o.spec!.parameters!.namespace = 'default'
    expect(errors(o)).toEqual(["spec.parameters.namespace: `parameters.scope` is set to 'Cluster'"])
    o.spec!.parameters = { kind: 'Params', name: 'p', scope: 'Namespace' }
    expect(errors(o)).toEqual(["spec.parameters.namespace: `parameters.scope` is set to 'Namespace'"])
  })

  it('prints NAME CONTROLLER PARAMETERS AGE as printIngressClass', () => {
    expect(ingressClasses.row!(ic({ controller: 'k8s.io/ingress-nginx' }), ctx.now)).toEqual(['nginx', 'k8s.io/ingress-nginx', '<none>', '30s'])
    const p = ic({ controller: 'k8s.io/x', parameters: { kind: 'Params', name: 'p', apiGroup: 'k8s.example.com' } })
    expect(ingressClasses.row!(p, ctx.now)[2]).toBe('Params.k8s.example.com/p')
  })
})
