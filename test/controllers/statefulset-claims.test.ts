/** @module statefulset-claims.test: volumeClaimTemplates — claims before pods, their labels, and the retention policy's owner references. */
import { afterEach, describe, expect, it } from 'vitest'
import { createStatefulSetController } from '../../src/controllers/statefulset.js'
import { claimOwnerRefs, claimsForOrdinal } from '../../src/controllers/statefulset-claims.js'
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js'
import type { StatefulSet } from '../../src/registry/apps/statefulsets.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

const sts = (policy?: Record<string, string>, replicas = 2): StatefulSet => ({
  metadata: { name: 'db', namespace: 'default', uid: 'set-uid' },
  spec: {
    replicas,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: {
      metadata: { labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image: 'nginx:1.15.12', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}),
  },
})

describe('claimsForOrdinal / claimOwnerRefs', () => {
  it('names claims <template>-<set>-<ordinal> with the selector labels', () => {
    const [c] = claimsForOrdinal(sts(), 1)
    expect(c.metadata).toEqual({ name: 'data-db-1', namespace: 'default', labels: { app: 'db' } })
    expect(c.spec?.resources?.requests?.storage).toBe('1Gi')
  })

  it('owns claims by the set for whenDeleted Delete, by a scaled-away pod for whenScaled Delete', () => {
    const claim: KubeObject = { metadata: { name: 'data-db-1' } }
    const pod: KubeObject = { metadata: { name: 'db-1', uid: 'pod-uid' } }
    expect(claimOwnerRefs(claim, sts({ whenDeleted: 'Retain', whenScaled: 'Retain' }), pod, true)).toEqual([])
    expect(claimOwnerRefs(claim, sts({ whenDeleted: 'Delete', whenScaled: 'Retain' }), pod, false)).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'set-uid', controller: true, blockOwnerDeletion: true },
    ])
    expect(claimOwnerRefs(claim, sts({ whenDeleted: 'Delete', whenScaled: 'Delete' }), pod, false)).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'db-1', uid: 'pod-uid', controller: true, blockOwnerDeletion: true },
    ])
  })
})

describe('statefulset controller with volumeClaimTemplates', () => {
  let h: Harness
  afterEach(() => h?.close())
  const claimNames = () =>
    h.registry
      .resource('', 'persistentvolumeclaims')
      .list('default')
      .items.filter((s) => !s.obj.metadata.deletionTimestamp)
      .map((s) => s.obj.metadata.name)
      .sort()

  it('accepts mounts of a claim template and creates each claim before its pod', async () => {
    h = await startHarness([createStatefulSetController])
    const { uid: _u, ...meta } = sts().metadata
    await h.registry.resource('apps', 'statefulsets').create('default', { ...sts(), metadata: meta })
    await h.settle()
    expect(claimNames()).toEqual(['data-db-0'])
    expect(h.pods('default')[0].spec?.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } })
    await h.runPods()
    expect(claimNames()).toEqual(['data-db-0', 'data-db-1'])
    const events = h.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => (s.obj as { message?: string }).message)
    expect(events).toContain('create Claim data-db-0 Pod db-0 in StatefulSet db success')
    // The default policy (Retain) leaves claims unowned.
    expect(h.registry.resource('', 'persistentvolumeclaims').getStored('default', 'data-db-0')?.obj.metadata.ownerReferences).toBeUndefined()
  })

  it('rejects mounts naming neither a volume nor a claim template', async () => {
    h = await startHarness([])
    const set = sts()
    set.spec!.volumeClaimTemplates = []
    const { uid: _u, ...meta } = set.metadata
    await expect(h.registry.resource('apps', 'statefulsets').create('default', { ...set, metadata: meta })).rejects.toThrow(
      'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"',
    )
  })

  it('whenDeleted Delete: the garbage collector removes the claims with the set', async () => {
    h = await startHarness([createStatefulSetController, createGarbageCollector])
    const { uid: _u, ...meta } = sts().metadata
    await h.registry.resource('apps', 'statefulsets').create('default', { ...sts({ whenDeleted: 'Delete', whenScaled: 'Retain' }), metadata: meta })
    await h.settle()
    await h.runPods()
    expect(claimNames()).toEqual(['data-db-0', 'data-db-1'])
    await h.registry.resource('apps', 'statefulsets').delete('default', 'db')
    await h.settle()
    await h.reapTerminating()
    // Claims carry pvc-protection; with no protection controller here they are only marked.
    expect(claimNames()).toEqual([])
  })
})
