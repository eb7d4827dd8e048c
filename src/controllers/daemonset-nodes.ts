/** @module daemonset-nodes: which nodes a DaemonSet runs on, and the tolerations/affinity its pods get (pkg/controller/daemon/util/daemonset_util.go). */
import type { Affinity, Node, NodeSelectorRequirement, PodSpec, Toleration } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../types.js'
import type { PodObject } from './workload-pods.js'
import { findUntoleratedTaint, toleratesTaint } from './tolerations.js'

/** A Node as stored. */
export type NodeObject = KubeObject & { spec?: Node['spec']; status?: Node['status'] }

/**
 * AddOrUpdateDaemonPodTolerations, in upstream order: the controller makes daemon pods survive
 * not-ready/unreachable nodes forever (no tolerationSeconds), node pressure, and cordoning.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect })
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ]
}

/**
 * v1helper.AddOrUpdateTolerationInPodSpec for each daemon toleration: one with the same key,
 * operator, value and effect is replaced, others are appended. Mutates `spec`.
 */
export function addDaemonTolerations(spec: PodSpec): void {
  const list = (spec.tolerations ??= [])
  for (const t of daemonPodTolerations(!!spec.hostNetwork)) {
    const i = list.findIndex(
      (x) => (x.key ?? '') === t.key && (x.operator ?? 'Equal') === t.operator && (x.value ?? '') === '' && (x.effect ?? '') === t.effect,
    )
    if (i >= 0) list[i] = t
    else list.push(t)
  }
}

// Toleration matching is the scheduler's (one implementation, upstream ToleratesTaint).
export { findUntoleratedTaint, toleratesTaint }

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined
  const values = r.values ?? []
  switch (r.operator) {
    case 'In':
      return has && values.includes(value!)
    case 'NotIn':
      return !has || !values.includes(value!)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false
      const a = Number.parseInt(value!, 10)
      const b = Number.parseInt(values[0], 10)
      if (Number.isNaN(a) || Number.isNaN(b)) return false
      return r.operator === 'Gt' ? a > b : a < b
    }
    default:
      return false
  }
}

/**
 * nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): spec.nodeSelector AND any one of the
 * required terms (each term's expressions and fields ANDed; an empty term matches nothing).
 */
export function nodeMatchesPodAffinity(spec: PodSpec, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {}
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  if (!terms) return true
  return terms.some((term) => {
    const exprs = term.matchExpressions ?? []
    const fields = term.matchFields ?? []
    if (exprs.length === 0 && fields.length === 0) return false
    return (
      exprs.every((r) => matchRequirement(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
      fields.every((r) => r.key === 'metadata.name' && matchRequirement(r, node.metadata.name))
    )
  })
}

/** Whether a node should run a daemon pod now, and whether an existing one may keep running there. */
export interface NodeVerdict {
  shouldRun: boolean
  shouldContinueRunning: boolean
}

/**
 * NodeShouldRunDaemonPod: build the would-be pod (template + daemon tolerations), then check the
 * template's nodeName, node affinity/selector and taints. A pod that only fails on NoSchedule
 * taints (tolerating every NoExecute one) may keep running but no new one is made. With
 * `prepared`, `template` is already {@link daemonPodSpecForMatching}'s result.
 */
export function nodeShouldRunDaemonPod(node: NodeObject, template: PodSpec | undefined, prepared = false): NodeVerdict {
  const spec = prepared && template ? template : daemonPodSpecForMatching(template)
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false }
  if (!nodeMatchesPodAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false }
  const taints = node.spec?.taints ?? []
  const tol = spec.tolerations ?? []
  if (findUntoleratedTaint(taints, tol, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tol, (t) => t.effect === 'NoExecute') }
  }
  return { shouldRun: true, shouldContinueRunning: true }
}

/**
 * The would-be daemon pod's spec that {@link nodeShouldRunDaemonPod} matches nodes against: the
 * template with the daemon tolerations added (a copy; the template is not changed). Build it once
 * per DaemonSet revision and pass it with `prepared` to check many nodes.
 */
export function daemonPodSpecForMatching(template: PodSpec | undefined): PodSpec {
  const spec: PodSpec = { ...(template ?? { containers: [] }), tolerations: [...(template?.tolerations ?? [])] }
  addDaemonTolerations(spec)
  return spec
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: pin the pod to `nodeName` through required node
 * affinity `matchFields metadata.name In [node]`, keeping each term's matchExpressions.
 */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const req: NodeSelectorRequirement = { key: 'metadata.name', operator: 'In', values: [nodeName] }
  const a: Affinity = { ...(affinity ?? {}) }
  const na = { ...(a.nodeAffinity ?? {}) }
  const terms = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  if (!terms || terms.length === 0) na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: [req] }] }
  else na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms.map((t) => ({ ...t, matchFields: [req] })) }
  a.nodeAffinity = na
  return a
}

/**
 * GetTargetNodeName: spec.nodeName once bound, else the single `metadata.name In [x]` field term
 * the controller pinned it with.
 */
export function targetNodeName(pod: PodObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
  for (const t of terms) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0]
  }
  return undefined
}
