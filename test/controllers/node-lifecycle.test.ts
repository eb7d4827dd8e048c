/** @module node-lifecycle.test: cordon taint, NotReady/Unknown on silent kubelets, pods marked not ready — on a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { lastHeartbeat, markConditionsUnknown, reconcileTaints, wantedTaints } from '../../src/controllers/node-lifecycle-taints.js'
import type { Node } from '../../src/controllers/scheduler-filters.js'
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

/**
 * A cluster whose heartbeats are judged: the real kubelet publishes sim.stopKubelet; without it a
 * stand-in does (then no lease is renewed at all, which is what a stopped kubelet looks like).
 */
async function start(): Promise<Cluster> {
  cluster = await Cluster.open({
    speed: 0,
    controllers: [
      (d) => {
        d.sim.stopKubelet ??= () => {}
        return []
      },
    ],
  })
  return cluster
}

const node = (c: Cluster, name: string) => c.registry.resource('', 'nodes').read('', name) as Node
const cordon = async (c: Cluster, name: string, on: boolean) =>
  await c.registry.resource('', 'nodes').guaranteedUpdate('', name, (n) => ({ ...n, spec: { ...(n.spec as object), unschedulable: on || undefined } }))

describe('taint rules', () => {
  const n = (conditions: { type: string; status: string }[], spec: Node['spec'] = {}): Node => ({
    metadata: { name: 'n' },
    spec,
    status: { conditions } as never,
  })

  it('maps conditions and unschedulable to the controller taints', () => {
    expect(
      wantedTaints(
        n(
          [
            { type: 'Ready', status: 'Unknown' },
            { type: 'MemoryPressure', status: 'True' },
          ],
          { unschedulable: true },
        ),
      ),
    ).toEqual([
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ])
    expect(wantedTaints(n([{ type: 'Ready', status: 'False' }]))).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    ])
  })

  it('keeps user taints and timeAdded of kept taints; changes nothing when nothing is due', () => {
    const user = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }
    const kept = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2020-01-01T00:00:00Z' }
    const stale = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2020-01-01T00:00:00Z' }
    const t = Date.parse('2024-05-05T10:00:00Z')
    expect(reconcileTaints(n([{ type: 'Ready', status: 'True' }], { unschedulable: true, taints: [user, kept, stale] }), t)).toEqual([user, kept])
    expect(reconcileTaints(n([{ type: 'Ready', status: 'True' }], { unschedulable: true, taints: [user, kept] }), t)).toBeUndefined()
    expect(reconcileTaints(n([{ type: 'Ready', status: 'True' }], { unschedulable: true }), t)).toEqual([
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2024-05-05T10:00:00Z' },
    ])
  })

  it('marks Ready and the pressure conditions Unknown, keeping heartbeats', () => {
    const hb = '2024-05-05T09:00:00Z'
    const out = markConditionsUnknown(
      [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'x', lastHeartbeatTime: hb, lastTransitionTime: hb },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'y', lastHeartbeatTime: hb, lastTransitionTime: hb },
      ],
      Date.parse('2024-05-05T10:00:00Z'),
    )!
    expect(out.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: hb,
      lastTransitionTime: '2024-05-05T10:00:00Z',
    })
    expect(out.find((c) => c.type === 'MemoryPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' })
    expect(out.find((c) => c.type === 'DiskPressure')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
    })
    expect(markConditionsUnknown(out, Date.now())).toBeUndefined()
  })

  it('takes the later of the lease and the Ready heartbeat', () => {
    const nd = {
      metadata: { name: 'n', creationTimestamp: '2024-01-01T00:00:00Z' },
      status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:01:00Z' }] },
    } as Node
    expect(lastHeartbeat(nd, '2024-01-01T00:02:00.500000Z')).toBe(Date.parse('2024-01-01T00:02:00.500Z'))
    expect(lastHeartbeat(nd, undefined)).toBe(Date.parse('2024-01-01T00:01:00Z'))
  })
})

describe('node lifecycle controller', () => {
  it('adds the unschedulable taint on cordon and removes it on uncordon', async () => {
    const c = await start()
    await cordon(c, 'kubemock-worker', true)
    await advance(c, 10)
    expect(node(c, 'kubemock-worker').spec?.taints).toEqual([
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: expect.stringMatching(/Z$/) },
    ])
    await cordon(c, 'kubemock-worker', false)
    await advance(c, 10)
    expect(node(c, 'kubemock-worker').spec?.taints).toBeUndefined()
    // The control plane's own taint is never touched.
    expect(node(c, 'kubemock-control-plane').spec?.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }])
  })

  it('turns a node whose kubelet stopped Unknown after the 50 s grace period, taints it and marks its pods not ready', async () => {
    const c = await start()
    const pods = c.registry.resource('', 'pods')
    const p = await pods.create('default', {
      metadata: { name: 'web' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx' }] },
    } as KubeObject)
    c.sim.stopKubelet!('kubemock-worker')
    // Whatever a running kubelet did, the pod is Ready now.
    await pods.guaranteedUpdate(
      'default',
      'web',
      (o) => ({
        ...o,
        status: {
          ...(o.status as object),
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: p.obj.metadata.creationTimestamp }],
        },
      }),
      { subresource: 'status' },
    )
    await advance(c, 45_000)
    expect(node(c, 'kubemock-worker').status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True')
    await advance(c, 15_000)
    const n = node(c, 'kubemock-worker')
    expect(n.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    })
    expect(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ])
    expect(n.spec?.taints?.every((t) => typeof t.timeAdded === 'string')).toBe(true)
    const pod = pods.read('default', 'web') as unknown as { status: { conditions: { type: string; status: string }[] } }
    expect(pod.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('False')
    const events = c.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => s.obj as KubeObject & { reason: string; message: string; involvedObject: { kind: string; uid: string } })
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'NodeNotReady',
        message: 'Node kubemock-worker status is now: NodeNotReady',
        involvedObject: expect.objectContaining({ kind: 'Node', uid: 'kubemock-worker' }),
      }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({ reason: 'NodeNotReady', message: 'Node is not ready', involvedObject: expect.objectContaining({ kind: 'Pod' }) }),
    )
  })

  it('lifts the taints when the kubelet reports Ready again', async () => {
    const c = await start()
    c.sim.stopKubelet!('kubemock-worker2')
    await advance(c, 60_000)
    expect(node(c, 'kubemock-worker2').spec?.taints?.length).toBe(2)
    // What a restarted kubelet posts: a fresh lease and Ready=True.
    const now = new Date(c.clock.now()).toISOString()
    await c.registry
      .resource('coordination.k8s.io', 'leases')
      .guaranteedUpdate('kube-node-lease', 'kubemock-worker2', (l) => ({ ...l, spec: { ...(l.spec as object), renewTime: now.replace('Z', '000Z') } }))
    await c.registry.resource('', 'nodes').guaranteedUpdate(
      '',
      'kubemock-worker2',
      (n) => {
        const st = (n as Node).status!
        st.conditions = st.conditions!.map((x) => ({ ...x, status: x.type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: now.replace(/\.\d+Z$/, 'Z') }))
        return n
      },
      { subresource: 'status' },
    )
    await advance(c, 10)
    expect(node(c, 'kubemock-worker2').spec?.taints).toBeUndefined()
  })
})
