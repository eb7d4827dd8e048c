/** @module replicaset: the ReplicaSet controller — keeps `spec.replicas` active pods per ReplicaSet, adopts and releases pods by selector, reports status (pkg/controller/replicaset/replica_set.go, v1.32); run over ReplicationControllers too, as pkg/controller/replication does. */
import { StatusError } from '../errors.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import type { PodObject } from '../registry/core/pods.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import type { ControllerDeps } from './index.js'
import {
  claimDecision,
  controllerOf,
  type LabelMatcher,
  memoizedMatcher,
  newControllerRef,
  selectorMatcher,
  withOwner,
  withoutOwner,
} from './replicaset-owner.js'
import { availableAt, burstReplicas, podFacts, podFromTemplate, podsToDelete, replicaSetStatus, slowStartBatch } from './replicaset-pods.js'
import { Expectations } from './expectations.js'
import { indexes, orphanIndexValue } from './informers.js'
import type { Controller, ReconcileResult } from './runtime.js'
import { splitKey, yieldIfBusy } from './runtime.js'
import { type ReplicaKind, refersTo, replicaSetKind } from './replica-kind.js'

/** NamespaceTerminatingCause: creates into a dying namespace are not failures (upstream skips them). */
export function namespaceTerminating(err: unknown): boolean {
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
export function createReplicaSetController(deps: ControllerDeps, kind: ReplicaKind = replicaSetKind): Controller {
  const { registry, clock, events } = deps
  const source = { component: kind.component }
  const isReplicaSetRef = (ref: { apiVersion?: string; kind?: string } | undefined) => refersTo(kind, ref)
  const selectorOf = (rs: KubeObject) => kind.selector(rs)
  // A ReplicationController has a ReplicaSet's spec and status but for its selector (a label map).
  const replicaSets = registry.resource<ReplicaSet>(kind.group, kind.plural)
  const pods = registry.resource<PodObject>('', 'pods')
  const rsCache = deps.manager.informers.for<ReplicaSet>(kind.group, kind.plural)
  const podCache = deps.manager.informers.for<PodObject>('', 'pods')
  const expectations = new Expectations(() => clock.now())

  // The informer tells what the store did: lower the expectations of the pod's ReplicaSet.
  podCache.addHandler(({ type, stored, prev }) => {
    const pod = stored.obj
    const ref = controllerOf(pod)
    if (!ref || !isReplicaSetRef(ref)) return
    const key = `${pod.metadata.namespace ?? ''}/${ref.name}`
    if (type === 'ADDED') expectations.creationObserved(key)
    else if (type === 'DELETED' ? !prev?.obj.metadata.deletionTimestamp : pod.metadata.deletionTimestamp && !prev?.obj.metadata.deletionTimestamp)
      expectations.deletionObserved(key)
  })

  /** The ReplicaSets whose selector matches an orphan's labels (getPodReplicaSets). */
  function matchingReplicaSets(pod: KubeObject): string[] {
    const ns = pod.metadata.namespace ?? ''
    return rsCache
      .list(ns)
      .filter((s) => {
        const sel = selectorOf(s.obj)
        return !labelSelectorIsEmpty(sel) && labelSelectorMatches(sel, pod.metadata.labels)
      })
      .map((s) => `${ns}/${s.obj.metadata.name}`)
  }

  /** addPod/updatePod/deletePod: the pod's controller, its old one if that changed, or the ReplicaSets that may adopt it. */
  function keysForPod(pod: KubeObject, prev?: KubeObject): string[] {
    const ns = pod.metadata.namespace ?? ''
    const ref = controllerOf(pod)
    const keys = ref ? (isReplicaSetRef(ref) ? [`${ns}/${ref.name}`] : []) : matchingReplicaSets(pod)
    if (prev) {
      const old = controllerOf(prev)
      if (old && old.uid !== ref?.uid && isReplicaSetRef(old)) keys.push(`${ns}/${old.name}`)
      // Changed labels can make an orphan adoptable by another ReplicaSet.
      if (!ref && !deepEqual(prev.metadata.labels ?? {}, pod.metadata.labels ?? {}))
        for (const k of matchingReplicaSets(prev)) if (!keys.includes(k)) keys.push(k)
    }
    return keys
  }

  /** The pods a sync looks at: those it controls, and the namespace's orphans (the informer's controller index). */
  function candidatePods(rs: ReplicaSet): PodObject[] {
    const ns = rs.metadata.namespace ?? ''
    const owned = podCache.controlledBy(rs.metadata.uid ?? '').filter((p) => (p.metadata.namespace ?? '') === ns)
    const orphans = podCache.byIndex(indexes.controller, orphanIndexValue(ns))
    return orphans.length ? [...owned, ...orphans.map((s) => s.obj as PodObject)] : owned
  }

  /** Compiled, memoized selectors by ReplicaSet key, rebuilt when the object (uid), selector or template labels change. */
  const matchers = new Map<string, { uid: string; selector: unknown; matcher: LabelMatcher; template: unknown; labeled: LabelMatcher }>()
  function memoFor(rs: ReplicaSet) {
    const key = `${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''}`
    const uid = rs.metadata.uid ?? ''
    const sel = selectorOf(rs)
    const tpl = rs.spec?.template?.metadata?.labels ?? {}
    const m = matchers.get(key)
    if (m && m.uid === uid && deepEqual(m.selector, sel) && deepEqual(m.template, tpl)) return m
    const made = {
      uid,
      selector: sel,
      matcher: memoizedMatcher(selectorMatcher(sel)),
      template: tpl,
      // FullyLabeledReplicas: every template label on the pod (an equality selector of them).
      labeled: memoizedMatcher(selectorMatcher({ matchLabels: tpl })),
    }
    matchers.set(key, made)
    return made
  }
  const matcherFor = (rs: ReplicaSet): LabelMatcher => memoFor(rs).matcher

  /** claimPods: adopt matching orphans, release owned pods that stopped matching; returns the pods we own. */
  async function claimPods(rs: ReplicaSet, active: PodObject[]): Promise<PodObject[]> {
    const ns = rs.metadata.namespace ?? ''
    const out: PodObject[] = []
    const matcher = matcherFor(rs)
    for (const pod of active) {
      const decision = claimDecision(rs, matcher, pod)
      if (decision === 'keep') out.push(pod)
      if (decision !== 'adopt' && decision !== 'release') continue
      // RecheckDeletionTimestamp: adopt only while the live ReplicaSet is the same and not being deleted.
      const fresh = replicaSets.getStored(ns, rs.metadata.name ?? '')?.obj
      if (decision === 'adopt' && (!fresh || fresh.metadata.uid !== rs.metadata.uid || fresh.metadata.deletionTimestamp)) continue
      try {
        const res = await pods.guaranteedUpdate(ns, pod.metadata.name ?? '', (p) => {
          if (p.metadata.uid !== pod.metadata.uid) throw StatusError.notFound(pods.ref, pod.metadata.name ?? '')
          if (decision === 'release') return withoutOwner(p, rs.metadata.uid ?? '') as PodObject
          return controllerOf(p) ? p : (withOwner(p, newControllerRef(rs, kind.apiVersion, kind.kind)) as PodObject)
        })
        if (decision === 'adopt' && controllerOf(res.obj)?.uid === rs.metadata.uid) out.push(res.obj as PodObject)
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
    return out
  }

  /** Active pods controlled by any ReplicaSet that shares this one's controller (getIndirectlyRelatedPods). */
  function relatedPods(rs: ReplicaSet): PodObject[] {
    const owner = controllerOf(rs)
    if (!owner) return []
    const ns = rs.metadata.namespace ?? ''
    const out: PodObject[] = []
    for (const s of rsCache.controlledBy(owner.uid)) {
      if ((s.metadata.namespace ?? '') !== ns) continue
      for (const p of podCache.controlledBy(s.metadata.uid ?? '')) if ((p.metadata.namespace ?? '') === ns) out.push(p)
    }
    return out
  }

  async function createPod(rs: ReplicaSet, key: string): Promise<void> {
    const ns = rs.metadata.namespace ?? ''
    const pod = podFromTemplate(rs.spec?.template ?? {}, rs.metadata.name ?? '', newControllerRef(rs, kind.apiVersion, kind.kind))
    try {
      const created = await pods.create(ns, pod)
      events.record(source, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.obj.metadata.name}`)
    } catch (err) {
      // The informer will never show this pod.
      expectations.creationObserved(key)
      if (namespaceTerminating(err)) return
      events.record(source, rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`)
      throw err
    }
  }

  /** manageReplicas: returns the error text of the first failure (for ReplicaFailure), or undefined. */
  async function manageReplicas(rs: ReplicaSet, key: string, owned: PodObject[]): Promise<string | undefined> {
    const ns = rs.metadata.namespace ?? ''
    const diff = owned.length - (rs.spec?.replicas ?? 1)
    if (diff < 0) {
      const n = Math.min(-diff, burstReplicas)
      expectations.expect(key, n, 0)
      const { successes, error } = await slowStartBatch(n, () => createPod(rs, key), yieldIfBusy)
      // Batches never started will not be observed either (skippedPods).
      for (let i = successes + (error === undefined ? 0 : 1); i < n; i++) expectations.creationObserved(key)
      return error === undefined ? undefined : errorText(error)
    }
    if (diff === 0) return undefined
    let first: string | undefined
    const victims = podsToDelete(owned, relatedPods(rs), Math.min(diff, burstReplicas), clock.now())
    expectations.expect(key, 0, victims.length)
    for (const pod of victims) {
      const name = pod.metadata.name ?? ''
      try {
        await pods.delete(ns, name, {})
        events.record(source, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`)
      } catch (err) {
        expectations.deletionObserved(key)
        if (err instanceof StatusError && err.code === 404) continue
        events.record(source, rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`)
        first ??= errorText(err)
      }
    }
    return first
  }

  return {
    name: kind.name,
    watches: [
      { group: kind.group, plural: kind.plural },
      { group: '', plural: 'pods', keys: keysForPod },
    ],
    async reconcile(key): Promise<ReconcileResult | void> {
      const [ns, name] = splitKey(key)
      const stored = rsCache.get(ns, name)
      if (!stored) {
        expectations.delete(key)
        matchers.delete(key)
        return
      }
      const rs = stored.obj as ReplicaSet
      const owned = await claimPods(
        rs,
        candidatePods(rs).filter((p) => podFacts(p).active),
      )
      const act = !rs.metadata.deletionTimestamp && expectations.satisfied(key)
      const manageError = act ? await manageReplicas(rs, key, owned) : undefined
      const now = clock.now()
      const status = replicaSetStatus(rs, owned, manageError, now, memoFor(rs).labeled)
      const { conditions, ...counts } = status
      const next = { ...counts, observedGeneration: rs.metadata.generation, ...(conditions ? { conditions } : {}) }
      if (!deepEqual(rs.status ?? {}, next)) {
        try {
          await replicaSets.guaranteedUpdate(
            ns,
            name,
            (cur) => {
              if (cur.metadata.uid !== rs.metadata.uid) throw StatusError.notFound(replicaSets.ref, name)
              cur.status = next
              return cur
            },
            { subresource: 'status', shallow: true },
          )
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err
        }
      }
      if (manageError !== undefined) throw new Error(manageError)
      // Resync when the next ready pod passes minReadySeconds, so availableReplicas moves without a pod event.
      const minReady = rs.spec?.minReadySeconds ?? 0
      let due = Infinity
      if (minReady > 0)
        for (const p of owned) {
          const t = availableAt(p, minReady)
          if (t !== undefined && t > now && t < due) due = t
        }
      if (due < Infinity) return { requeueAfterMs: due - now }
    },
  }
}
