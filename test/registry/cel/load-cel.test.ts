/** @module load-cel.test: CEL loads on first use — not at boot, before the first CRD write, and for policies written past the registry. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { celLoaded } from '../../../src/registry/cel/load-cel.js'
import type { StatusError } from '../../../src/errors.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

const group = 'admissionregistration.k8s.io'

describe('CEL on first use', () => {
  // One file, one module graph: the order of these steps is the process's life.
  it('is not loaded by a boot, and a policy and binding stored past the registry are enforced once loaded', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    await c.registry.resource('', 'configmaps').create('default', { metadata: { name: 'before' }, data: { size: '9' } })
    expect(celLoaded()).toBe(false)
    // As a data directory's or a snapshot's objects arrive: straight into the store, no registry hooks.
    const key = (plural: string) => c.registry.find(group, plural)!.key
    await c.store.create(key('validatingadmissionpolicies'), {
      apiVersion: `${group}/v1`,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'small' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
        validations: [{ expression: 'int(object.data.size) <= 5' }],
      },
    })
    await c.store.create(key('validatingadmissionpolicybindings'), {
      apiVersion: `${group}/v1`,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'small' },
      spec: { policyName: 'small', validationActions: ['Deny'] },
    })
    expect(celLoaded()).toBe(false)
    const err = await c.registry
      .resource('', 'configmaps')
      .create('default', { metadata: { name: 'big' }, data: { size: '9' } })
      .then(
        () => undefined,
        (e: StatusError) => e,
      )
    expect(celLoaded()).toBe(true)
    expect(err?.message).toBe(
      `configmaps "big" is forbidden: ValidatingAdmissionPolicy 'small' with binding 'small' denied request: failed expression: int(object.data.size) <= 5`,
    )
    await c.registry.resource('', 'configmaps').create('default', { metadata: { name: 'fits' }, data: { size: '3' } })
  })
})
