/** @module deployment-util: the Deployment controller's pure arithmetic — fenceposts, new-RS sizing, proportions, revision annotations, RS ordering (pkg/controller/deployment/util/deployment_util.go, pkg/controller/controller_utils.go, v1.32). */
import type { Deployment } from '../registry/apps/deployments.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import { equalIgnoreHash } from './deployment-hash.js'

export const revisionAnnotation = 'deployment.kubernetes.io/revision'
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history'
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas'
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas'
/** maxRevHistoryLengthInChars: revision-history keeps about 100 entries. */
export const maxRevisionHistoryChars = 2000

/** Deployment annotations never copied onto ReplicaSets (annotationsToSkip). */
const annotationsToSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
])

/** `spec.replicas` of a Deployment or ReplicaSet (defaulted to 1 by the API). */
export function replicasOf(o: Deployment | ReplicaSet | undefined): number {
  return o?.spec?.replicas ?? 1
}

/**
 * GetScaledValueFromIntOrPercent: integers as they are; `N%` of `total`, rounded up or down.
 * Throws on a malformed string, as upstream returns an error.
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'number') return v
  const m = /^(\d+)%$/.exec(v)
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`)
  const raw = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(raw) : Math.floor(raw)
}

/** ResolveFenceposts: [surge rounded up, unavailable rounded down]; both zero → unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true)
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return [surge, unavailable]
}

/** IsRollingUpdate. */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0
  const ru = d.spec?.strategy?.rollingUpdate
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[0]
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas > 0; never above replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d)
  if (!isRollingUpdate(d) || replicas === 0) return 0
  const ru = d.spec?.strategy?.rollingUpdate
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1], replicas)
}

/** NewRSNewReplicas: how big the new RS may be now (RollingUpdate: within replicas + surge; Recreate: replicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d)
  if (!isRollingUpdate(d)) return replicas
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true)
  const current = allRSs.reduce((n, rs) => n + replicasOf(rs), 0)
  const maxTotal = replicas + surge
  if (current >= maxTotal) return replicasOf(newRS)
  return replicasOf(newRS) + Math.min(maxTotal - current, replicas - replicasOf(newRS))
}

/** An int annotation, or undefined when absent or malformed (getIntFromAnnotation). */
function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key]
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return undefined
  return Number(v)
}

/** GetDesiredReplicasAnnotation. */
export function desiredReplicasOf(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, desiredReplicasAnnotation)
}

/** IsSaturated: the new RS holds every desired replica, agrees on the count, and all are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false
  const desired = intAnnotation(rs, desiredReplicasAnnotation)
  if (desired === undefined) return false
  const replicas = replicasOf(d)
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
}

/** The RS's share of a proportional scale (getReplicaSetFraction). */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs)
  const deploymentReplicas = replicasOf(d) + maxSurge(d)
  let annotated = intAnnotation(rs, maxReplicasAnnotation) ?? 0
  // No (or a zero) max-replicas annotation: fall back to the Deployment's current size; when that
  // is 0 too (pods failing to be created), the RS gets no share rather than a division by zero.
  if (annotated === 0) annotated = d.status?.replicas ?? 0
  if (annotated === 0) return 0
  // Go's integer.RoundToInt32 rounds half away from zero.
  const size = (replicasOf(rs) * deploymentReplicas) / annotated
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs)
}

/** GetProportion: the RS's share, clamped so the running total never passes `toAdd`. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0
  const fraction = replicaSetFraction(rs, d)
  const allowed = toAdd - added
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed)
}

/** Revision: the revision annotation as a number (0 when absent); NaN when malformed. */
export function revisionOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  const v = o.metadata.annotations?.[revisionAnnotation]
  if (v === undefined) return 0
  return /^[+-]?\d+$/.test(v) ? Number(v) : NaN
}

/** MaxRevision: the highest parsable revision (0 when none). */
export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0)
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. Mutates `rs`. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {})
  let changed = false
  if (a[desiredReplicasAnnotation] !== String(desired)) {
    a[desiredReplicasAnnotation] = String(desired)
    changed = true
  }
  if (a[maxReplicasAnnotation] !== String(max)) {
    a[maxReplicasAnnotation] = String(max)
    changed = true
  }
  return changed
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations
  return !a || a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max)
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations (minus the skip list), raise the revision
 * to `newRevision` when it is lower — appending the old one to revision-history (a rollback re-uses this RS)
 * — and, for an RS about to be created, set the replicas annotations. True when anything changed. Mutates `rs`.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {})
  let changed = false
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || a[k] === v) continue
    a[k] = v
    changed = true
  }
  const had = Object.hasOwn(a, revisionAnnotation)
  const oldText = a[revisionAnnotation] ?? ''
  let oldRevision = 0
  if (oldText !== '') {
    if (!/^[+-]?\d+$/.test(oldText)) return false
    oldRevision = Number(oldText)
  }
  if (oldRevision < newRevision) {
    a[revisionAnnotation] = String(newRevision)
    changed = true
    if (had) appendRevisionHistory(a, oldText)
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true
  return changed
}

/** Appends `old` to revision-history, dropping the oldest entries past 2000 characters. */
function appendRevisionHistory(a: Record<string, string>, old: string): void {
  const history = a[revisionHistoryAnnotation] ?? ''
  const entries = history.split(',')
  if (entries[0] === '') {
    a[revisionHistoryAnnotation] = old
    return
  }
  let total = history.length + old.length + 1
  let start = 0
  while (total > maxRevisionHistoryChars && start < entries.length) total -= entries[start++].length + 1
  if (total <= maxRevisionHistoryChars) a[revisionHistoryAnnotation] = [...entries.slice(start), old].join(',')
}

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0
}

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b)
  return d !== 0 ? d : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0
}

/** ReplicaSetsBySizeNewer: larger first; newer first on ties (scale-up order). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) !== replicasOf(b) ? replicasOf(b) - replicasOf(a) : byCreation(b, a)
}

/** ReplicaSetsBySizeOlder: larger first; older first on ties (scale-down order). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) !== replicasOf(b) ? replicasOf(b) - replicasOf(a) : byCreation(a, b)
}

/** ReplicaSetsByRevision: lower revision first; creation order on ties or unparsable revisions. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a)
  const rb = revisionOf(b)
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b)
  return ra - rb
}

/** FilterActiveReplicaSets: spec.replicas > 0. */
export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0)
}

/** FindNewReplicaSet: the oldest RS whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template))
}

/** FindOldReplicaSets (the "all" half): every RS except the new one. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss)
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid)
}

/** FindActiveOrLatest: the only active RS, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a))
  const active = activeReplicaSets([...newestFirst, newRS])
  if (active.length === 0) return newRS ?? newestFirst[0]
  return active.length === 1 ? active[0] : undefined
}
