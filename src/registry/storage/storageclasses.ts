/** @module storageclasses: the storage.k8s.io/v1 StorageClass definition (pkg/registry/storage/storageclass/strategy.go, pkg/apis/storage/validation). */
import type { StorageClass as StorageClassV1 } from 'kubernetes-types/storage/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { invalidEach, isQualifiedName, validateImmutable } from '../shared/validation.js'
import { columnDocs } from './column-docs.js'
import { isDefaultStorageClass } from './default-storage-class.js'
import { stringColumn } from '../apps/columns.js'

/** A StorageClass as stored. */
export type StorageClass = KubeObject & Omit<StorageClassV1, 'metadata' | 'apiVersion' | 'kind'>

const reclaimPolicies = ['Delete', 'Retain']
const bindingModes = ['Immediate', 'WaitForFirstConsumer']
const maxParameters = 512

/** ValidateStorageClass: provisioner, parameters, reclaimPolicy, volumeBindingMode. */
function validate(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = []
  if (!sc.provisioner) errs.push(required('provisioner'))
  else errs.push(...invalidEach('provisioner', sc.provisioner.toLowerCase(), isQualifiedName(sc.provisioner.toLowerCase())))
  const params = Object.keys(sc.parameters ?? {})
  if (params.length > maxParameters)
    errs.push({ type: 'FieldValueTooMany', field: 'parameters', detail: `${params.length}: must have at most ${maxParameters} items` })
  for (const k of params) if (k === '') errs.push(invalid('parameters', k, 'field can not be empty.'))
  if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, reclaimPolicies))
  if (!sc.volumeBindingMode) errs.push(required('volumeBindingMode'))
  else if (!bindingModes.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, bindingModes))
  return errs
}

/** ValidateStorageClassUpdate: parameters, provisioner, reclaimPolicy and volumeBindingMode never change. */
function validateUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validate(sc)
  if (JSON.stringify(sc.parameters ?? {}) !== JSON.stringify(old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'))
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'))
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'))
  errs.push(...validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'))
  return errs
}

/** `sc`: NAME (` (default)`) PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE (printStorageClass). */
export const storageClasses: ResourceDefinition<StorageClass> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  applyDefaults(sc) {
    // SetDefaults_StorageClass.
    sc.reclaimPolicy ||= 'Delete'
    sc.volumeBindingMode ||= 'Immediate'
  },
  validate,
  validateUpdate,
  columns: [
    nameColumn,
    stringColumn('Provisioner', columnDocs.scProvisioner),
    stringColumn('ReclaimPolicy', columnDocs.scReclaimPolicy),
    stringColumn('VolumeBindingMode', columnDocs.scVolumeBindingMode),
    stringColumn('AllowVolumeExpansion', columnDocs.scAllowVolumeExpansion),
    ageColumn,
  ],
  row: (sc, now) => [
    (sc.metadata.name ?? '') + (isDefaultStorageClass(sc) ? ' (default)' : ''),
    sc.provisioner,
    sc.reclaimPolicy ?? 'Delete',
    sc.volumeBindingMode ?? 'Immediate',
    sc.allowVolumeExpansion ?? false,
    translateTimestampSince(sc.metadata.creationTimestamp, now),
  ],
}
