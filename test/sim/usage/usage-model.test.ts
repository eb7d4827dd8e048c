/** @module usage-model.test: when pods and nodes have samples (scrapes, Ready nodes) and what a node's sample adds up, on an in-process cluster with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { PodObject } from '../../../src/registry/core/pod-printer.js'
import { metricResolutionMs } from '../../../src/sim/usage/image-usage.js'
import { metricsSourceFor } from '../../../src/sim/usage/metrics-source.js'
import { lastScrape } from '../../../src/sim/usage/usage-model.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) await cluster!.clock.advance(Math.min(500, ms - t))
}

describe('usage model', () => {
  it('scrapes every node once per resolution, at a fixed offset per node', () => {
    const a = lastScrape('kubemock-worker', 1_000_000)
    expect(a.at).toBeLessThanOrEqual(1_000_000)
    expect(1_000_000 - a.at).toBeLessThan(metricResolutionMs)
    expect(lastScrape('kubemock-worker', a.at + metricResolutionMs - 1)).toEqual(a)
    expect(lastScrape('kubemock-worker', a.at + metricResolutionMs).index).toBe(a.index + 1)
  })

  it('a pod has a sample after its second scrape; its node sums the system share and its pods', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const source = metricsSourceFor(cluster.registry)
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', {
      metadata: { name: 'busy' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'while true; do :; done'] }] },
    })
    await advance(3000)
    const pod = pods.read('default', 'busy') as PodObject
    expect(pod.status?.phase).toBe('Running')
    expect(source.pod('default', 'busy')).toBeUndefined()
    await advance(2 * metricResolutionMs)
    const sample = source.pod('default', 'busy')!
    expect(sample.containers.map((c) => c.name)).toEqual(['c'])
    expect(sample.containers[0].cpuNanoCores).toBeGreaterThan(0.96e9)
    const node = source.node(pod.spec!.nodeName!)!
    expect(node.timestamp).toBe(sample.timestamp)
    // The busy core, plus a worker's 20-35m of system share and its kube-proxy.
    expect(node.cpuNanoCores).toBeGreaterThan(sample.containers[0].cpuNanoCores + 20e6)
    expect(node.cpuNanoCores).toBeLessThan(sample.containers[0].cpuNanoCores + 60e6)
    expect(source.nodes().map((n) => n.name)).toEqual(['kubemock-control-plane', 'kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
    // Same pod, same time: the same sample.
    expect(source.pod('default', 'busy')).toEqual(sample)
  })

  it('a node whose kubelet stopped has no sample, nor have its pods, once it is NotReady', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const source = metricsSourceFor(cluster.registry)
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', { metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })
    await advance(40_000)
    const node = (pods.read('default', 'web') as PodObject).spec!.nodeName!
    expect(source.pod('default', 'web')).toBeDefined()
    expect(source.pods('default').map((p) => p.name)).toEqual(['web'])
    cluster.sim.stopKubelet!(node)
    await advance(60_000)
    expect(source.node(node)).toBeUndefined()
    expect(source.pod('default', 'web')).toBeUndefined()
    expect(source.pods('default')).toEqual([])
    expect(source.nodes()).toHaveLength(3)
  })
})
