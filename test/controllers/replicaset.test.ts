/** @module replicaset.test: the ReplicaSet controller on a manual clock — creation, availability, replacement, deletion order, adoption, slow start and ReplicaFailure. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { StatusError } from '../../src/errors.js'
import { burstReplicas, slowStartBatches } from '../../src/controllers/replicaset-pods.js'
import type { ReplicaSet } from '../../src/registry/apps/replicasets.js'
import type { PodObject } from '../../src/registry/core/pods.js'
import { Harness } from './deployment-harness.js'

function rs(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.16.0' }] } },
      ...extra,
    },
  }
}

describe('ReplicaSet controller', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
  })
  afterEach(() => h.close())

  it('creates pods from the template with generateName, owner reference and events', async () => {
    const created = await h.replicaSets.create('default', rs('web', 3))
    await h.settle()
    const pods = h.activePods('web-')
    expect(pods).toHaveLength(3)
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
      expect(p.metadata.generateName).toBe('web-')
      expect(p.metadata.labels).toEqual({ app: 'web', tier: 'web' })
      expect(p.metadata.annotations).toEqual({ note: 'x' })
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: created.obj.metadata.uid, controller: true, blockOwnerDeletion: true },
      ])
    }
    expect(h.events('web').sort()).toEqual(pods.map((p) => `SuccessfulCreate: Created pod: ${p.metadata.name}`).sort())
    const st = h.replicaSets.read('default', 'web')!.status
    expect(st).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 })
    expect(h.errors).toEqual([])
  })

  it('counts ready and available pods, honouring minReadySeconds without a pod event', async () => {
    await h.replicaSets.create('default', rs('web', 2, { minReadySeconds: 5 }))
    await h.settle()
    await h.readyAll('web-')
    await h.settle()
    expect(h.replicaSets.read('default', 'web')!.status).toMatchObject({ replicas: 2, readyReplicas: 2 })
    expect(h.replicaSets.read('default', 'web')!.status?.availableReplicas).toBeUndefined()
    await h.advance(4)
    expect(h.replicaSets.read('default', 'web')!.status?.availableReplicas).toBeUndefined()
    await h.advance(2)
    expect(h.replicaSets.read('default', 'web')!.status?.availableReplicas).toBe(2)
  })

  it('replaces a terminating pod at once (a new name, same count)', async () => {
    await h.replicaSets.create('default', rs('web', 3))
    await h.settle()
    const before = h.activePods('web-')
    await h.markPods(before)
    await h.settle()
    const victim = before[1].metadata.name!
    await h.pods.delete('default', victim, {})
    expect(h.pods.read('default', victim)?.metadata.deletionTimestamp).toBeDefined()
    await h.settle()
    const after = h.activePods('web-').map((p) => p.metadata.name)
    expect(after).toHaveLength(3)
    expect(after).not.toContain(victim)
    expect(h.events('web').filter((e) => e.startsWith('SuccessfulCreate'))).toHaveLength(4)
  })

  it('scales down the worst pods first: unscheduled, then not ready, then ready', async () => {
    await h.replicaSets.create('default', rs('web', 4))
    await h.settle()
    const [a, b, c, d] = h.activePods('web-')
    await h.markPods([a, b], { ready: true })
    await h.markPods([c], { ready: false })
    // d stays unscheduled
    await h.settle()
    await h.replicaSets.guaranteedUpdate('default', 'web', (x) => ({ ...x, spec: { ...x.spec!, replicas: 2 } }))
    await h.settle()
    const left = h.activePods('web-').map((p) => p.metadata.name)
    expect(left.sort()).toEqual([a.metadata.name, b.metadata.name].sort())
    expect(h.events('web')).toEqual(
      expect.arrayContaining([`SuccessfulDelete: Deleted pod: ${c.metadata.name}`, `SuccessfulDelete: Deleted pod: ${d.metadata.name}`]),
    )
  })

  it('adopts a matching orphan instead of creating, and releases a pod whose labels stop matching', async () => {
    await h.pods.create('default', { metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as PodObject)
    const created = await h.replicaSets.create('default', rs('web', 2))
    await h.settle()
    expect(h.pods.read('default', 'stray')!.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      uid: created.obj.metadata.uid,
      controller: true,
    })
    expect(h.activePods()).toHaveLength(2)
    await h.pods.guaranteedUpdate('default', 'stray', (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'other' } } }))
    await h.settle()
    expect(h.pods.read('default', 'stray')!.metadata.ownerReferences).toBeUndefined()
    expect(h.activePods('web-')).toHaveLength(2)
  })

  it('stops at the first failing slow-start batch and reports ReplicaFailure until a sync succeeds', async () => {
    const realCreate = h.pods.create.bind(h.pods)
    let attempts = 0
    const spy = vi.spyOn(h.pods, 'create').mockImplementation(() => {
      attempts++
      throw StatusError.forbidden({ group: '', resource: 'pods' }, 'web-x', 'exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0')
    })
    await h.replicaSets.create('default', rs('web', 5))
    await h.settle()
    // One attempt per sync (the first batch of 1 fails); the status write re-queues one more sync.
    expect(attempts).toBe(2)
    const msg = 'pods "web-x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0'
    expect(h.replicaSets.read('default', 'web')!.status?.conditions).toEqual([
      { type: 'ReplicaFailure', status: 'True', lastTransitionTime: expect.any(String), reason: 'FailedCreate', message: msg },
    ])
    expect(h.events('web')).toContain(`FailedCreate: Error creating: ${msg}`)
    spy.mockImplementation(realCreate)
    await h.advance(1)
    expect(h.activePods('web-')).toHaveLength(5)
    await h.settle()
    expect(h.replicaSets.read('default', 'web')!.status?.conditions).toBeUndefined()
  })

  it('lists slow-start batch sizes 1, 2, 4, … and caps a sync at 500 creations', () => {
    expect(slowStartBatches(10)).toEqual([1, 2, 4, 3])
    expect(slowStartBatches(0)).toEqual([])
    expect(slowStartBatches(500).reduce((a, b) => a + b, 0)).toBe(500)
    expect(burstReplicas).toBe(500)
  })
})
