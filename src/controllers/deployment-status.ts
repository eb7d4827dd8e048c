/** @module deployment-status: Deployment status and conditions — calculateStatus, syncRolloutStatus's Progressing estimate, the progress-deadline requeue (pkg/controller/deployment/sync.go, progress.go, util/deployment_util.go, v1.32). */
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js'
import type { Deployment } from '../registry/apps/deployments.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import { cloneJSON } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import { maxUnavailable, replicasOf } from './deployment-util.js'

/** Condition reasons (deployment_util.go). */
export const reasons = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const

type ConditionStatus = 'True' | 'False' | 'Unknown'

/** NewDeploymentCondition: both timestamps now (metav1.Time, second precision). */
export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now)
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message }
}

/** GetDeploymentCondition. */
export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type)
}

/**
 * SetDeploymentCondition: a no-op when status and reason already match; otherwise the old entry is removed
 * and the new one appended, keeping lastTransitionTime when the status is unchanged. Mutates `status`.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type)
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return
  const next = { ...cond }
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next]
}

/** RemoveDeploymentCondition. Mutates `status`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type)
  if (rest.length) status.conditions = rest
  else delete status.conditions
}

/** HasProgressDeadline: set and not MaxInt32. */
export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds
  return p !== undefined && p !== null && p !== 2147483647
}

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0)

/**
 * calculateStatus: counts summed over the RSs (unavailable uses spec replicas), collisionCount carried,
 * conditions copied and the Available condition set. Zero counters are omitted (Go omitempty).
 */
export function calculateStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0)
  const total = sum(allRSs, replicasOf)
  const counts = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(allRSs, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: sum([newRS], (rs) => rs.status?.replicas ?? 0),
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  }
  const status: DeploymentStatus = {}
  for (const [k, v] of Object.entries(counts)) if (v) (status as Record<string, number>)[k] = v
  if (d.status?.conditions?.length) status.conditions = cloneJSON(d.status.conditions)
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', now))
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now))
  }
  if (d.status?.collisionCount !== undefined && d.status.collisionCount !== null) status.collisionCount = d.status.collisionCount
  return status
}

/** DeploymentComplete: every desired replica updated and available, no old pods, generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d)
  return (
    (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  )
}

/** DeploymentProgressing: more updated/ready/available pods, or fewer old pods, than the stored status. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {}
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0)
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
  return (
    (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  )
}

/** DeploymentTimedOut: the Progressing condition's lastUpdateTime + deadline is before now (never after success). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false
  const c = getCondition(s, 'Progressing')
  if (!c) return false
  if (c.reason === reasons.newRSAvailable) return false
  if (c.reason === reasons.timedOut) return true
  return Date.parse(c.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now
}

/** Copies an RS's ReplicaFailure condition as a Deployment condition (ReplicaSetToDeploymentCondition). */
function replicaFailures(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const from = (rs: ReplicaSet | undefined) =>
    (rs?.status?.conditions ?? [])
      .filter((c) => c.type === 'ReplicaFailure')
      .map((c) => ({
        type: c.type,
        status: c.status,
        lastUpdateTime: c.lastTransitionTime,
        lastTransitionTime: c.lastTransitionTime,
        reason: c.reason,
        message: c.message,
      }))
  const fromNew = from(newRS)
  return fromNew.length ? fromNew : allRSs.flatMap(from)
}

/**
 * syncRolloutStatus's new status: calculateStatus, then (with a deadline, unless the last rollout already
 * completed) Progressing = NewReplicaSetAvailable when complete, ReplicaSetUpdated (lastUpdateTime renewed)
 * on progress, ProgressDeadlineExceeded when timed out; then the RSs' ReplicaFailure condition.
 */
export function rolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, now)
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing')
  const cur = getCondition(d.status, 'Progressing')
  const isComplete = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && cur?.reason === reasons.newRSAvailable
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', reasons.newRSAvailable, `${subject} has successfully progressed.`, now))
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', reasons.replicaSetUpdated, `${subject} is progressing.`, now)
      if (cur) {
        if (cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime
        removeCondition(s, 'Progressing')
      }
      setCondition(s, c)
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', reasons.timedOut, `${subject} has timed out progressing.`, now))
    }
  }
  const failures = replicaFailures(allRSs, newRS)
  if (failures.length) setCondition(s, failures[0])
  else removeCondition(s, 'ReplicaFailure')
  return s
}

/**
 * requeueStuckDeployment: when the status did not change and the rollout is neither complete nor timed out,
 * the ms until the deadline check is due (lastUpdateTime + deadline − now, plus a second); undefined otherwise.
 */
export function progressCheckAfter(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const cur = getCondition(d.status, 'Progressing')
  if (!hasProgressDeadline(d) || !cur) return undefined
  if (deploymentComplete(d, s) || cur.reason === reasons.timedOut) return undefined
  const after = Date.parse(cur.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now
  return after < 1000 ? 1000 : after + 1000
}
