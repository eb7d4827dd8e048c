/** @module crd-validation-rules.test: real kubectl against a CRD with x-kubernetes-validations (CEL rules, a transition rule, messageExpression, compile errors). */
import { describe, expect, it } from 'vitest'
import { kubemockPerDescribe } from '../helpers/kubemock-process.js'
import { ok } from '../helpers/expect-kubectl.js'

const crd = (rules: Record<string, unknown>[], name = 'widgets.cel.example.com', plural = 'widgets', kind = 'Widget') =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'cel.example.com',
      scope: 'Namespaced',
      names: { plural, singular: plural.slice(0, -1), kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  'x-kubernetes-validations': rules,
                  properties: {
                    minReplicas: { type: 'integer' },
                    replicas: { type: 'integer' },
                    maxReplicas: { type: 'integer' },
                    owner: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'owner is immutable' }] },
                  },
                },
              },
            },
          },
        },
      ],
    },
  })

const widget = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'cel.example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec })

describe('x-kubernetes-validations with kubectl', () => {
  const { k } = kubemockPerDescribe()

  it('objects that break a rule are refused with upstream messages; transition rules run on update', async () => {
    ok(
      await k(
        ['apply', '-f', '-'],
        crd([
          {
            rule: 'self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas',
            message: 'replicas should be in the range minReplicas..maxReplicas.',
          },
          { rule: 'self.maxReplicas <= 10', messageExpression: "'maxReplicas is ' + string(self.maxReplicas) + ', the limit is 10'" },
        ]),
      ),
    )
    ok(await k(['wait', '--for', 'condition=established', 'crd/widgets.cel.example.com', '--timeout=15s']))
    const bad = await k(['apply', '-f', '-'], widget('bad', { minReplicas: 0, replicas: 20, maxReplicas: 11 }))
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('The Widget "bad" is invalid:')
    expect(bad.stderr).toContain('spec: Invalid value: "object": replicas should be in the range minReplicas..maxReplicas.')
    expect(bad.stderr).toContain('spec: Invalid value: "object": maxReplicas is 11, the limit is 10')
    expect(ok(await k(['apply', '-f', '-'], widget('good', { minReplicas: 0, replicas: 2, maxReplicas: 5, owner: 'alice' })))).toContain(
      'widget.cel.example.com/good created',
    )
    const changed = await k(['apply', '-f', '-'], widget('good', { minReplicas: 0, replicas: 2, maxReplicas: 5, owner: 'bob' }))
    expect(changed.code).toBe(1)
    expect(changed.stderr).toContain('spec.owner: Invalid value: "string": owner is immutable')
    expect(ok(await k(['apply', '-f', '-'], widget('good', { minReplicas: 0, replicas: 3, maxReplicas: 5, owner: 'alice' })))).toContain('configured')
  })

  it('a CRD whose rule does not compile is refused with the CEL error', async () => {
    const r = await k(['apply', '-f', '-'], crd([{ rule: 'self.nope > 1' }], 'gadgets.cel.example.com', 'gadgets', 'Gadget'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.nope > 1"',
    )
    expect(r.stderr).toContain("compilation failed: ERROR: <input>:1:5: undefined field 'nope'")
  })
})
