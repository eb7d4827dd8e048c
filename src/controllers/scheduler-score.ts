/**
 * @module scheduler-score: picks one feasible node. Approximates the default Score plugins
 * (PodTopologySpread's hostname spreading, NodeResourcesFit LeastAllocated, BalancedAllocation).
 */
import type { NodeState, Pod, PodInfo } from './scheduler-filters.js'
import { podInfo } from './scheduler-filters.js'
import type { ResourceList } from './scheduler-resources.js'

function fraction(alloc: number, used: number): number {
  return alloc > 0 ? Math.min(1, used / alloc) : 1
}

function combine(cpu: number, memory: number): number {
  const least = (1 - cpu) * 100 + (1 - memory) * 100
  const balanced = (1 - Math.abs(cpu - memory) / 2) * 100
  return least / 2 + balanced
}

/**
 * LeastAllocated + BalancedAllocation on cpu and memory with the non-zero defaults, 0–200.
 * `req` is the pod's non-zero requests (podInfo(pod).nonZeroRequests).
 */
export function resourceScore(pod: Pod, state: NodeState, req: ResourceList = podInfo(pod).nonZeroRequests): number {
  const cpu = fraction(state.allocatable.cpu ?? 0, (state.nonZeroRequested.cpu ?? 0) + (req.cpu ?? 0))
  const memory = fraction(state.allocatable.memory ?? 0, (state.nonZeroRequested.memory ?? 0) + (req.memory ?? 0))
  return combine(cpu, memory)
}

/** Scratch for {@link pickNode} (emptied before it returns): the tied nodes, and positions into them. */
const ties: NodeState[] = []
const order: number[] = []

/** Whether ties[a] sorts before ties[b]: by name, equal names in the order they tied (a stable sort's order). */
function before(a: number, b: number): boolean {
  const x = ties[a].name
  const y = ties[b].name
  return x < y || (x === y && a < b)
}

/**
 * The tie at position `t` of the tied nodes sorted by name (quickselect, O(ties) on average
 * rather than a sort's O(ties log ties)). Node names are DNS subdomains, which code-unit order
 * sorts as localeCompare does (whose first call would build an ICU collator).
 */
function nthTie(t: number): NodeState {
  const k = ties.length
  for (let i = 0; i < k; i++) order[i] = i
  let lo = 0
  let hi = k - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const pivot = order[mid]
    order[mid] = order[hi]
    order[hi] = pivot
    let store = lo
    for (let i = lo; i < hi; i++) {
      const v = order[i]
      if (before(v, pivot)) {
        order[i] = order[store]
        order[store++] = v
      }
    }
    order[hi] = order[store]
    order[store] = pivot
    if (t === store) break
    if (t < store) hi = store - 1
    else lo = store + 1
  }
  const pick = ties[order[t]]
  order.length = 0
  return pick
}

/**
 * The node to bind to: fewest pods of the same controller first (spreading replicas across hosts),
 * then the highest resource score ({@link resourceScore}, rounded to thousandths), then the fewest
 * pods; remaining ties go round-robin, in name order, through `tieBreak` (the real scheduler picks
 * among equal scores at random). Undefined when none fit. `info` is podInfo(pod). Pure.
 */
export function pickNode(pod: Pod, feasible: NodeState[], tieBreak = 0, info: PodInfo = podInfo(pod)): NodeState | undefined {
  if (feasible.length === 0) return undefined
  if (feasible.length === 1) return feasible[0]
  const owner = info.owner
  const cpuReq = info.nzCpu
  const memoryReq = info.nzMemory
  let bestOwned = Infinity
  let bestScore = -Infinity
  let bestPods = Infinity
  for (let i = 0; i < feasible.length; i++) {
    const s = feasible[i]
    const owned = owner && s.ownerCounts.size ? (s.ownerCounts.get(owner) ?? 0) : 0
    if (owned > bestOwned) continue
    // resourceScore from the state's number copies of allocatable and nonZeroRequested.
    const score = Math.round(combine(fraction(s.allocCpu, s.nzCpu + cpuReq), fraction(s.allocMemory, s.nzMemory + memoryReq)) * 1000)
    if (owned < bestOwned || score > bestScore || (score === bestScore && s.podCount < bestPods)) {
      bestOwned = owned
      bestScore = score
      bestPods = s.podCount
      ties.length = 0
      ties.push(s)
    } else if (owned === bestOwned && score === bestScore && s.podCount === bestPods) ties.push(s)
  }
  const pick = ties.length === 1 ? ties[0] : nthTie(tieBreak % ties.length)
  ties.length = 0
  return pick
}
