/** @module scheduler-fast-path.test: schedulePod's fast paths decide exactly as the general filters and the plain sort-based pick, over random clusters. */
import { describe, expect, it } from 'vitest'
import {
  addPod,
  filterNode,
  filterNodeFast,
  newNodeState,
  podInfo,
  type FilterFailure,
  type Node,
  type NodeState,
  type Pod,
} from '../../src/controllers/scheduler-filters.js'
import { fitErrorMessage } from '../../src/controllers/scheduler-fit-error.js'
import { pickNode, resourceScore } from '../../src/controllers/scheduler-score.js'
import { notInPreFilterResult, numFeasibleNodesToFind, preFilterNodeNames, schedulePod, type ScheduleResult } from '../../src/controllers/scheduler.js'
import { prng } from '../helpers/prng.js'

/** The pick as written before the fast path: dictionary resourceScore, every tie collected and sorted by name. */
function referencePick(pod: Pod, feasible: NodeState[], tieBreak: number): NodeState | undefined {
  if (feasible.length === 0) return undefined
  if (feasible.length === 1) return feasible[0]
  const owner = podInfo(pod).owner
  let ties: NodeState[] = []
  let bestOwned = Infinity
  let bestScore = -Infinity
  let bestPods = Infinity
  for (const s of feasible) {
    const owned = owner ? (s.ownerCounts.get(owner) ?? 0) : 0
    if (owned > bestOwned) continue
    const score = Math.round(resourceScore(pod, s) * 1000)
    if (owned < bestOwned || score > bestScore || (score === bestScore && s.podCount < bestPods)) {
      bestOwned = owned
      bestScore = score
      bestPods = s.podCount
      ties = [s]
    } else if (owned === bestOwned && score === bestScore && s.podCount === bestPods) ties.push(s)
  }
  ties.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return ties[tieBreak % ties.length]
}

/** What the reference computes of a {@link ScheduleResult}: the node, or the message. */
type ReferenceResult = ({ node: NodeState } | { message: string }) & Pick<ScheduleResult, 'nextStartNodeIndex'>

/** schedulePod through the general filterNode only, with {@link referencePick}. */
function referenceSchedule(pod: Pod, nodes: NodeState[], startIndex: number, tieBreak: number): ReferenceResult {
  const n = nodes.length
  if (n === 0) return { message: fitErrorMessage(0, []), nextStartNodeIndex: 0 }
  let candidates = nodes
  const named = preFilterNodeNames(pod)
  if (named) candidates = [...named].map((name) => nodes.find((s) => s.name === name)).filter((s) => s !== undefined)
  const m = candidates.length
  const toFind = numFeasibleNodesToFind(m)
  const feasible: NodeState[] = []
  const failures: FilterFailure[] = []
  for (let i = 0; i < m && feasible.length < toFind; i++) {
    const s = candidates[(startIndex + i) % m]
    const f = filterNode(pod, s)
    if (f) failures.push(f)
    else feasible.push(s)
  }
  const nextStartNodeIndex = (startIndex + feasible.length + failures.length) % n
  const node = referencePick(pod, feasible, tieBreak)
  if (node) return { node, nextStartNodeIndex }
  while (failures.length < n) failures.push({ reasons: [notInPreFilterResult], resolvable: false })
  return { message: fitErrorMessage(n, failures), nextStartNodeIndex }
}

function randomCluster(rnd: () => number) {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]
  const owners = ['rs-a', 'rs-b', 'rs-c']
  const taints = [
    { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ]
  const randomPod = (name: string, extra: Record<string, unknown> = {}): Pod => {
    const requests: Record<string, string> = {}
    const cpu = pick([undefined, '0', '100m', '300m', '501m', '1', '3'])
    const memory = pick([undefined, '0', '64Mi', '512Mi', '536870913', '3Gi'])
    if (cpu) requests.cpu = cpu
    if (memory) requests.memory = memory
    if (rnd() < 0.1) requests['nvidia.com/gpu'] = pick(['0', '1'])
    if (rnd() < 0.1) requests['ephemeral-storage'] = pick(['1Gi', '20Gi'])
    const port = rnd() < 0.15 ? [{ containerPort: 80, hostPort: pick([8080, 8081]), protocol: pick(['TCP', 'UDP']) }] : []
    const spec = { containers: [{ name: 'c', image: 'nginx', resources: { requests }, ports: port }], ...extra } as NonNullable<Pod['spec']>
    if (rnd() < 0.1) spec.initContainers = [{ name: 'i', image: 'busybox', resources: { requests: { cpu: pick(['500m', '2']) } } }]
    const owner = pick([undefined, ...owners])
    return {
      metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}) },
      spec,
    } as Pod
  }
  const count = pick([1, 2, 5, 12, 40, 130, 260])
  // Names in a scrambled order, so name order and list order differ; sometimes (pure input only) a repeated name.
  const names = Array.from({ length: count }, (_, i) => `n-${(i * 7919) % (count * 3)}`)
  if (count > 3 && rnd() < 0.2) names[1] = names[2]
  const nodes = names.map((name) => {
    const alloc: Record<string, string> = {}
    if (rnd() < 0.95) alloc.cpu = pick(['0', '500m', '1', '2', '4'])
    if (rnd() < 0.95) alloc.memory = pick(['0', '512Mi', '1Gi', '4Gi', '16Gi'])
    if (rnd() < 0.8) alloc.pods = pick(['0', '1', '3', '110'])
    if (rnd() < 0.2) alloc['nvidia.com/gpu'] = '1'
    if (rnd() < 0.3) alloc['ephemeral-storage'] = '10Gi'
    const spec: Node['spec'] = {}
    if (rnd() < 0.15) spec.unschedulable = true
    if (rnd() < 0.2) spec.taints = [pick(taints)]
    const node: Node = {
      metadata: { name, labels: { zone: pick(['a', 'b', 'c']) } },
      ...(rnd() < 0.9 ? { spec } : {}),
      status: rnd() < 0.8 ? { allocatable: alloc, capacity: alloc } : { capacity: alloc },
    }
    const s = newNodeState(node)
    for (let k = Math.floor(rnd() * 4); k > 0; k--) addPod(s, randomPod(`bound-${name}-${k}`, { nodeName: name }))
    return s
  })
  const pendingPod = (i: number): Pod => {
    const extra: Record<string, unknown> = {}
    if (rnd() < 0.1) extra.nodeSelector = { zone: pick(['a', 'b']) }
    if (rnd() < 0.05) extra.nodeName = pick(names)
    if (rnd() < 0.1) {
      extra.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms:
              rnd() < 0.5
                ? [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pick(names), pick(names), 'gone'] }] }]
                : [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['c'] }] }],
          },
        },
      }
    }
    if (rnd() < 0.15) {
      extra.tolerations = [
        pick([
          { key: 'dedicated', operator: 'Exists' },
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
          { operator: 'Exists' },
        ]),
      ]
    }
    return randomPod(`p-${i}`, extra)
  }
  return { nodes, pendingPod }
}

describe('schedulePod fast path', () => {
  for (const seed of [1, 2, 3, 17, 99, 2026]) {
    it(`decides as the general filters and sort-based pick on random clusters (seed ${seed})`, () => {
      const rnd = prng(seed)
      const seen = { fast: 0, general: 0, bound: 0, failed: 0, insufficient: 0, tooMany: 0, taint: 0, ports: 0, unschedulable: 0 }
      for (let round = 0; round < 40; round++) {
        const { nodes, pendingPod } = randomCluster(rnd)
        let start = Math.floor(rnd() * nodes.length)
        for (let i = 0; i < 30; i++) {
          const pod = pendingPod(i)
          const tieBreak = Math.floor(rnd() * 1000)
          for (const s of nodes) {
            const fast = podInfo(pod).plain && s.openNode === s.node
            if (fast) seen.fast++
            else seen.general++
            const got = filterNodeFast(pod, s, podInfo(pod))
            const want = filterNode(pod, s)
            // (expect only on a difference: hundreds of thousands of comparisons)
            if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `seed ${seed} round ${round} pod ${i} node ${s.name}`).toEqual(want)
          }
          const want = referenceSchedule(pod, nodes, start, tieBreak)
          const got = schedulePod(pod, nodes, start, tieBreak)
          expect(got.nextStartNodeIndex).toBe(want.nextStartNodeIndex)
          if ('node' in want) {
            expect('node' in got && got.node, `seed ${seed} round ${round} pod ${i}`).toBe(want.node)
            // Bind it, as the scheduler's assume does, so later pods see owners and fuller nodes.
            addPod(want.node, { ...pod, spec: { ...pod.spec!, nodeName: want.node.name } })
            seen.bound++
          } else {
            expect('message' in got && got.message, `seed ${seed} round ${round} pod ${i}`).toBe(want.message)
            seen.failed++
            if (want.message.includes('Insufficient')) seen.insufficient++
            if (want.message.includes('Too many pods')) seen.tooMany++
            if (want.message.includes('untolerated taint')) seen.taint++
            if (want.message.includes('free ports')) seen.ports++
            if (want.message.includes('were unschedulable')) seen.unschedulable++
          }
          start = want.nextStartNodeIndex
        }
        // The number copies agree with the dictionaries they mirror.
        for (const s of nodes) {
          expect([s.allocCpu, s.allocMemory, s.allocPods]).toEqual([s.allocatable.cpu ?? 0, s.allocatable.memory ?? 0, s.allocatable.pods ?? 110])
          expect([s.reqCpu, s.reqMemory, s.nzCpu, s.nzMemory]).toEqual([
            s.requested.cpu ?? 0,
            s.requested.memory ?? 0,
            s.nonZeroRequested.cpu ?? 0,
            s.nonZeroRequested.memory ?? 0,
          ])
        }
      }
      // The run exercised both paths and every kind of outcome.
      for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0)
    })
  }

  it('breaks ties by name order through tieBreak, as a stable sort would, with many ties', () => {
    const nodes = Array.from({ length: 300 }, (_, i) =>
      newNodeState({ metadata: { name: `n-${(i * 37) % 300}` }, status: { allocatable: { cpu: '4', memory: '8Gi' } } }),
    )
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } } as Pod
    const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))
    for (const t of [0, 1, 2, 150, 298, 299, 300, 1234]) expect(pickNode(pod, nodes, t)).toBe(sorted[t % 300])
    // A list that serves many cycles gets its names ranked (integers compared instead); the choice is the same.
    for (let t = 0; t < 40; t++) {
      const r = schedulePod(pod, nodes, t, t * 7, 100)
      expect('node' in r && r.node, `cycle ${t}`).toBe(sorted[(t * 7) % 300])
    }
    expect(nodes.every((s) => s.rankEpoch > 0)).toBe(true)
    // Repeated names keep their list order among themselves.
    const twins = [newNodeState({ metadata: { name: 'b' } }), newNodeState({ metadata: { name: 'a' } }), newNodeState({ metadata: { name: 'b' } })]
    for (const [t, want] of [twins[1], twins[0], twins[2]].entries()) expect(pickNode(pod, twins, t)).toBe(want)
  })
})
