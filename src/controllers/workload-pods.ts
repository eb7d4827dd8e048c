/** @module workload-pods: pod predicates and owner references the workload controllers share (pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go). */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { KubeObject } from '../types.js'
import { labelSelectorAsString } from '../store/selectors.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'

/** A Pod as stored (metadata writable, spec/status as core/v1 types them). */
export type PodObject = KubeObject & { spec?: Pod['spec']; status?: Pod['status'] }

/** The ownerReference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)
}

/** metav1.NewControllerRef: the reference a controller stamps on what it creates (blocks foreground deletion). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion ?? '', kind: owner.kind ?? '', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: PodObject): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/**
 * podutil.IsPodAvailable: ready, and (with minReadySeconds) ready for longer than that, judged by
 * the Ready condition's lastTransitionTime.
 */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, nowMs: number): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready')
  if (!c || c.status !== 'True') return false
  if (!minReadySeconds) return true
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs
}

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

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: PodObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp
}

/** The pods in the owner's namespace that select by `selector` and name the owner (by uid) as controller. */
export function podsControlledBy(pods: ResourceStore, owner: KubeObject, selector: LabelSelector | undefined): PodObject[] {
  const sel = labelSelectorAsString(selector, { empty: '' })
  const uid = owner.metadata.uid
  const out: PodObject[] = []
  for (const s of pods.list(owner.metadata.namespace ?? '', sel && sel !== '<error>' ? { labelSelector: sel } : {}).items) {
    if (controllerRef(s.obj)?.uid === uid) out.push(s.obj as PodObject)
  }
  return out
}

/** Orders by creation time, then name: oldest first (the tie-break the controllers use). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0
}
