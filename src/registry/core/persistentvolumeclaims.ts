/** @module persistentvolumeclaims: the core/v1 PersistentVolumeClaim definition (pkg/registry/core/persistentvolumeclaim/strategy.go). */
import type { PersistentVolumeClaimSpec, PersistentVolumeClaimStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { accessModesAsString, storageClassOf } from '../shared/access-modes.js'
import { columnDocs } from '../storage/column-docs.js'
import { statusSubresource } from '../apps/deployments.js'
import { validatePersistentVolumeClaimSpec, validatePersistentVolumeClaimUpdate } from './persistentvolumeclaim-validation.js'
import { specStatusUpdates } from '../shared/spec-status.js'
import { stringColumn } from '../apps/columns.js'

/** A PersistentVolumeClaim as stored. */
export type PersistentVolumeClaim = KubeObject & { spec?: PersistentVolumeClaimSpec; status?: PersistentVolumeClaimStatus }

/** `pvc`: NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE | VOLUMEMODE (printPersistentVolumeClaim). */
export const persistentVolumeClaims: ResourceDefinition<PersistentVolumeClaim> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: [statusSubresource],
  applyDefaults(obj) {
    // SetDefaults_PersistentVolumeClaimSpec.
    const spec = (obj.spec ??= {})
    spec.volumeMode ??= 'Filesystem'
  },
  prepareForCreate(obj) {
    // The status is cleared, then defaulted (phase Pending) when read back.
    obj.status = { phase: 'Pending' }
    // StorageObjectInUseProtection admission: the pvc-protection controller lifts it once no pod uses the claim.
    if (!obj.metadata.finalizers?.includes('kubernetes.io/pvc-protection'))
      obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection']
  },
  ...specStatusUpdates<PersistentVolumeClaim>(),
  validate: (obj) => validatePersistentVolumeClaimSpec(obj.spec),
  validateUpdate: validatePersistentVolumeClaimUpdate,
  columns: [
    nameColumn,
    stringColumn('Status', columnDocs.pvcPhase),
    stringColumn('Volume', columnDocs.pvcVolumeName),
    stringColumn('Capacity', columnDocs.pvcCapacity),
    stringColumn('Access Modes', columnDocs.pvcAccessModes),
    stringColumn('StorageClass', 'StorageClass of the pvc'),
    stringColumn('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    { ...stringColumn('VolumeMode', columnDocs.pvcVolumeMode), priority: 1 },
  ],
  row(obj, now) {
    const spec = obj.spec ?? {}
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : (obj.status?.phase ?? '')
    // Capacity and access modes show only once the claim names a volume.
    const bound = !!spec.volumeName
    return [
      obj.metadata.name ?? '',
      phase,
      spec.volumeName ?? '',
      bound ? String(obj.status?.capacity?.storage ?? '0') : '',
      bound ? accessModesAsString(obj.status?.accessModes) : '',
      storageClassOf(obj),
      spec.volumeAttributesClassName ?? '<unset>',
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      spec.volumeMode ?? '<unset>',
    ]
  },
}
