/** @module cluster.test: a Cluster over a data directory — continued rather than seeded, its clock resumed. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../src/cluster.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubemock-cluster-'))
  dirs.push(d)
  return d
}

describe('Cluster with dataDir', () => {
  it('seeds a new directory, then continues it: same objects, a manual clock where it stopped', async () => {
    const dir = tempDir()
    const first = await Cluster.open({ speed: 0, nodes: 2, dataDir: dir })
    expect(first.restored).toBe(false)
    await first.clock.advance(3_600_000)
    await first.registry.resource('', 'configmaps').create('default', { metadata: { name: 'kept' } })
    const stoppedAt = first.clock.now()
    const uid = first.registry.resource('', 'namespaces').getStored('', 'default')?.obj.metadata.uid
    first.close()

    const second = await Cluster.open({ speed: 0, nodes: 5, dataDir: dir })
    try {
      expect(second.restored).toBe(true)
      // Not seeded again: the same namespace object, and the nodes of the first cluster.
      expect(second.registry.resource('', 'namespaces').getStored('', 'default')?.obj.metadata.uid).toBe(uid)
      expect(second.store.count('nodes')).toBe(3)
      expect(second.registry.resource('', 'configmaps').getStored('default', 'kept')).toBeDefined()
      // A manual clock passes no time while the cluster is closed.
      expect(second.clock.now()).toBe(stoppedAt)
    } finally {
      second.close()
    }
  })

  it('resumes a running clock at the later of where it was and the wall clock', async () => {
    const dir = tempDir()
    // Ten times real time, with a day already simulated: ahead of the wall clock.
    const ahead = Date.now() + 86_400_000
    const first = await Cluster.open({ speed: 0, nodes: 1, dataDir: dir })
    await first.clock.advance(ahead - first.clock.now())
    await first.registry.resource('', 'configmaps').create('default', { metadata: { name: 'x' } })
    first.close()
    const second = await Cluster.open({ speed: 10, nodes: 1, dataDir: dir })
    try {
      expect(second.clock.now()).toBeGreaterThanOrEqual(ahead)
      expect(second.clock.now()).toBeLessThan(ahead + 60_000)
    } finally {
      second.close()
    }
    // Behind the wall clock (a real-time cluster restarted later): the wall clock wins.
    const third = await Cluster.open({ speed: 1, nodes: 1, dataDir: tempDir() })
    third.close()
    const before = Date.now()
    const fourth = await Cluster.open({ speed: 1, nodes: 1, dataDir: dirs.at(-1)! })
    try {
      expect(fourth.clock.now()).toBeGreaterThanOrEqual(before)
    } finally {
      fourth.close()
    }
  })
})

describe('Cluster.open in a process that opened one before', () => {
  it('boots once the cluster before it has nothing queued', async () => {
    const first = await Cluster.open({ speed: 0 })
    // The boot's work (scheduling the kube-system pods, their kubelets, the Deployments' ReplicaSets) is still queued.
    expect(first.controllers.pending()).toBeGreaterThan(0)
    const second = await Cluster.open({ speed: 0 })
    expect(first.controllers.pending()).toBe(0)
    expect(
      first.registry
        .resource('', 'pods')
        .list('kube-system')
        .items.every((s) => (s.obj.spec as { nodeName?: string }).nodeName),
    ).toBe(true)
    first.close()
    second.close()
  })
})
