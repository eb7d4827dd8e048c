/**
 * @module persistentvolume-validation: ValidatePersistentVolumeSpec / ValidatePersistentVolumeUpdate
 * (pkg/apis/core/validation/validation.go), the rules a user is likely to hit.
 */
import type { PersistentVolumeSpec } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { validateAccessModes } from '../shared/access-modes.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { parseQuantity } from '../shared/quantity.js'
import { GoLiteral } from '../../util/go-value.js'
import { invalidEach, isDNS1123Subdomain, validateImmutable } from '../shared/validation.js'

/** The persistent volume sources of v1.PersistentVolumeSource, in upstream's check order. */
export const pvSourceKeys = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const

const reclaimPolicies = ['Delete', 'Recycle', 'Retain']
/** supportedVolumeModes, sorted. */
export const volumeModes = ['Block', 'Filesystem']

/** ValidatePositiveQuantityValue + a parse check, at `path`. */
export function validatePositiveQuantity(q: unknown, path: string): FieldError[] {
  const n = parseQuantity(q as string | number | undefined)
  if (n === undefined) return [invalid(path, q, 'must be a valid quantity')]
  // Upstream prints the Quantity's String() form, so a JSON number reads as a string too.
  return n > 0 ? [] : [invalid(path, String(q), 'must be greater than zero')]
}

/** ValidatePersistentVolumeSpec for a (defaulted) non-inline PV. Pure. */
export function validatePersistentVolumeSpec(spec: PersistentVolumeSpec | undefined): FieldError[] {
  const s = (spec ?? {}) as PersistentVolumeSpec & Record<string, unknown>
  const errs: FieldError[] = []
  const modes = s.accessModes ?? []
  if (modes.length === 0) errs.push(required('spec.accessModes'))
  errs.push(...validateAccessModes(modes, 'spec.accessModes'))
  const capacity = (s.capacity ?? {}) as Record<string, string>
  const keys = Object.keys(capacity)
  if (keys.length === 0) errs.push(required('spec.capacity'))
  if (!('storage' in capacity) || keys.length > 1)
    errs.push(notSupported('spec.capacity', keys.length ? capacity : new GoLiteral('core.ResourceList(nil)'), ['storage']))
  for (const k of keys.sort()) errs.push(...validatePositiveQuantity(capacity[k], `spec.capacity[${k}]`))
  const rp = s.persistentVolumeReclaimPolicy
  if (rp && !reclaimPolicies.includes(rp)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, reclaimPolicies))
  const na = s.nodeAffinity
  if (na && !na.required?.nodeSelectorTerms?.length)
    errs.push(required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'))
  let n = 0
  for (const k of pvSourceKeys) {
    if (s[k] === undefined || s[k] === null) continue
    if (n > 0) {
      errs.push(forbidden(`spec.${k}`, 'may not specify more than 1 volume type'))
      continue
    }
    n++
    const src = s[k] as Record<string, unknown>
    if (k === 'hostPath' && !src.path) errs.push(required('spec.hostPath.path'))
    if (k === 'local') {
      if (!src.path) errs.push(required('spec.local.path'))
      if (!na) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'))
    }
    if (k === 'nfs') {
      if (!src.server) errs.push(required('spec.nfs.server'))
      if (!src.path) errs.push(required('spec.nfs.path'))
    }
    if (k === 'csi') {
      if (!src.driver) errs.push(required('spec.csi.driver'))
      if (!src.volumeHandle) errs.push(required('spec.csi.volumeHandle'))
    }
  }
  if (n === 0) errs.push(required('spec', 'must specify a volume type'))
  if (s.hostPath && /^\/+$/.test(s.hostPath.path) && rp === 'Recycle')
    errs.push(forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"))
  if (s.storageClassName) errs.push(...invalidEach('spec.storageClassName', s.storageClassName, isDNS1123Subdomain(s.storageClassName)))
  if (s.volumeMode && !volumeModes.includes(s.volumeMode)) errs.push(notSupported('spec.volumeMode', s.volumeMode, volumeModes))
  return errs
}

/** ValidatePersistentVolumeUpdate: the volume source, volumeMode and a set nodeAffinity are immutable. */
export function validatePersistentVolumeUpdate(spec: PersistentVolumeSpec | undefined, old: PersistentVolumeSpec | undefined): FieldError[] {
  const errs = validatePersistentVolumeSpec(spec)
  const source = (x: PersistentVolumeSpec | undefined) =>
    Object.fromEntries(pvSourceKeys.map((k) => [k, (x as Record<string, unknown> | undefined)?.[k] ?? null]))
  if (JSON.stringify(source(spec)) !== JSON.stringify(source(old)))
    errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'))
  errs.push(...validateImmutable(spec?.volumeMode ?? null, old?.volumeMode ?? null, 'volumeMode'))
  if (old?.nodeAffinity) errs.push(...validateImmutable(spec?.nodeAffinity ?? null, old.nodeAffinity, 'nodeAffinity'))
  return errs
}
