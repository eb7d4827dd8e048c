/** @module csistoragecapacities: the storage.k8s.io/v1 CSIStorageCapacity definition (pkg/registry/storage/csistoragecapacity/strategy.go). */
import type { CSIStorageCapacity as CSIStorageCapacityV1 } from 'kubernetes-types/storage/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { nameColumn } from '../shared/columns.js'
import { invalid, required } from '../shared/field-errors.js'
import { invalidEach, isDNS1123Subdomain, validateImmutable, validateLabelSelector } from '../shared/validation.js'
import { parseQuantity } from '../shared/quantity.js'
import { columnDocs } from './column-docs.js'

/** A CSIStorageCapacity as stored. */
export type CSIStorageCapacity = KubeObject & Omit<CSIStorageCapacityV1, 'metadata' | 'apiVersion' | 'kind'>

/** ValidateCSIStorageCapacity: storageClassName a DNS subdomain, nodeTopology a selector, quantities not negative. */
function validate(obj: CSIStorageCapacity): FieldError[] {
  const errs: FieldError[] = []
  if (!obj.storageClassName) errs.push(required('storageClassName'))
  else errs.push(...invalidEach('storageClassName', obj.storageClassName, isDNS1123Subdomain(obj.storageClassName)))
  errs.push(...validateLabelSelector(obj.nodeTopology, 'nodeTopology'))
  for (const k of ['capacity', 'maximumVolumeSize'] as const) {
    const v = obj[k]
    if (v !== undefined && (parseQuantity(v) ?? -1) < 0) errs.push(invalid(k, v, 'must be greater than or equal to 0'))
  }
  return errs
}

/** ValidateCSIStorageCapacityUpdate: storageClassName and nodeTopology are immutable. */
function validateUpdate(obj: CSIStorageCapacity, old: CSIStorageCapacity): FieldError[] {
  return [
    ...validate(obj),
    ...validateImmutable(obj.storageClassName, old.storageClassName, 'storageClassName'),
    ...validateImmutable(obj.nodeTopology ?? null, old.nodeTopology ?? null, 'nodeTopology'),
  ]
}

/** NAME STORAGECLASSNAME CAPACITY (printCSIStorageCapacity; no AGE upstream). */
export const csiStorageCapacities: ResourceDefinition<CSIStorageCapacity> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIStorageCapacity',
  plural: 'csistoragecapacities',
  singular: 'csistoragecapacity',
  namespaced: true,
  validate,
  validateUpdate,
  columns: [
    nameColumn,
    { name: 'StorageClassName', type: 'string', description: columnDocs.cscStorageClassName },
    { name: 'Capacity', type: 'string', description: columnDocs.cscCapacity },
  ],
  row: (obj) => [obj.metadata.name ?? '', obj.storageClassName, obj.capacity === undefined ? '<unset>' : String(obj.capacity)],
}
