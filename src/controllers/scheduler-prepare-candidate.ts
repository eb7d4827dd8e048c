/**
 * @module scheduler-prepare-candidate: what the scheduler does to the chosen preemption victims
 * (prepareCandidate in pkg/scheduler/framework/preemption/preemption.go): marks each one with the
 * DisruptionTarget condition, deletes it gracefully and records `Preempted` on it.
 */
import { StatusError } from '../errors.js'
import { setPodCondition } from '../registry/core/pod-binding.js'
import type { Registry } from '../registry/registry.js'
import type { EventRecorder } from './events.js'
import { podPriority, type Candidate } from './scheduler-preemption.js'
import type { Pod } from './scheduler-filters.js'

/** The victim's DisruptionTarget condition (PodReasonPreemptionByScheduler). */
export function preemptionCondition(schedulerName: string) {
  return {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${schedulerName}: preempting to accommodate a higher priority pod`,
  }
}

/**
 * Evicts the candidate's victims for `preemptor`: a victim already being deleted is left alone;
 * the others get the condition (a /status write), then a DELETE with their own grace period, and
 * a `Normal Preempted` Event `Preempted by pod <uid> on node <node>`. A victim gone meanwhile is
 * no error.
 */
export async function prepareCandidate(
  registry: Registry,
  events: EventRecorder,
  schedulerName: string,
  preemptor: Pod,
  c: Candidate,
  now: number,
): Promise<void> {
  const pods = registry.resource('', 'pods')
  for (const victim of c.victims) {
    const ns = victim.metadata.namespace ?? ''
    const name = victim.metadata.name ?? ''
    if (!victim.metadata.deletionTimestamp) {
      try {
        await pods.guaranteedUpdate(
          ns,
          name,
          (p) => {
            // Only the pod this decision was about (not a newer one of the same name).
            if (p.metadata.uid !== victim.metadata.uid) throw StatusError.notFound(pods.ref, name)
            setPodCondition(p as Pod, preemptionCondition(schedulerName), now)
            return p
          },
          { subresource: 'status' },
        )
        await pods.delete(ns, name, { preconditions: { uid: victim.metadata.uid } })
      } catch (err) {
        if (err instanceof StatusError && (err.code === 404 || err.code === 409)) continue
        throw err
      }
    }
    events.record({ component: schedulerName }, victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid ?? ''} on node ${c.node}`)
  }
}

/**
 * getLowerPriorityNominatedPods + ClearNominatedNodeName: of the pods nominated to the node a
 * preemption chose (`nominated`), those of lower priority than `preemptor` may no longer fit
 * there and lose the nomination (a /status write). Returns them, to be tried again.
 */
export async function clearLowerNominations(registry: Registry, preemptor: Pod, nominated: Pod[]): Promise<Pod[]> {
  const pods = registry.resource('', 'pods')
  const cleared: Pod[] = []
  for (const p of nominated) {
    if (podPriority(p) >= podPriority(preemptor)) continue
    try {
      await pods.guaranteedUpdate(
        p.metadata.namespace ?? '',
        p.metadata.name ?? '',
        (o) => {
          delete (o as Pod).status?.nominatedNodeName
          return o
        },
        { subresource: 'status' },
      )
      cleared.push(p)
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err
    }
  }
  return cleared
}
