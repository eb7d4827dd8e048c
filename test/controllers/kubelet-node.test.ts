/** @module kubelet-node.test: node heartbeats at many nodes — one Lease renewal per node per 10 s, from a batched schedule. */
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { HeartbeatSchedule } from '../../src/controllers/kubelet-node.js'
import { SimClock } from '../../src/sim/clock.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/** Lets the controllers and the heartbeat batch (which yields between slices) finish. */
async function drain(c: Cluster): Promise<void> {
  let last = -1
  for (let stable = 0, i = 0; stable < 5 && i < 20_000; i++) {
    await new Promise((r) => setImmediate(r))
    const rv = c.store.currentRV()
    stable = rv === last && c.controllers.pending() === 0 ? stable + 1 : 0
    last = rv
  }
}

describe('node heartbeats', () => {
  it('renew every Lease exactly once per 10 s round at 200 nodes, renewTime 10 s apart, with no node write', async () => {
    const c = (cluster = await Cluster.open({ speed: 0, nodes: 200 }))
    await drain(c)
    await c.clock.advance(10_000)
    await drain(c)
    const leases = c.registry.resource('coordination.k8s.io', 'leases')
    const renewTime = (n: string) => Date.parse((leases.getStored('kube-node-lease', n)!.obj.spec as { renewTime: string }).renewTime)
    const before = new Map(c.nodes.map((n) => [n.name, renewTime(n.name)]))
    const writes = new Map<string, number>()
    let nodeWrites = 0
    const stopLeases = leases.watch(undefined, { resourceVersion: String(c.store.currentRV()) }, (ev) => {
      if (ev.stored.obj.metadata.namespace !== 'kube-node-lease') return
      const name = ev.stored.obj.metadata.name ?? ''
      writes.set(name, (writes.get(name) ?? 0) + 1)
    }).stop
    const stopNodes = c.registry.resource('', 'nodes').watch(undefined, { resourceVersion: String(c.store.currentRV()) }, () => nodeWrites++).stop
    await c.clock.advance(10_000)
    await drain(c)
    stopLeases()
    stopNodes()
    expect(c.nodes.length).toBeGreaterThanOrEqual(200)
    expect(writes.size).toBe(c.nodes.length)
    expect([...writes.values()].every((n) => n === 1)).toBe(true)
    for (const n of c.nodes) expect(renewTime(n.name) - before.get(n.name)!).toBe(10_000)
    // Status unchanged and reported less than 5 min ago: the node objects are not written.
    expect(nodeWrites).toBe(0)
  })

  it('a stopped kubelet renews nothing; started again it renews at once', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    await drain(c)
    const lease = () =>
      (c.registry.resource('coordination.k8s.io', 'leases').getStored('kube-node-lease', 'kubemock-worker')!.obj.spec as { renewTime: string }).renewTime
    c.sim.stopKubelet!('kubemock-worker')
    const frozen = lease()
    await c.clock.advance(30_000)
    await drain(c)
    expect(lease()).toBe(frozen)
    c.sim.startKubelet!('kubemock-worker')
    await drain(c)
    expect(Date.parse(lease())).toBe(c.clock.now())
  })
})

describe('HeartbeatSchedule', () => {
  it('runs the nodes due in due order from one timer, and moves or cancels entries', async () => {
    const clock = new SimClock({ speed: 0, start: 0 })
    const runs: [string[], number][] = []
    const s = new HeartbeatSchedule(clock, (names, now) => {
      runs.push([names, now])
    })
    s.schedule('b', 2000)
    s.schedule('a', 1000)
    s.schedule('c', 2000)
    s.schedule('d', 3000)
    s.schedule('d', 1000)
    s.schedule('e', 5000)
    s.cancel('e')
    expect(s.size).toBe(4)
    await clock.advance(1000)
    await clock.advance(1000)
    await clock.advance(5000)
    expect(runs).toEqual([
      [['a', 'd'], 1000],
      [['b', 'c'], 2000],
    ])
    expect(s.size).toBe(0)
    clock.dispose()
  })
})

describe('node status images', () => {
  it('nodes reporting the same images share one frozen list, and clients still patch and replace it', async () => {
    const a = (cluster = await Cluster.open({ speed: 0, nodes: 2 }))
    await drain(a)
    const b = await Cluster.open({ speed: 0, nodes: 1 })
    try {
      await drain(b)
      const images = (c: Cluster, name: string) => (c.registry.resource('', 'nodes').get('', name).obj.status as { images: { names: string[] }[] }).images
      const [first, second] = a.registry
        .resource('', 'nodes')
        .list(undefined)
        .items.map((s) => s.obj.metadata.name!)
      const shared = images(a, first!)
      expect(shared.length).toBeGreaterThan(0)
      expect(images(a, second!)).toBe(shared)
      expect(images(b, b.registry.resource('', 'nodes').list(undefined).items[0]!.obj.metadata.name!)).toBe(shared)
      expect(Object.isFrozen(shared) && Object.isFrozen(shared[0]) && Object.isFrozen(shared[0]!.names)).toBe(true)
      const app = await buildApp({ cluster: a })
      try {
        const patch = (type: string, body: unknown) =>
          app.inject({ method: 'PATCH', url: `/api/v1/nodes/${first}/status`, headers: { 'content-type': type }, payload: JSON.stringify(body) })
        const names = ['example.com/extra@sha256:00', 'example.com/extra:1']
        const merged = await patch('application/strategic-merge-patch+json', { status: { images: [{ names, sizeBytes: 1 }] } })
        expect(merged.statusCode).toBe(200)
        expect(merged.json().status.images).toEqual([{ names, sizeBytes: 1 }])
        const replaced = await patch('application/merge-patch+json', { status: { images: [...shared, { names, sizeBytes: 2 }] } })
        expect(replaced.statusCode).toBe(200)
        expect(replaced.json().status.images.length).toBe(shared.length + 1)
        // The other node's list (and the other cluster's) is what it was.
        expect(images(a, second!)).toBe(shared)
        expect(shared.length).toBe(replaced.json().status.images.length - 1)
      } finally {
        await app.close()
      }
    } finally {
      b.close()
    }
  })
})
