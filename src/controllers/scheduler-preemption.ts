/**
 * @module scheduler-preemption: the DefaultPreemption PostFilter — when a pod fits nowhere, the
 * node where removing the fewest, least important lower-priority pods makes it fit
 * (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go and
 * pkg/scheduler/framework/preemption/preemption.go).
 */
import type { PodDisruptionBudget } from '../registry/policy/poddisruptionbudgets.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import { cloneNodeState } from './scheduler-cache.js'
import { histogram } from './scheduler-fit-error.js'
import { accountPod, filterNode, podInfo, type FilterFailure, type NodeState, type Pod } from './scheduler-filters.js'

/** corev1helpers.PodPriority: spec.priority, 0 when unset. */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0
}

/** A pod marked for deletion by an earlier preemption (podTerminatingByPreemption). */
export function terminatingByPreemption(pod: Pod): boolean {
  if (!pod.metadata.deletionTimestamp) return false
  return (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler')
}

/**
 * addGENominatedPods' selection: of the pods nominated to a node, those that `pod` must leave
 * room for — equal or higher priority, not `pod` itself.
 */
export function nominatedAhead(pod: Pod, nominated: Pod[]): Pod[] {
  if (nominated.length === 0) return nominated
  const priority = podPriority(pod)
  return nominated.filter((p) => podPriority(p) >= priority && p.metadata.uid !== pod.metadata.uid)
}

/** A copy of `state` with `pods` accounted on it (the nominated pods a filter must assume there). */
export function withPods(state: NodeState, pods: Pod[]): NodeState {
  const sim = cloneNodeState(state)
  for (const p of pods) accountPod(sim, podInfo(p), 1)
  return sim
}

/** What preemption reads besides the snapshot: each node's pods and the PodDisruptionBudgets. */
export interface PreemptionInput {
  /** The snapshot of every node. */
  nodes: NodeState[]
  /** The nodes the filters rejected, with why (every node, when none fits). */
  failed: { state: NodeState; failure: FilterFailure }[]
  /** The pods occupying a node (bound, not finished; terminating ones included). */
  podsOn(node: string): Pod[]
  pdbs: PodDisruptionBudget[]
  /** The pods nominated to a node (waiting for room there), if any are. */
  nominatedOn?(node: string): Pod[]
}

/** A node to preempt on and its victims, most important first. */
export interface Candidate {
  node: string
  victims: Pod[]
  pdbViolations: number
}

/** Preemption's outcome: a candidate, or the PostFilter message (`preemption: …`) when there is none. */
export type PreemptionResult = Candidate | { message: string }

const noVictims = 'No preemption victims found for incoming pod'
const notHelpful = 'Preemption is not helpful for scheduling'
/** DefaultPreemptionArgs defaults: MinCandidateNodesPercentage 10, MinCandidateNodesAbsolute 100. */
const minCandidateNodesPercentage = 10
const minCandidateNodesAbsolute = 100

function startTime(pod: Pod, now: number): number {
  const t = pod.status?.startTime
  return t ? Date.parse(t) : now
}

/** MoreImportantPod as a sort order: higher priority first, then the earlier start. */
function byImportance(now: number): (a: Pod, b: Pod) => number {
  return (a, b) => podPriority(b) - podPriority(a) || startTime(a, now) - startTime(b, now)
}

/** filterPodsWithPDBViolation: splits pods (most important first) by whether evicting them breaks a budget. */
function splitByPDB(pods: Pod[], pdbs: PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0)
  const violating: Pod[] = []
  const nonViolating: Pod[] = []
  for (const pod of pods) {
    let violated = false
    const labels = pod.metadata.labels
    if (labels && Object.keys(labels).length) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata.namespace !== pod.metadata.namespace) return
        const sel = pdb.spec?.selector
        if (labelSelectorIsEmpty(sel) || !labelSelectorMatches(sel, labels)) return
        if (pdb.status?.disruptedPods?.[pod.metadata.name ?? '']) return
        if (--allowed[i] < 0) violated = true
      })
    }
    ;(violated ? violating : nonViolating).push(pod)
  }
  return { violating, nonViolating }
}

/**
 * SelectVictimsOnNode: removes every lower-priority pod, checks the pod fits then, and adds back
 * (reprieves) as many as possible, budget-violating ones first, most important first. Returns the
 * victims or why the node cannot be made to fit (the filters' failure, or no victims at all).
 */
export function selectVictimsOnNode(
  pod: Pod,
  state: NodeState,
  podsOnNode: Pod[],
  pdbs: PodDisruptionBudget[],
  now: number,
  nominated: Pod[] = [],
): Candidate | FilterFailure {
  const priority = podPriority(pod)
  const potential = podsOnNode.filter((p) => podPriority(p) < priority)
  if (potential.length === 0) return { reasons: [noVictims], resolvable: false }
  // The filters run with the pods nominated there ahead of this one (RunFilterPluginsWithNominatedPods).
  const sim = withPods(state, nominatedAhead(pod, nominated))
  for (const p of potential) accountPod(sim, podInfo(p), -1)
  const info = podInfo(pod)
  const failure = filterNode(pod, sim, info)
  if (failure) return failure
  potential.sort(byImportance(now))
  const { violating, nonViolating } = splitByPDB(potential, pdbs)
  const victims: Pod[] = []
  let pdbViolations = 0
  const reprieve = (p: Pod, violates: boolean) => {
    accountPod(sim, podInfo(p), 1)
    if (!filterNode(pod, sim, info)) return
    accountPod(sim, podInfo(p), -1)
    victims.push(p)
    if (violates) pdbViolations++
  }
  for (const p of violating) reprieve(p, true)
  for (const p of nonViolating) reprieve(p, false)
  victims.sort(byImportance(now))
  return { node: state.name, victims, pdbViolations }
}

/** pickOneNodeForPreemption: fewest budget violations, lowest top victim, lowest priority sum, fewest victims, latest start. */
export function pickCandidate(candidates: Candidate[], now: number): Candidate {
  const offset = 2 ** 31
  const keys = (c: Candidate): number[] => {
    const top = podPriority(c.victims[0])
    const topStarts = c.victims.filter((v) => podPriority(v) === top).map((v) => startTime(v, now))
    return [
      c.pdbViolations,
      top,
      c.victims.reduce((sum, v) => sum + podPriority(v) + offset, 0),
      c.victims.length,
      // The node whose most important victims started latest (earliest start, negated, smallest).
      -Math.min(...topStarts),
    ]
  }
  let best = candidates[0]
  let bestKeys = keys(best)
  for (const c of candidates.slice(1)) {
    const k = keys(c)
    const i = k.findIndex((v, j) => v !== bestKeys[j])
    if (i >= 0 && k[i] < bestKeys[i]) {
      best = c
      bestKeys = k
    }
  }
  return best
}

/**
 * PodEligibleToPreemptOthers: undefined when the pod may preempt, else the reason. A pod whose
 * nominated node still has a lower-priority pod terminating by preemption waits for it.
 */
export function notEligibleToPreempt(pod: Pod, input: PreemptionInput): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.'
  const nominated = pod.status?.nominatedNodeName
  if (!nominated) return undefined
  const f = input.failed.find((x) => x.state.name === nominated)
  if (f && !f.failure.resolvable) return undefined
  const priority = podPriority(pod)
  if (input.podsOn(nominated).some((p) => podPriority(p) < priority && terminatingByPreemption(p))) {
    return 'not eligible due to a terminating pod on the nominated node.'
  }
  return undefined
}

/**
 * Evaluator.Preempt: the best candidate node and its victims, or the PostFilter message. Nodes
 * whose failure preemption cannot fix are not tried; of the others, at least 100 (or 10 %) are
 * tried before the best is picked. Pure.
 */
export function preempt(pod: Pod, input: PreemptionInput, now: number): PreemptionResult {
  const why = notEligibleToPreempt(pod, input)
  if (why) return { message: `preemption: ${why}` }
  const n = input.nodes.length
  const numCandidates = Math.min(n, Math.max(Math.trunc((n * minCandidateNodesPercentage) / 100), minCandidateNodesAbsolute))
  const candidates: Candidate[] = []
  const statuses: string[] = []
  for (const { state, failure } of input.failed) {
    if (candidates.length >= numCandidates) break
    if (!failure.resolvable) {
      statuses.push(notHelpful)
      continue
    }
    const r = selectVictimsOnNode(pod, state, input.podsOn(state.name), input.pdbs, now, input.nominatedOn?.(state.name))
    if ('node' in r) candidates.push(r)
    else statuses.push(...r.reasons)
  }
  if (candidates.length) return pickCandidate(candidates, now)
  // Nodes without a status (the PreFilter left them out) count as not helpful.
  for (let i = input.failed.length; i < n; i++) statuses.push(notHelpful)
  return { message: `preemption: 0/${n} nodes are available: ${histogram(statuses)}.` }
}
