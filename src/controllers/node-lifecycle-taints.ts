/**
 * @module node-lifecycle-taints: the node lifecycle controller's pure rules — which taints a node's
 * conditions call for and what "Kubelet stopped posting node status" does to those conditions
 * (pkg/controller/nodelifecycle/node_lifecycle_controller.go doNoScheduleTaintingPass,
 * doNoExecuteTaintingPass, tryUpdateNodeHealth).
 */
import type { NodeCondition, Taint } from 'kubernetes-types/core/v1.js'
import { rfc3339 } from '../util/time.js'
import type { Node } from './scheduler-filters.js'

/** Taint keys from k8s.io/api/core/v1 well_known_taints.go. */
export const taintKeys = {
  notReady: 'node.kubernetes.io/not-ready',
  unreachable: 'node.kubernetes.io/unreachable',
  unschedulable: 'node.kubernetes.io/unschedulable',
  memoryPressure: 'node.kubernetes.io/memory-pressure',
  diskPressure: 'node.kubernetes.io/disk-pressure',
  pidPressure: 'node.kubernetes.io/pid-pressure',
  networkUnavailable: 'node.kubernetes.io/network-unavailable',
}

/** nodeConditionToTaintKeyStatusMap: condition type → status → NoSchedule taint key. */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: taintKeys.notReady, Unknown: taintKeys.unreachable },
  MemoryPressure: { True: taintKeys.memoryPressure },
  DiskPressure: { True: taintKeys.diskPressure },
  NetworkUnavailable: { True: taintKeys.networkUnavailable },
  PIDPressure: { True: taintKeys.pidPressure },
}

const managedNoSchedule = new Set([...Object.values(conditionTaints).flatMap((m) => Object.values(m)), taintKeys.unschedulable])
const managedNoExecute = new Set([taintKeys.notReady, taintKeys.unreachable])

/** True for taints this controller owns (it never touches anyone else's). */
export function isManagedTaint(t: Taint): boolean {
  return (t.effect === 'NoSchedule' && managedNoSchedule.has(t.key)) || (t.effect === 'NoExecute' && managedNoExecute.has(t.key))
}

/** The node's Ready condition status: 'True', 'False', 'Unknown', or '' when it has none. */
export function readyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? ''
}

/** The controller-managed taints the node should carry now, as (key, effect) pairs. Pure. */
export function wantedTaints(node: Node): Taint[] {
  const out: Taint[] = []
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status]
    if (key) out.push({ key, effect: 'NoSchedule' })
  }
  if (node.spec?.unschedulable) out.push({ key: taintKeys.unschedulable, effect: 'NoSchedule' })
  const ready = readyStatus(node)
  if (ready === 'False') out.push({ key: taintKeys.notReady, effect: 'NoExecute' })
  if (ready === 'Unknown') out.push({ key: taintKeys.unreachable, effect: 'NoExecute' })
  return out
}

/**
 * The node's new taint list: user taints untouched and in place, managed taints that are still
 * wanted kept (with their timeAdded), the rest removed, new ones appended with timeAdded = now
 * (SwapNodeControllerTaint). Returns undefined when nothing changes. Pure.
 */
export function reconcileTaints(node: Node, nowMs: number): Taint[] | undefined {
  const current = node.spec?.taints ?? []
  const wanted = wantedTaints(node)
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect
  const kept = current.filter((t) => !isManagedTaint(t) || wanted.some((w) => same(w, t)))
  const added = wanted.filter((w) => !current.some((t) => same(w, t))).map((t) => ({ ...t, timeAdded: rfc3339(nowMs) }))
  if (added.length === 0 && kept.length === current.length) return undefined
  return [...kept, ...added]
}

/** The condition types the controller marks Unknown along with Ready (remainingNodeConditionTypes). */
const remainingConditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure']

/**
 * tryUpdateNodeHealth past the grace period: Ready and the pressure conditions become Unknown
 * (`NodeStatusUnknown`, `Kubelet stopped posting node status.`), keeping their lastHeartbeatTime;
 * a condition the kubelet never posted is added as `NodeStatusNeverUpdated`. Returns the new list,
 * or undefined when Ready is already Unknown. Pure.
 */
export function markConditionsUnknown(conditions: NodeCondition[] | undefined, nowMs: number): NodeCondition[] | undefined {
  const list = (conditions ?? []).map((c) => ({ ...c }))
  const now = rfc3339(nowMs)
  const ready = list.find((c) => c.type === 'Ready')
  if (ready?.status === 'Unknown') return undefined
  for (const type of ['Ready', ...remainingConditions]) {
    const c = list.find((x) => x.type === type)
    if (!c) {
      list.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      })
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown'
      c.reason = 'NodeStatusUnknown'
      c.message = 'Kubelet stopped posting node status.'
      c.lastTransitionTime = now
    }
  }
  return list
}

/**
 * The node's last heartbeat in ms: the later of its Lease renewTime and its Ready condition's
 * lastHeartbeatTime (the controller watches both), or its creation time when it has neither.
 */
export function lastHeartbeat(node: Node, leaseRenewTime: string | undefined): number {
  const parse = (t: string | undefined) => (t ? Date.parse(t) : NaN)
  const beats = [parse(leaseRenewTime), parse(node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime)].filter((t) => !Number.isNaN(t))
  if (beats.length) return Math.max(...beats)
  const created = parse(node.metadata.creationTimestamp)
  return Number.isNaN(created) ? 0 : created
}
