/** @module volumeattachments: the storage.k8s.io/v1 VolumeAttachment definition (pkg/registry/storage/volumeattachment/strategy.go). */
import type { VolumeAttachmentSpec, VolumeAttachmentStatus } from 'kubernetes-types/storage/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { invalid, required } from '../shared/field-errors.js'
import { invalidEach, isDNS1123Subdomain } from '../shared/validation.js'
import { jsonEqual } from '../apps/workload-validation.js'
import { statusSubresource } from '../apps/deployments.js'
import { columnDocs } from './column-docs.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A VolumeAttachment as stored. */
export type VolumeAttachment = KubeObject & { spec?: VolumeAttachmentSpec; status?: VolumeAttachmentStatus }

/** ValidateVolumeAttachmentSpec: attacher and nodeName required, exactly one source. */
function validate(obj: VolumeAttachment): FieldError[] {
  const s = obj.spec ?? ({} as VolumeAttachmentSpec)
  const errs: FieldError[] = []
  if (!s.attacher) errs.push(required('spec.attacher'))
  else errs.push(...invalidEach('spec.attacher', s.attacher, isDNS1123Subdomain(s.attacher.toLowerCase())))
  const src = s.source ?? {}
  const n = (src.persistentVolumeName ? 1 : 0) + (src.inlineVolumeSpec ? 1 : 0)
  if (n !== 1) errs.push(required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'))
  if (!s.nodeName) errs.push(required('spec.nodeName'))
  return errs
}

/** ValidateVolumeAttachmentUpdate: the whole spec is immutable. */
function validateUpdate(obj: VolumeAttachment, old: VolumeAttachment): FieldError[] {
  const errs = validate(obj)
  if (!jsonEqual(obj.spec, old.spec)) errs.push(invalid('spec', obj.spec, 'field is immutable'))
  return errs
}

/** NAME ATTACHER PV NODE ATTACHED AGE (printVolumeAttachment). */
export const volumeAttachments: ResourceDefinition<VolumeAttachment> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'VolumeAttachment',
  plural: 'volumeattachments',
  singular: 'volumeattachment',
  namespaced: false,
  subresources: [statusSubresource],
  prepareForCreate(obj) {
    obj.status = { attached: false }
  },
  ...specStatusUpdates<VolumeAttachment>(),
  validate,
  validateUpdate,
  columns: [
    nameColumn,
    { name: 'Attacher', type: 'string', format: 'name', description: columnDocs.vaAttacher },
    { name: 'PV', type: 'string', description: columnDocs.vaPV },
    { name: 'Node', type: 'string', description: columnDocs.vaNode },
    { name: 'Attached', type: 'boolean', description: columnDocs.vaAttached },
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.spec?.attacher ?? '',
    obj.spec?.source?.persistentVolumeName ?? '',
    obj.spec?.nodeName ?? '',
    obj.status?.attached ?? false,
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
