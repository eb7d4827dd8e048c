/** @module scheduler-preemption.test: DefaultPreemption's victim selection, node choice and its effects in a cluster. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { newNodeState, type Node, type Pod } from '../../src/controllers/scheduler-filters.js'
import { pickCandidate, preempt, selectVictimsOnNode, type Candidate } from '../../src/controllers/scheduler-preemption.js'
import type { PodDisruptionBudget } from '../../src/registry/policy/poddisruptionbudgets.js'
import { buildNodeStates } from '../../src/controllers/scheduler-filters.js'
import type { KubeObject } from '../../src/types.js'
import { schedulePod } from '../../src/controllers/scheduler.js'

const slots = 'example.com/slots'

const podOf = (name: string, priority: number, n = 1, extra: Partial<Pod['metadata']> = {}, startTime?: string): Pod =>
  ({
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra },
    spec: {
      priority,
      nodeName: 'n1',
      containers: [{ name: 'c', image: 'x', resources: { requests: { [slots]: String(n) }, limits: { [slots]: String(n) } } }],
    },
    status: { phase: 'Running', ...(startTime ? { startTime } : {}) },
  }) as Pod

const nodeOf = (name: string, n = 2): Node => ({
  metadata: { name },
  spec: {},
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110', [slots]: String(n) } },
})

const now = Date.parse('2026-11-27T10:00:00Z')

describe('selectVictimsOnNode', () => {
  const preemptor = { ...podOf('high', 100), spec: { ...podOf('high', 100).spec!, nodeName: undefined } } as Pod

  it('takes the fewest lower-priority pods, reprieving the most important first', () => {
    const pods = [podOf('a', 10), podOf('b', 5)]
    const state = buildNodeStates([nodeOf('n1')], pods).get('n1')!
    const r = selectVictimsOnNode(preemptor, state, pods, [], now) as Candidate
    // Only one slot is needed: `a` (priority 10) is reprieved, `b` goes.
    expect(r.victims.map((p) => p.metadata.name)).toEqual(['b'])
    expect(r.pdbViolations).toBe(0)
  })

  it('never picks pods of equal or higher priority, and says so when there are none', () => {
    const pods = [podOf('a', 100), podOf('b', 200)]
    const state = buildNodeStates([nodeOf('n1')], pods).get('n1')!
    expect(selectVictimsOnNode(preemptor, state, pods, [], now)).toEqual({ reasons: ['No preemption victims found for incoming pod'], resolvable: false })
  })

  it('answers with the filters when removing every lower-priority pod is not enough', () => {
    const big = { ...preemptor, spec: { ...preemptor.spec!, containers: [{ name: 'c', image: 'x', resources: { requests: { [slots]: '3' } } }] } } as Pod
    const pods = [podOf('a', 10), podOf('b', 5)]
    const state = buildNodeStates([nodeOf('n1')], pods).get('n1')!
    expect(selectVictimsOnNode(big, state, pods, [], now)).toEqual({ reasons: [`Insufficient ${slots}`], resolvable: true })
  })

  it('reprieves pods a PodDisruptionBudget protects before the others, and counts a violation when it must take one', () => {
    const pods = [podOf('a', 5, 1, { labels: { app: 'db' } }), podOf('b', 10)]
    const state = buildNodeStates([nodeOf('n1')], pods).get('n1')!
    const pdb = {
      metadata: { name: 'db', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'db' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
    } as PodDisruptionBudget
    // Without the budget the least important (a) would go; with it, b goes instead.
    expect((selectVictimsOnNode(preemptor, state, pods, [pdb], now) as Candidate).victims.map((p) => p.metadata.name)).toEqual(['b'])
    const both = { ...preemptor, spec: { ...preemptor.spec!, containers: [{ name: 'c', image: 'x', resources: { requests: { [slots]: '2' } } }] } } as Pod
    const r = selectVictimsOnNode(both, state, pods, [pdb], now) as Candidate
    expect(r.victims.map((p) => p.metadata.name)).toEqual(['b', 'a'])
    expect(r.pdbViolations).toBe(1)
  })
})

describe('schedulePod with nominated pods', () => {
  it('leaves the room a pod of equal or higher priority was nominated for, but not for lower ones', () => {
    const state = buildNodeStates([nodeOf('n1', 1)], []).get('n1')!
    const waiting = { ...podOf('waiting', 50), spec: { ...podOf('waiting', 50).spec!, nodeName: undefined } } as Pod
    const newcomer = (priority: number) =>
      ({ ...waiting, metadata: { name: `p${priority}`, uid: `uid-p${priority}` }, spec: { ...waiting.spec!, priority } }) as Pod
    const nominatedOn = (node: string) => (node === 'n1' ? [waiting] : [])
    expect(schedulePod(newcomer(10), [state], 0, 0, 0, undefined, nominatedOn)).toMatchObject({
      filterMessage: `0/1 nodes are available: 1 Insufficient ${slots}.`,
    })
    expect('node' in schedulePod(newcomer(60), [state], 0, 0, 0, undefined, nominatedOn)).toBe(true)
    // The nominated pod itself is not in its own way.
    expect('node' in schedulePod(waiting, [state], 0, 0, 0, undefined, nominatedOn)).toBe(true)
  })
})

describe('pickCandidate', () => {
  const c = (node: string, victims: Pod[], pdbViolations = 0): Candidate => ({ node, victims, pdbViolations })

  it('prefers fewer budget violations, then the lowest top victim, the lowest sum, fewer victims, and the latest start', () => {
    expect(pickCandidate([c('n1', [podOf('a', 1)], 1), c('n2', [podOf('b', 50)])], now).node).toBe('n2')
    expect(pickCandidate([c('n1', [podOf('a', 50)]), c('n2', [podOf('b', 10), podOf('c', 10)])], now).node).toBe('n2')
    expect(pickCandidate([c('n1', [podOf('a', 10), podOf('b', 9)]), c('n2', [podOf('c', 10), podOf('d', 1)])], now).node).toBe('n2')
    expect(pickCandidate([c('n1', [podOf('a', -5), podOf('b', -5)]), c('n2', [podOf('c', -5)])], now).node).toBe('n2')
    const early = podOf('a', 10, 1, {}, '2026-11-27T09:00:00Z')
    const late = podOf('b', 10, 1, {}, '2026-11-27T09:30:00Z')
    expect(pickCandidate([c('n1', [early]), c('n2', [late])], now).node).toBe('n2')
  })
})

describe('preempt', () => {
  it('refuses for preemptionPolicy Never', () => {
    const p = { metadata: { name: 'p' }, spec: { priority: 100, preemptionPolicy: 'Never', containers: [] } } as unknown as Pod
    expect(preempt(p, { nodes: [], failed: [], podsOn: () => [], pdbs: [] }, now)).toEqual({
      message: 'preemption: not eligible due to preemptionPolicy=Never.',
    })
  })

  it('waits while a victim of an earlier preemption is still terminating on the nominated node', () => {
    const victim = podOf('v', 1, 1, { deletionTimestamp: '2026-11-27T10:00:00Z' })
    victim.status!.conditions = [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }]
    const p = { metadata: { name: 'p' }, spec: { priority: 100, containers: [] }, status: { nominatedNodeName: 'n1' } } as unknown as Pod
    const state = newNodeState(nodeOf('n1'))
    const input = { nodes: [state], failed: [{ state, failure: { reasons: ['x'], resolvable: true } }], podsOn: () => [victim], pdbs: [] }
    expect(preempt(p, input, now)).toEqual({ message: 'preemption: not eligible due to a terminating pod on the nominated node.' })
  })
})

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/** A control plane and two workers with two `example.com/slots` each. */
async function start(): Promise<Cluster> {
  cluster = await Cluster.open({
    speed: 0,
    nodes: [
      { name: 'kubemock-control-plane', controlPlane: true },
      { name: 'kubemock-worker', capacity: { [slots]: '2' } },
      { name: 'kubemock-worker2', capacity: { [slots]: '2' } },
    ],
  })
  const pcs = cluster.registry.resource('scheduling.k8s.io', 'priorityclasses')
  await pcs.create('', { metadata: { name: 'high' }, value: 1000 } as KubeObject)
  await pcs.create('', { metadata: { name: 'high-polite' }, value: 1000, preemptionPolicy: 'Never' } as KubeObject)
  return cluster
}

const slotPod = (name: string, n: number, priorityClassName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    ...(priorityClassName ? { priorityClassName } : {}),
    containers: [{ name: 'c', image: 'nginx:1.14.2', resources: { requests: { [slots]: String(n) }, limits: { [slots]: String(n) } } }],
  },
})

/** Advances in 100 ms steps (each step lets the controllers' writes settle) until `cond` holds. */
async function until(c: Cluster, cond: () => boolean, maxMs: number): Promise<void> {
  const t0 = c.clock.now()
  while (!cond()) {
    if (c.clock.now() - t0 > maxMs) throw new Error(`condition not met within ${maxMs} ms`)
    await c.clock.advance(100)
  }
}

const getPod = (c: Cluster, name: string) => c.registry.resource('', 'pods').read('default', name) as Pod | undefined
const eventsFor = (c: Cluster, name: string) =>
  c.registry
    .resource('', 'events')
    .list('default')
    .items.map((s) => s.obj as KubeObject & { reason: string; message: string; type: string })
    .filter((e) => (e.involvedObject as { name: string }).name === name)

describe('preemption in a cluster', () => {
  it('evicts one low-priority pod for a high-priority one, nominates the node and binds there once the room is free', async () => {
    const c = await start()
    const pods = c.registry.resource('', 'pods')
    for (let i = 0; i < 4; i++) await pods.create('default', slotPod(`low-${i}`, 1))
    await until(c, () => [0, 1, 2, 3].every((i) => getPod(c, `low-${i}`)?.status?.phase === 'Running'), 10_000)
    const high = await pods.create('default', slotPod('high', 1, 'high'))
    await c.clock.advance(10)
    const victims = [0, 1, 2, 3].map((i) => getPod(c, `low-${i}`)).filter((p) => !p || p.metadata.deletionTimestamp)
    expect(victims).toHaveLength(1)
    const victimName = [0, 1, 2, 3].map((i) => `low-${i}`).find((n) => !getPod(c, n) || getPod(c, n)!.metadata.deletionTimestamp)!
    const preempted = eventsFor(c, victimName).find((e) => e.reason === 'Preempted')
    const nominated = getPod(c, 'high')!.status?.nominatedNodeName
    expect(nominated).toMatch(/^kubemock-worker2?$/)
    expect(preempted).toMatchObject({ type: 'Normal', message: `Preempted by pod ${high.obj.metadata.uid} on node ${nominated}` })
    const v = getPod(c, victimName)
    if (v) {
      expect(v.spec?.nodeName).toBe(nominated)
      expect(v.status?.conditions).toContainEqual(
        expect.objectContaining({
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'PreemptionByScheduler',
          message: 'default-scheduler: preempting to accommodate a higher priority pod',
        }),
      )
    }
    expect(eventsFor(c, 'high').find((e) => e.reason === 'FailedScheduling')?.message).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient example.com/slots.',
    )
    await until(c, () => getPod(c, 'high')?.status?.phase === 'Running', 60_000)
    expect(getPod(c, victimName)).toBeUndefined()
    expect(getPod(c, 'high')!.spec?.nodeName).toBe(nominated)
  })

  it('does not preempt for a pod whose class says Never, nor when no removal makes room, and says why', async () => {
    const c = await start()
    const pods = c.registry.resource('', 'pods')
    for (let i = 0; i < 4; i++) await pods.create('default', slotPod(`low-${i}`, 1))
    await until(c, () => [0, 1, 2, 3].every((i) => getPod(c, `low-${i}`)?.status?.phase === 'Running'), 10_000)
    await pods.create('default', slotPod('polite', 1, 'high-polite'))
    await pods.create('default', slotPod('huge', 3, 'high'))
    await c.clock.advance(10)
    const taint = '1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'
    expect(eventsFor(c, 'polite').find((e) => e.reason === 'FailedScheduling')?.message).toBe(
      `0/3 nodes are available: ${taint}, 2 Insufficient example.com/slots. preemption: not eligible due to preemptionPolicy=Never.`,
    )
    expect(eventsFor(c, 'huge').find((e) => e.reason === 'FailedScheduling')?.message).toBe(
      `0/3 nodes are available: ${taint}, 2 Insufficient example.com/slots. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 Insufficient example.com/slots.`,
    )
    expect([0, 1, 2, 3].every((i) => !getPod(c, `low-${i}`)!.metadata.deletionTimestamp)).toBe(true)
  })

  it('schedules the higher-priority of two pods queued together first (PrioritySort)', async () => {
    const c = await start()
    const pods = c.registry.resource('', 'pods')
    for (let i = 0; i < 3; i++) await pods.create('default', slotPod(`low-${i}`, 1))
    await until(c, () => [0, 1, 2].every((i) => getPod(c, `low-${i}`)?.spec?.nodeName), 5_000)
    // Both are queued before the scheduler runs again: the later, higher-priority one takes the last slot.
    await pods.create('default', slotPod('late-low', 1))
    await pods.create('default', slotPod('late-high', 1, 'high'))
    await c.clock.advance(100)
    expect(getPod(c, 'late-high')!.spec?.nodeName).toBeDefined()
    expect(getPod(c, 'late-low')!.spec?.nodeName).toBeUndefined()
    expect(eventsFor(c, 'late-low').map((e) => e.reason)).toEqual(['FailedScheduling'])
  })

  it('takes the nomination from a lower-priority pod when a higher one preempts on its node', async () => {
    cluster = await Cluster.open({
      speed: 0,
      nodes: [
        { name: 'kubemock-control-plane', controlPlane: true },
        { name: 'kubemock-worker', capacity: { [slots]: '3' } },
      ],
    })
    const c = cluster
    const pcs = c.registry.resource('scheduling.k8s.io', 'priorityclasses')
    await pcs.create('', { metadata: { name: 'mid' }, value: 100 } as KubeObject)
    await pcs.create('', { metadata: { name: 'high' }, value: 1000 } as KubeObject)
    const pods = c.registry.resource('', 'pods')
    for (let i = 0; i < 3; i++) await pods.create('default', slotPod(`low-${i}`, 1))
    await until(c, () => [0, 1, 2].every((i) => getPod(c, `low-${i}`)?.status?.phase === 'Running'), 10_000)
    await pods.create('default', slotPod('mid', 1, 'mid'))
    await c.clock.advance(10)
    expect(getPod(c, 'mid')!.status?.nominatedNodeName).toBe('kubemock-worker')
    // Before mid's victim is gone, a pod that needs the whole node preempts there too.
    await pods.create('default', slotPod('top', 3, 'high'))
    await c.clock.advance(10)
    expect(getPod(c, 'top')!.status?.nominatedNodeName).toBe('kubemock-worker')
    expect(getPod(c, 'mid')!.status?.nominatedNodeName).toBeUndefined()
    await until(c, () => getPod(c, 'top')?.status?.phase === 'Running', 60_000)
    expect(getPod(c, 'mid')!.spec?.nodeName).toBeUndefined()
  })
})
