/**
 * @module taint-eviction: the taint eviction controller — deletes pods from nodes with NoExecute
 * taints they do not tolerate, at once or after their tolerationSeconds
 * (pkg/controller/tainteviction/taint_eviction.go).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { ControllerDeps } from './index.js'
import { objectKey, type Controller } from './runtime.js'
import { setPodCondition } from '../registry/core/pod-binding.js'
import type { Node, Pod } from './scheduler-filters.js'
import { toleratesTaint } from './tolerations.js'

/** The event source of this controller (its own component since 1.29). */
export const taintEvictionSource = { component: 'taint-eviction-controller' }

/**
 * getMatchingTolerations + getMinTolerationTime: for each NoExecute taint the first toleration
 * that tolerates it; `undefined` when some taint is not tolerated (evict now), `Infinity` when no
 * used toleration has tolerationSeconds (stay forever), else the smallest tolerationSeconds
 * (negative counts as 0). Pure.
 */
export function tolerationSeconds(taints: Taint[], tolerations: Toleration[] | undefined): number | undefined {
  let min = Infinity
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint))
    if (!t) return undefined
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds))
  }
  return min
}

/**
 * When the pod must go, in ms since the epoch: now when a taint is not tolerated, never
 * (Infinity) when tolerated forever, else the earliest taint's timeAdded plus the toleration
 * (the upstream queue counts from when it first saw the taint; timeAdded is that moment).
 * Undefined when the node has no NoExecute taints. Pure.
 */
export function evictionTime(node: Node | undefined, pod: Pod, nowMs: number): number | undefined {
  const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')
  if (taints.length === 0) return undefined
  const secs = tolerationSeconds(taints, pod.spec?.tolerations)
  if (secs === undefined) return nowMs
  if (secs === Infinity) return Infinity
  const added = taints.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : nowMs)).filter((t) => !Number.isNaN(t))
  return Math.min(nowMs, ...added) + secs * 1000
}

/**
 * Creates the controller. Keys are `pod:<ns>/<name>` and `node:<name>` (a node change re-checks
 * every pod on it). Evictions scheduled in memory only serve the "Cancelling deletion" event.
 */
export function createTaintEvictionController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const pods = registry.resource('', 'pods')
  const nodes = registry.resource('', 'nodes')
  const scheduled = new Set<string>()

  const cancel = (key: string, pod: Pod | undefined): undefined => {
    if (scheduled.delete(key) && pod) events.record(taintEvictionSource, pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`)
    return undefined
  }

  /** Handles one pod; returns ms until it is due, if it is waiting. */
  const processPod = (pod: Pod, now: number): number | undefined => {
    const key = objectKey(pod)
    const nodeName = pod.spec?.nodeName
    if (!nodeName || pod.metadata.deletionTimestamp) return cancel(key, pod)
    const due = evictionTime(nodes.getStored('', nodeName)?.obj as Node | undefined, pod, now)
    if (due === undefined || due === Infinity) return cancel(key, pod)
    if (due > now) {
      scheduled.add(key)
      return due - now
    }
    scheduled.delete(key)
    const [ns, name] = [pod.metadata.namespace ?? '', pod.metadata.name ?? '']
    events.record(taintEvictionSource, pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`)
    try {
      pods.guaranteedUpdate(
        ns,
        name,
        (p) => {
          setPodCondition(
            p as Pod,
            { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
            now,
          )
          return p
        },
        { subresource: 'status' },
      )
      pods.delete(ns, name, { preconditions: { uid: pod.metadata.uid } })
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
    }
    return undefined
  }

  return {
    name: 'taint-eviction',
    watches: [
      { group: '', plural: 'pods', keys: (p) => ((p as Pod).spec?.nodeName || scheduled.has(objectKey(p)) ? [`pod:${objectKey(p)}`] : []) },
      {
        group: '',
        plural: 'nodes',
        keys: (n) => ((n as Node).spec?.taints?.some((t) => t.effect === 'NoExecute') || scheduledOn(n.metadata.name ?? '') ? [`node:${n.metadata.name}`] : []),
      },
    ],
    reconcile(key) {
      const now = clock.now()
      if (key.startsWith('pod:')) {
        const id = key.slice(4)
        const i = id.indexOf('/')
        const pod = pods.getStored(id.slice(0, i), id.slice(i + 1))?.obj as Pod | undefined
        if (!pod) {
          scheduled.delete(id)
          return
        }
        const wait = processPod(pod, now)
        return wait === undefined ? undefined : { requeueAfterMs: wait }
      }
      const nodeName = key.slice(5)
      let soonest: number | undefined
      for (const s of pods.list(undefined, { fieldSelector: `spec.nodeName=${nodeName}` }).items) {
        const wait = processPod(s.obj as Pod, now)
        if (wait !== undefined) soonest = Math.min(soonest ?? Infinity, wait)
      }
      return soonest === undefined ? undefined : { requeueAfterMs: soonest }
    },
  }

  /** Whether any pod on the node has an eviction pending (a node losing its taint must cancel them). */
  function scheduledOn(nodeName: string): boolean {
    for (const key of scheduled) {
      const i = key.indexOf('/')
      const pod = pods.getStored(key.slice(0, i), key.slice(i + 1))?.obj as Pod | undefined
      if (pod?.spec?.nodeName === nodeName) return true
    }
    return false
  }
}
