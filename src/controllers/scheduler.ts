/** @module scheduler: the default-scheduler — binds pending pods to nodes, or says why it cannot (pkg/scheduler/schedule_one.go). */
import { StatusError } from '../errors.js'
import type { KubeObject } from '../types.js'
import type { ControllerDeps } from './index.js'
import { nodeNameIndex, podInformer } from './informers.js'
import { objectKey, splitKey, type Controller } from './runtime.js'
import { bindPod, setPodCondition } from '../registry/core/pod-binding.js'
import { SchedulerCache } from './scheduler-cache.js'
import { filterErrorMessage, fitErrorMessage, preFilterFitErrorMessage } from './scheduler-fit-error.js'
import { filterNode, filterNodeFast, occupiesNode, podInfo, type FilterFailure, type Node, type NodeState, type Pod } from './scheduler-filters.js'
import { nominatedAhead, podPriority, preempt, withPods } from './scheduler-preemption.js'
import { clearLowerNominations, prepareCandidate } from './scheduler-prepare-candidate.js'
import type { PodDisruptionBudget } from '../registry/policy/poddisruptionbudgets.js'
import { checkPodVolumes, type VolumeCaches } from './scheduler-volumes.js'
import { preBindVolumes } from './scheduler-prebind.js'
import { podClaimIndex, podClaimKeys } from './volume-binding.js'
import { NodePicker, useNodeList } from './scheduler-score.js'

/** Timing names (simulated ms) this module reads from `deps.timings`. */
export const schedulerTimings = {
  /** podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
  unschedulableFlush: 'scheduler-unschedulable-flush',
}
const defaults = { [schedulerTimings.unschedulableFlush]: 5 * 60_000 }

/** Whether two versions differ only in status, resourceVersion and managedFields. */
function sameIgnoringStatus(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) =>
    JSON.stringify({ ...o, status: undefined, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } })
  return strip(a) === strip(b)
}

/** The pod informer index of waiting pods by status.nominatedNodeName. */
const nominatedIndex = 'status.nominatedNodeName'

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

/** minFeasibleNodesToFind: below this many nodes every node is evaluated, and never fewer are looked for. */
export const minFeasibleNodesToFind = 100
/** minFeasibleNodesPercentageToFind: the adaptive percentage's floor. */
export const minFeasibleNodesPercentageToFind = 5

/**
 * numFeasibleNodesToFind (schedule_one.go): how many feasible nodes to find before scoring. With
 * `percentageOfNodesToScore` 0 (the default) the percentage adapts, 50 − nodes/125 but at least
 * 5; the result is never below 100 nodes (or all nodes in a smaller cluster). Integer arithmetic,
 * as upstream's int32. Pure.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes
  let percentage = percentageOfNodesToScore
  if (percentage <= 0) percentage = Math.max(50 - Math.trunc(numAllNodes / 125), minFeasibleNodesPercentageToFind)
  const n = Math.trunc((numAllNodes * percentage) / 100)
  return Math.max(n, minFeasibleNodesToFind)
}

/**
 * The outcome of one scheduling attempt, and where the next attempt starts filtering. A failure
 * carries the FitError message (with the PostFilter's text for a cluster where preemption finds
 * no victims), the filter part alone, and the nodes the filters rejected (for preemption).
 */
export type ScheduleResult = ({ node: NodeState } | { message: string; filterMessage: string; failed: { state: NodeState; failure: FilterFailure }[] }) & {
  nextStartNodeIndex: number
}

/** The reason FitError gives nodes a PreFilter result left out (the plugin list as Go prints a []string). */
export const notInPreFilterResult = "node(s) didn't satisfy plugin(s) [NodeAffinity]"

/**
 * NodeAffinity's PreFilter result: when every required node selector term pins `metadata.name In
 * [...]` (a DaemonSet pod's affinity), only the union of those names can fit; undefined when any
 * term leaves every node possible. Names within one term intersect. (An empty result — terms that
 * contradict themselves — is left to the filters.) Pure.
 */
export function preFilterNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  if (!terms?.length) return undefined
  const names = new Set<string>()
  for (const t of terms) {
    let termNames: Set<string> | undefined
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue
      const values = new Set(r.values ?? [])
      termNames = termNames ? new Set([...termNames].filter((v) => values.has(v))) : values
    }
    if (!termNames) return undefined
    for (const v of termNames) names.add(v)
  }
  return names.size ? names : undefined
}

/** schedulePod's picker, reused from call to call. */
const picker = new NodePicker()

/**
 * One scheduling cycle over a snapshot (findNodesThatFitPod + prioritizeNodes + selectHost):
 * narrows the nodes to the NodeAffinity PreFilter result if there is one, filters them from
 * `startIndex` round-robin until {@link numFeasibleNodesToFind} fit, scores only those, and
 * advances the start past every node it evaluated. When none fits every candidate was evaluated
 * and the message is the FitError over all nodes (those left out by the PreFilter counted as
 * {@link notInPreFilterResult}). `byName` finds a snapshot node by name. Pure.
 */
export function schedulePod(
  pod: Pod,
  nodes: NodeState[],
  startIndex = 0,
  tieBreak = 0,
  percentageOfNodesToScore = 0,
  byName?: (name: string) => NodeState | undefined,
  nominatedOn?: (node: string) => Pod[],
  volumeFilter?: (node: Node) => FilterFailure | undefined,
): ScheduleResult {
  const n = nodes.length
  if (n === 0) return { message: fitErrorMessage(0, []), filterMessage: fitErrorMessage(0, []), failed: [], nextStartNodeIndex: 0 }
  useNodeList(nodes)
  let candidates = nodes
  const named = preFilterNodeNames(pod)
  if (named) {
    const lookup = byName ?? ((name: string) => nodes.find((s) => s.name === name))
    candidates = []
    for (const name of named) {
      const s = lookup(name)
      if (s) candidates.push(s)
    }
  }
  const m = candidates.length
  const toFind = numFeasibleNodesToFind(m, percentageOfNodesToScore)
  const info = podInfo(pod)
  const failures: FilterFailure[] = []
  const failedStates: NodeState[] = []
  // Feasible nodes are scored as they are found (pickNode's order, the order they are filtered).
  picker.reset(info)
  let feasible = 0
  // candidates[(startIndex + i) % m] for i = 0, 1, …, without a division per node.
  let j = m ? startIndex % m : 0
  for (let i = 0; i < m && feasible < toFind; i++) {
    const s = candidates[j]
    if (++j === m) j = 0
    let f = filterNodeFast(pod, s, info) ?? volumeFilter?.(s.node)
    if (!f && nominatedOn) {
      // Room a pod of equal or higher priority was nominated for is not free (RunFilterPluginsWithNominatedPods).
      const ahead = nominatedAhead(pod, nominatedOn(s.name))
      if (ahead.length) f = filterNode(pod, withPods(s, ahead), info)
    }
    if (f) {
      failures.push(f)
      failedStates.push(s)
    } else {
      picker.offer(s)
      feasible++
    }
  }
  const nextStartNodeIndex = (startIndex + feasible + failures.length) % n
  const node = picker.pick(tieBreak)
  if (node) return { node, nextStartNodeIndex }
  const failed = failedStates.map((state, i) => ({ state, failure: failures[i] }))
  const absent = n - failures.length
  if (absent > 0) failures.push(...Array.from({ length: absent }, () => ({ reasons: [notInPreFilterResult], resolvable: false })))
  return { message: fitErrorMessage(n, failures), filterMessage: filterErrorMessage(n, failures), failed, nextStartNodeIndex }
}

/**
 * Creates the scheduler. Each pending pod is a key; an unschedulable pod waits for a change that
 * may help (a node appearing or changing in a way that may admit it, a bound pod going away:
 * the queueing hints) and is flushed periodically regardless. A repeat failure with the same
 * message writes nothing new; the periodic flush records the event again (count + 1). Node and pod
 * aggregates come from the incremental {@link SchedulerCache}, never from listing.
 */
export function createScheduler(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const pods = registry.resource('', 'pods')
  const podInf = podInformer(deps.manager.informers)
  const flushMs = deps.timings[schedulerTimings.unschedulableFlush] ?? defaults[schedulerTimings.unschedulableFlush]
  /** Unschedulable pods: which pod (uid), the last message and when it was last reported. */
  const unschedulable = new Map<string, { uid: string; message: string; reportedAt: number }>()
  let tieBreak = 0
  let nextStartNodeIndex = 0

  const name = 'scheduler'
  const retryAll = (): void => {
    for (const k of unschedulable.keys()) deps.manager.enqueueTo(name, k)
  }
  /**
   * A pending pod's own changes queue it, except, while it is unschedulable, writes that change
   * neither spec nor metadata (its PodScheduled condition: the scheduler's own write), as
   * upstream's isPodUpdated ignores status.
   */
  const podKeys = (obj: KubeObject, prev?: KubeObject): string[] => {
    if (!needsScheduling(obj as Pod)) return []
    const key = objectKey(obj)
    if (prev && unschedulable.has(key) && sameIgnoringStatus(obj, prev)) return []
    return [key]
  }
  podInf.addIndex(podClaimIndex, podClaimKeys)
  const volumeCaches: VolumeCaches = {
    claims: deps.manager.informers.for('', 'persistentvolumeclaims'),
    volumes: deps.manager.informers.for('', 'persistentvolumes'),
    classes: deps.manager.informers.for('storage.k8s.io', 'storageclasses'),
  }
  const cache = new SchedulerCache(podInf, deps.manager.informers.for('', 'nodes'), { podFreed: retryAll, nodeMayHelp: retryAll })
  const pdbInf = deps.manager.informers.for('policy', 'poddisruptionbudgets')
  // Waiting pods by the node they were nominated to, and all of them under '*'.
  podInf.addIndex(nominatedIndex, (o) => {
    const p = o as Pod
    const n = p.status?.nominatedNodeName
    return n && !p.spec?.nodeName && !p.metadata.deletionTimestamp ? [n, '*'] : []
  })
  const nominatedOn = (node: string): Pod[] => podInf.byIndex(nominatedIndex, node).map((s) => s.obj as Pod)
  const podsOn = (node: string): Pod[] => podInf.byIndex(nodeNameIndex, node).flatMap((s) => (occupiesNode(s.obj as Pod) ? [s.obj as Pod] : []))

  return {
    name,
    watches: [
      { group: '', plural: 'pods', keys: podKeys },
      // Node changes reach the pods through the cache's hints.
      { group: '', plural: 'nodes', keys: () => [] },
      // Read by preemption only.
      { group: 'policy', plural: 'poddisruptionbudgets', keys: () => [] },
      // VolumeBinding's queueing hints: a claim wakes the pods that use it; volumes and classes every unschedulable pod.
      {
        group: '',
        plural: 'persistentvolumeclaims',
        keys: (o) => podInf.byIndex(podClaimIndex, `${o.metadata.namespace}/${o.metadata.name}`).map((s) => objectKey(s.obj)),
      },
      { group: '', plural: 'persistentvolumes', keys: () => [...unschedulable.keys()] },
      { group: 'storage.k8s.io', plural: 'storageclasses', keys: () => [...unschedulable.keys()] },
    ],
    // PrioritySort: higher-priority pods are scheduled first.
    queuePriority(key) {
      const [ns, podName] = splitKey(key)
      return (podInf.getObject(ns, podName) as Pod | undefined)?.spec?.priority ?? 0
    },
    start() {
      cache.start()
      nextStartNodeIndex = 0
      unschedulable.clear()
    },
    async reconcile(key) {
      const [ns, podName] = splitKey(key)
      const pod = podInf.getObject(ns, podName) as Pod | undefined
      if (!pod || !needsScheduling(pod)) {
        unschedulable.delete(key)
        return
      }
      const volumes = checkPodVolumes(pod, volumeCaches)
      // PreBind of an earlier cycle named the node for its claims: bind once they are bound.
      if (volumes?.kind === 'waiting') return
      const snapshotNodes = cache.snapshot()
      const anyNominated = podInf.indexCount(nominatedIndex, '*') > 0
      // A claim PreFilter refused is UnschedulableAndUnresolvable: preemption cannot help (the message says so).
      const preFiltered = volumes?.kind === 'unschedulable'
      const result: ScheduleResult = preFiltered
        ? { message: preFilterFitErrorMessage(snapshotNodes.length, volumes.message), filterMessage: '', failed: [], nextStartNodeIndex }
        : schedulePod(
            pod,
            snapshotNodes,
            nextStartNodeIndex,
            tieBreak++,
            0,
            (n) => cache.snapshotNode(n),
            anyNominated ? nominatedOn : undefined,
            volumes?.filter,
          )
      nextStartNodeIndex = result.nextStartNodeIndex
      const now = clock.now()
      if ('node' in result && volumes?.kind === 'filter' && volumes.unbound.length) {
        unschedulable.delete(key)
        await preBindVolumes(registry, volumes.unbound, result.node.node, volumeCaches.volumes.objects())
        return
      }
      if ('node' in result) {
        cache.assume(pod, result.node.name)
        try {
          await bindPod(pods, ns, podName, result.node.name, now)
        } catch (err) {
          cache.forget(pod)
          // Bound or deleted meanwhile: nothing left to do for this pod.
          if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return
          throw err
        }
        unschedulable.delete(key)
        events.record({ component: schedulerName }, pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${podName} to ${result.node.name}`)
        return
      }
      const uid = pod.metadata.uid ?? ''
      // The PostFilter: preemption, unless it cannot find victims anywhere (then the message is the one schedulePod made).
      let message = result.message
      let nominated: string | undefined
      if (
        !preFiltered &&
        snapshotNodes.length &&
        (pod.spec?.preemptionPolicy === 'Never' || pod.status?.nominatedNodeName || cache.hasPodBelow(podPriority(pod)))
      ) {
        const pdbs = pdbInf.list().map((x) => x.obj as PodDisruptionBudget)
        const outcome = preempt(pod, { nodes: snapshotNodes, failed: result.failed, podsOn, pdbs, nominatedOn: anyNominated ? nominatedOn : undefined }, now)
        if ('node' in outcome) {
          await prepareCandidate(registry, events, schedulerName, pod, outcome, now)
          // Lower-priority pods waiting for that node lose their nomination and are tried again.
          for (const p of await clearLowerNominations(registry, pod, nominatedOn(outcome.node))) deps.manager.enqueueTo(name, objectKey(p))
          nominated = outcome.node
          // A successful PostFilter adds nothing to the FitError.
          message = result.filterMessage
        } else message = `${result.filterMessage} ${outcome.message}`
      }
      const prev = unschedulable.get(key)
      // A pod of the same name made anew (its predecessor's deletion queued nothing) is reported afresh.
      const due = nominated !== undefined || !prev || prev.uid !== uid || prev.message !== message || now - prev.reportedAt >= flushMs
      if (due) {
        unschedulable.set(key, { uid, message, reportedAt: now })
        events.record({ component: schedulerName }, pod, 'Warning', 'FailedScheduling', message)
        try {
          await pods.guaranteedUpdate(
            ns,
            podName,
            (p) => {
              setPodCondition(p as Pod, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, now)
              if (nominated) (p as Pod).status!.nominatedNodeName = nominated
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
