/**
 * @module scheduler-score: picks one feasible node. Approximates the default Score plugins
 * (PodTopologySpread's hostname spreading, NodeResourcesFit LeastAllocated, BalancedAllocation).
 */
import type { NodeState, Pod } from './scheduler-filters.js'
import { podInfo } from './scheduler-filters.js'
import type { ResourceList } from './scheduler-resources.js'

function fraction(state: NodeState, req: ResourceList, r: string): number {
  const alloc = state.allocatable[r] ?? 0
  const used = (state.nonZeroRequested[r] ?? 0) + (req[r] ?? 0)
  return alloc > 0 ? Math.min(1, used / alloc) : 1
}

/**
 * LeastAllocated + BalancedAllocation on cpu and memory with the non-zero defaults, 0–200.
 * `req` is the pod's non-zero requests (podInfo(pod).nonZeroRequests).
 */
export function resourceScore(pod: Pod, state: NodeState, req: ResourceList = podInfo(pod).nonZeroRequests): number {
  const cpu = fraction(state, req, 'cpu')
  const memory = fraction(state, req, 'memory')
  const least = (1 - cpu) * 100 + (1 - memory) * 100
  const balanced = (1 - Math.abs(cpu - memory) / 2) * 100
  return least / 2 + balanced
}

/**
 * The node to bind to: fewest pods of the same controller first (spreading replicas across hosts),
 * then the highest resource score, then the fewest pods; remaining ties go round-robin through
 * `tieBreak` (the real scheduler picks among equal scores at random). Undefined when none fit. Pure.
 */
export function pickNode(pod: Pod, feasible: NodeState[], tieBreak = 0): NodeState | undefined {
  if (feasible.length === 0) return undefined
  if (feasible.length === 1) return feasible[0]
  const info = podInfo(pod)
  const owner = info.owner
  let ties: NodeState[] = []
  let bestOwned = Infinity
  let bestScore = -Infinity
  let bestPods = Infinity
  for (const s of feasible) {
    const owned = owner ? (s.ownerCounts.get(owner) ?? 0) : 0
    if (owned > bestOwned) continue
    const score = Math.round(resourceScore(pod, s, info.nonZeroRequests) * 1000)
    const better = owned < bestOwned || score > bestScore || (score === bestScore && s.podCount < bestPods)
    if (better) {
      bestOwned = owned
      bestScore = score
      bestPods = s.podCount
      ties = [s]
    } else if (owned === bestOwned && score === bestScore && s.podCount === bestPods) ties.push(s)
  }
  // Node names are DNS subdomains, which code-unit order sorts as localeCompare does; localeCompare's
  // first call builds an ICU collator, tens of milliseconds of the first scheduling after start-up.
  if (ties.length > 1) ties.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return ties[tieBreak % ties.length]
}
