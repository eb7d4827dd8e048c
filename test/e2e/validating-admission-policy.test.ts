/** @module validating-admission-policy.test: real kubectl against ValidatingAdmissionPolicy: the docs' demo policy denying, a Warn binding, a ConfigMap paramKind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { ok } from '../helpers/expect-kubectl.js'

const deployment = (name: string, ns: string, replicas: number, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } },
    },
  })

const demoPolicy = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'demo-policy.example.com' },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
    validations: [{ expression: 'object.spec.replicas <= 5' }],
  },
}

const binding = (name: string, policyName: string, actions: string[], namespaceLabels: Record<string, string>, paramRef?: Record<string, unknown>) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName, validationActions: actions, ...(paramRef ? { paramRef } : {}), matchResources: { namespaceSelector: { matchLabels: namespaceLabels } } },
})

describe('ValidatingAdmissionPolicy', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    km = await startKubemock()
    for (const [ns, env] of [
      ['test', 'test'],
      ['staging', 'staging'],
      ['limited', 'limited'],
    ]) {
      ok(await k(['create', 'namespace', ns]))
      ok(await k(['label', 'namespace', ns, `environment=${env}`]))
    }
  }, 60_000)

  afterAll(async () => {
    await km?.stop()
  })

  it('the demo policy with a Deny binding refuses a Deployment with too many replicas', async () => {
    ok(await k(['apply', '-f', '-'], JSON.stringify(demoPolicy)))
    ok(await k(['apply', '-f', '-'], JSON.stringify(binding('demo-binding-test.example.com', 'demo-policy.example.com', ['Deny'], { environment: 'test' }))))
    expect(ok(await k(['get', 'validatingadmissionpolicies']))).toMatch(/^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\ndemo-policy.example.com\s+1\s+<unset>\s+\d+s$/m)
    const denied = await k(['apply', '-f', '-'], deployment('big', 'test', 6))
    expect(denied.code).toBe(1)
    // kubectl's rendering of upstream's 422: admission.NewForbidden's message with reason Invalid and the message as a cause.
    expect(denied.stderr.trim()).toBe(
      `The deployments "big" is invalid: : ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    )
    const created = await k(['create', 'deployment', 'big', '--image=nginx', '--replicas=7', '-n', 'test'])
    expect(created.stderr.trim()).toBe(
      `error: failed to create deployment: deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    )
    expect((await k(['get', 'deployment', 'big', '-n', 'test'])).code).toBe(1)
    expect(ok(await k(['apply', '-f', '-'], deployment('small', 'test', 3)))).toContain('deployment.apps/small created')
    // Raising replicas past the limit is an UPDATE the policy refuses too. `kubectl scale` writes
    // deployments/scale, which a `deployments` rule does not match (subresources match by name).
    expect((await k(['patch', 'deployment', 'small', '-n', 'test', '-p', '{"spec":{"replicas":7}}'])).code).toBe(1)
    expect(ok(await k(['scale', 'deployment', 'small', '-n', 'test', '--replicas=7']))).toContain('scaled')
    // Other namespaces are not bound.
    expect(ok(await k(['apply', '-f', '-'], deployment('big', 'staging', 6)))).toContain('created')
  })

  it('a Warn binding admits the write and kubectl prints the warning', async () => {
    ok(
      await k(
        ['apply', '-f', '-'],
        JSON.stringify(binding('demo-binding-staging.example.com', 'demo-policy.example.com', ['Warn', 'Audit'], { environment: 'staging' })),
      ),
    )
    const r = ok(await k(['apply', '-f', '-'], deployment('bigger', 'staging', 8)))
    expect(r).toContain('deployment.apps/bigger created')
    const warned = await k(['apply', '-f', '-'], deployment('biggest', 'staging', 9))
    expect(warned.stderr).toContain(
      "Warning: Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-staging.example.com': failed expression: object.spec.replicas <= 5",
    )
  })

  it('a policy with a ConfigMap paramKind reads its limit from the bound ConfigMap', async () => {
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'replica-limit.example.com' },
      spec: {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        variables: [{ name: 'limit', expression: 'int(params.data.maxReplicas)' }],
        validations: [
          {
            expression: 'object.spec.replicas <= variables.limit',
            messageExpression: "'replicas must be no greater than ' + string(variables.limit)",
            reason: 'Forbidden',
          },
        ],
      },
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(policy)))
    ok(await k(['create', 'configmap', 'replica-limit', '-n', 'limited', '--from-literal=maxReplicas=2']))
    ok(
      await k(
        ['apply', '-f', '-'],
        JSON.stringify(
          binding(
            'replica-limit-binding.example.com',
            'replica-limit.example.com',
            ['Deny'],
            { environment: 'limited' },
            { name: 'replica-limit', namespace: 'limited', parameterNotFoundAction: 'Deny' },
          ),
        ),
      ),
    )
    const denied = await k(['apply', '-f', '-'], deployment('three', 'limited', 3))
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain(
      "ValidatingAdmissionPolicy 'replica-limit.example.com' with binding 'replica-limit-binding.example.com' denied request: replicas must be no greater than 2",
    )
    expect(ok(await k(['apply', '-f', '-'], deployment('two', 'limited', 2)))).toContain('created')
    // Without its params, a Deny parameterNotFoundAction refuses.
    ok(await k(['delete', 'configmap', 'replica-limit', '-n', 'limited']))
    const noParams = await k(['apply', '-f', '-'], deployment('one', 'limited', 1))
    expect(noParams.stderr).toContain('no params found for policy binding with `Deny` parameterNotFoundAction')
  })

  it('a policy whose expression does not compile is refused with the CEL error', async () => {
    const bad = {
      ...demoPolicy,
      metadata: { name: 'bad.example.com' },
      spec: { ...demoPolicy.spec, validations: [{ expression: 'object.spec.replicas <= nope' }] },
    }
    const r = await k(['apply', '-f', '-'], JSON.stringify(bad))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'The ValidatingAdmissionPolicy "bad.example.com" is invalid: spec.validations[0].expression: Invalid value: "object.spec.replicas <= nope": compilation failed: ERROR: <input>:1:25: undeclared reference to \'nope\'',
    )
  })
})
