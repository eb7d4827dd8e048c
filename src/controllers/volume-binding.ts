/**
 * @module volume-binding: pure PV/PVC matching and binding helpers shared by the persistent-volume
 * controller and the scheduler (pkg/controller/volume/persistentvolume/index.go,
 * component-helpers/storage/volume/pv_helpers.go).
 */
import type { NodeSelectorRequirement } from 'kubernetes-types/core/v1.js'
import type { PersistentVolume } from '../registry/core/persistentvolumes.js'
import type { PersistentVolumeClaim } from '../registry/core/persistentvolumeclaims.js'
import { storageClassOf } from '../registry/shared/access-modes.js'
import { labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import { parseQuantity } from '../registry/shared/quantity.js'
import type { KubeObject } from '../types.js'
import type { Informer } from './informers.js'

export type { PersistentVolume, PersistentVolumeClaim }

/** Annotations the binder and provisioners write (storagehelpers.Ann*). */
export const ann = {
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  selectedNode: 'volume.kubernetes.io/selected-node',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
} as const

/** The finalizers the StorageObjectInUseProtection admission plugin adds. */
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection'
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection'

const storageOf = (q: unknown) => parseQuantity(q as string | undefined) ?? 0

/** IsVolumeBoundToClaim: the claimRef names the claim (and, when it has a uid, the same uid). */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: KubeObject): boolean {
  const ref = pv.spec?.claimRef
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false
  return !ref.uid || ref.uid === claim.metadata.uid
}

/** CheckAccessModes: every mode the claim asks for is one the volume has. */
function hasAccessModes(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const have = new Set(pv.spec?.accessModes ?? [])
  return (claim.spec?.accessModes ?? []).every((m) => have.has(m))
}

/**
 * Whether `pv` can serve `claim` (FindMatchingVolume's checks): same class and volume mode, the
 * access modes, enough capacity, labels the claim's selector picks, and not claimed by another.
 */
export function volumeMatchesClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if (pv.metadata.deletionTimestamp) return false
  if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) return false
  if (!pv.spec?.claimRef && pv.status?.phase !== 'Available' && pv.status?.phase !== 'Pending') return false
  if (storageClassOf(pv) !== storageClassOf(claim)) return false
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false
  if (!hasAccessModes(pv, claim)) return false
  if (storageOf(pv.spec?.capacity?.storage) < storageOf(claim.spec?.resources?.requests?.storage)) return false
  return !claim.spec?.selector || labelSelectorMatches(claim.spec.selector, pv.metadata.labels)
}

/**
 * findBestMatchForClaim: a volume pre-bound to the claim wins; else the smallest matching one.
 * With `delayBinding` (WaitForFirstConsumer) only pre-bound volumes qualify: the scheduler picks
 * the others once it knows the node. `node` filters by the volume's node affinity.
 */
export function findBestMatch(
  claim: PersistentVolumeClaim,
  volumes: PersistentVolume[],
  opts: { delayBinding?: boolean; node?: KubeObject } = {},
): PersistentVolume | undefined {
  let best: PersistentVolume | undefined
  for (const pv of volumes) {
    if (!volumeMatchesClaim(pv, claim)) continue
    if (opts.node && !volumeNodeAffinityMatches(pv, opts.node)) continue
    if (pv.spec?.claimRef) return pv
    if (opts.delayBinding) continue
    if (!best || storageOf(pv.spec?.capacity?.storage) < storageOf(best.spec?.capacity?.storage)) best = pv
  }
  return best
}

function requirementMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const v = labels[r.key]
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v)
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v)
    case 'Exists':
      return v !== undefined
    case 'DoesNotExist':
      return v === undefined
    case 'Gt':
    case 'Lt': {
      const n = Number(v)
      const t = Number(r.values?.[0])
      return v !== undefined && (r.operator === 'Gt' ? n > t : n < t)
    }
    default:
      return false
  }
}

/** CheckNodeAffinity: a volume without node affinity fits anywhere; else one of its terms must match the node. */
export function volumeNodeAffinityMatches(pv: PersistentVolume, node: KubeObject): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms
  if (!terms?.length) return true
  const labels = node.metadata.labels ?? {}
  const fields: Record<string, string> = { 'metadata.name': node.metadata.name ?? '' }
  return terms.some(
    (t) =>
      (t.matchExpressions?.length || t.matchFields?.length) &&
      (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels)) &&
      (t.matchFields ?? []).every((r) => requirementMatches(r, fields)),
  )
}

const none: string[] = []

/** The claim names of a pod's persistentVolumeClaim volumes (a shared empty array when none: this runs on every pod event). */
export function podClaimNames(pod: KubeObject): string[] {
  const vols = (pod as { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } }).spec?.volumes
  if (!vols) return none
  let out: string[] | undefined
  for (const v of vols) {
    const name = v.persistentVolumeClaim?.claimName
    if (name) (out ??= []).push(name)
  }
  return out ?? none
}

/** The pods index by the claims they use (`<ns>/<claim>`), shared by the scheduler and pvc-protection. */
export const podClaimIndex = 'spec.volumes.persistentVolumeClaim'

/** The {@link podClaimIndex} values of a pod. */
export function podClaimKeys(pod: KubeObject): string[] {
  const names = podClaimNames(pod)
  return names.length ? names.map((c) => `${pod.metadata.namespace}/${c}`) : none
}

/** Whether every claim `pod` mounts exists, is not being deleted, and is Bound (the kubelet's mount wait). */
export function claimsBound(pod: KubeObject, claims: Informer): boolean {
  const names = podClaimNames(pod)
  if (!names.length) return true
  const ns = pod.metadata.namespace ?? ''
  return names.every((n) => {
    const c = claims.getObject(ns, n) as PersistentVolumeClaim | undefined
    return c?.status?.phase === 'Bound'
  })
}

/**
 * The volume with its claimRef pointing at `claim` (upstream's bindVolumeToClaim), annotated
 * bound-by-controller when `byController`. Returns a new object; `pv` is not mutated.
 */
export function withClaimRef(pv: PersistentVolume, claim: PersistentVolumeClaim, byController: boolean): PersistentVolume {
  const annotations = byController ? { ...pv.metadata.annotations, [ann.boundByController]: 'yes' } : pv.metadata.annotations
  return {
    ...pv,
    metadata: { ...pv.metadata, annotations },
    spec: {
      ...pv.spec,
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata.namespace ?? '',
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: claim.metadata.resourceVersion,
      },
    },
  }
}
