/**
 * @module scheduler-cache: the scheduler's node cache, as kube-scheduler's internal cache — per-node
 * aggregates kept incrementally from the pods and nodes informers plus assumed bindings, and a
 * snapshot per scheduling cycle that copies only the nodes changed since the last one
 * (pkg/scheduler/backend/cache).
 */
import { deepEqual } from '../util/deep-equal.js'
import { readyStatus } from './node-lifecycle-taints.js'
import type { Informer, InformerEvent } from './informers.js'
import {
  accountPod,
  newNodeState,
  occupiesNode,
  podInfo,
  setAllocatable,
  setNodeObject,
  type Node,
  type NodeState,
  type Pod,
  type PodInfo,
} from './scheduler-filters.js'
import { sameQuantities, toResourceList } from './scheduler-resources.js'

/** What one pod adds to its node, as accounted. */
interface Accounted {
  uid: string
  node: string
  info: PodInfo
  /** Counted on the scheduler's word (assume) before the informer showed the binding. */
  assumed: boolean
}

/** A node name's live aggregate; `present` is false while pods name a node the cache has no object for. */
interface Entry {
  state: NodeState
  present: boolean
}

/** What the cache tells the scheduler about changes that may make waiting pods fit. */
export interface CacheHints {
  /** A pod that occupied a node left it (deleted, finished, moved): room was freed. */
  podFreed?(): void
  /** A node appeared or changed in a way that may admit pods (see {@link nodeUpdateMayHelp}). */
  nodeMayHelp?(): void
}

/**
 * The queueing hint for a node update (the plugins' isSchedulableAfterNodeChange, roughly): true
 * when allocatable grew, labels or taints changed, spec.unschedulable became false, or the Ready
 * condition's status changed. A status heartbeat (lastHeartbeatTime only) is not a hint. Pure.
 */
export function nodeUpdateMayHelp(prev: Node, node: Node): boolean {
  if (prev.spec?.unschedulable && !node.spec?.unschedulable) return true
  if (!deepEqual(prev.metadata.labels ?? {}, node.metadata.labels ?? {})) return true
  if (!deepEqual(prev.spec?.taints ?? [], node.spec?.taints ?? [])) return true
  if (readyStatus(prev) !== readyStatus(node)) return true
  const before = toResourceList((prev.status?.allocatable ?? prev.status?.capacity) as Record<string, string> | undefined)
  const after = toResourceList((node.status?.allocatable ?? node.status?.capacity) as Record<string, string> | undefined)
  for (const k in after) if (after[k] > (before[k] ?? 0)) return true
  return false
}

const nodeChanged = 1
const podsChanged = 2

/** Copies what comes from the node object: the object, its allocatable and their derived fields. */
function copyNodeFields(into: NodeState, from: NodeState): void {
  into.node = from.node
  into.openNode = from.openNode
  into.allocatable = from.allocatable
  into.allocCpu = from.allocCpu
  into.allocMemory = from.allocMemory
  into.allocPods = from.allocPods
}

function copyState(into: NodeState, from: NodeState): void {
  copyNodeFields(into, from)
  into.name = from.name
  into.requested = { ...from.requested }
  into.nonZeroRequested = { ...from.nonZeroRequested }
  into.podCount = from.podCount
  into.usedPorts = new Map(from.usedPorts)
  into.ownerCounts = new Map(from.ownerCounts)
  into.podsWithAffinity = from.podsWithAffinity
  into.podsWithRequiredAntiAffinity = from.podsWithRequiredAntiAffinity
  into.reqCpu = from.reqCpu
  into.reqMemory = from.reqMemory
  into.nzCpu = from.nzCpu
  into.nzMemory = from.nzMemory
}

/** A private copy of a node's state, to simulate removing pods from it (preemption). */
export function cloneNodeState(from: NodeState): NodeState {
  const s = newNodeState(from.node, from.allocatable)
  copyState(s, from)
  return s
}

function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`
}

/**
 * The incremental per-node cache. {@link start} fills it from the informers (again after every
 * restart of the controllers); from then on the informers' events keep it current, each in
 * O(1), and the scheduler's {@link assume}/{@link forget} account a binding before its event.
 * Nothing ever rebuilds it from scratch while it runs.
 */
export class SchedulerCache {
  private readonly entries = new Map<string, Entry>()
  private readonly pods = new Map<string, Accounted>()
  /** Names changed since the last snapshot: {@link nodeChanged} and/or {@link podsChanged} bits. */
  private readonly dirty = new Map<string, number>()
  /** The snapshot: copies of present nodes, in a stable order (rebuilt when the node set changes). */
  private readonly snap = new Map<string, NodeState>()
  private snapList: NodeState[] = []
  private membershipChanged = true
  private listening = false
  /** How many accounted pods have each priority (few distinct values), for {@link hasPodBelow}. */
  private readonly priorities = new Map<number, number>()

  constructor(
    private readonly podInformer: Informer,
    private readonly nodeInformer: Informer,
    private readonly hints: CacheHints = {},
  ) {}

  /** Forgets everything and refills from the informers (which must be running), then follows their events. */
  start(): void {
    this.entries.clear()
    this.pods.clear()
    this.priorities.clear()
    this.dirty.clear()
    this.snap.clear()
    this.snapList = []
    this.membershipChanged = true
    for (const s of this.nodeInformer.list()) this.putNode(s.obj as Node)
    for (const s of this.podInformer.list()) this.putPod(s.obj as Pod)
    if (this.listening) return
    this.listening = true
    this.nodeInformer.addHandler((ev) => this.onNode(ev))
    this.podInformer.addHandler((ev) => this.onPod(ev))
  }

  private mark(name: string, what: number): void {
    this.dirty.set(name, (this.dirty.get(name) ?? 0) | what)
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name)
    if (!e) {
      e = { state: newNodeState({ metadata: { name } }, {}), present: false }
      this.entries.set(name, e)
    }
    return e
  }

  private putNode(node: Node): Entry {
    const name = node.metadata.name ?? ''
    const e = this.entry(name)
    const prev = e.present ? e.state.node : undefined
    const q = (n: Node | undefined) => (n?.status?.allocatable ?? n?.status?.capacity) as Record<string, string> | undefined
    if (!prev || !sameQuantities(q(prev), q(node))) setAllocatable(e.state, toResourceList(q(node)))
    setNodeObject(e.state, node)
    if (!e.present) this.membershipChanged = true
    e.present = true
    this.mark(name, nodeChanged)
    return e
  }

  private onNode(ev: InformerEvent): void {
    const node = ev.stored.obj as Node
    const name = node.metadata.name ?? ''
    if (ev.type === 'DELETED') {
      const e = this.entries.get(name)
      if (!e?.present) return
      e.present = false
      this.membershipChanged = true
      this.mark(name, nodeChanged)
      if (e.state.podCount === 0) this.entries.delete(name)
      return
    }
    const wasPresent = this.entries.get(name)?.present
    const prev = ev.prev?.obj as Node | undefined
    this.putNode(node)
    if (!wasPresent || !prev || nodeUpdateMayHelp(prev, node)) this.hints.nodeMayHelp?.()
  }

  private add(key: string, pod: Pod, assumed: boolean): void {
    const node = pod.spec!.nodeName!
    const info = podInfo(pod)
    const e = this.entry(node)
    accountPod(e.state, info, 1)
    this.mark(node, podsChanged)
    this.pods.set(key, { uid: pod.metadata.uid ?? '', node, info, assumed })
    this.priorities.set(info.priority, (this.priorities.get(info.priority) ?? 0) + 1)
  }

  private remove(key: string, a: Accounted): void {
    this.pods.delete(key)
    const left = (this.priorities.get(a.info.priority) ?? 1) - 1
    if (left > 0) this.priorities.set(a.info.priority, left)
    else this.priorities.delete(a.info.priority)
    const e = this.entries.get(a.node)
    if (!e) return
    accountPod(e.state, a.info, -1)
    this.mark(a.node, podsChanged)
    if (!e.present && e.state.podCount === 0) this.entries.delete(a.node)
  }

  /** Brings one pod's accounting in line with this version of it; true when it stopped occupying a node. */
  private putPod(pod: Pod): boolean {
    const key = podKey(pod)
    const cur = this.pods.get(key)
    const uid = pod.metadata.uid ?? ''
    if (!occupiesNode(pod)) {
      if (!cur) return false
      // An older, still unbound version arriving after the scheduler assumed this pod.
      if (cur.assumed && cur.uid === uid && !pod.spec?.nodeName) return false
      this.remove(key, cur)
      return true
    }
    if (cur && cur.uid === uid && cur.node === pod.spec!.nodeName) {
      cur.assumed = false
      const info = podInfo(pod)
      if (info === cur.info || samePodInfo(info, cur.info)) return false
      this.remove(key, cur)
      this.add(key, pod, false)
      return false
    }
    if (cur) this.remove(key, cur)
    this.add(key, pod, false)
    return !!cur
  }

  private onPod(ev: InformerEvent): void {
    const pod = ev.stored.obj as Pod
    let freed: boolean
    if (ev.type === 'DELETED') {
      const key = podKey(pod)
      const cur = this.pods.get(key)
      freed = !!cur
      if (cur) this.remove(key, cur)
    } else freed = this.putPod(pod)
    if (freed) this.hints.podFreed?.()
  }

  /** Accounts `pod` on `node` before the binding's event arrives (schedule_one.go assume). */
  assume(pod: Pod, node: string): void {
    const key = podKey(pod)
    const cur = this.pods.get(key)
    if (cur && cur.uid === (pod.metadata.uid ?? '')) return
    if (cur) this.remove(key, cur)
    this.add(key, { ...pod, spec: { ...pod.spec!, nodeName: node } }, true)
  }

  /** Undoes {@link assume} after a failed binding (a no-op once the informer confirmed the pod). */
  forget(pod: Pod): void {
    const key = podKey(pod)
    const cur = this.pods.get(key)
    if (cur?.assumed && cur.uid === (pod.metadata.uid ?? '')) this.remove(key, cur)
  }

  /** Whether any pod on a node has a priority below `priority` (else preemption has no victims anywhere). */
  hasPodBelow(priority: number): boolean {
    for (const p of this.priorities.keys()) if (p < priority) return true
    return false
  }

  /** The live state of every node the cache has an object for (for tests; do not mutate). */
  states(): Map<string, NodeState> {
    const out = new Map<string, NodeState>()
    for (const [name, e] of this.entries) if (e.present) out.set(name, e.state)
    return out
  }

  /** One node of the latest {@link snapshot}, by name. */
  snapshotNode(name: string): NodeState | undefined {
    return this.snap.get(name)
  }

  /**
   * The snapshot for one scheduling cycle (UpdateSnapshot): copies of every present node, in a
   * stable order that changes only when nodes come or go. Only nodes changed since the previous
   * call are copied again, so a cycle costs O(changed nodes), not O(nodes). Do not mutate.
   */
  snapshot(): NodeState[] {
    for (const [name, what] of this.dirty) {
      const e = this.entries.get(name)
      if (!e?.present) {
        this.snap.delete(name)
        continue
      }
      let s = this.snap.get(name)
      if (!s) {
        s = newNodeState(e.state.node, {})
        this.snap.set(name, s)
        copyState(s, e.state)
      } else if (what & podsChanged) copyState(s, e.state)
      else {
        // Only the node object changed (a heartbeat, say): its pods' aggregates are still right.
        copyNodeFields(s, e.state)
      }
    }
    this.dirty.clear()
    if (this.membershipChanged) {
      this.snapList = [...this.snap.values()]
      this.membershipChanged = false
    }
    return this.snapList
  }
}

function samePodInfo(a: PodInfo, b: PodInfo): boolean {
  return (
    a.owner === b.owner &&
    a.priority === b.priority &&
    a.hasAffinity === b.hasAffinity &&
    a.hasRequiredAntiAffinity === b.hasRequiredAntiAffinity &&
    a.ports.join(',') === b.ports.join(',') &&
    sameQuantities(a.requests, b.requests) &&
    sameQuantities(a.nonZeroRequests, b.nonZeroRequests)
  )
}
