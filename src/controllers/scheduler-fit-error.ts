/** @module scheduler-fit-error: the FailedScheduling text (pkg/scheduler/framework/types.go FitError.Error, preemption PostFilter). */
import type { FilterFailure } from './scheduler-filters.js'

/** ErrNoNodesAvailable: what the scheduler says when the cluster has no nodes at all. */
export const noNodesAvailable = 'no nodes available to schedule pods'

/** `<count> <reason>` entries sorted as strings, as sortReasonsHistogram does. */
export function histogram(items: string[]): string {
  const counts = new Map<string, number>()
  for (const r of items) counts.set(r, (counts.get(r) ?? 0) + 1)
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ')
}

/** FitError.Error() without a PostFilter message: `0/N nodes are available: <filter histogram>.` Pure. */
export function filterErrorMessage(numNodes: number, failures: FilterFailure[]): string {
  if (numNodes === 0) return noNodesAvailable
  const filter = histogram(failures.flatMap((f) => f.reasons))
  return filter ? `0/${numNodes} nodes are available: ${filter}.` : `0/${numNodes} nodes are available:`
}

/**
 * The message for a pod no node accepts: `0/N nodes are available: <filter histogram>.` followed by
 * the preemption PostFilter's ` preemption: 0/N nodes are available: <histogram>.` — nodes whose
 * failure preemption cannot fix count as "Preemption is not helpful for scheduling", the rest as
 * "No preemption victims found for incoming pod" (what preemption says when no node has a pod of
 * lower priority; scheduler-preemption.ts words the other outcomes). Pure.
 */
export function fitErrorMessage(numNodes: number, failures: FilterFailure[]): string {
  if (numNodes === 0) return noNodesAvailable
  let msg = filterErrorMessage(numNodes, failures)
  const pre = histogram(failures.map((f) => (f.resolvable ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling')))
  msg += ` preemption: 0/${numNodes} nodes are available: ${pre}.`
  return msg
}

/**
 * FitError.Error when a PreFilter plugin rejected the pod (VolumeBinding's `persistentvolumeclaim
 * "x" not found`): its message once instead of a per-node histogram, then preemption's verdict —
 * every node unresolvable. Pure.
 */
export function preFilterFitErrorMessage(numNodes: number, preFilterMsg: string): string {
  if (numNodes === 0) return noNodesAvailable
  return `0/${numNodes} nodes are available: ${preFilterMsg}. preemption: 0/${numNodes} nodes are available: ${numNodes} Preemption is not helpful for scheduling.`
}
