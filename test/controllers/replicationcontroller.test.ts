/** @module replicationcontroller.test: the ReplicaSet controller run over ReplicationControllers (pkg/controller/replication). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ReplicationController } from '../../src/registry/core/replicationcontrollers.js'
import { Harness } from './deployment-harness.js'

function rc(name: string, replicas: number): ReplicationController {
  return {
    metadata: { name },
    spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.16.0' }] } } },
  }
}

describe('ReplicationController controller', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
  })
  afterEach(() => h.close())

  it('creates pods owned by the RC, reports status and events as the replication-controller', async () => {
    const created = await h.rcs.create('default', rc('web', 3))
    await h.settle()
    const pods = h.activePods('web-')
    expect(pods).toHaveLength(3)
    for (const p of pods)
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: created.obj.metadata.uid, controller: true, blockOwnerDeletion: true },
      ])
    expect(h.events('web')).toHaveLength(3)
    const ev = h.registry.resource('', 'events').list('default').items[0].obj as { source?: { component?: string } }
    expect(ev.source?.component).toBe('replication-controller')
    expect(h.rcs.read('default', 'web')!.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 })
    await h.readyAll('web-')
    await h.settle()
    expect(h.rcs.read('default', 'web')!.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 })
    expect(h.errors).toEqual([])
  })

  it('scales down and up when spec.replicas changes', async () => {
    await h.rcs.create('default', rc('web', 3))
    await h.settle()
    await h.rcs.guaranteedUpdate('default', 'web', (o) => ({ ...o, spec: { ...o.spec!, replicas: 1 } }))
    await h.settle()
    expect(h.activePods('web-')).toHaveLength(1)
    await h.rcs.guaranteedUpdate('default', 'web', (o) => ({ ...o, spec: { ...o.spec!, replicas: 2 } }))
    await h.settle()
    expect(h.activePods('web-')).toHaveLength(2)
    expect(h.rcs.read('default', 'web')!.status).toMatchObject({ replicas: 2, observedGeneration: 3 })
  })

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    await h.pods.create('default', { metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })
    const created = await h.rcs.create('default', rc('web', 1))
    await h.settle()
    expect(h.activePods('web-')).toHaveLength(0)
    expect(h.pods.read('default', 'orphan')!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicationController', uid: created.obj.metadata.uid })
    await h.pods.guaranteedUpdate('default', 'orphan', (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'other' } } }))
    await h.settle()
    expect(h.pods.read('default', 'orphan')!.metadata.ownerReferences).toBeUndefined()
    expect(h.activePods('web-')).toHaveLength(1)
  })

  it('leaves ReplicaSet-owned pods alone (the kinds do not share pods)', async () => {
    await h.rcs.create('default', rc('web', 1))
    await h.replicaSets.create('default', {
      metadata: { name: 'rs' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: rc('web', 1).spec!.template! as never },
    })
    await h.settle()
    // One pod each: neither adopts the other's pod although both select app=web.
    const owners = h.activePods().map((p) => p.metadata.ownerReferences?.[0]?.kind)
    expect(owners.sort()).toEqual(['ReplicaSet', 'ReplicationController'])
  })
})

describe('ReplicationController under a ResourceQuota', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
  })
  afterEach(() => h.close())

  it('creates what the quota allows, then reports ReplicaFailure with the admission text', async () => {
    const quotas = h.registry.resource('', 'resourcequotas')
    await quotas.create('default', { metadata: { name: 'q' }, spec: { hard: { pods: '2' } } } as never)
    // The quota controller is not in this harness: write the status it would.
    await quotas.guaranteedUpdate('default', 'q', (o) => ({ ...o, status: { hard: { pods: '2' }, used: { pods: '0' } } }), { subresource: 'status' })
    await h.rcs.create('default', rc('web', 3))
    await h.settle()
    expect(h.activePods('web-')).toHaveLength(2)
    const st = h.rcs.read('default', 'web')!.status!
    expect(st.replicas).toBe(2)
    expect(st.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' })
    expect(st.conditions?.[0].message).toMatch(/^pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/)
    expect(h.events('web').filter((e) => e.startsWith('FailedCreate: Error creating: pods "web-'))).not.toHaveLength(0)
  })
})
