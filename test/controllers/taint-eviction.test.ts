/** @module taint-eviction.test: pods leave nodes with NoExecute taints they do not tolerate, on time. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { evictionTime, tolerationSeconds } from '../../src/controllers/taint-eviction.js'
import type { Node, Pod } from '../../src/controllers/scheduler-filters.js'
import type { KubeObject } from '../../src/types.js'

/** Advances the clock, then lets the controllers finish what that started (the pump spreads work over turns). */
async function advance(c: Cluster, ms: number): Promise<void> {
  await c.clock.advance(ms)
  for (let i = 0; i < 10_000 && c.controllers.pending() > 0; i++) await new Promise((r) => setImmediate(r))
}

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/** Evicted: Terminating, or already removed by the kubelet. */
const leaving = (pod: KubeObject | undefined) => !pod || !!pod.metadata.deletionTimestamp

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const }

describe('toleration time', () => {
  it('is the smallest tolerationSeconds of the tolerations used, Infinity without one, undefined when a taint is not tolerated', () => {
    expect(tolerationSeconds([unreachable], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }])).toBe(
      300,
    )
    expect(tolerationSeconds([unreachable], [{ operator: 'Exists' }])).toBe(Infinity)
    expect(tolerationSeconds([unreachable], [{ key: 'other', operator: 'Exists' }])).toBeUndefined()
    expect(tolerationSeconds([unreachable], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: -5 }])).toBe(0)
  })

  it('counts from the taint’s timeAdded', () => {
    const node: Node = { metadata: { name: 'n' }, spec: { taints: [{ ...unreachable, timeAdded: '2024-01-01T00:00:00Z' }] } }
    const pod: Pod = {
      metadata: { name: 'p' },
      spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
    }
    expect(evictionTime(node, pod, Date.parse('2024-01-01T00:01:00Z'))).toBe(Date.parse('2024-01-01T00:05:00Z'))
    expect(evictionTime({ metadata: { name: 'n' }, spec: {} }, pod, 0)).toBeUndefined()
  })
})

describe('taint eviction controller', () => {
  /** What the node lifecycle controller makes of a silent kubelet: Ready=Unknown, then the unreachable taints. */
  const loseNode = async (c: Cluster, name: string) => {
    c.sim.stopKubelet?.(name)
    await c.registry.resource('', 'nodes').guaranteedUpdate(
      '',
      name,
      (n) => {
        const st = (n as Node).status!
        st.conditions = st.conditions!.map((x) =>
          x.type === 'Ready' ? { ...x, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : x,
        )
        return n
      },
      { subresource: 'status' },
    )
  }
  const events = (c: Cluster) =>
    c.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => s.obj as KubeObject & { reason: string; message: string; source: { component: string } })

  it('evicts untolerating pods at once and default-tolerating pods after 300 s', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const c = cluster
    const pods = c.registry.resource('', 'pods')
    const mk = async (name: string, tolerations?: unknown[]) =>
      await pods.create('default', {
        metadata: { name },
        spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
      } as KubeObject)
    await mk('default-tolerations')
    await mk('forever', [{ operator: 'Exists' }])
    await loseNode(c, 'kubemock-worker')
    await advance(c, 10)
    expect((c.registry.resource('', 'nodes').read('', 'kubemock-worker') as Node).spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toContain(
      'node.kubernetes.io/unreachable:NoExecute',
    )
    await mk('zero-seconds', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }])
    await advance(c, 10)
    // Pods on a node are deleted with their grace period: Terminating, not gone.
    expect(leaving(pods.read('default', 'zero-seconds'))).toBe(true)
    expect(pods.read('default', 'default-tolerations')?.metadata.deletionTimestamp).toBeUndefined()
    await advance(c, 290_000)
    expect(pods.read('default', 'default-tolerations')?.metadata.deletionTimestamp).toBeUndefined()
    await advance(c, 11_000)
    const evicted = pods.read('default', 'default-tolerations') as Pod | undefined
    // Either Terminating or already removed by a kubelet.
    if (evicted) {
      expect(evicted.metadata.deletionTimestamp).toBeDefined()
      expect(evicted.status?.conditions).toContainEqual(
        expect.objectContaining({
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
        }),
      )
    }
    expect(pods.read('default', 'forever')?.metadata.deletionTimestamp).toBeUndefined()
    expect(events(c)).toContainEqual(
      expect.objectContaining({
        reason: 'TaintManagerEviction',
        message: 'Marking for deletion Pod default/default-tolerations',
        source: { component: 'taint-eviction-controller' },
      }),
    )
  })

  it('cancels a pending eviction when the taint goes away', async () => {
    cluster = await Cluster.open({ speed: 0 })
    const c = cluster
    const pods = c.registry.resource('', 'pods')
    await pods.create('default', {
      metadata: { name: 'stay' },
      spec: { nodeName: 'kubemock-worker2', containers: [{ name: 'c', image: 'nginx' }] },
    } as KubeObject)
    const nodes = c.registry.resource('', 'nodes')
    // A user NoExecute taint the pod tolerates for 200 s.
    await pods.create('default', {
      metadata: { name: 'tolerant' },
      spec: {
        nodeName: 'kubemock-worker2',
        containers: [{ name: 'c', image: 'nginx' }],
        tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 200 }],
      },
    } as KubeObject)
    await nodes.guaranteedUpdate('', 'kubemock-worker2', (n) => ({
      ...n,
      spec: {
        ...(n.spec as object),
        taints: [{ key: 'maintenance', effect: 'NoExecute', timeAdded: new Date(c.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') }],
      },
    }))
    await advance(c, 10)
    // The default tolerations do not cover a user taint: that pod goes at once.
    expect(leaving(pods.read('default', 'stay'))).toBe(true)
    await advance(c, 100_000)
    await nodes.guaranteedUpdate('', 'kubemock-worker2', (n) => ({ ...n, spec: { ...(n.spec as object), taints: undefined } }))
    await advance(c, 400_000)
    expect(pods.read('default', 'tolerant')?.metadata.deletionTimestamp).toBeUndefined()
    expect(events(c)).toContainEqual(expect.objectContaining({ reason: 'TaintManagerEviction', message: 'Cancelling deletion of Pod default/tolerant' }))
  })
})
