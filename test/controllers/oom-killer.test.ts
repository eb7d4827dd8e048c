/** @module oom-killer.test: containers past their memory limit end OOMKilled (137) and restart per restartPolicy, on an in-process cluster with a manual clock. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { setPodUsage } from '../../src/sim/usage/usage-controls.js'

let cluster: Cluster | undefined
/** Moves the manual clock in small steps, so that the controllers' writes and their watch events interleave as in a running cluster. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await cluster!.clock.advance(Math.min(100, ms - t))
}
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

const stressPod = (name: string, restartPolicy = 'Always') => ({
  metadata: { name },
  spec: {
    restartPolicy,
    containers: [
      {
        name: 'memory-demo-2-ctr',
        image: 'polinux/stress',
        command: ['stress'],
        args: ['--vm', '1', '--vm-bytes', '250M', '--vm-hang', '1'],
        resources: { requests: { memory: '50Mi' }, limits: { memory: '100Mi' } },
      },
    ],
  },
})

describe('OOM killer', () => {
  it("kills a container allocating past its limit (the docs' memory-demo-2), which then crash-loops", async () => {
    cluster = await Cluster.open({ speed: 0 })
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', stressPod('memory-demo-2'))
    await advance(5000)
    const s = (pods.read('default', 'memory-demo-2') as Pod).status!.containerStatuses![0]
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' })
    expect(s.restartCount).toBeGreaterThanOrEqual(1)
    await advance(30_000)
    const later = (pods.read('default', 'memory-demo-2') as Pod).status!.containerStatuses![0]
    expect(later.restartCount).toBeGreaterThan(s.restartCount)
    expect(later.lastState?.terminated?.reason).toBe('OOMKilled')
  })

  it('with restartPolicy Never the pod fails; a container under its limit lives on', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', stressPod('once', 'Never'))
    await pods.create('default', {
      metadata: { name: 'small' },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { memory: '64Mi' } } }] },
    })
    await advance(5000)
    const once = pods.read('default', 'once') as Pod
    expect(once.status?.phase).toBe('Failed')
    expect(once.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' })
    const small = pods.read('default', 'small') as Pod
    expect(small.status?.containerStatuses?.[0].state?.running).toBeDefined()
    expect(small.status?.containerStatuses?.[0].restartCount).toBe(0)
  })

  it('an override past the limit kills a running container', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const pods = cluster.registry.resource('', 'pods')
    await pods.create('default', {
      metadata: { name: 'web' },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { memory: '64Mi' } } }] },
    })
    await advance(10_000)
    expect((pods.read('default', 'web') as Pod).status?.containerStatuses?.[0].restartCount).toBe(0)
    setPodUsage(cluster.registry, 'default', 'web', { memory: '65Mi' })
    await advance(2000)
    const s = (pods.read('default', 'web') as Pod).status!.containerStatuses![0]
    expect(s.restartCount).toBeGreaterThanOrEqual(1)
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' })
  })
})
