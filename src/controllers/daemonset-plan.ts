/** @module daemonset-plan: the DaemonSet algorithm as pure functions — manage, rolling update, status (pkg/controller/daemon/daemon_controller.go, update.go). */
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js'
import { controllerRevisionHashLabel } from './controller-history.js'
import type { NodeVerdict } from './daemonset-nodes.js'
import { isPodAvailable, isPodReady, isPodTerminal, type PodObject } from './workload-pods.js'

/** The label carrying the DaemonSet's template generation on its pods. */
export const podTemplateGenerationLabel = 'pod-template-generation'

/** What the planners look at: every node's verdict and the daemon pods grouped by target node. */
export interface DaemonState {
  /** Every node in the cluster, by name. */
  nodes: Map<string, NodeVerdict>
  /** Daemon pods by target node; may name nodes that no longer exist. */
  podsByNode: Map<string, PodObject[]>
  /** Current revision hash and template generation (either marks a pod as up to date). */
  hash: string
  templateGeneration?: string
  minReadySeconds: number
  now: number
  /** RollingUpdate limits scaled against desiredNumberScheduled; OnDelete has none. */
  rolling?: { maxSurge: number | string; maxUnavailable: number | string }
}

/** Writes the planners ask for. */
export interface DaemonActions {
  createOn: string[]
  delete: PodObject[]
  /** Failed pods among `delete` (they get a FailedDaemonPod warning). */
  failed: PodObject[]
}

/** intstr.GetScaledValueFromIntOrPercent: ints as they are, `N%` of `total` rounded up or down. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0
  if (typeof v === 'number') return v
  const n = Number.parseInt(v.replace(/%$/, ''), 10)
  if (Number.isNaN(n)) return 0
  const x = (n * total) / 100
  return roundUp ? Math.ceil(x) : Math.floor(x)
}

/** util.IsPodUpdated: the pod carries the current hash or the current template generation. */
export function isPodUpdated(pod: PodObject, hash: string, templateGeneration?: string): boolean {
  const labels = pod.metadata.labels ?? {}
  return (
    (!!hash && labels[controllerRevisionHashLabel] === hash) || (templateGeneration !== undefined && labels[podTemplateGenerationLabel] === templateGeneration)
  )
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byScheduledThenAge(a: PodObject, b: PodObject): number {
  const sa = !!a.spec?.nodeName
  const sb = !!b.spec?.nodeName
  if (sa !== sb) return sa ? -1 : 1
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1
}

/** The desired count and the scaled surge/unavailable limits (updatedDesiredNodeCounts). */
export function rollingLimits(st: DaemonState): { desired: number; maxSurge: number; maxUnavailable: number } {
  let desired = 0
  for (const v of st.nodes.values()) if (v.shouldRun) desired++
  if (!st.rolling) return { desired, maxSurge: 0, maxUnavailable: 0 }
  const maxSurge = scaledValue(st.rolling.maxSurge, desired, true)
  let maxUnavailable = scaledValue(st.rolling.maxUnavailable, desired, true)
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1
  return { desired, maxSurge, maxUnavailable }
}

/**
 * manage + podsShouldBeOnNode: create where a pod should run and none exists (a terminating one
 * still counts as existing), delete failed pods, extra pods (keeping the oldest, or with surge the
 * oldest new + oldest old), and pods on nodes that should not or no longer exist.
 */
export function planManage(st: DaemonState): DaemonActions {
  const out: DaemonActions = { createOn: [], delete: [], failed: [] }
  const surge = rollingLimits(st).maxSurge > 0
  const names = new Set([...st.nodes.keys(), ...st.podsByNode.keys()])
  for (const node of [...names].sort()) {
    const v = st.nodes.get(node) ?? { shouldRun: false, shouldContinueRunning: false }
    const pods = st.podsByNode.get(node) ?? []
    if (v.shouldRun && pods.length === 0) out.createOn.push(node)
    if (!v.shouldContinueRunning) {
      for (const p of pods) if (!p.metadata.deletionTimestamp) out.delete.push(p)
      continue
    }
    const running: PodObject[] = []
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue
      if (p.status?.phase === 'Failed') {
        out.delete.push(p)
        out.failed.push(p)
      } else running.push(p)
    }
    running.sort(byScheduledThenAge)
    if (!surge) {
      out.delete.push(...running.slice(1))
      continue
    }
    let newest: PodObject | undefined
    let oldest: PodObject | undefined
    for (const p of running) {
      if (isPodUpdated(p, st.hash, st.templateGeneration)) {
        if (!newest) newest = p
        else out.delete.push(p)
      } else if (!oldest) oldest = p
      else out.delete.push(p)
    }
    if (newest && oldest && (!isPodReady(oldest) || isPodAvailable(newest, st.minReadySeconds, st.now))) out.delete.push(oldest)
  }
  return out
}

/** findUpdatedPodsOnNode: the one new and one old non-terminating pod; `ok` false on duplicates. */
function splitNodePods(pods: PodObject[], st: DaemonState): { newPod?: PodObject; oldPod?: PodObject; ok: boolean } {
  let newPod: PodObject | undefined
  let oldPod: PodObject | undefined
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue
    if (isPodUpdated(p, st.hash, st.templateGeneration)) {
      if (newPod) return { ok: false }
      newPod = p
    } else {
      if (oldPod) return { ok: false }
      oldPod = p
    }
  }
  return { newPod, oldPod, ok: true }
}

/**
 * rollingUpdate: without surge, delete unavailable old pods and up to maxUnavailable − unavailable
 * available ones (manage then recreates them); with surge, start new pods beside available old
 * ones (up to maxSurge) and delete each old pod once its replacement is available.
 */
export function planRollingUpdate(st: DaemonState): DaemonActions {
  const out: DaemonActions = { createOn: [], delete: [], failed: [] }
  const { maxSurge, maxUnavailable } = rollingLimits(st)
  const nodes = [...new Set([...[...st.nodes].filter(([, v]) => v.shouldRun).map(([n]) => n), ...st.podsByNode.keys()])].sort()
  const avail = (p: PodObject) => isPodAvailable(p, st.minReadySeconds, st.now)
  if (maxSurge === 0) {
    let numUnavailable = 0
    const replace: PodObject[] = []
    const candidates: PodObject[] = []
    for (const node of nodes) {
      const { newPod, oldPod, ok } = splitNodePods(st.podsByNode.get(node) ?? [], st)
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) numUnavailable++
      else if (newPod) {
        if (!avail(newPod)) numUnavailable++
      } else if (!avail(oldPod!)) replace.push(oldPod!)
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod!)
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length)
    out.delete.push(...replace, ...candidates.slice(0, remaining))
    return out
  }
  let numSurge = 0
  const allowedNew: string[] = []
  const candidateNew: string[] = []
  for (const node of nodes) {
    const { newPod, oldPod, ok } = splitNodePods(st.podsByNode.get(node) ?? [], st)
    if (!ok || !oldPod) continue
    if (!newPod) {
      if (!avail(oldPod)) allowedNew.push(node)
      else if (numSurge < maxSurge) candidateNew.push(node)
      continue
    }
    if (!avail(newPod)) {
      numSurge++
      continue
    }
    out.delete.push(oldPod)
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length)
  out.createOn.push(...allowedNew, ...candidateNew.slice(0, remaining))
  return out
}

/** The status counters (updateDaemonSetStatus); zero-valued omitempty fields are left out. */
export function daemonSetStatus(st: DaemonState): DaemonSetStatus {
  let desired = 0
  let current = 0
  let misscheduled = 0
  let ready = 0
  let available = 0
  let updated = 0
  for (const [node, v] of st.nodes) {
    const pods = (st.podsByNode.get(node) ?? []).filter((p) => !(p.metadata.deletionTimestamp && isPodTerminal(p)))
    if (!v.shouldRun) {
      if (pods.length) misscheduled++
      continue
    }
    desired++
    if (!pods.length) continue
    current++
    const pod = [...pods].sort(byScheduledThenAge)[0]
    if (isPodReady(pod)) {
      ready++
      if (isPodAvailable(pod, st.minReadySeconds, st.now)) available++
    }
    if (isPodUpdated(pod, st.hash, st.templateGeneration)) updated++
  }
  const status: DaemonSetStatus = { currentNumberScheduled: current, desiredNumberScheduled: desired, numberMisscheduled: misscheduled, numberReady: ready }
  if (updated) status.updatedNumberScheduled = updated
  if (available) status.numberAvailable = available
  if (desired - available) status.numberUnavailable = desired - available
  return status
}
