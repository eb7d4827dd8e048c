import { afterEach, describe, expect, it } from 'vitest'
import { createDaemonSetController } from '../../src/controllers/daemonset.js'
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js'
import { OwnerGraph } from '../../src/controllers/garbage-collector-graph.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

describe('OwnerGraph', () => {
  it('indexes dependents by owner uid and follows reference changes', () => {
    const g = new OwnerGraph()
    const dep = (refs: string[]): KubeObject => ({
      metadata: { uid: 'd', name: 'd', namespace: 'n', ownerReferences: refs.map((uid) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid })) },
    })
    expect(g.observe('', 'configmaps', dep(['a'])).refsChanged).toBe(true)
    expect(g.dependentsOf('a')).toEqual(['d'])
    expect(g.observe('', 'configmaps', dep(['a'])).refsChanged).toBe(false)
    expect(g.observe('', 'configmaps', dep(['b'])).touchedOwners.sort()).toEqual(['a', 'b'])
    expect(g.dependentsOf('a')).toEqual([])
    g.remove('d')
    expect(g.dependentsOf('b')).toEqual([])
    expect(g.size).toBe(0)
  })
})

describe('garbage collector', () => {
  let h: Harness
  afterEach(() => h?.close())
  const cms = () => h.registry.resource('', 'configmaps')
  const owner = async (name: string) => (await cms().create('default', { metadata: { name } })).obj
  const dependent = async (name: string, owners: KubeObject[], block = true) =>
    (
      await cms().create('default', {
        metadata: {
          name,
          ownerReferences: owners.map((o) => ({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: o.metadata.name!,
            uid: o.metadata.uid!,
            ...(block ? { blockOwnerDeletion: true } : {}),
          })),
        },
      })
    ).obj
  const exists = (name: string) => !!cms().getStored('default', name)
  /** A blocking dependent a finalizer keeps, as a pod still terminating; {@link release} lets it go. */
  const held = (name: string, of: KubeObject) =>
    cms().create('default', {
      metadata: {
        name,
        finalizers: ['example.com/hold'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: of.metadata.name!, uid: of.metadata.uid!, blockOwnerDeletion: true }],
      },
    })
  const release = (name: string) => cms().guaranteedUpdate('default', name, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [] } }))

  it('background: deletes dependents once the owner is gone, recursively', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const b = await dependent('b', [a])
    await dependent('c', [b])
    await h.settle()
    await cms().delete('default', 'a', { propagationPolicy: 'Background' })
    await h.settle()
    expect([exists('a'), exists('b'), exists('c')]).toEqual([false, false, false])
  })

  it('never collects Events (DefaultIgnoredResources), even ones whose owner is gone', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const ref = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: a.metadata.uid! }]
    const events = h.registry.resource('', 'events')
    await events.create('default', { metadata: { name: 'e', ownerReferences: ref }, involvedObject: { kind: 'ConfigMap', name: 'a' } } as KubeObject)
    await dependent('b', [a])
    await h.settle()
    await cms().delete('default', 'a', { propagationPolicy: 'Background' })
    await h.settle()
    expect(exists('b')).toBe(false)
    expect(events.getStored('default', 'e')).toBeDefined()
  })

  it('deletes dependents whose owner never existed (uid mismatch counts as gone)', async () => {
    h = await startHarness([createGarbageCollector])
    await owner('a')
    await cms().create('default', { metadata: { name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'not-the-uid' }] } })
    await h.settle()
    expect(exists('x')).toBe(false)
    expect(exists('a')).toBe(true)
  })

  it('keeps a dependent that still has a living owner, dropping the dangling reference', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const b = await owner('b')
    await dependent('d', [a, b])
    await h.settle()
    await cms().delete('default', 'a')
    await h.settle()
    expect(
      cms()
        .getStored('default', 'd')!
        .obj.metadata.ownerReferences!.map((r) => r.name),
    ).toEqual(['b'])
  })

  it('orphan: strips the owner reference from dependents, then removes the finalizer', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    await dependent('b', [a])
    await h.settle()
    const res = await cms().delete('default', 'a', { propagationPolicy: 'Orphan' })
    expect(res.outcome).toBe('pending')
    expect(res.stored.obj.metadata.finalizers).toEqual(['orphan'])
    await h.settle()
    expect(exists('a')).toBe(false)
    expect(cms().getStored('default', 'b')!.obj.metadata.ownerReferences).toBeUndefined()
  })

  it('foreground: the owner stays until blocking dependents (and theirs) are gone', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const b = await dependent('b', [a])
    await dependent('c', [b])
    await dependent('loose', [a], false)
    await h.settle()
    await cms().delete('default', 'a', { propagationPolicy: 'Foreground' })
    await h.settle()
    expect([exists('a'), exists('b'), exists('c'), exists('loose')]).toEqual([false, false, false, false])
  })

  it('foreground: a dependent with dependents of its own keeps blocking its owner until it is gone', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const b = await dependent('b', [a])
    // c stands for a pod still terminating: a finalizer holds it.
    await held('c', b)
    await h.settle()
    await cms().delete('default', 'a', { propagationPolicy: 'Foreground' })
    await h.settle()
    // b is deleted in the foreground too and still blocks a (attemptToDeleteItem unblocks only to break a cycle).
    const meta = (name: string) => cms().getStored('default', name)!.obj.metadata
    expect(meta('a').finalizers).toEqual(['foregroundDeletion'])
    expect(meta('b').finalizers).toEqual(['foregroundDeletion'])
    expect(meta('b').ownerReferences).toEqual([expect.objectContaining({ uid: a.metadata.uid, blockOwnerDeletion: true })])
    expect(meta('c').deletionTimestamp).toBeDefined()
    await release('c')
    await h.settle()
    expect([exists('a'), exists('b'), exists('c')]).toEqual([false, false, false])
  })

  it('foreground: a dependent whose own dependent is deleting dependents stops blocking (the cycle guard)', async () => {
    h = await startHarness([createGarbageCollector])
    const a = await owner('a')
    const b = await dependent('b', [a])
    const c = await dependent('c', [b])
    await held('d', c)
    await h.settle()
    // c waits for d first; then a is deleted in the foreground.
    await cms().delete('default', 'c', { propagationPolicy: 'Foreground' })
    await h.settle()
    await cms().delete('default', 'a', { propagationPolicy: 'Foreground' })
    await h.settle()
    // b has a dependent (c) that is deleting dependents: b's owner references were made
    // non-blocking, so a went while b, c and d wait for d's finalizer.
    expect(exists('a')).toBe(false)
    const bm = cms().getStored('default', 'b')!.obj.metadata
    expect(bm.finalizers).toEqual(['foregroundDeletion'])
    expect(bm.ownerReferences).toEqual([expect.objectContaining({ uid: a.metadata.uid, blockOwnerDeletion: false })])
    await release('d')
    await h.settle()
    expect([exists('b'), exists('c'), exists('d')]).toEqual([false, false, false])
  })

  it('foreground with pods: the DaemonSet waits, Terminating, until its pods are removed', async () => {
    h = await startHarness([createGarbageCollector, createDaemonSetController])
    const dss = h.registry.resource('apps', 'daemonsets')
    await dss.create('default', {
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
      },
    })
    await h.settle()
    await h.runPods()
    expect(h.pods('default')).toHaveLength(3)
    await dss.delete('default', 'agent', { propagationPolicy: 'Foreground' })
    await h.settle()
    const ds = dss.getStored('default', 'agent')!.obj
    expect(ds.metadata.deletionTimestamp).toBeDefined()
    expect(ds.metadata.finalizers).toEqual(['foregroundDeletion'])
    expect(h.pods('default').every((p) => p.metadata.deletionTimestamp)).toBe(true)
    await h.reapTerminating()
    expect(h.pods('default')).toHaveLength(0)
    expect(dss.getStored('default', 'agent')).toBeUndefined()
    // the controller revision went with it (background from the collector)
    expect(h.registry.resource('apps', 'controllerrevisions').list('default').items).toHaveLength(0)
  })

  it('background delete of a DaemonSet removes its pods and revisions', async () => {
    h = await startHarness([createGarbageCollector, createDaemonSetController])
    const dss = h.registry.resource('apps', 'daemonsets')
    await dss.create('default', {
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
      },
    })
    await h.settle()
    await dss.delete('default', 'agent')
    await h.settle()
    // unbound pods are deleted at once
    expect(h.pods('default')).toHaveLength(0)
    expect(h.registry.resource('apps', 'controllerrevisions').list('default').items).toHaveLength(0)
  })
})
