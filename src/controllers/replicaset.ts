/** @module replicaset: the ReplicaSet controller — keeps `spec.replicas` active pods per ReplicaSet, adopts and releases pods by selector, reports status (pkg/controller/replicaset/replica_set.go, v1.32). */
import { StatusError } from '../errors.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import type { PodObject } from '../registry/core/pods.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import type { ControllerDeps } from './index.js'
import { claimDecision, controllerOf, newControllerRef, selectorMatcher, withOwner, withoutOwner } from './replicaset-owner.js'
import { availableAt, burstReplicas, isPodActive, podFromTemplate, podsToDelete, replicaSetStatus, slowStartBatch } from './replicaset-pods.js'
import type { Controller, ReconcileResult } from './runtime.js'
import { splitKey } from './runtime.js'

const source = { component: 'replicaset-controller' }

/** True when `ref` points at an apps ReplicaSet. */
function isReplicaSetRef(ref: { apiVersion?: string; kind?: string } | undefined): boolean {
  return !!ref && ref.kind === 'ReplicaSet' && (ref.apiVersion ?? '').startsWith('apps/')
}

/** NamespaceTerminatingCause: creates into a dying namespace are not failures (upstream skips them). */
function namespaceTerminating(err: unknown): boolean {
  return err instanceof StatusError && !!err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The ReplicaSet controller. Level-based: each sync lists the namespace's pods, claims the matching ones,
 * creates (slow-start batches, at most 500) or deletes (worst-ranked first) to reach spec.replicas, and
 * writes status. Creates go straight to the store, so the next sync always sees them: the informer-lag
 * "expectations" of the real controller are always satisfied here and are not modelled.
 */
export function createReplicaSetController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const replicaSets = registry.resource<ReplicaSet>('apps', 'replicasets')
  const pods = registry.resource<PodObject>('', 'pods')

  /** getPodReplicaSets for an orphan, the controller for an owned pod (addPod/updatePod/deletePod). */
  function keysForPod(pod: KubeObject): string[] {
    const ns = pod.metadata.namespace ?? ''
    const ref = controllerOf(pod)
    if (ref) return isReplicaSetRef(ref) ? [`${ns}/${ref.name}`] : []
    return replicaSets
      .list(ns)
      .items.filter((s) => {
        const sel = (s.obj as ReplicaSet).spec?.selector
        return !labelSelectorIsEmpty(sel) && labelSelectorMatches(sel, pod.metadata.labels)
      })
      .map((s) => `${ns}/${s.obj.metadata.name}`)
  }

  /** claimPods: adopt matching orphans, release owned pods that stopped matching; returns the pods we own. */
  function claimPods(rs: ReplicaSet, active: PodObject[]): PodObject[] {
    const ns = rs.metadata.namespace ?? ''
    const out: PodObject[] = []
    const matcher = selectorMatcher(rs.spec?.selector)
    for (const pod of active) {
      const decision = claimDecision(rs, matcher, pod)
      if (decision === 'keep') out.push(pod)
      if (decision !== 'adopt' && decision !== 'release') continue
      // RecheckDeletionTimestamp: adopt only while the live ReplicaSet is the same and not being deleted.
      const fresh = replicaSets.getStored(ns, rs.metadata.name ?? '')?.obj
      if (decision === 'adopt' && (!fresh || fresh.metadata.uid !== rs.metadata.uid || fresh.metadata.deletionTimestamp)) continue
      try {
        const res = pods.guaranteedUpdate(ns, pod.metadata.name ?? '', (p) => {
          if (p.metadata.uid !== pod.metadata.uid) throw StatusError.notFound(pods.ref, pod.metadata.name ?? '')
          if (decision === 'release') return withoutOwner(p, rs.metadata.uid ?? '') as PodObject
          return controllerOf(p) ? p : (withOwner(p, newControllerRef(rs, 'apps/v1', 'ReplicaSet')) as PodObject)
        })
        if (decision === 'adopt' && controllerOf(res.obj)?.uid === rs.metadata.uid) out.push(res.obj as PodObject)
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
    return out
  }

  /** Active pods controlled by any ReplicaSet that shares this one's controller (getIndirectlyRelatedPods). */
  function relatedPods(rs: ReplicaSet, all: PodObject[]): PodObject[] {
    const owner = controllerOf(rs)
    if (!owner) return []
    const siblings = new Set(
      replicaSets
        .list(rs.metadata.namespace)
        .items.filter((s) => controllerOf(s.obj)?.uid === owner.uid)
        .map((s) => s.obj.metadata.uid),
    )
    return all.filter((p) => siblings.has(controllerOf(p)?.uid))
  }

  function createPod(rs: ReplicaSet): void {
    const ns = rs.metadata.namespace ?? ''
    const pod = podFromTemplate(rs.spec?.template ?? {}, rs.metadata.name ?? '', newControllerRef(rs, 'apps/v1', 'ReplicaSet'))
    try {
      const created = pods.create(ns, pod)
      events.record(source, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.obj.metadata.name}`)
    } catch (err) {
      if (namespaceTerminating(err)) return
      events.record(source, rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`)
      throw err
    }
  }

  /** manageReplicas: returns the error text of the first failure (for ReplicaFailure), or undefined. */
  function manageReplicas(rs: ReplicaSet, owned: PodObject[], all: PodObject[]): string | undefined {
    const ns = rs.metadata.namespace ?? ''
    const diff = owned.length - (rs.spec?.replicas ?? 1)
    if (diff < 0) {
      const { error } = slowStartBatch(Math.min(-diff, burstReplicas), () => createPod(rs))
      return error === undefined ? undefined : errorText(error)
    }
    if (diff === 0) return undefined
    let first: string | undefined
    for (const pod of podsToDelete(owned, relatedPods(rs, all), Math.min(diff, burstReplicas), clock.now())) {
      const name = pod.metadata.name ?? ''
      try {
        pods.delete(ns, name, {})
        events.record(source, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`)
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue
        events.record(source, rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`)
        first ??= errorText(err)
      }
    }
    return first
  }

  return {
    name: 'replicaset',
    watches: [
      { group: 'apps', plural: 'replicasets' },
      { group: '', plural: 'pods', keys: keysForPod },
    ],
    reconcile(key): ReconcileResult | void {
      const [ns, name] = splitKey(key)
      const stored = replicaSets.getStored(ns, name)
      if (!stored) return
      const rs = JSON.parse(stored.json) as ReplicaSet
      const all = pods.list(ns).items.map((s) => s.obj as PodObject)
      const owned = claimPods(rs, all.filter(isPodActive))
      const manageError = rs.metadata.deletionTimestamp ? undefined : manageReplicas(rs, owned, all)
      const now = clock.now()
      const status = replicaSetStatus(rs, owned, manageError, now)
      const { conditions, ...counts } = status
      const next = { ...counts, observedGeneration: rs.metadata.generation, ...(conditions ? { conditions } : {}) }
      if (!deepEqual(rs.status ?? {}, next)) {
        try {
          replicaSets.guaranteedUpdate(
            ns,
            name,
            (cur) => {
              if (cur.metadata.uid !== rs.metadata.uid) throw StatusError.notFound(replicaSets.ref, name)
              cur.status = next
              return cur
            },
            { subresource: 'status' },
          )
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err
        }
      }
      if (manageError !== undefined) throw new Error(manageError)
      // Resync when the next ready pod passes minReadySeconds, so availableReplicas moves without a pod event.
      const minReady = rs.spec?.minReadySeconds ?? 0
      const due = owned.map((p) => availableAt(p, minReady)).filter((t): t is number => t !== undefined && t > now)
      if (due.length) return { requeueAfterMs: Math.min(...due) - now }
    },
  }
}
