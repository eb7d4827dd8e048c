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

/**
 * Name ranks, so ties compare integers instead of strings: {@link NodeState.nameRank} is the
 * node's position in name order among the nodes ranked with it, valid while its
 * {@link NodeState.rankEpoch} is the current `rankEpoch` (states start at 0, never current).
 */
let rankEpoch = 1
let rankedList: NodeState[] | undefined
let rankedLength = 0
let listUses = 0
/** A node list is ranked once it has served this many scheduling cycles (a sort of its names, amortised). */
const rankAfterUses = 16

function byName(a: NodeState, b: NodeState): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/**
 * Tells the pickers which node list the coming picks draw their nodes from (the scheduler's
 * snapshot). A list that stays the same array of the same length for {@link rankAfterUses} calls
 * gets its names ranked (not when a name repeats); a different list makes every rank stale.
 * Ranks only speed up the choice among ties, never change it. A ranked state's name must not change.
 */
export function useNodeList(nodes: NodeState[]): void {
  if (nodes !== rankedList || nodes.length !== rankedLength) {
    rankedList = nodes
    rankedLength = nodes.length
    listUses = 0
    rankEpoch++
    return
  }
  if (++listUses !== rankAfterUses) return
  const sorted = [...nodes].sort(byName)
  for (let i = 1; i < sorted.length; i++) if (sorted[i - 1].name === sorted[i].name) return
  for (let i = 0; i < sorted.length; i++) {
    sorted[i].nameRank = i
    sorted[i].rankEpoch = rankEpoch
  }
}

/** {@link nthTie}'s positions into the ties and the ties' ranks, reused from call to call. */
let order = new Int32Array(64)
let ranks = new Int32Array(64)

/**
 * The node at position `t` of `ties[0..k)` sorted by name, equal names in the order they tied (a
 * stable sort's order), by quickselect: O(k) on average rather than a sort's O(k log k). Compares
 * name ranks when every tie has a current one, else the names: DNS subdomains, which code-unit
 * order sorts as localeCompare does (whose first call would build an ICU collator).
 */
function nthTie(ties: NodeState[], k: number, t: number): NodeState {
  if (order.length < k) {
    order = new Int32Array(2 * k)
    ranks = new Int32Array(2 * k)
  }
  let ranked = true
  for (let i = 0; i < k; i++) {
    const s = ties[i]
    order[i] = i
    ranks[i] = s.nameRank
    if (s.rankEpoch !== rankEpoch) ranked = false
  }
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
      let less: boolean
      if (ranked) less = ranks[v] < ranks[pivot]
      else {
        const x = ties[v].name
        const y = ties[pivot].name
        less = x < y || (x === y && v < pivot)
      }
      if (less) {
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
  return ties[order[t]]
}

/**
 * {@link pickNode} one node at a time, so a caller can score nodes as it finds them: {@link reset}
 * for a pod, {@link offer} every feasible node in order, then {@link pick}. One instance serves
 * one pick at a time.
 */
export class NodePicker {
  private owner = ''
  private cpuReq = 0
  private memoryReq = 0
  private bestOwned = Infinity
  private bestScore = -Infinity
  private bestPods = Infinity
  /** The first `tieCount` entries are the nodes tied for best (reused, so later entries are stale). */
  private readonly ties: NodeState[] = []
  private tieCount = 0

  /** Starts a pick for the pod of `info` (podInfo(pod)). */
  reset(info: PodInfo): void {
    this.owner = info.owner
    this.cpuReq = info.nzCpu
    this.memoryReq = info.nzMemory
    this.bestOwned = Infinity
    this.bestScore = -Infinity
    this.bestPods = Infinity
    this.tieCount = 0
  }

  private addTie(s: NodeState): void {
    if (this.tieCount < this.ties.length) this.ties[this.tieCount] = s
    else this.ties.push(s)
    this.tieCount++
  }

  /** Considers one more feasible node. */
  offer(s: NodeState): void {
    const owner = this.owner
    const owned = owner && s.ownerCounts.size ? (s.ownerCounts.get(owner) ?? 0) : 0
    if (owned > this.bestOwned) return
    // resourceScore from the state's number copies of allocatable and nonZeroRequested.
    const score = Math.round(combine(fraction(s.allocCpu, s.nzCpu + this.cpuReq), fraction(s.allocMemory, s.nzMemory + this.memoryReq)) * 1000)
    if (owned < this.bestOwned || score > this.bestScore || (score === this.bestScore && s.podCount < this.bestPods)) {
      this.bestOwned = owned
      this.bestScore = score
      this.bestPods = s.podCount
      this.tieCount = 0
      this.addTie(s)
    } else if (owned === this.bestOwned && score === this.bestScore && s.podCount === this.bestPods) this.addTie(s)
  }

  /** The chosen node (undefined when nothing was offered); ends the pick. */
  pick(tieBreak: number): NodeState | undefined {
    const k = this.tieCount
    this.tieCount = 0
    if (k === 0) return undefined
    return k === 1 ? this.ties[0] : nthTie(this.ties, k, tieBreak % k)
  }
}

const picker = new NodePicker()

/**
 * The node to bind to: fewest pods of the same controller first (spreading replicas across hosts),
 * then the highest resource score ({@link resourceScore}, rounded to thousandths), then the fewest
 * pods; remaining ties go round-robin, in name order, through `tieBreak` (the real scheduler picks
 * among equal scores at random). Undefined when none fit. `info` is podInfo(pod). Pure.
 */
export function pickNode(pod: Pod, feasible: NodeState[], tieBreak = 0, info: PodInfo = podInfo(pod)): NodeState | undefined {
  if (feasible.length <= 1) return feasible[0]
  picker.reset(info)
  for (let i = 0; i < feasible.length; i++) picker.offer(feasible[i])
  return picker.pick(tieBreak)
}
