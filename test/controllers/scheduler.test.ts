/** @module scheduler.test: the default-scheduler's filters, FailedScheduling texts and binding, against an in-process cluster. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { fitErrorMessage } from '../../src/controllers/scheduler-fit-error.js'
import { buildNodeStates, filterNode, matchesNodeAffinity, newNodeState, type Node, type Pod } from '../../src/controllers/scheduler-filters.js'
import { podRequests } from '../../src/controllers/scheduler-resources.js'
import { numFeasibleNodesToFind, preFilterNodeNames, schedulePod } from '../../src/controllers/scheduler.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/** A cluster with every registered controller (the scheduler among them) on a manual clock. */
async function start(opts: Parameters<typeof Cluster.open>[0] = {}): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0, ...opts })
  return cluster
}

const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...meta },
  spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }], ...spec },
})

const getPod = (c: Cluster, name: string) => c.registry.resource('', 'pods').read('default', name) as Pod
const eventsFor = (c: Cluster, name: string) =>
  c.registry
    .resource('', 'events')
    .list('default')
    .items.map((s) => s.obj as KubeObject & { reason: string; message: string; type: string; source: { component: string } })
    .filter((e) => (e.involvedObject as { name: string }).name === name)

describe('fitErrorMessage', () => {
  it('sorts the reason histogram and adds the preemption summary', () => {
    const msg = fitErrorMessage(4, [
      { reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'], resolvable: false },
      { reasons: ['node(s) were unschedulable'], resolvable: false },
      { reasons: ['node(s) were unschedulable'], resolvable: false },
      { reasons: ['node(s) were unschedulable'], resolvable: false },
    ])
    expect(msg).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) were unschedulable. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    )
  })

  it('counts resource failures as places where preemption found no victims', () => {
    const msg = fitErrorMessage(3, [
      { reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'], resolvable: false },
      { reasons: ['Insufficient cpu', 'Insufficient memory'], resolvable: true },
      { reasons: ['Insufficient cpu'], resolvable: true },
    ])
    expect(msg).toBe(
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    )
  })

  it('has its own text for a cluster without nodes', () => {
    expect(fitErrorMessage(0, [])).toBe('no nodes available to schedule pods')
  })
})

describe('filters', () => {
  const node = (name: string, labels: Record<string, string> = {}, extra: Partial<Node> = {}): Node => ({
    metadata: { name, labels },
    spec: {},
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } },
    ...extra,
  })

  it('matches nodeSelector and required node affinity operators', () => {
    const n = node('n1', { zone: 'a', gen: '5' })
    const aff = (exprs: unknown[], fields: unknown[] = []) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs, matchFields: fields }] } } },
      containers: [],
    })
    expect(matchesNodeAffinity({ nodeSelector: { zone: 'a' }, containers: [] }, n)).toBe(true)
    expect(matchesNodeAffinity({ nodeSelector: { zone: 'b' }, containers: [] }, n)).toBe(false)
    expect(matchesNodeAffinity(aff([{ key: 'zone', operator: 'In', values: ['a', 'b'] }]) as never, n)).toBe(true)
    expect(matchesNodeAffinity(aff([{ key: 'zone', operator: 'NotIn', values: ['a'] }]) as never, n)).toBe(false)
    expect(matchesNodeAffinity(aff([{ key: 'gpu', operator: 'DoesNotExist' }]) as never, n)).toBe(true)
    expect(matchesNodeAffinity(aff([{ key: 'gen', operator: 'Gt', values: ['4'] }]) as never, n)).toBe(true)
    expect(matchesNodeAffinity(aff([{ key: 'gen', operator: 'Lt', values: ['4'] }]) as never, n)).toBe(false)
    expect(matchesNodeAffinity(aff([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]) as never, n)).toBe(true)
    expect(matchesNodeAffinity(aff([], [{ key: 'metadata.name', operator: 'In', values: ['n2'] }]) as never, n)).toBe(false)
    // An empty term selects nothing.
    expect(matchesNodeAffinity(aff([]) as never, n)).toBe(false)
  })

  it('applies the plugins in order: unschedulable before taints, taints before resources', () => {
    const cordoned = node('n1', {}, { spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } })
    const states = buildNodeStates([cordoned], [])
    expect(filterNode({ metadata: { name: 'p' }, spec: { containers: [] } }, states.get('n1')!)?.reasons).toEqual(['node(s) were unschedulable'])
    const tolerant = {
      metadata: { name: 'p' },
      spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] },
    } as Pod
    expect(filterNode(tolerant, states.get('n1')!)).toBeUndefined()
    const tainted = buildNodeStates(
      [
        node(
          'n2',
          {},
          {
            spec: {
              taints: [
                { key: 'a', value: 'b', effect: 'PreferNoSchedule' },
                { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
              ],
            },
          },
        ),
      ],
      [],
    )
    expect(filterNode({ metadata: { name: 'p' }, spec: { containers: [] } }, tainted.get('n2')!)?.reasons).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ])
  })

  it('counts requests, the pod limit and host ports of pods already bound', () => {
    const bound = (name: string, cpu: string, hostPort?: number): Pod => ({
      metadata: { name },
      spec: { nodeName: 'n1', containers: [{ name: 'c', resources: { requests: { cpu } }, ports: hostPort ? [{ containerPort: 80, hostPort }] : [] }] },
    })
    const states = buildNodeStates([node('n1')], [bound('a', '1500m', 8080), bound('b', '100m')])
    const big: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '5Gi' } } }] } }
    expect(filterNode(big, states.get('n1')!)?.reasons).toEqual(['Insufficient cpu', 'Insufficient memory'])
    const port: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }
    expect(filterNode(port, states.get('n1')!)).toEqual({ reasons: ["node(s) didn't have free ports for the requested pod ports"], resolvable: true })
    const full = buildNodeStates([node('n1')], [bound('a', '0'), bound('b', '0'), bound('c', '0')])
    expect(filterNode({ metadata: { name: 'p' }, spec: { containers: [] } }, full.get('n1')!)?.reasons).toEqual(['Too many pods'])
  })

  it('takes the larger of init containers and the sum of containers', () => {
    expect(
      podRequests({
        initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }],
        containers: [
          { name: 'a', resources: { requests: { cpu: '500m' } } },
          { name: 'b', resources: { requests: { cpu: '500m' } } },
        ],
      }).cpu,
    ).toBe(2000)
    expect(podRequests({ containers: [{ name: 'a' }] }, true)).toEqual({ cpu: 100, memory: 200 * 1024 * 1024 })
  })
})

describe('numFeasibleNodesToFind', () => {
  it('scores every node below 100, then 50 % − nodes/125 (at least 5 %), never fewer than 100', () => {
    const cases: [number, number][] = [
      [1, 1],
      [99, 99],
      [100, 100],
      [150, 100], // 49 % = 73 → the 100-node floor
      [500, 230], // 46 %
      [1000, 420], // 42 %
      [3000, 780], // 26 %
      [5000, 500], // 10 %
      [5624, 337], // 5624/125 truncates to 44: 6 %, and 337.44 truncates
      [6000, 300], // 50 − 48 = 2 % → the 5 % floor
      [10000, 500],
      [20000, 1000],
    ]
    for (const [nodes, want] of cases) expect(numFeasibleNodesToFind(nodes), `${nodes} nodes`).toBe(want)
    // An explicit percentage replaces the adaptive one; the floor still holds.
    expect(numFeasibleNodesToFind(1000, 30)).toBe(300)
    expect(numFeasibleNodesToFind(1000, 5)).toBe(100)
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000)
  })
})

describe('schedulePod sampling', () => {
  const nodes = (n: number, labelled: (i: number) => boolean = () => true) =>
    Array.from({ length: n }, (_, i) =>
      newNodeState({
        metadata: { name: `n-${String(i).padStart(4, '0')}`, labels: labelled(i) ? { pool: 'x' } : {} },
        status: { allocatable: { cpu: '4', memory: '8Gi' } },
      }),
    )
  const want = (spec: Record<string, unknown> = {}): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], ...spec } }) as Pod

  it('stops at numFeasibleNodesToFind and starts the next cycle where this one stopped', () => {
    const all = nodes(1000)
    const first = schedulePod(want(), all, 0)
    expect(first.nextStartNodeIndex).toBe(420)
    expect('node' in first && Number(first.node.name.slice(2))).toBeLessThan(420)
    const second = schedulePod(want(), all, first.nextStartNodeIndex)
    expect(second.nextStartNodeIndex).toBe(840)
    const n = 'node' in second ? Number(second.node.name.slice(2)) : -1
    expect(n >= 420 && n < 840).toBe(true)
    // Wraps around the node list.
    const third = schedulePod(want(), all, second.nextStartNodeIndex)
    expect(third.nextStartNodeIndex).toBe(260)
  })

  it('counts failed nodes as processed and keeps looking until enough fit', () => {
    // Only every 3rd node fits: the 780 feasible nodes 3,000 nodes need are found at 0, 3, …, 2337.
    const all = nodes(3000, (i) => i % 3 === 0)
    const r = schedulePod(want({ nodeSelector: { pool: 'x' } }), all, 0)
    expect(numFeasibleNodesToFind(3000)).toBe(780)
    expect(r.nextStartNodeIndex).toBe(779 * 3 + 1)
  })

  it('evaluates every node for the FitError when none fits', () => {
    const all = nodes(1000, (i) => i < 10)
    const r = schedulePod(want({ nodeSelector: { pool: 'y' } }), all, 123)
    expect(r).toMatchObject({
      message:
        "0/1000 nodes are available: 1000 node(s) didn't match Pod's node affinity/selector. preemption: 0/1000 nodes are available: 1000 Preemption is not helpful for scheduling.",
      filterMessage: "0/1000 nodes are available: 1000 node(s) didn't match Pod's node affinity/selector.",
      nextStartNodeIndex: 123,
    })
    // Every rejected node is handed on to preemption, with why.
    expect('failed' in r && r.failed.length).toBe(1000)
    const few = schedulePod(want({ nodeSelector: { pool: 'x' } }), all, 500)
    expect('node' in few && few.node.name < 'n-0010').toBe(true)
    expect(few.nextStartNodeIndex).toBe(500)
  })
})

describe('NodeAffinity PreFilter', () => {
  const pinned = (terms: unknown[], cpu = '100m'): Pod =>
    ({
      metadata: { name: 'ds-pod' },
      spec: {
        containers: [{ name: 'c', resources: { requests: { cpu } } }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
      },
    }) as Pod
  const name = (values: string[]) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values }] })
  const nodes = (n: number) =>
    Array.from({ length: n }, (_, i) => newNodeState({ metadata: { name: `n-${i}` }, status: { allocatable: { cpu: '1', memory: '1Gi' } } }))

  it('narrows to the pinned names: union over terms, intersection within one', () => {
    expect(preFilterNodeNames(pinned([name(['a', 'b']), name(['c'])]))).toEqual(new Set(['a', 'b', 'c']))
    expect(preFilterNodeNames(pinned([{ matchFields: [...name(['a', 'b']).matchFields, ...name(['b', 'c']).matchFields] }]))).toEqual(new Set(['b']))
    // A term without a name requirement leaves every node possible.
    expect(preFilterNodeNames(pinned([name(['a']), { matchExpressions: [{ key: 'x', operator: 'Exists' }] }]))).toBeUndefined()
    expect(preFilterNodeNames({ metadata: { name: 'p' }, spec: { containers: [] } } as Pod)).toBeUndefined()
  })

  it('evaluates only the pinned node, and counts the others as left out by the PreFilter', () => {
    const all = nodes(1000)
    const ok = schedulePod(pinned([name(['n-700'])]), all, 10)
    expect('node' in ok && ok.node.name).toBe('n-700')
    expect(ok.nextStartNodeIndex).toBe(11)
    const big = schedulePod(pinned([name(['n-700', 'gone'])], '2'), all, 10)
    expect(big).toMatchObject({
      message:
        "0/1000 nodes are available: 1 Insufficient cpu, 999 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/1000 nodes are available: 1 No preemption victims found for incoming pod, 999 Preemption is not helpful for scheduling.",
      nextStartNodeIndex: 11,
    })
    // Only the evaluated node goes to preemption; the others count as not helpful there.
    expect('failed' in big && big.failed.map((f) => f.state.name)).toEqual(['n-700'])
  })
})

describe('scheduler controller', () => {
  it('binds a pod, sets PodScheduled=True and records Scheduled from default-scheduler', async () => {
    const c = await start()
    await c.registry.resource('', 'pods').create('default', pod('web'))
    await c.clock.advance(10)
    const p = getPod(c, 'web')
    expect(p.spec?.nodeName).toMatch(/^kubemock-worker\d?$/)
    expect(p.status?.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }))
    const ev = eventsFor(c, 'web').find((e) => e.reason === 'Scheduled')
    expect(ev).toMatchObject({
      type: 'Normal',
      message: `Successfully assigned default/web to ${p.spec?.nodeName}`,
      source: { component: 'default-scheduler' },
    })
  })

  it('spreads a controller’s pods over the workers and never uses the control plane', async () => {
    const c = await start()
    // An owner that exists (so the garbage collector keeps the pods) and that no controller manages.
    const cm = await c.registry.resource('', 'configmaps').create('default', { metadata: { name: 'owner' } } as KubeObject)
    const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: cm.obj.metadata.uid!, controller: true }
    for (let i = 0; i < 6; i++) await c.registry.resource('', 'pods').create('default', pod(`p${i}`, {}, { ownerReferences: [owner] }), { trusted: false })
    await c.clock.advance(10)
    const placed = Array.from({ length: 6 }, (_, i) => getPod(c, `p${i}`).spec?.nodeName)
    const perNode = new Map<string, number>()
    for (const n of placed) perNode.set(n!, (perNode.get(n!) ?? 0) + 1)
    expect([...perNode.keys()].sort()).toEqual(['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
    expect([...perNode.values()]).toEqual([2, 2, 2])
  })

  it('leaves pods for other schedulers and gated pods alone', async () => {
    const c = await start()
    await c.registry.resource('', 'pods').create('default', pod('other', { schedulerName: 'my-scheduler' }))
    await c.registry.resource('', 'pods').create('default', pod('gated', { schedulingGates: [{ name: 'wait' }] }))
    await c.clock.advance(10)
    expect(getPod(c, 'other').spec?.nodeName).toBeUndefined()
    expect(getPod(c, 'gated').spec?.nodeName).toBeUndefined()
  })

  it('reports an unschedulable pod with the real message, then binds it when a node frees up', async () => {
    const c = await start()
    const nodes = c.registry.resource('', 'nodes')
    for (const n of ['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3']) {
      await nodes.guaranteedUpdate('', n, (o) => ({ ...o, spec: { ...(o.spec as object), unschedulable: true } }))
    }
    await c.registry.resource('', 'pods').create('default', pod('stuck'))
    await c.clock.advance(10)
    const msg =
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) were unschedulable. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.'
    const p = getPod(c, 'stuck')
    expect(p.spec?.nodeName).toBeUndefined()
    expect(p.status?.conditions).toContainEqual({
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: expect.any(String),
      reason: 'Unschedulable',
      message: msg,
    })
    expect(eventsFor(c, 'stuck').filter((e) => e.reason === 'FailedScheduling')).toEqual([expect.objectContaining({ type: 'Warning', message: msg, count: 1 })])
    // A node change that does not help writes nothing new.
    await nodes.guaranteedUpdate('', 'kubemock-worker', (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, x: 'y' } } }))
    await c.clock.advance(10)
    expect(eventsFor(c, 'stuck').find((e) => e.reason === 'FailedScheduling')?.count).toBe(1)
    await nodes.guaranteedUpdate('', 'kubemock-worker2', (o) => ({ ...o, spec: { ...(o.spec as object), unschedulable: false } }))
    await c.clock.advance(10)
    expect(getPod(c, 'stuck').spec?.nodeName).toBe('kubemock-worker2')
    expect(getPod(c, 'stuck').status?.conditions?.find((x) => x.type === 'PodScheduled')).toMatchObject({ status: 'True' })
    expect(getPod(c, 'stuck').status?.conditions?.find((x) => x.type === 'PodScheduled')?.reason).toBeUndefined()
  })

  it("reports a pod made anew under an unschedulable pod's name afresh", async () => {
    const c = await start()
    const huge = () => pod('huge', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '64' } } }] })
    await c.registry.resource('', 'pods').create('default', huge())
    await c.clock.advance(10)
    await c.registry.resource('', 'pods').delete('default', 'huge', { gracePeriodSeconds: 0 })
    await c.clock.advance(10)
    const again = await c.registry.resource('', 'pods').create('default', huge())
    await c.clock.advance(10)
    expect(getPod(c, 'huge').status?.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }))
    const forNew = eventsFor(c, 'huge').filter((e) => e.reason === 'FailedScheduling' && (e.involvedObject as { uid: string }).uid === again.obj.metadata.uid)
    expect(forNew).toHaveLength(1)
  })

  it('re-reports a still unschedulable pod after the periodic flush', async () => {
    const c = await start({ timings: { 'scheduler-unschedulable-flush': 60_000 } })
    await c.registry.resource('', 'pods').create('default', pod('huge', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '64' } } }] }))
    await c.clock.advance(10)
    const first = eventsFor(c, 'huge').find((e) => e.reason === 'FailedScheduling')
    expect(first?.message).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    )
    await c.clock.advance(61_000)
    expect(eventsFor(c, 'huge').find((e) => e.reason === 'FailedScheduling')?.count).toBe(2)
  })
})
