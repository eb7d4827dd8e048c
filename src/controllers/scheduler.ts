/** @module scheduler: the default-scheduler — binds pending pods to nodes, or says why it cannot (pkg/scheduler/schedule_one.go). */
import { StatusError } from '../errors.js'
import type { KubeObject } from '../types.js'
import type { ControllerDeps } from './index.js'
import { objectKey, splitKey, type Controller } from './runtime.js'
import { bindPod, setPodCondition } from '../registry/core/pod-binding.js'
import { fitErrorMessage } from './scheduler-fit-error.js'
import { addPod, buildNodeStates, filterNode, type FilterFailure, type Node, type NodeState, type Pod } from './scheduler-filters.js'
import { podRequests } from './scheduler-resources.js'
import { pickNode } from './scheduler-score.js'

/** Timing names (simulated ms) this module reads from `deps.timings`. */
export const schedulerTimings = {
  /** podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
  unschedulableFlush: 'scheduler-unschedulable-flush',
}
const defaults = { [schedulerTimings.unschedulableFlush]: 5 * 60_000 }

/** The scheduler's name, event source and reportingController. */
export const schedulerName = 'default-scheduler'

/** A pod this scheduler should place: ours, unbound, not being deleted, not finished, not gated. */
export function needsScheduling(pod: Pod): boolean {
  const spec = pod.spec
  if (!spec || spec.nodeName || pod.metadata.deletionTimestamp) return false
  if ((spec.schedulerName ?? schedulerName) !== schedulerName) return false
  if ((spec.schedulingGates ?? []).length > 0) return false
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed'
}

/** The outcome of one scheduling attempt: a node, or the FitError message. Pure. */
export function schedulePod(pod: Pod, states: Map<string, NodeState>, tieBreak = 0): { node: NodeState } | { message: string } {
  const req = podRequests(pod.spec)
  const feasible: NodeState[] = []
  const failures: FilterFailure[] = []
  for (const s of states.values()) {
    const f = filterNode(pod, s, req)
    if (f) failures.push(f)
    else feasible.push(s)
  }
  const node = pickNode(pod, feasible, tieBreak)
  return node ? { node } : { message: fitErrorMessage(states.size, failures) }
}

/**
 * Creates the scheduler. Each pending pod is a key; an unschedulable pod waits for a change that
 * may help (a node changing, a bound pod going away) and is flushed periodically regardless. A
 * repeat failure with the same message writes nothing new, as the real queueing hints would not
 * even retry it; the periodic flush records the event again (count + 1).
 */
export function createScheduler(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const pods = registry.resource('', 'pods')
  const nodes = registry.resource('', 'nodes')
  const flushMs = deps.timings[schedulerTimings.unschedulableFlush] ?? defaults[schedulerTimings.unschedulableFlush]
  /** Unschedulable pods: the last message and when it was last reported. */
  const unschedulable = new Map<string, { message: string; reportedAt: number }>()
  let tieBreak = 0

  const retryAll = (): string[] => [...unschedulable.keys()]
  const podKeys = (obj: KubeObject): string[] => {
    const pod = obj as Pod
    if (needsScheduling(pod)) return [objectKey(pod)]
    // A bound pod that finishes or is deleted frees room on its node.
    const phase = pod.status?.phase
    if (pod.spec?.nodeName && (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed')) return retryAll()
    return []
  }

  return {
    name: 'scheduler',
    watches: [
      { group: '', plural: 'pods', keys: podKeys },
      { group: '', plural: 'nodes', keys: retryAll },
    ],
    reconcile(key) {
      const [ns, name] = splitKey(key)
      const pod = pods.getStored(ns, name)?.obj as Pod | undefined
      if (!pod || !needsScheduling(pod)) {
        unschedulable.delete(key)
        return
      }
      const states = buildNodeStates(
        nodes.list(undefined).items.map((s) => s.obj as Node),
        pods.list(undefined).items.map((s) => s.obj as Pod),
      )
      const result = schedulePod(pod, states, tieBreak++)
      const now = clock.now()
      if ('node' in result) {
        try {
          const bound = bindPod(pods, ns, name, result.node.name, now)
          addPod(result.node, bound.obj as Pod)
        } catch (err) {
          // Bound or deleted meanwhile: nothing left to do for this pod.
          if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return
          throw err
        }
        unschedulable.delete(key)
        events.record({ component: schedulerName }, pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${result.node.name}`)
        return
      }
      const prev = unschedulable.get(key)
      const due = !prev || prev.message !== result.message || now - prev.reportedAt >= flushMs
      if (due) {
        unschedulable.set(key, { message: result.message, reportedAt: now })
        events.record({ component: schedulerName }, pod, 'Warning', 'FailedScheduling', result.message)
        try {
          pods.guaranteedUpdate(
            ns,
            name,
            (p) => {
              setPodCondition(p as Pod, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.message }, now)
              return p
            },
            { subresource: 'status' },
          )
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err
        }
      }
      return { requeueAfterMs: flushMs - (now - unschedulable.get(key)!.reportedAt) }
    },
  }
}
