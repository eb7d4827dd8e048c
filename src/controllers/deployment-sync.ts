/** @module deployment-sync: one Deployment sync pass with its writes — new RS, scaling, rolling and recreate rollouts, cleanup, status (pkg/controller/deployment/sync.go, rolling.go, recreate.go, progress.go, v1.32). */
import type { Deployment } from '../registry/apps/deployments.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { PodObject } from '../registry/core/pods.js'
import type { Clock } from '../sim/clock.js'
import { StatusError } from '../errors.js'
import { deepEqual } from '../util/deep-equal.js'
import type { EventRecorder } from './events.js'
import { computeHash, podTemplateHashLabel, equalIgnoreHash } from './deployment-hash.js'
import {
  calculateStatus,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  progressCheckAfter,
  reasons,
  rolloutStatus,
  setCondition,
} from './deployment-status.js'
import {
  activeReplicaSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasOf,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionAnnotation,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './deployment-util.js'
import { controllerOf, newControllerRef } from './replicaset-owner.js'

/** What a sync pass writes through. */
export interface DeploymentSyncDeps {
  deployments: ResourceStore<Deployment>
  replicaSets: ResourceStore<ReplicaSet>
  events: EventRecorder
  clock: Clock
}

const source = { component: 'deployment-controller' }

/**
 * One pass over one Deployment, mirroring DeploymentController's methods. `d` is a private copy that
 * follows each status write; RS objects in the lists are the ones read at the start (as upstream's
 * lister copies), so statuses computed right after a scale see the pre-scale specs, as on a real cluster.
 */
export class DeploymentSync {
  /** Set when the Deployment should be checked again after this many ms (progress deadline). */
  requeueAfterMs: number | undefined

  constructor(
    private readonly deps: DeploymentSyncDeps,
    public d: Deployment,
    private readonly rsList: ReplicaSet[],
    /** getPodMapForDeployment, computed only when a Recreate rollout needs it. */
    private readonly podMap: () => Map<string, PodObject[]>,
  ) {}

  private get now(): number {
    return this.deps.clock.now()
  }

  private async updateStatus(): Promise<void> {
    const res = await this.deps.deployments.update(this.d.metadata.namespace ?? '', this.d.metadata.name ?? '', this.d, { subresource: 'status' })
    this.d = JSON.parse(res.json) as Deployment
  }

  /** Writes an RS (resourceVersion pinned: a conflict requeues the pass) and remembers the result for later lookups. */
  private async updateRS(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = JSON.parse((await this.deps.replicaSets.update(rs.metadata.namespace ?? '', rs.metadata.name ?? '', rs)).json) as ReplicaSet
    const i = this.rsList.findIndex((x) => x.metadata.uid === updated.metadata.uid)
    if (i >= 0) this.rsList[i] = updated
    return updated
  }

  /** syncStatusOnly (deployment being deleted). */
  async syncStatusOnly(): Promise<void> {
    const [newRS, oldRSs] = await this.allReplicaSetsAndSyncRevision(false)
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS)
  }

  /** sync: scaling events and paused deployments — proportional scale, cleanup when paused, status. */
  async sync(): Promise<void> {
    const [newRS, oldRSs] = await this.allReplicaSetsAndSyncRevision(false)
    await this.scale(newRS, oldRSs)
    if (this.d.spec?.paused) await this.cleanup(oldRSs)
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS)
  }

  /** checkPausedConditions: Progressing Unknown/DeploymentPaused or DeploymentResumed (never over a timeout). */
  async checkPausedConditions(): Promise<void> {
    if (!hasProgressDeadline(this.d)) return
    const cond = getCondition(this.d.status, 'Progressing')
    if (cond?.reason === reasons.timedOut) return
    const pausedCond = cond?.reason === reasons.paused
    const status = (this.d.status ??= {})
    if (this.d.spec?.paused && !pausedCond) setCondition(status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', this.now))
    else if (!this.d.spec?.paused && pausedCond)
      setCondition(status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', this.now))
    else return
    await this.updateStatus()
  }

  /** isScalingEvent: an active RS whose desired-replicas annotation differs from spec.replicas. */
  async isScalingEvent(): Promise<boolean> {
    const [newRS, oldRSs] = await this.allReplicaSetsAndSyncRevision(false)
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasOf(rs)
      return desired !== undefined && desired !== replicasOf(this.d)
    })
  }

  /** getAllReplicaSetsAndSyncRevision: [new RS (maybe created), all old RSs]. */
  async allReplicaSetsAndSyncRevision(create: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const oldRSs = findOldReplicaSets(this.d, this.rsList)
    return [await this.getNewReplicaSet(oldRSs, create), oldRSs]
  }

  /** getNewReplicaSet: sync the existing new RS's annotations and revision, or create it (revision max+1). */
  private async getNewReplicaSet(oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d
    const existing = findNewReplicaSet(d, this.rsList)
    const newRevision = maxRevision(oldRSs) + 1
    if (existing) {
      const copy = JSON.parse(JSON.stringify(existing)) as ReplicaSet
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true)
      const minReady = d.spec?.minReadySeconds ?? 0
      if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec!.minReadySeconds = minReady || undefined
        return this.updateRS(copy)
      }
      let needsUpdate = this.setRevision(copy.metadata.annotations?.[revisionAnnotation] ?? '')
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        setCondition((d.status ??= {}), newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${copy.metadata.name}"`, this.now))
        needsUpdate = true
      }
      if (needsUpdate) await this.updateStatus()
      return copy
    }
    if (!create) return undefined
    const template = JSON.parse(JSON.stringify(d.spec?.template ?? {}))
    const hash = computeHash(template, d.status?.collisionCount ?? undefined)
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } }
    const selector = JSON.parse(JSON.stringify(d.spec?.selector ?? {}))
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash }
    const name = `${d.metadata.name}-${hash}`
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
    }
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs)
    rs.spec!.replicas = replicas
    setNewReplicaSetAnnotations(d, rs, newRevision, false)
    let created: ReplicaSet
    let alreadyExists = false
    try {
      created = JSON.parse((await this.deps.replicaSets.create(d.metadata.namespace ?? '', rs)).json) as ReplicaSet
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') {
        alreadyExists = true
        const found = this.deps.replicaSets.read(d.metadata.namespace ?? '', name)
        if (!found) throw err
        if (controllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          created = found
        } else {
          // A hash collision: bump collisionCount so the next sync hashes differently.
          const status = (d.status ??= {})
          status.collisionCount = (status.collisionCount ?? 0) + 1
          await this.updateStatus()
          throw err
        }
      } else if (err instanceof StatusError && err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
        throw err
      } else {
        const msg = `Failed to create new replica set "${name}": ${err instanceof Error ? err.message : String(err)}`
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition('Progressing', 'False', reasons.failedRSCreate, msg, this.now))
          try {
            await this.updateStatus()
          } catch {
            // The bigger problem is the create failure.
          }
        }
        this.deps.events.record(source, d, 'Warning', reasons.failedRSCreate, msg)
        throw err
      }
    }
    if (!alreadyExists && replicas > 0)
      this.deps.events.record(source, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`)
    let needsUpdate = this.setRevision(String(newRevision))
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(
        (d.status ??= {}),
        newCondition('Progressing', 'True', reasons.newReplicaSet, `Created new replica set "${created.metadata.name}"`, this.now),
      )
      needsUpdate = true
    }
    if (needsUpdate) await this.updateStatus()
    return created
  }

  /** SetDeploymentRevision on the private copy; true when it changed. */
  private setRevision(revision: string): boolean {
    const a = (this.d.metadata.annotations ??= {})
    if (a[revisionAnnotation] === revision) return false
    a[revisionAnnotation] = revision
    return true
  }

  /** scale: the only active RS to full size; old RSs to 0 once the new one is saturated; else proportionally. */
  private async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d
    const only = findActiveOrLatest(newRS, oldRSs)
    if (only) {
      if (replicasOf(only) !== replicasOf(d)) await this.scaleAndRecord(only, replicasOf(d))
      return
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleAndRecord(old, 0)
      return
    }
    if (!isRollingUpdate(d)) return
    const all = activeReplicaSets([...oldRSs, newRS])
    const current = all.reduce((n, rs) => n + replicasOf(rs), 0)
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0
    const toAdd = allowed - current
    let op = ''
    if (toAdd > 0) {
      all.sort(bySizeNewer)
      op = 'up'
    } else if (toAdd < 0) {
      all.sort(bySizeOlder)
      op = 'down'
    }
    let added = 0
    const size = new Map<string, number>()
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added)
        size.set(rs.metadata.name ?? '', replicasOf(rs) + p)
        added += p
      } else size.set(rs.metadata.name ?? '', replicasOf(rs))
    }
    for (const [i, rs] of all.entries()) {
      const name = rs.metadata.name ?? ''
      if (i === 0 && toAdd !== 0) size.set(name, Math.max(0, size.get(name)! + toAdd - added))
      await this.scaleReplicaSet(rs, size.get(name)!, op)
    }
  }

  /** scaleReplicaSetAndRecordEvent. */
  private async scaleAndRecord(rs: ReplicaSet, newScale: number): Promise<[boolean, ReplicaSet]> {
    if (replicasOf(rs) === newScale) return [false, rs]
    return await this.scaleReplicaSet(rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down')
  }

  /** scaleReplicaSet: size and replicas annotations; ScalingReplicaSet event in the v1.32 wording. */
  private async scaleReplicaSet(rs: ReplicaSet, newScale: number, op: string): Promise<[boolean, ReplicaSet]> {
    const d = this.d
    const sizeChanges = replicasOf(rs) !== newScale
    const max = replicasOf(d) + maxSurge(d)
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs]
    const oldScale = replicasOf(rs)
    const copy = JSON.parse(JSON.stringify(rs)) as ReplicaSet
    copy.spec!.replicas = newScale
    setReplicasAnnotations(copy, replicasOf(d), max)
    const updated = await this.updateRS(copy)
    if (sizeChanges)
      this.deps.events.record(source, d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`)
    return [sizeChanges, updated]
  }

  /** cleanupDeployment: delete the lowest-revision idle old RSs beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit
    if (limit === undefined || limit === null || limit === 2147483647) return
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision)
    const diff = cleanable.length - limit
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i]
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue
      try {
        await this.deps.replicaSets.delete(rs.metadata.namespace ?? '', rs.metadata.name ?? '', {})
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
  }

  /** syncDeploymentStatus: write calculateStatus when it differs. */
  private async syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const next = calculateStatus(allRSs, newRS, this.d, this.now)
    if (deepEqual(this.d.status ?? {}, next)) return
    this.d.status = next
    await this.updateStatus()
  }

  /** syncRolloutStatus: write the rollout status when it differs, else arm the progress-deadline check. */
  private async syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const next = rolloutStatus(allRSs, newRS, this.d, this.now)
    if (deepEqual(this.d.status ?? {}, next)) {
      this.requeueAfterMs = progressCheckAfter(this.d, next, this.now)
      return
    }
    this.d.status = next
    await this.updateStatus()
  }

  /** rolloutRolling: scale the new RS up, else old RSs down, else clean up when complete; then status. */
  async rolloutRolling(): Promise<void> {
    const [newRS, oldRSs] = (await this.allReplicaSetsAndSyncRevision(true)) as [ReplicaSet, ReplicaSet[]]
    const all = [...oldRSs, newRS]
    if ((await this.reconcileNewReplicaSet(all, newRS)) || (await this.reconcileOldReplicaSets(all, activeReplicaSets(oldRSs), newRS)))
      return this.syncRolloutStatus(all, newRS)
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs)
    await this.syncRolloutStatus(all, newRS)
  }

  private async reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const want = replicasOf(this.d)
    if (replicasOf(newRS) === want) return false
    if (replicasOf(newRS) > want) return (await this.scaleAndRecord(newRS, want))[0]
    return (await this.scaleAndRecord(newRS, newRSNewReplicas(this.d, all, newRS)))[0]
  }

  /**
   * reconcileOldReplicaSets: maxScaledDown = all − minAvailable − new RS unavailable; unhealthy first.
   * When either step would grow an old RS (its status still counts pods of a scale-down the
   * ReplicaSet controller has not caught up with), upstream's helpers return an error that this
   * function swallows: the pass scales nothing more, and the RS's next status write syncs again
   * (pkg/controller/deployment/rolling.go reconcileOldReplicaSets, `if err != nil { return false, nil }`).
   */
  private async reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    if (oldRSs.reduce((n, rs) => n + replicasOf(rs), 0) === 0) return false
    const allPods = all.reduce((n, rs) => n + replicasOf(rs), 0)
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d)
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0)
    const maxScaledDown = allPods - minAvailable - newUnavailable
    if (maxScaledDown <= 0) return false
    const olds = [...oldRSs].sort(byCreation)
    const cleaned = await this.cleanupUnhealthyReplicas(olds, maxScaledDown)
    if (cleaned === undefined) return false
    const scaled = await this.scaleDownOldForRollingUpdate([...olds, newRS], olds)
    if (scaled === undefined) return false
    return cleaned + scaled > 0
  }

  /**
   * cleanupUnhealthyReplicas: old RSs oldest first (`olds`, sorted; updated in place), each cut by
   * its unavailable pods, at most `max` in all. Undefined where upstream errors: a cut that would
   * raise spec.replicas ("got invalid request to scale down 1 -> 2", available above spec).
   */
  private async cleanupUnhealthyReplicas(olds: ReplicaSet[], max: number): Promise<number | undefined> {
    let cleaned = 0
    for (const [i, rs] of olds.entries()) {
      if (cleaned >= max) break
      if (replicasOf(rs) === 0) continue
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0)
      if (unhealthy === 0) continue
      const n = Math.min(max - cleaned, unhealthy)
      if (replicasOf(rs) - n > replicasOf(rs)) return undefined
      olds[i] = (await this.scaleAndRecord(rs, replicasOf(rs) - n))[1]
      cleaned += n
    }
    return cleaned
  }

  /**
   * scaleDownOldReplicaSetsForRollingUpdate: remove available − minAvailable pods, oldest RS first
   * (`oldRSs` sorted by creation). Undefined where upstream errors: a step that would raise spec.replicas.
   */
  private async scaleDownOldForRollingUpdate(all: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number | undefined> {
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d)
    const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0)
    if (available <= minAvailable) return 0
    const target = available - minAvailable
    let done = 0
    for (const rs of oldRSs) {
      if (done >= target) break
      if (replicasOf(rs) === 0) continue
      const n = Math.min(replicasOf(rs), target - done)
      if (replicasOf(rs) - n > replicasOf(rs)) return undefined
      await this.scaleAndRecord(rs, replicasOf(rs) - n)
      done += n
    }
    return done
  }

  /** rolloutRecreate: old RSs to 0, wait for their pods to be gone, then the new RS at full size. */
  async rolloutRecreate(): Promise<void> {
    let [newRS, oldRSs] = await this.allReplicaSetsAndSyncRevision(false)
    let all: (ReplicaSet | undefined)[] = [...oldRSs, newRS]
    let scaledDown = false
    for (const rs of activeReplicaSets(oldRSs)) if ((await this.scaleAndRecord(rs, 0))[0]) scaledDown = true
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all, newRS)
    if (!newRS) {
      ;[newRS, oldRSs] = await this.allReplicaSetsAndSyncRevision(true)
      all = [...oldRSs, newRS]
    }
    await this.scaleAndRecord(newRS!, replicasOf(this.d))
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs)
    await this.syncRolloutStatus(all, newRS)
  }

  /** oldPodsRunning: old RSs still report pods, or a pod of an old RS is not in a terminal phase. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (oldRSs.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0) > 0) return true
    for (const [uid, pods] of this.podMap()) {
      if (newRS && newRS.metadata.uid === uid) continue
      if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true
    }
    return false
  }
}
