import { describe, expect, it } from 'vitest'
import { InformerFactory, indexes, nodeNameIndex, orphanIndexValue, podInformer } from '../../src/controllers/informers.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

async function setup() {
  const clock = new SimClock({ speed: 0 })
  const store = new MemoryStore({ historySize: 100_000 })
  const registry = new Registry({ store, clock, definitions })
  for (const ns of ['a', 'b']) await registry.resource('', 'namespaces').create('', { metadata: { name: ns } })
  const factory = new InformerFactory(registry)
  return { registry, factory, pods: registry.resource('', 'pods') }
}

function pod(ns: string, name: string, labels: Record<string, string>, owner?: string, node?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(node ? { nodeName: node } : {}) },
  } as KubeObject
}

const names = (xs: { obj: KubeObject }[] | KubeObject[]) =>
  xs
    .map((x) => ('obj' in x ? x.obj : x) as KubeObject)
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort()

describe('shared informers', () => {
  it('equal a recomputation from the store after random creates, updates and deletes, index by index (seeded)', async () => {
    const { registry, factory, pods } = await setup()
    const inf = podInformer(factory)
    factory.start()
    const events: string[] = []
    inf.addHandler((ev) => events.push(ev.type))
    let seed = 42
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const owners = ['r1', 'r2', undefined]
    const nodes = ['n1', 'n2', undefined]
    const rv0 = registry.store.currentRV()
    for (let step = 0; step < 1500; step++) {
      const ns = rand(2) ? 'a' : 'b'
      const name = `p${rand(30)}`
      const labels = { app: `x${rand(3)}`, ...(rand(2) ? { tier: 'web' } : {}) }
      const cur = pods.getStored(ns, name)
      if (!cur) await pods.create(ns, pod(ns, name, labels, owners[rand(3)], nodes[rand(3)]))
      else if (rand(3) === 0) await pods.delete(ns, name, { gracePeriodSeconds: 0 })
      else
        await pods.guaranteedUpdate(ns, name, (p) => {
          p.metadata.labels = labels
          const o = owners[rand(3)]
          if (o) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o, uid: `uid-${o}`, controller: true }]
          else delete p.metadata.ownerReferences
          return p
        })
      if (step % 50 !== 0) continue
      const all = registry.resource('', 'pods').list(undefined).items
      expect(names(inf.list())).toEqual(names(all))
      for (const n of ['a', 'b']) expect(names(inf.list(n))).toEqual(names(all.filter((s) => s.obj.metadata.namespace === n)))
      for (const o of ['r1', 'r2'])
        expect(names(inf.controlledBy(`uid-${o}`))).toEqual(names(all.filter((s) => s.obj.metadata.ownerReferences?.[0]?.uid === `uid-${o}`)))
      for (const n of ['a', 'b'])
        expect(names(inf.byIndex(indexes.controller, orphanIndexValue(n)))).toEqual(
          names(all.filter((s) => s.obj.metadata.namespace === n && !s.obj.metadata.ownerReferences)),
        )
      for (const node of ['n1', 'n2', ''])
        expect(names(inf.byIndex(nodeNameIndex, node))).toEqual(names(all.filter((s) => ((s.obj.spec as { nodeName?: string }).nodeName ?? '') === node)))
      for (const app of ['x0', 'x1', 'x2']) {
        const want = all.filter((s) => s.obj.metadata.namespace === 'a' && s.obj.metadata.labels?.app === app && s.obj.metadata.labels?.tier === 'web')
        expect(names(inf.select('a', (p) => p.metadata.labels?.tier === 'web', { app }))).toEqual(names(want))
        expect(names(registry.resource('', 'pods').list('a', { labelSelector: `app=${app},tier=web` }).items)).toEqual(names(want))
      }
      for (const s of all) expect(inf.get(s.obj.metadata.namespace!, s.obj.metadata.name!)).toBe(s)
    }
    // Every write (no-op updates write nothing) reached the handlers once.
    expect(events.length).toBe(registry.store.currentRV() - rv0)
  })

  it('refills on restart and files existing objects under an index added later', async () => {
    const { factory, pods } = await setup()
    await pods.create('a', pod('a', 'p', { app: 'x' }, undefined, 'n1'))
    const inf = factory.for('', 'pods')
    factory.start()
    expect(inf.count()).toBe(1)
    inf.addIndex('custom', (o) => [o.metadata.name ?? ''])
    expect(names(inf.byIndex('custom', 'p'))).toEqual(['a/p'])
    factory.stop()
    expect(inf.count()).toBe(0)
    await pods.create('b', pod('b', 'q', {}))
    factory.start()
    expect(names(inf.list())).toEqual(['a/p', 'b/q'])
    expect(names(inf.byIndex('custom', 'q'))).toEqual(['b/q'])
    expect(() => inf.byIndex('missing', 'x')).toThrow(/no index "missing"/)
  })
})
