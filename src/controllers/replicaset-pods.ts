/** @module replicaset-pods: the pure pod arithmetic of the ReplicaSet controller — which pods count, which go first, what the status says (pkg/controller/controller_utils.go, pkg/controller/replicaset/replica_set_utils.go, pkg/api/v1/pod/util.go). */
import type { ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import type { PodObject } from '../registry/core/pods.js'
import { cloneJSON } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import { perObject } from '../util/per-object.js'

/** BurstReplicas: at most this many creates or deletes per sync (replicaset controller default). */
export const burstReplicas = 500

/** SlowStartInitialBatchSize: creates go in batches of 1, 2, 4, … */
export const slowStartInitialBatchSize = 1

/** IsPodActive: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: PodObject): boolean {
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp
}

/** The Ready condition, if any. */
export function readyCondition(pod: PodObject) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True'
}

/** Milliseconds since the epoch of an RFC 3339 timestamp; 0 (Go's zero time) when absent. */
function ms(ts: string | undefined | null): number {
  if (!ts) return 0
  const v = Date.parse(ts)
  return Number.isNaN(v) ? 0 : v
}

/**
 * IsPodAvailable: ready, and (minReadySeconds is 0 or the Ready transition lies strictly more than
 * minReadySeconds before `now`).
 */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod)
  if (c?.status !== 'True') return false
  if (!minReadySeconds) return true
  const t = ms(c.lastTransitionTime)
  return t !== 0 && t + minReadySeconds * 1000 < now
}

/** When a ready but not yet available pod turns available (ms since epoch), or undefined. */
export function availableAt(pod: PodObject, minReadySeconds: number): number | undefined {
  if (!minReadySeconds) return undefined
  const f = podFacts(pod)
  if (!f.ready || f.readySince === 0) return undefined
  return f.readySince + minReadySeconds * 1000 + 1
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }

/** The highest restartCount among regular containers, then among restartable (sidecar) init containers. */
function maxRestarts(pod: PodObject): [number, number] {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0))
  const sidecarNames = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name))
  const sidecar = Math.max(0, ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecarNames.has(s.name)).map((s) => s.restartCount ?? 0))
  return [regular, sidecar]
}

/** afterOrZero: a zero time sorts first; otherwise the later time first. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0
  return t1 > t2
}

/** logarithmicRankDiff: compares floor(log2(age in ns)) of two timestamps (LogarithmicScaleDown, GA). */
function logRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => (now - t > 0 ? Math.floor(Math.log2((now - t) * 1e6)) : -1)
  return rank(t1) - rank(t2)
}

/** A pod with its rank: how many active related pods share its node. */
interface RankedPod {
  pod: PodObject
  rank: number
}

/**
 * ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. Order: unscheduled, then
 * Pending < Unknown < Running, not ready, lower pod-deletion-cost, more related pods on the node,
 * more recently ready (log2 buckets), more restarts, newer (log2 buckets), then uid.
 */
function deletesFirst(a: RankedPod, b: RankedPod, now: number): boolean {
  const pi = a.pod
  const pj = b.pod
  const ni = pi.spec?.nodeName ?? ''
  const nj = pj.spec?.nodeName ?? ''
  if (ni !== nj && (ni === '' || nj === '')) return ni === ''
  const oi = phaseOrdinal[pi.status?.phase ?? ''] ?? 0
  const oj = phaseOrdinal[pj.status?.phase ?? ''] ?? 0
  if (oi !== oj) return oi < oj
  const ri = isPodReady(pi)
  const rj = isPodReady(pj)
  if (ri !== rj) return !ri
  const ci = deletionCost(pi)
  const cj = deletionCost(pj)
  if (ci !== cj) return ci < cj
  if (a.rank !== b.rank) return a.rank > b.rank
  if (ri && rj) {
    const ti = ms(readyCondition(pi)?.lastTransitionTime)
    const tj = ms(readyCondition(pj)?.lastTransitionTime)
    if (ti !== tj) {
      if (ti === 0 || tj === 0) return afterOrZero(ti, tj)
      const d = logRankDiff(ti, tj, now)
      return d === 0 ? (pi.metadata.uid ?? '') < (pj.metadata.uid ?? '') : d < 0
    }
  }
  const [regI, sideI] = maxRestarts(pi)
  const [regJ, sideJ] = maxRestarts(pj)
  if (regI !== regJ) return regI > regJ
  if (sideI !== sideJ) return sideI > sideJ
  const ki = ms(pi.metadata.creationTimestamp)
  const kj = ms(pj.metadata.creationTimestamp)
  if (ki !== kj) {
    if (ki === 0 || kj === 0) return afterOrZero(ki, kj)
    const d = logRankDiff(ki, kj, now)
    return d === 0 ? (pi.metadata.uid ?? '') < (pj.metadata.uid ?? '') : d < 0
  }
  return false
}

/** controller.kubernetes.io/pod-deletion-cost as an int32 (0 when absent or malformed). */
function deletionCost(pod: PodObject): number {
  const v = pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0
  const n = Number(v)
  return n >= -2147483648 && n <= 2147483647 ? n : 0
}

/**
 * getPodsToDelete: the `diff` pods to delete from `filtered` (all of them when diff covers them), ranked by
 * {@link deletesFirst}; `related` (active pods of the same owner family) gives the per-node rank. Pure.
 */
export function podsToDelete(filtered: PodObject[], related: PodObject[], diff: number, now: number): PodObject[] {
  if (diff >= filtered.length) return filtered.slice()
  const onNode = new Map<string, number>()
  for (const p of related) {
    if (!isPodActive(p)) continue
    const n = p.spec?.nodeName ?? ''
    onNode.set(n, (onNode.get(n) ?? 0) + 1)
  }
  const ranked = filtered.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }))
  ranked.sort((a, b) => (deletesFirst(a, b, now) ? -1 : deletesFirst(b, a, now) ? 1 : 0))
  return ranked.slice(0, diff).map((r) => r.pod)
}

/** The batch sizes slowStartBatch tries for `count` creations: 1, 2, 4, … capped by what remains. */
export function slowStartBatches(count: number, initial = slowStartInitialBatchSize): number[] {
  const out: number[] = []
  let remaining = count
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    out.push(size)
    remaining -= size
  }
  return out
}

/**
 * slowStartBatch: runs `fn` in growing batches; every call in a batch runs, and the first failing
 * batch stops the rest. Returns how many succeeded and the first error. Between calls it gives the
 * event loop back when the turn's budget is spent (`pause`), so 500 creates never block requests.
 */
export async function slowStartBatch(
  count: number,
  fn: () => Promise<unknown>,
  pause: () => Promise<void> | undefined = () => undefined,
): Promise<{ successes: number; error?: unknown }> {
  let successes = 0
  for (const size of slowStartBatches(count)) {
    // The calls of a batch run side by side, as upstream's goroutines do: a durable store commits
    // their writes as one group instead of one after another.
    const running: Promise<unknown>[] = []
    for (let i = 0; i < size; i++) {
      const wait = pause()
      if (wait) await wait
      running.push(fn())
    }
    const failures = (await Promise.allSettled(running)).filter((r) => r.status === 'rejected')
    successes += size - failures.length
    if (failures.length) return { successes, error: failures[0].reason }
  }
  return { successes }
}

/** GetPodFromTemplate: labels, annotations and finalizers from the template, generateName `<rs>-`, the controller ref. */
export function podFromTemplate(template: PodTemplateSpec, ownerName: string, ref: OwnerReference): PodObject {
  const meta = template.metadata ?? {}
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: cloneJSON(template.spec ?? { containers: [] }),
  }
  return pod
}

/** True when every template label is on the pod with the same value (FullyLabeledReplicas). */
function fullyLabeled(templateLabels: Record<string, string>, pod: PodObject): boolean {
  const labels = pod.metadata.labels
  for (const k in templateLabels) if (labels?.[k] !== templateLabels[k]) return false
  return true
}

/** What the ReplicaSet controller reads from one pod version. */
export interface PodFacts {
  active: boolean
  ready: boolean
  /** When the Ready condition last turned True (ms since the epoch; 0 when unknown). */
  readySince: number
}

/** The facts of a pod version, computed once: stored versions are immutable, and a sync reads thousands. */
export const podFacts: (pod: PodObject) => PodFacts = perObject((pod: PodObject): PodFacts => {
  const c = readyCondition(pod)
  return { active: isPodActive(pod), ready: c?.status === 'True', readySince: c?.status === 'True' ? ms(c.lastTransitionTime) : 0 }
})

/** isPodAvailable over {@link podFacts}. */
function factsAvailable(f: PodFacts, minReadySeconds: number, now: number): boolean {
  if (!f.ready) return false
  if (!minReadySeconds) return true
  return f.readySince !== 0 && f.readySince + minReadySeconds * 1000 < now
}

/**
 * calculateStatus: counts over the active, claimed pods, plus the ReplicaFailure condition (added on a
 * manageReplicas error when absent, removed once a sync succeeds). observedGeneration is left as it was;
 * the caller sets it on write. Zero counters are omitted as the Go JSON encoding omits them.
 */
export function replicaSetStatus(
  rs: ReplicaSet,
  pods: PodObject[],
  manageError: string | undefined,
  now: number,
  labeledMatcher?: (labels: Record<string, string> | undefined) => boolean,
): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0
  const tpl = rs.spec?.template?.metadata?.labels ?? {}
  let labeled = 0
  let ready = 0
  let available = 0
  for (const p of pods) {
    if (labeledMatcher ? labeledMatcher(p.metadata.labels) : fullyLabeled(tpl, p)) labeled++
    const f = podFacts(p)
    if (f.ready) {
      ready++
      if (factsAvailable(f, minReady, now)) available++
    }
  }
  let conditions: ReplicaSetCondition[] = cloneJSON(rs.status?.conditions ?? [])
  const failure = conditions.find((c) => c.type === 'ReplicaFailure')
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1)
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : ''
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), ...(reason ? { reason } : {}), message: manageError })
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure')
  }
  const st: ReplicaSetStatus = { replicas: pods.length }
  if (labeled) st.fullyLabeledReplicas = labeled
  if (ready) st.readyReplicas = ready
  if (available) st.availableReplicas = available
  if (rs.status?.observedGeneration) st.observedGeneration = rs.status.observedGeneration
  if (conditions.length) st.conditions = conditions
  return st
}
