import { beforeAll, describe, expect, test } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { defaultPolicy, validateBinding, validatePolicy } from '../../../src/registry/admissionregistration/policy-validation.js'
import type { ValidatingAdmissionPolicy } from '../../../src/registry/admissionregistration/policy-types.js'
import { loadCel } from '../../../src/registry/cel/load-cel.js'

// The validators call CEL synchronously; the registry loads it before a kind's first write (ResourceDefinition.load).
beforeAll(() => loadCel())

const policy = (spec: NonNullable<ValidatingAdmissionPolicy['spec']>): ValidatingAdmissionPolicy => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'p' },
  spec,
})
const rules = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] }

describe('ValidatingAdmissionPolicy validation', () => {
  test('defaults failurePolicy, matchPolicy, selectors and rule scope', () => {
    const p = policy({ matchConstraints: structuredClone(rules), validations: [{ expression: 'true' }] })
    defaultPolicy(p)
    expect(p.spec).toMatchObject({ failurePolicy: 'Fail', matchConstraints: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} } })
    expect(p.spec?.matchConstraints?.resourceRules?.[0].scope).toBe('*')
    expect(validatePolicy(p)).toEqual([])
  })

  test('params is declared only when the policy has a paramKind', () => {
    const spec = { matchConstraints: structuredClone(rules), validations: [{ expression: 'object.spec.replicas <= params.max' }] }
    expect(validatePolicy(policy(spec)).map(fieldErrorString)[0]).toContain("undeclared reference to 'params'")
    expect(validatePolicy(policy({ ...spec, paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } }))).toEqual([])
  })

  test('expressions that do not compile, missing parts and unsupported values are refused', () => {
    const p = policy({
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['PATCH'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= limit' }, { expression: '' }, { expression: 'true', reason: 'Teapot' }],
      variables: [{ name: 'v', expression: 'object.' }],
      failurePolicy: 'Sometimes',
    })
    const errs = validatePolicy(p).map(fieldErrorString)
    expect(errs).toContain(
      'spec.matchConstraints.resourceRules[0].operations: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    )
    expect(errs).toContain('spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"')
    expect(errs).toContain(
      `spec.validations[0].expression: Invalid value: "object.spec.replicas <= limit": compilation failed: ERROR: <input>:1:25: undeclared reference to 'limit' (in container '')\n | object.spec.replicas <= limit\n | ........................^`,
    )
    expect(errs).toContain('spec.validations[1].expression: Required value')
    expect(errs).toContain(
      'spec.validations[2].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"',
    )
    expect(errs.some((e) => e.startsWith('spec.variables[0].expression: Invalid value: "object.": compilation failed: ERROR: <input>:1:'))).toBe(true)
    expect(validatePolicy(policy({})).map(fieldErrorString)).toEqual([
      'spec.matchConstraints: Required value',
      'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    ])
  })

  test('bindings need a policy name and validation actions, never both Deny and Warn', () => {
    const b = (spec: Record<string, unknown>) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'b' },
      spec,
    })
    expect(validateBinding(b({ policyName: 'p', validationActions: ['Deny'] }))).toEqual([])
    expect(validateBinding(b({})).map(fieldErrorString)).toEqual([
      'spec.policyName: Required value',
      'spec.validationActions: Required value: at least one validation action is required',
    ])
    expect(validateBinding(b({ policyName: 'p', validationActions: ['Deny', 'Warn'] })).map(fieldErrorString)[0]).toContain(
      'must not contain both Deny and Warn',
    )
    expect(validateBinding(b({ policyName: 'p', validationActions: ['Deny'], paramRef: { name: 'x' } })).map(fieldErrorString)).toEqual([
      'spec.paramRef.parameterNotFoundAction: Required value',
    ])
  })
})
