/**
 * @module scheduler-filters: the default scheduler's Filter plugins, in their 1.32 order, over a
 * snapshot of nodes (pkg/scheduler/framework/plugins/{nodeunschedulable,tainttoleration,nodeaffinity,nodeports,noderesources}).
 */
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod as PodV1, PodSpec, Node as NodeV1 } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../types.js'
import { findUntoleratedTaint, isSchedulingTaint, tolerationsTolerateTaint } from './tolerations.js'
import { podRequests, toResourceList, type ResourceList } from './scheduler-resources.js'

/** A pod or node as stored. */
export type Pod = KubeObject & { spec?: PodSpec; status?: PodV1['status'] }
export type Node = KubeObject & { spec?: NodeV1['spec']; status?: NodeV1['status'] }

/** What the scheduler cache knows about one node: its pods' requests, count and host ports. */
export interface NodeState {
  node: Node
  name: string
  allocatable: ResourceList
  requested: ResourceList
  nonZeroRequested: ResourceList
  podCount: number
  /** `protocol/port/hostIP` of every host port in use. */
  usedPorts: Set<string>
  /** Pods per owner UID (for spreading replicas of one controller). */
  ownerCounts: Map<string, number>
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

/** Builds the per-node snapshot from every node and every pod (one pass over each). Pure. */
export function buildNodeStates(nodes: Node[], pods: Pod[]): Map<string, NodeState> {
  const states = new Map<string, NodeState>()
  for (const node of nodes) {
    const name = node.metadata.name ?? ''
    const alloc = toResourceList((node.status?.allocatable ?? node.status?.capacity) as Record<string, string> | undefined)
    states.set(name, { node, name, allocatable: alloc, requested: {}, nonZeroRequested: {}, podCount: 0, usedPorts: new Set(), ownerCounts: new Map() })
  }
  for (const pod of pods) if (occupiesNode(pod)) addPod(states.get(pod.spec!.nodeName!), pod)
  return states
}

/** Accounts a pod newly bound to `state` (the scheduler's "assume" step). */
export function addPod(state: NodeState | undefined, pod: Pod): void {
  if (!state) return
  state.podCount++
  for (const [k, v] of Object.entries(podRequests(pod.spec))) state.requested[k] = (state.requested[k] ?? 0) + v
  for (const [k, v] of Object.entries(podRequests(pod.spec, true))) state.nonZeroRequested[k] = (state.nonZeroRequested[k] ?? 0) + v
  for (const p of hostPorts(pod.spec)) state.usedPorts.add(p)
  const owner = controllerUID(pod)
  if (owner) state.ownerCounts.set(owner, (state.ownerCounts.get(owner) ?? 0) + 1)
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

/** NodeResourcesFit: every insufficiency, pod count first, then cpu, memory, storage, others. */
function fitReasons(pod: Pod, state: NodeState, req: ResourceList): string[] {
  const out: string[] = []
  const allowedPods = state.allocatable.pods ?? 110
  if (state.podCount + 1 > allowedPods) out.push(reasons.tooManyPods)
  const names = Object.keys(req).filter((k) => k !== 'pods' && req[k] > 0)
  const fixed = ['cpu', 'memory', 'ephemeral-storage']
  const ordered = [...fixed.filter((k) => names.includes(k)), ...names.filter((k) => !fixed.includes(k)).sort()]
  for (const k of ordered) {
    const free = (state.allocatable[k] ?? 0) - (state.requested[k] ?? 0)
    if (req[k] > free) out.push(reasons.insufficient(k))
  }
  void pod
  return out
}

/**
 * Runs the filters on one node in framework order; the first plugin that rejects decides.
 * Returns undefined when the pod fits. `req` is podRequests(pod.spec), computed once by the caller.
 */
export function filterNode(pod: Pod, state: NodeState, req: ResourceList = podRequests(pod.spec)): FilterFailure | undefined {
  const spec = pod.spec
  const node = state.node
  const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }
  if (node.spec?.unschedulable && !tolerationsTolerateTaint(spec?.tolerations, unschedulableTaint)) {
    return { reasons: [reasons.unschedulable], resolvable: false }
  }
  if (spec?.nodeName && spec.nodeName !== state.name) return { reasons: [reasons.nodeName], resolvable: false }
  const taint = findUntoleratedTaint(node.spec?.taints, spec?.tolerations, isSchedulingTaint)
  if (taint) return { reasons: [reasons.taint(taint.key, taint.value ?? '')], resolvable: false }
  if (!matchesNodeAffinity(spec, node)) return { reasons: [reasons.affinity], resolvable: false }
  const wanted = hostPorts(spec)
  if (wanted.some((p) => portConflicts(p, state.usedPorts))) return { reasons: [reasons.ports], resolvable: true }
  const fit = fitReasons(pod, state, req)
  if (fit.length) return { reasons: fit, resolvable: true }
  return undefined
}

/** HostPortInfo.CheckConflict: same protocol and port, and the same IP or either one a wildcard. */
function portConflicts(want: string, used: Set<string>): boolean {
  const [proto, port, ip] = want.split('/')
  for (const u of used) {
    const [uProto, uPort, uIP] = u.split('/')
    if (uProto !== proto || uPort !== port) continue
    if (ip === '0.0.0.0' || uIP === '0.0.0.0' || ip === uIP) return true
  }
  return false
}
