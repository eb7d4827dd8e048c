/**
 * @module statefulset-claims: the claims a StatefulSet's volumeClaimTemplates give each ordinal and
 * their owner references under persistentVolumeClaimRetentionPolicy (pkg/controller/statefulset/stateful_set_utils.go).
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { StatefulSet } from '../registry/apps/statefulsets.js'
import type { PersistentVolumeClaim } from '../registry/core/persistentvolumeclaims.js'
import type { KubeObject } from '../types.js'
import { newControllerRef } from './workload-pods.js'
import { StatusError } from '../errors.js'
import type { ControllerDeps } from './index.js'
import { jsonEqual } from '../registry/apps/workload-validation.js'

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function claimName(template: string, set: string, ordinal: number): string {
  return `${template}-${set}-${ordinal}`
}

/**
 * getPersistentVolumeClaims: each template as the claim of `ordinal` — its name, the set's
 * namespace, the template's labels plus the selector's matchLabels. Pure; no status.
 */
export function claimsForOrdinal(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((tpl) => {
    const { creationTimestamp: _c, ...meta } = (tpl.metadata ?? {}) as Record<string, unknown>
    const labels = tpl.metadata?.labels ? { ...tpl.metadata.labels, ...(set.spec?.selector?.matchLabels ?? {}) } : set.spec?.selector?.matchLabels
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...meta,
        name: claimName(tpl.metadata?.name ?? '', set.metadata.name ?? '', ordinal),
        namespace: set.metadata.namespace,
        ...(labels ? { labels: { ...labels } } : {}),
      },
      spec: structuredClone(tpl.spec ?? {}),
    }
  })
}

/**
 * updateClaimOwnerRefForSetAndPod: the claim's owner references with those to the set and the pod
 * replaced by what the retention policy asks — the set when whenDeleted is Delete, the pod when
 * whenScaled is Delete and the pod is scaled away (`inRange` false). Pure.
 */
export function claimOwnerRefs(claim: KubeObject, set: StatefulSet, pod: KubeObject | undefined, inRange: boolean): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {}
  const refs = (claim.metadata.ownerReferences ?? []).filter(
    (r) => !(r.kind === 'StatefulSet' && r.name === set.metadata.name) && !(pod && r.kind === 'Pod' && r.name === pod.metadata.name),
  )
  // Another controller owns it: leave it alone (hasUnexpectedController).
  if (refs.some((r) => r.controller)) return refs
  if (policy.whenScaled === 'Delete' && !inRange && pod) return [...refs, newControllerRef({ ...pod, apiVersion: 'v1', kind: 'Pod' })]
  if (policy.whenDeleted === 'Delete' && (inRange || policy.whenScaled !== 'Delete'))
    return [...refs, newControllerRef({ ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' })]
  return refs
}

const source = { component: 'statefulset-controller' }

/**
 * createPersistentVolumeClaims + the owner-reference update of the StatefulSet controller: the
 * returned function creates the missing claims of an ordinal (recording SuccessfulCreate /
 * FailedCreate on the set) and keeps the existing ones' owner references as the policy asks.
 */
export function createClaimSync(deps: ControllerDeps) {
  const claims = deps.registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const claimCache = deps.manager.informers.for<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  return async function syncClaims(set: StatefulSet, ordinal: number, pod: KubeObject | undefined, inRange: boolean): Promise<void> {
    const ns = set.metadata.namespace ?? ''
    const podName = `${set.metadata.name}-${ordinal}`
    for (const want of claimsForOrdinal(set, ordinal)) {
      const name = want.metadata.name ?? ''
      const have = claimCache.getObject(ns, name) ?? (claims.getStored(ns, name)?.obj as PersistentVolumeClaim | undefined)
      if (!have) {
        want.metadata.ownerReferences = claimOwnerRefs(want, set, pod, inRange)
        if (!want.metadata.ownerReferences.length) delete want.metadata.ownerReferences
        try {
          await claims.create(ns, want)
        } catch (err) {
          if (err instanceof StatusError && err.code === 409) continue
          const msg = `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`
          deps.events.record(source, set, 'Warning', 'FailedCreate', msg)
          throw err
        }
        deps.events.record(source, set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`)
        continue
      }
      if (have.metadata.deletionTimestamp) continue
      const refs = claimOwnerRefs(have, set, pod, inRange)
      if (jsonEqual(refs, have.metadata.ownerReferences ?? [])) continue
      await claims.guaranteedUpdate(ns, name, (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: refs.length ? refs : undefined } }))
    }
  }
}
