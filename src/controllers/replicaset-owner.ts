/** @module replicaset-owner: ControllerRef helpers shared by the ReplicaSet and Deployment controllers (pkg/controller/controller_ref_manager.go). */
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { compileLabelSelector, labelSelectorFromObject } from '../store/selectors.js'
import type { KubeObject } from '../types.js'
import { perObject } from '../util/per-object.js'

/** Matches label sets against a selector. */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean

/**
 * LabelSelectorAsSelector compiled once (a sync matches every pod of the namespace): an absent selector
 * matches everything, an invalid one nothing.
 */
export function selectorMatcher(sel: LabelSelector | undefined | null): LabelMatcher {
  if (!sel) return () => true
  try {
    return compileLabelSelector(labelSelectorFromObject(sel))
  } catch {
    return () => false
  }
}

/**
 * A matcher that remembers its answer per label set. Stored versions are immutable, so a pod's
 * labels object is the same until the pod changes: a sync over 10,000 unchanged pods then costs
 * 10,000 lookups, not 10,000 selector evaluations.
 */
export function memoizedMatcher(matcher: LabelMatcher): LabelMatcher {
  const seen = perObject((labels: Record<string, string>) => matcher(labels))
  return (labels) => (labels ? seen(labels) : matcher(labels))
}

/** The owner reference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true)
}

/** A controller reference to `owner` as metav1.NewControllerRef builds it (controller and blockOwnerDeletion set). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }
}

/** What ClaimObject decides for one candidate: keep it, adopt it (orphan that matches), release it, or leave it alone. */
export type ClaimDecision = 'keep' | 'adopt' | 'release' | 'ignore'

/**
 * ClaimObject's decision for `obj` against `owner` and its compiled selector: objects controlled by someone else
 * are ignored; our own are kept while they match and released when they stop matching (unless the owner
 * is being deleted); matching orphans that are not being deleted are adopted. Pure; never mutates.
 */
export function claimDecision(owner: KubeObject, matcher: LabelMatcher, obj: KubeObject): ClaimDecision {
  const ref = controllerOf(obj)
  const matches = matcher(obj.metadata.labels)
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore'
    if (matches) return 'keep'
    return owner.metadata.deletionTimestamp ? 'ignore' : 'release'
  }
  if (owner.metadata.deletionTimestamp || !matches || obj.metadata.deletionTimestamp) return 'ignore'
  if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) return 'ignore'
  return 'adopt'
}

/** `obj` with `ref` appended to its ownerReferences (the adopt patch merges by uid). Mutates and returns `obj`. */
export function withOwner(obj: KubeObject, ref: OwnerReference): KubeObject {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid)
  obj.metadata.ownerReferences = [...refs, ref]
  return obj
}

/** `obj` without the reference to `ownerUID` (the release patch's `$patch: delete`). Mutates and returns `obj`. */
export function withoutOwner(obj: KubeObject, ownerUID: string): KubeObject {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUID)
  if (refs.length) obj.metadata.ownerReferences = refs
  else delete obj.metadata.ownerReferences
  return obj
}
