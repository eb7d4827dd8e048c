/**
 * @module scheduler-score: picks one feasible node. Approximates the default Score plugins
 * (PodTopologySpread's hostname spreading, NodeResourcesFit LeastAllocated, BalancedAllocation).
 */
import type { NodeState, Pod } from './scheduler-filters.js'
import { controllerUID } from './scheduler-filters.js'
import { podRequests } from './scheduler-resources.js'

/** LeastAllocated + BalancedAllocation on cpu and memory with the non-zero defaults, 0–200. */
export function resourceScore(pod: Pod, state: NodeState): number {
  const req = podRequests(pod.spec, true)
  const fractions: number[] = []
  let least = 0
  for (const r of ['cpu', 'memory']) {
    const alloc = state.allocatable[r] ?? 0
    const used = (state.nonZeroRequested[r] ?? 0) + (req[r] ?? 0)
    const frac = alloc > 0 ? Math.min(1, used / alloc) : 1
    fractions.push(frac)
    least += (1 - frac) * 100
  }
  const balanced = (1 - Math.abs(fractions[0] - fractions[1]) / 2) * 100
  return least / 2 + balanced
}

/**
 * The node to bind to: fewest pods of the same controller first (spreading replicas across hosts),
 * then the highest resource score, then the fewest pods; remaining ties go round-robin through
 * `tieBreak` (the real scheduler picks among equal scores at random). Undefined when none fit. Pure.
 */
export function pickNode(pod: Pod, feasible: NodeState[], tieBreak = 0): NodeState | undefined {
  if (feasible.length === 0) return undefined
  const owner = controllerUID(pod)
  const ranked = feasible.map((s) => ({
    s,
    owned: owner ? (s.ownerCounts.get(owner) ?? 0) : 0,
    score: Math.round(resourceScore(pod, s) * 1000),
    pods: s.podCount,
  }))
  // Node names are DNS subdomains ([a-z0-9.-]), which code-unit order sorts as localeCompare
  // does; localeCompare's first call builds an ICU collator, tens of milliseconds of the first
  // scheduling right after start-up.
  ranked.sort((a, b) => a.owned - b.owned || b.score - a.score || a.pods - b.pods || (a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : 0))
  const best = ranked[0]
  const ties = ranked.filter((r) => r.owned === best.owned && r.score === best.score && r.pods === best.pods)
  return ties[tieBreak % ties.length].s
}
