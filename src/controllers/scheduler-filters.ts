/**
 * @module scheduler-filters: the default scheduler's Filter plugins, in their 1.32 order, over a
 * snapshot of nodes (pkg/scheduler/framework/plugins/{nodeunschedulable,tainttoleration,nodeaffinity,nodeports,noderesources}).
 */
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod as PodV1, PodSpec, Node as NodeV1 } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../types.js'
import { findUntoleratedTaint, isSchedulingTaint, tolerationsTolerateTaint } from './tolerations.js'
import { addResources, podRequests, toResourceList, type ResourceList } from './scheduler-resources.js'
import { perObject } from '../util/per-object.js'

/** A pod or node as stored. */
export type Pod = KubeObject & { spec?: PodSpec; status?: PodV1['status'] }
export type Node = KubeObject & { spec?: NodeV1['spec']; status?: NodeV1['status'] }

/** What the scheduler cache knows about one node: its pods' requests, count, host ports and affinity terms. */
export interface NodeState {
  node: Node
  name: string
  allocatable: ResourceList
  requested: ResourceList
  nonZeroRequested: ResourceList
  podCount: number
  /** `protocol/port/hostIP` of every host port in use, with how many pods use it. */
  usedPorts: Map<string, number>
  /** Pods per owner UID (for spreading replicas of one controller). */
  ownerCounts: Map<string, number>
  /** Pods with pod affinity or anti-affinity terms (NodeInfo.PodsWithAffinity). */
  podsWithAffinity: number
  /** Pods with required anti-affinity terms (NodeInfo.PodsWithRequiredAntiAffinity). */
  podsWithRequiredAntiAffinity: number
  /**
   * The hot loops' copies as plain numbers, kept by {@link setNodeObject}, {@link setAllocatable}
   * and {@link accountPod}: `allocatable.cpu ?? 0`, `allocatable.memory ?? 0`, `allocatable.pods
   * ?? 110`, and `requested`/`nonZeroRequested` cpu and memory (`?? 0`).
   */
  allocCpu: number
  allocMemory: number
  allocPods: number
  reqCpu: number
  reqMemory: number
  nzCpu: number
  nzMemory: number
  /**
   * `node` itself when it is schedulable and has no taints (so only the pod's own constraints and
   * resources can reject it), otherwise undefined; the fast filter path trusts it only while it is
   * the very object in `node`.
   */
  openNode: Node | undefined
  /** The node's position in name order and the ranking it belongs to (scheduler-score's useNodeList; 0: unranked). */
  nameRank: number
  rankEpoch: number
}

/** Whether preemption could help on a node that failed (framework Unschedulable vs UnschedulableAndUnresolvable). */
export interface FilterFailure {
  reasons: string[]
  resolvable: boolean
}

/** Pods that occupy a node: bound and not finished (the scheduler cache drops terminal pods). */
export function occupiesNode(pod: Pod): boolean {
  const phase = pod.status?.phase
  return !!pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed'
}

function hostPorts(spec: PodSpec | undefined): string[] {
  const out: string[] = []
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) out.push(`${p.protocol ?? 'TCP'}/${p.hostPort}/${p.hostIP || '0.0.0.0'}`)
  }
  return out
}

/** The controller owner's UID, or '' for unowned pods. */
export function controllerUID(obj: KubeObject): string {
  return obj.metadata.ownerReferences?.find((r) => r.controller)?.uid ?? ''
}

/** What the scheduler derives from one pod version, computed once per stored object (framework.PodInfo). */
export interface PodInfo {
  /** podRequests(spec) and podRequests(spec, true). */
  requests: ResourceList
  nonZeroRequests: ResourceList
  /** Host ports as `protocol/port/hostIP`. */
  ports: string[]
  /** {@link controllerUID}. */
  owner: string
  hasAffinity: boolean
  hasRequiredAntiAffinity: boolean
  /** The positive requests NodeResourcesFit checks (every name but `pods`): names and amounts. */
  fitNames: string[]
  fitAmounts: number[]
  /** Whether the pod has a nodeSelector or required node affinity at all. */
  selectsNodes: boolean
  /**
   * Whether, on a node without taints that is schedulable, only NodeResourcesFit's pod count, cpu
   * and memory can reject the pod: no spec.nodeName, no node selection, no host ports, and no
   * positive request other than cpu and memory.
   */
  plain: boolean
  /** spec.priority (0 when unset): who may preempt whom. */
  priority: number
  /** `requests` cpu and memory (`?? 0`), and `nonZeroRequests` cpu and memory. */
  cpu: number
  memory: number
  nzCpu: number
  nzMemory: number
}

/** The {@link PodInfo} of a pod object, cached per object (stored versions are immutable). */
export const podInfo: (pod: Pod) => PodInfo = perObject((pod: Pod): PodInfo => {
  const spec = pod.spec
  const aff = spec?.affinity
  const anti = aff?.podAntiAffinity
  const requests = podRequests(spec)
  const nonZeroRequests = podRequests(spec, true)
  const info: PodInfo = {
    requests,
    nonZeroRequests,
    ports: hostPorts(spec),
    owner: controllerUID(pod),
    hasAffinity: !!(aff?.podAffinity || anti),
    hasRequiredAntiAffinity: (anti?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0,
    fitNames: [],
    fitAmounts: [],
    selectsNodes:
      Object.keys(spec?.nodeSelector ?? {}).length > 0 || aff?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms !== undefined,
    plain: false,
    priority: spec?.priority ?? 0,
    cpu: requests.cpu ?? 0,
    memory: requests.memory ?? 0,
    nzCpu: nonZeroRequests.cpu ?? 0,
    nzMemory: nonZeroRequests.memory ?? 0,
  }
  for (const k in requests) {
    if (k === 'pods' || !(requests[k] > 0)) continue
    info.fitNames.push(k)
    info.fitAmounts.push(requests[k])
  }
  info.plain = !spec?.nodeName && !info.selectsNodes && info.ports.length === 0 && info.fitNames.every((k) => k === 'cpu' || k === 'memory')
  return info
})

/** An empty state for `node` (allocatable falls back to capacity). */
export function newNodeState(node: Node, allocatable?: ResourceList): NodeState {
  const alloc = allocatable ?? toResourceList((node.status?.allocatable ?? node.status?.capacity) as Record<string, string> | undefined)
  const state: NodeState = {
    node,
    name: node.metadata.name ?? '',
    allocatable: alloc,
    requested: {},
    nonZeroRequested: {},
    podCount: 0,
    usedPorts: new Map(),
    ownerCounts: new Map(),
    podsWithAffinity: 0,
    podsWithRequiredAntiAffinity: 0,
    allocCpu: 0,
    allocMemory: 0,
    allocPods: 0,
    reqCpu: 0,
    reqMemory: 0,
    nzCpu: 0,
    nzMemory: 0,
    openNode: undefined,
    nameRank: 0,
    rankEpoch: 0,
  }
  setNodeObject(state, node)
  setAllocatable(state, alloc)
  return state
}

/** Sets `state.node` and what is derived from it ({@link NodeState.openNode}). Mutates `state`. */
export function setNodeObject(state: NodeState, node: Node): void {
  const spec = node.spec
  state.node = node
  state.openNode = spec?.unschedulable || spec?.taints?.length ? undefined : node
}

/** Sets `state.allocatable` and its number copies. Mutates `state`. */
export function setAllocatable(state: NodeState, alloc: ResourceList): void {
  state.allocatable = alloc
  state.allocCpu = alloc.cpu ?? 0
  state.allocMemory = alloc.memory ?? 0
  state.allocPods = alloc.pods ?? 110
}

/**
 * Builds the per-node snapshot from every node and every pod, from scratch (one pass over each).
 * The scheduler keeps this incrementally (scheduler-cache.ts); this is its reference. Pure.
 */
export function buildNodeStates(nodes: Node[], pods: Pod[]): Map<string, NodeState> {
  const states = new Map<string, NodeState>()
  for (const node of nodes) states.set(node.metadata.name ?? '', newNodeState(node))
  for (const pod of pods) if (occupiesNode(pod)) addPod(states.get(pod.spec!.nodeName!), pod)
  return states
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by
  if (n === 0) m.delete(k)
  else m.set(k, n)
}

/** Accounts (`sign` 1) or unaccounts (-1) a pod on `state` (NodeInfo.AddPod / RemovePod). */
export function accountPod(state: NodeState, info: PodInfo, sign: 1 | -1): void {
  state.podCount += sign
  addResources(state.requested, info.requests, sign)
  addResources(state.nonZeroRequested, info.nonZeroRequests, sign)
  state.reqCpu += sign * info.cpu
  state.reqMemory += sign * info.memory
  state.nzCpu += sign * info.nzCpu
  state.nzMemory += sign * info.nzMemory
  for (const p of info.ports) bump(state.usedPorts, p, sign)
  if (info.owner) bump(state.ownerCounts, info.owner, sign)
  if (info.hasAffinity) state.podsWithAffinity += sign
  if (info.hasRequiredAntiAffinity) state.podsWithRequiredAntiAffinity += sign
}

/** Accounts a pod newly bound to `state` (the scheduler's "assume" step). */
export function addPod(state: NodeState | undefined, pod: Pod): void {
  if (state) accountPod(state, podInfo(pod), 1)
}

/** NodeSelectorRequirement against labels (In/NotIn/Exists/DoesNotExist/Gt/Lt). */
function matchLabelRequirement(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key)
  const v = labels[r.key]
  const values = r.values ?? []
  switch (r.operator) {
    case 'In':
      return has && values.includes(v)
    case 'NotIn':
      return !has || !values.includes(v)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(v) || !/^-?\d+$/.test(values[0])) return false
      return r.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0])
    }
    default:
      return false
  }
}

/** matchFields only knows `metadata.name`, with In/NotIn. */
function matchFieldRequirement(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name') return false
  const name = node.metadata.name ?? ''
  if (r.operator === 'In') return (r.values ?? []).includes(name)
  if (r.operator === 'NotIn') return !(r.values ?? []).includes(name)
  return false
}

/** A term with neither expressions nor fields selects nothing (nodeaffinity.NewNodeSelector). */
function matchTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (exprs.length === 0 && fields.length === 0) return false
  const labels = node.metadata.labels ?? {}
  return exprs.every((r) => matchLabelRequirement(r, labels)) && fields.every((r) => matchFieldRequirement(r, node))
}

/** GetRequiredNodeAffinity(pod).Match(node): nodeSelector AND (any required term). Pure. */
export function matchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {}
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  if (terms === undefined) return true
  return terms.some((t) => matchTerm(t, node))
}

/** Reason texts, exactly as the 1.32 plugins word them. */
export const reasons = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  taint: (key: string, value: string) => `node(s) had untolerated taint {${key}: ${value}}`,
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  insufficient: (r: string) => `Insufficient ${r}`,
}

const noReasons: string[] = []
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }

/** NodeResourcesFit: every insufficiency, pod count first, then cpu, memory, storage, others. */
function fitReasons(state: NodeState, info: PodInfo): string[] {
  const allowedPods = state.allocatable.pods ?? 110
  let fits = state.podCount + 1 <= allowedPods
  const { allocatable, requested } = state
  const names = info.fitNames
  for (let i = 0; fits && i < names.length; i++) {
    const k = names[i]
    if (info.fitAmounts[i] > (allocatable[k] ?? 0) - (requested[k] ?? 0)) fits = false
  }
  if (fits) return noReasons
  const req = info.requests
  const out: string[] = []
  if (state.podCount + 1 > allowedPods) out.push(reasons.tooManyPods)
  const fixed = ['cpu', 'memory', 'ephemeral-storage']
  const ordered = [...fixed.filter((k) => names.includes(k)), ...names.filter((k) => !fixed.includes(k)).sort()]
  for (const k of ordered) {
    const free = (state.allocatable[k] ?? 0) - (state.requested[k] ?? 0)
    if (req[k] > free) out.push(reasons.insufficient(k))
  }
  return out
}

/**
 * Runs the filters on one node in framework order; the first plugin that rejects decides.
 * Returns undefined when the pod fits. `info` is podInfo(pod), computed once by the caller.
 */
export function filterNode(pod: Pod, state: NodeState, info: PodInfo = podInfo(pod)): FilterFailure | undefined {
  const spec = pod.spec
  const node = state.node
  const nodeSpec = node.spec
  if (nodeSpec?.unschedulable && !tolerationsTolerateTaint(spec?.tolerations, unschedulableTaint)) {
    return { reasons: [reasons.unschedulable], resolvable: false }
  }
  if (spec?.nodeName && spec.nodeName !== state.name) return { reasons: [reasons.nodeName], resolvable: false }
  if (nodeSpec?.taints?.length) {
    const taint = findUntoleratedTaint(nodeSpec.taints, spec?.tolerations, isSchedulingTaint)
    if (taint) return { reasons: [reasons.taint(taint.key, taint.value ?? '')], resolvable: false }
  }
  if (info.selectsNodes && !matchesNodeAffinity(spec, node)) return { reasons: [reasons.affinity], resolvable: false }
  if (info.ports.length && info.ports.some((p) => portConflicts(p, state.usedPorts))) return { reasons: [reasons.ports], resolvable: true }
  const fit = fitReasons(state, info)
  if (fit.length) return { reasons: fit, resolvable: true }
  return undefined
}

/**
 * {@link filterNode} with a fast path for the common case — a {@link PodInfo.plain} pod on a node
 * without taints that is schedulable — where only the pod count, cpu and memory can reject, as a
 * few comparisons of the {@link NodeState} numbers. Everything else, and every rejection's
 * reasons, comes from the general path, so the answer is always filterNode's.
 */
export function filterNodeFast(pod: Pod, state: NodeState, info: PodInfo): FilterFailure | undefined {
  if (!info.plain || state.openNode !== state.node) return filterNode(pod, state, info)
  const cpu = info.cpu
  const memory = info.memory
  if (
    state.podCount + 1 <= state.allocPods &&
    !(cpu > 0 && cpu > state.allocCpu - state.reqCpu) &&
    !(memory > 0 && memory > state.allocMemory - state.reqMemory)
  ) {
    return undefined
  }
  const fit = fitReasons(state, info)
  return fit.length ? { reasons: fit, resolvable: true } : undefined
}

/** HostPortInfo.CheckConflict: same protocol and port, and the same IP or either one a wildcard. */
function portConflicts(want: string, used: Map<string, number>): boolean {
  if (used.size === 0) return false
  const [proto, port, ip] = want.split('/')
  for (const u of used.keys()) {
    const [uProto, uPort, uIP] = u.split('/')
    if (uProto !== proto || uPort !== port) continue
    if (ip === '0.0.0.0' || uIP === '0.0.0.0' || ip === uIP) return true
  }
  return false
}
