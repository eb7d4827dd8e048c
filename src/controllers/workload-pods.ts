/** @module workload-pods: pod predicates and owner references the workload controllers share (pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go). */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { KubeObject } from '../types.js'
import { selectorMatcher } from './replicaset-owner.js'
import { indexes, type Informer } from './informers.js'
import { isPodAvailable, isPodReady } from './replicaset-pods.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'

/** A Pod as stored (metadata writable, spec/status as core/v1 types them). */
export type PodObject = KubeObject & { spec?: Pod['spec']; status?: Pod['status'] }

/** The ownerReference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)
}

/** metav1.NewControllerRef: the reference a controller stamps on what it creates (blocks foreground deletion). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  }
}

// Readiness and availability are the ReplicaSet controller's (one implementation of podutil).
export { isPodAvailable, isPodReady } from './replicaset-pods.js'

/** Milliseconds until a ready pod turns available (0 when it already is or never will by waiting). */
export function msUntilAvailable(pod: PodObject, minReadySeconds: number, nowMs: number): number {
  if (!minReadySeconds || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, nowMs)) return 0
  const c = pod.status!.conditions!.find((x) => x.type === 'Ready')!
  return Math.max(1, Date.parse(c.lastTransitionTime ?? '') + minReadySeconds * 1000 - nowMs)
}

/** Succeeded or Failed. */
export function isPodTerminal(pod: PodObject): boolean {
  const p = pod.status?.phase
  return p === 'Succeeded' || p === 'Failed'
}

export { isPodActive } from './replicaset-pods.js'

/**
 * The pods in the owner's namespace that select by `selector` and name the owner (by uid) as
 * controller, sorted by name as a store list is: the informer's controller index, not a scan.
 */
export function podsControlledBy(pods: Informer, owner: KubeObject, selector: LabelSelector | undefined): PodObject[] {
  const ns = owner.metadata.namespace ?? ''
  const matches = selectorMatcher(selector)
  const out: PodObject[] = []
  for (const s of pods.byIndex(indexes.controller, owner.metadata.uid ?? '')) {
    const p = s.obj as PodObject
    if ((p.metadata.namespace ?? '') === ns && matches(p.metadata.labels)) out.push(p)
  }
  return out.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
}

/** Orders by creation time, then name: oldest first (the tie-break the controllers use). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0
}
