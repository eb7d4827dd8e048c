/** @module scheduler-volumes.test: VolumeBinding — missing and unbound claims, WaitForFirstConsumer provisioning, volume node affinity. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { Pod } from '../../src/controllers/scheduler-filters.js'
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/controllers/volume-binding.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

async function start(): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0 })
  return cluster
}

const podUsing = (name: string, claim: string): KubeObject => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] },
})
const claim = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
})
const getPod = (c: Cluster, name: string) => c.registry.resource('', 'pods').read('default', name) as Pod
const getClaim = (c: Cluster, name: string) => c.registry.resource('', 'persistentvolumeclaims').read('default', name) as PersistentVolumeClaim
const scheduledCondition = (p: Pod) => p.status?.conditions?.find((x) => x.type === 'PodScheduled')

describe('scheduler volume binding', () => {
  it('says a missing claim is not found', async () => {
    const c = await start()
    await c.registry.resource('', 'pods').create('default', podUsing('web', 'nope'))
    await c.clock.advance(10)
    expect(scheduledCondition(getPod(c, 'web'))).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message:
        '0/4 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    })
  })

  it('says an unbound Immediate claim blocks the pod', async () => {
    const c = await start()
    // A class without a provisioner that binds Immediately: the claim stays Pending.
    await c.registry.resource('storage.k8s.io', 'storageclasses').create('', { metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' })
    await c.registry.resource('', 'persistentvolumeclaims').create('default', claim('data', { storageClassName: 'manual' }))
    await c.registry.resource('', 'pods').create('default', podUsing('web', 'data'))
    await c.clock.advance(10)
    expect(scheduledCondition(getPod(c, 'web'))?.message).toBe(
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    )
  })

  it('names the node on a WaitForFirstConsumer claim, waits for its volume, then binds the pod there', async () => {
    const c = await start()
    await c.registry.resource('', 'persistentvolumeclaims').create('default', claim('data'))
    await c.registry.resource('', 'pods').create('default', podUsing('web', 'data'))
    await c.clock.advance(10)
    const cl = getClaim(c, 'data')
    const node = cl.metadata.annotations?.['volume.kubernetes.io/selected-node']
    expect(node).toMatch(/^kubemock-worker/)
    expect(cl.status?.phase).toBe('Bound')
    const pv = c.registry.resource('', 'persistentvolumes').read('', cl.spec!.volumeName!) as PersistentVolume
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0].matchExpressions?.[0].values).toEqual([node])
    expect(getPod(c, 'web').spec?.nodeName).toBe(node)
  })

  it('keeps pods off nodes their bound volume cannot reach', async () => {
    const c = await start()
    await c.registry.resource('', 'persistentvolumes').create('', {
      metadata: { name: 'local' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local',
        local: { path: '/mnt' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['gone'] }] }] } },
      },
    })
    await c.registry.resource('', 'persistentvolumeclaims').create('default', claim('data', { storageClassName: 'local' }))
    await c.registry.resource('', 'pods').create('default', podUsing('web', 'data'))
    await c.clock.advance(10)
    expect(getClaim(c, 'data').status?.phase).toBe('Bound')
    expect(scheduledCondition(getPod(c, 'web'))?.message).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) had volume node affinity conflict. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    )
  })

  it('the kubelet keeps a pod ContainerCreating until its claims are Bound', async () => {
    const c = await start()
    await c.registry.resource('', 'persistentvolumeclaims').create('default', claim('data'))
    // Bound by hand to a node: the scheduler (and its PreBind) is bypassed.
    await c.registry
      .resource('', 'pods')
      .create('default', { ...podUsing('web', 'data'), spec: { ...(podUsing('web', 'data').spec as object), nodeName: 'kubemock-worker' } })
    // In steps: each kubelet stage schedules the next on the clock.
    for (let i = 0; i < 50; i++) await c.clock.advance(100)
    const waiting = getPod(c, 'web')
    expect(waiting.status?.phase).toBe('Pending')
    expect(waiting.status?.podIP).toBeUndefined()
    expect(waiting.status?.containerStatuses?.[0].state?.waiting?.reason).toBe('ContainerCreating')
    await c.registry.resource('', 'persistentvolumeclaims').guaranteedUpdate('default', 'data', (cl) => ({
      ...cl,
      metadata: { ...cl.metadata, annotations: { 'volume.kubernetes.io/selected-node': 'kubemock-worker' } },
    }))
    for (let i = 0; i < 50; i++) await c.clock.advance(100)
    expect(getClaim(c, 'data').status?.phase).toBe('Bound')
    expect(getPod(c, 'web').status?.phase).toBe('Running')
  })
})
