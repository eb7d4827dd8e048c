/**
 * @module eviction-policy: what pods/eviction checks before it deletes — PodDisruptionBudgets,
 * the budget's decrement and the DisruptionTarget condition (pkg/registry/core/pod/storage/eviction.go, 1.32).
 */
import type { PodDisruptionBudget } from '../registry/policy/poddisruptionbudgets.js'
import type { Registry } from '../registry/registry.js'
import { labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import { StatusError } from '../errors.js'
import { rfc3339 } from '../util/time.js'
import { isPodReady, setCondition } from './disruption.js'
import { setPodCondition } from '../registry/core/pod-binding.js'
import type { Pod } from './scheduler-filters.js'

/** The eviction's deleteOptions, as far as the policy cares. */
export interface EvictionDeleteOptions {
  dryRun?: unknown
}

/** The 429 text kubectl drain prints while it retries. */
export const violatesBudget = "Cannot evict pod as it would violate the pod's disruption budget."

/** MaxDisruptedPodSize: a budget with more unconfirmed evictions refuses new ones. */
const maxDisruptedPods = 2000

/** canIgnorePDB: finished, pending or already terminating pods are deleted without asking budgets. */
export function canIgnoreBudgets(pod: Pod): boolean {
  const phase = pod.status?.phase
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp
}

/** getPodDisruptionBudgets: the budgets in the pod's namespace whose selector (nil = nothing) matches it. */
export function budgetsForPod(registry: Registry, pod: Pod): PodDisruptionBudget[] {
  return registry
    .resource('policy', 'poddisruptionbudgets')
    .list(pod.metadata.namespace)
    .items.map((s) => s.obj as PodDisruptionBudget)
    .filter((b) => b.spec?.selector && labelSelectorMatches(b.spec.selector, pod.metadata.labels))
}

/**
 * checkAndDecrement's refusals, in upstream order: a budget the controller has not seen yet
 * (429, retry in 10 s), a negative allowance (403), too many unconfirmed evictions (403), no
 * allowance (429 with the DisruptionBudget cause). Returns nothing when the eviction may proceed.
 */
export function budgetRefusal(pdb: PodDisruptionBudget): StatusError | undefined {
  const st = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }
  const name = pdb.metadata.name ?? ''
  const ref = { group: 'policy', resource: 'poddisruptionbudget' }
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    return StatusError.tooManyRequests(violatesBudget, 10, [
      { reason: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.` },
    ])
  }
  if (st.disruptionsAllowed < 0) return StatusError.forbidden(ref, name, 'pdb disruptions allowed is negative')
  if (Object.keys(st.disruptedPods ?? {}).length > maxDisruptedPods)
    return StatusError.forbidden(ref, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller')
  if (st.disruptionsAllowed === 0) {
    return StatusError.tooManyRequests(violatesBudget, undefined, [
      { reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently` },
    ])
  }
  return undefined
}

/**
 * The eviction policy, run before the pod is deleted: throws the refusal, or records the eviction
 * (budget decremented, pod listed in disruptedPods, DisruptionTarget on the pod) and returns so the
 * caller deletes. Nothing is written on a dry run. Budgets are re-read inside the write, so
 * concurrent evictions cannot both spend the last disruption.
 */
export async function checkEviction(registry: Registry, pod: Pod, opts: EvictionDeleteOptions, nowMs: number): Promise<void> {
  const dryRun = Array.isArray(opts.dryRun) ? opts.dryRun.includes('All') : opts.dryRun === 'All'
  if (!canIgnoreBudgets(pod)) {
    const budgets = budgetsForPod(registry, pod)
    if (budgets.length > 1) throw StatusError.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.')
    const pdb = budgets[0]
    if (pdb && !unhealthyMayGo(pdb, pod)) await decrement(registry, pdb, pod, dryRun, nowMs)
  }
  if (dryRun) return
  try {
    await registry.resource('', 'pods').guaranteedUpdate(
      pod.metadata.namespace ?? '',
      pod.metadata.name ?? '',
      (p) => {
        setPodCondition(p as Pod, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }, nowMs)
        return p
      },
      { subresource: 'status' },
    )
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err
  }
}

/** A not-ready pod leaves without spending the budget: always with AlwaysAllow, else while the budget is met. */
function unhealthyMayGo(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (isPodReady(pod)) return false
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true
  const st = pdb.status
  return !!st && st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0
}

async function decrement(registry: Registry, pdb: PodDisruptionBudget, pod: Pod, dryRun: boolean, nowMs: number): Promise<void> {
  const pdbs = registry.resource('policy', 'poddisruptionbudgets')
  const apply = (cur: PodDisruptionBudget) => {
    const refusal = budgetRefusal(cur)
    if (refusal) throw refusal
    const st = cur.status!
    st.disruptionsAllowed--
    if (st.disruptionsAllowed === 0) {
      st.conditions = setCondition(
        st.conditions,
        { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: st.observedGeneration ?? 0 },
        nowMs,
      )
    }
    st.disruptedPods = { ...(st.disruptedPods ?? {}), [pod.metadata.name ?? '']: rfc3339(nowMs) }
    return cur
  }
  if (dryRun) {
    apply(structuredClone(pdb))
    return
  }
  await pdbs.guaranteedUpdate(pdb.metadata.namespace ?? '', pdb.metadata.name ?? '', (cur) => apply(cur as PodDisruptionBudget), { subresource: 'status' })
}
