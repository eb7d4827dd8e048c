/**
 * @module taint-eviction: the taint eviction controller — deletes pods from nodes with NoExecute
 * taints they do not tolerate, at once or after their tolerationSeconds
 * (pkg/controller/tainteviction/taint_eviction.go).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { ControllerDeps } from './index.js'
import { nodeNameIndex, podInformer } from './informers.js'
import { objectKey, type Controller } from './runtime.js'
import { deepEqual } from '../util/deep-equal.js'
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
  const podCache = podInformer(deps.manager.informers)
  const nodeCache = deps.manager.informers.for('', 'nodes')
  /** Pods with a pending eviction: key → node. */
  const scheduled = new Map<string, string>()
  /** The same by node (so a node change finds them without a scan). */
  const scheduledByNode = new Map<string, Set<string>>()
  const schedule = (key: string, node: string) => {
    if (scheduled.get(key) === node) return
    unschedule(key)
    scheduled.set(key, node)
    let set = scheduledByNode.get(node)
    if (!set) scheduledByNode.set(node, (set = new Set()))
    set.add(key)
  }
  const unschedule = (key: string): boolean => {
    const node = scheduled.get(key)
    if (node === undefined) return false
    scheduled.delete(key)
    const set = scheduledByNode.get(node)
    set?.delete(key)
    if (set?.size === 0) scheduledByNode.delete(node)
    return true
  }

  const cancel = (key: string, pod: Pod | undefined): undefined => {
    if (unschedule(key) && pod) events.record(taintEvictionSource, pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`)
    return undefined
  }

  /** Handles one pod; returns ms until it is due, if it is waiting. */
  const processPod = async (pod: Pod, now: number): Promise<number | undefined> => {
    const key = objectKey(pod)
    const nodeName = pod.spec?.nodeName
    if (!nodeName || pod.metadata.deletionTimestamp) return cancel(key, pod)
    const due = evictionTime(nodeCache.get('', nodeName)?.obj as Node | undefined, pod, now)
    if (due === undefined || due === Infinity) return cancel(key, pod)
    if (due > now) {
      schedule(key, nodeName)
      return due - now
    }
    unschedule(key)
    const [ns, name] = [pod.metadata.namespace ?? '', pod.metadata.name ?? '']
    events.record(taintEvictionSource, pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`)
    try {
      await pods.guaranteedUpdate(
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
      await pods.delete(ns, name, { preconditions: { uid: pod.metadata.uid } })
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
    }
    return undefined
  }

  return {
    name: 'taint-eviction',
    // Upstream's PodUpdated and NodeUpdated ignore updates that keep the node name and
    // tolerations (pods) or the NoExecute taints (nodes): status writes and heartbeats change neither.
    watches: [
      {
        group: '',
        plural: 'pods',
        keys: (p, prev) => {
          const key = objectKey(p)
          if (scheduled.has(key)) return [`pod:${key}`]
          const [a, b] = [prev as Pod | undefined, p as Pod]
          if (!b.spec?.nodeName) return []
          if (!a || podCache.get(p.metadata.namespace ?? '', p.metadata.name ?? '')?.obj !== p) return [`pod:${key}`]
          const same =
            a.spec?.nodeName === b.spec?.nodeName &&
            a.metadata.deletionTimestamp === b.metadata.deletionTimestamp &&
            deepEqual(a.spec?.tolerations, b.spec?.tolerations)
          return same ? [] : [`pod:${key}`]
        },
      },
      {
        group: '',
        plural: 'nodes',
        keys: (n, prev) => {
          const name = n.metadata.name ?? ''
          const gone = nodeCache.get('', name)?.obj !== n
          if (!gone && prev && deepEqual(noExecute(prev as Node), noExecute(n as Node))) return []
          return noExecute(n as Node).length || scheduledByNode.has(name) ? [`node:${name}`] : []
        },
      },
    ],
    async reconcile(key) {
      const now = clock.now()
      if (key.startsWith('pod:')) {
        const id = key.slice(4)
        const i = id.indexOf('/')
        const pod = pods.getStored(id.slice(0, i), id.slice(i + 1))?.obj as Pod | undefined
        if (!pod) {
          unschedule(id)
          return
        }
        const wait = await processPod(pod, now)
        return wait === undefined ? undefined : { requeueAfterMs: wait }
      }
      const nodeName = key.slice(5)
      let soonest: number | undefined
      for (const s of podCache.byIndex(nodeNameIndex, nodeName)) {
        const wait = await processPod(s.obj as Pod, now)
        if (wait !== undefined) soonest = Math.min(soonest ?? Infinity, wait)
      }
      return soonest === undefined ? undefined : { requeueAfterMs: soonest }
    },
  }
}

/** The node's NoExecute taints (what eviction decisions read). */
function noExecute(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')
}
