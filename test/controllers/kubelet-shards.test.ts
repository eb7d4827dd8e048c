/** @module kubelet-shards.test: shards split by the live processes' membership Leases, taken over when a process goes, and the Leases of long-gone processes deleted. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { KubeletShards, kubeletShardCount, shardOf } from '../../src/controllers/kubelet-shards.js'
import { rfc3339Micro } from '../../src/util/time.js'

let cluster: Cluster
beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterAll(() => cluster.close())

const leases = () => cluster.registry.resource('coordination.k8s.io', 'leases')
const memberLease = (holder: string, renewedMsAgo: number, durationSeconds: number) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: `kubemock-process-${holder}`, namespace: 'kube-system' },
  spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, renewTime: rfc3339Micro(Date.now() - renewedMsAgo) },
})
const holderOf = (name: string) => (leases().getStored('kube-system', name)?.obj as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity

describe('KubeletShards', () => {
  it('takes its share beside a live peer, deletes a long-gone member, takes everything once alone, and releases on stop', async () => {
    await leases().create('kube-system', memberLease('gone', 10_000, 1))
    await leases().create('kube-system', memberLease('peer', 0, 3600))
    const changes: [number, boolean][] = []
    const shards = new KubeletShards({
      registry: cluster.registry,
      identity: 'me',
      memberLease: 'kubemock-process-me',
      now: () => Date.now(),
      onChange: (shard, owned) => changes.push([shard, owned]),
      leaseDurationMs: 1000,
      renewDeadlineMs: 800,
      retryPeriodMs: 50,
    })
    shards.start()
    try {
      // Two live processes (the peer and this one): half of the 16 shards each.
      await vi.waitFor(() => expect(shards.held()).toHaveLength(kubeletShardCount / 2), { timeout: 5000, interval: 20 })
      // Gone for more than four lease durations: its membership Lease is deleted; the live peer's stays.
      await vi.waitFor(() => expect(leases().getStored('kube-system', 'kubemock-process-gone')).toBeUndefined(), { timeout: 5000, interval: 20 })
      expect(holderOf('kubemock-process-peer')).toBe('peer')
      expect(holderOf('kubemock-process-me')).toBe('me')
      for (const i of shards.held()) expect(holderOf(`kubemock-kubelets-${i}`)).toBe('me')
      const node = Array.from({ length: 100 }, (_, i) => `node-${i}`).find((n) => shards.held().includes(shardOf(n)))!
      expect(shards.ownsNode(node)).toBe(true)

      // The peer goes: this process takes over every shard.
      const peer = leases().getStored('kube-system', 'kubemock-process-peer')!
      await leases().delete('kube-system', 'kubemock-process-peer', { preconditions: { resourceVersion: String(peer.rv) } })
      await vi.waitFor(() => expect(shards.held()).toHaveLength(kubeletShardCount), { timeout: 5000, interval: 20 })
      expect(changes.filter(([, owned]) => owned)).toHaveLength(kubeletShardCount)
    } finally {
      await shards.stop()
    }
    expect(shards.held()).toEqual([])
    for (let i = 0; i < kubeletShardCount; i++) expect(holderOf(`kubemock-kubelets-${i}`)).toBe('')
  })
})
