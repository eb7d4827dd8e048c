/** @module persistentvolumes: the core/v1 PersistentVolume definition (pkg/registry/core/persistentvolume/strategy.go). */
import type { PersistentVolumeSpec, PersistentVolumeStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { accessModesAsString, storageClassOf } from '../shared/access-modes.js'
import { columnDocs } from '../storage/column-docs.js'
import { statusSubresource } from '../apps/deployments.js'
import { rfc3339 } from '../../util/time.js'
import { validatePersistentVolumeSpec, validatePersistentVolumeUpdate } from './persistentvolume-validation.js'
import { stringColumn } from '../apps/columns.js'

/** A PersistentVolume as stored. */
export type PersistentVolume = KubeObject & { spec?: PersistentVolumeSpec; status?: PersistentVolumeStatus }

/** `pv`: NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE | VOLUMEMODE (printPersistentVolume). */
export const persistentVolumes: ResourceDefinition<PersistentVolume> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusSubresource],
  applyDefaults(obj) {
    // SetDefaults_PersistentVolume.
    const spec = (obj.spec ??= {})
    spec.persistentVolumeReclaimPolicy ||= 'Retain'
    spec.volumeMode ??= 'Filesystem'
    if (spec.hostPath) spec.hostPath.type ??= ''
  },
  prepareForCreate(obj, ctx) {
    // PersistentVolumeLastPhaseTransitionTime (GA in 1.31): a new PV is Pending since now.
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(ctx.now.getTime()) }
    // StorageObjectInUseProtection admission: the pv-protection controller lifts it once the volume is not Bound.
    if (!obj.metadata.finalizers?.includes('kubernetes.io/pv-protection'))
      obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), 'kubernetes.io/pv-protection']
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status
  },
  prepareForStatusUpdate(obj, old, ctx) {
    obj.spec = old.spec
    const phase = obj.status?.phase
    if (phase && phase !== old.status?.phase) obj.status = { ...obj.status, lastPhaseTransitionTime: rfc3339(ctx.now.getTime()) }
  },
  validate: (obj) => validatePersistentVolumeSpec(obj.spec),
  validateUpdate: (obj, old) => validatePersistentVolumeUpdate(obj.spec, old.spec),
  columns: [
    nameColumn,
    stringColumn('Capacity', columnDocs.pvCapacity),
    stringColumn('Access Modes', columnDocs.pvAccessModes),
    stringColumn('Reclaim Policy', columnDocs.pvReclaimPolicy),
    stringColumn('Status', columnDocs.pvPhase),
    stringColumn('Claim', columnDocs.pvClaimRef),
    stringColumn('StorageClass', 'StorageClass of the pv'),
    stringColumn('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    stringColumn('Reason', columnDocs.pvReason),
    ageColumn,
    { ...stringColumn('VolumeMode', columnDocs.pvVolumeMode), priority: 1 },
  ],
  row(obj, now) {
    const spec = obj.spec ?? {}
    const ref = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : ''
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : (obj.status?.phase ?? '')
    return [
      obj.metadata.name ?? '',
      String(spec.capacity?.storage ?? '0'),
      accessModesAsString(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '',
      phase,
      ref,
      storageClassOf(obj),
      spec.volumeAttributesClassName ?? '<unset>',
      obj.status?.reason ?? '',
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      spec.volumeMode ?? '<unset>',
    ]
  },
}
