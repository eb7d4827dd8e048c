/** @module csidrivers: the storage.k8s.io/v1 CSIDriver definition (pkg/registry/storage/csidriver/strategy.go, pkg/apis/storage/validation). */
import type { CSIDriverSpec } from 'kubernetes-types/storage/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { notSupported } from '../shared/field-errors.js'
import { invalidEach, isDNS1123Subdomain, validateImmutable } from '../shared/validation.js'
import { columnDocs } from './column-docs.js'

/** A CSIDriver as stored. */
export type CSIDriver = KubeObject & { spec?: CSIDriverSpec }

const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType']
const lifecycleModes = ['Ephemeral', 'Persistent']

/** ValidateCSIDriver: the name is a DNS subdomain of at most 63 characters; policies from their lists. */
function validate(obj: CSIDriver): FieldError[] {
  const errs: FieldError[] = []
  const name = obj.metadata.name ?? ''
  if (name.length > 63) errs.push({ type: 'FieldValueTooLong', field: 'name', detail: 'may not be more than 63 bytes' })
  errs.push(...invalidEach('name', name, isDNS1123Subdomain(name.toLowerCase())))
  const spec = obj.spec ?? {}
  if (spec.fsGroupPolicy && !fsGroupPolicies.includes(spec.fsGroupPolicy)) errs.push(notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, fsGroupPolicies))
  ;(spec.volumeLifecycleModes ?? []).forEach((m) => {
    if (!lifecycleModes.includes(m)) errs.push(notSupported('spec.volumeLifecycleModes', m, lifecycleModes))
  })
  return errs
}

/** ValidateCSIDriverUpdate: attachRequired, fsGroupPolicy and volumeLifecycleModes are immutable. */
function validateUpdate(obj: CSIDriver, old: CSIDriver): FieldError[] {
  const errs = validate(obj)
  const s = obj.spec ?? {}
  const o = old.spec ?? {}
  errs.push(...validateImmutable(s.attachRequired, o.attachRequired, 'spec.attachRequired'))
  errs.push(...validateImmutable(s.fsGroupPolicy, o.fsGroupPolicy, 'spec.fsGroupPolicy'))
  errs.push(...validateImmutable(s.volumeLifecycleModes, o.volumeLifecycleModes, 'spec.volumeLifecycleModes'))
  return errs
}

const bool = (name: string, description: string) => ({ name, type: 'boolean' as const, description })

/** NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE (printCSIDriver). */
export const csiDrivers: ResourceDefinition<CSIDriver> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  plural: 'csidrivers',
  singular: 'csidriver',
  namespaced: false,
  applyDefaults(obj) {
    // SetDefaults_CSIDriver (SELinuxMountReadWriteOncePod is beta, on, in 1.32).
    const spec = (obj.spec ??= {})
    spec.attachRequired ??= true
    spec.podInfoOnMount ??= false
    spec.storageCapacity ??= false
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType'
    if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent']
    spec.requiresRepublish ??= false
    spec.seLinuxMount ??= false
  },
  validate,
  validateUpdate,
  columns: [
    nameColumn,
    bool('AttachRequired', columnDocs.csiAttachRequired),
    bool('PodInfoOnMount', columnDocs.csiPodInfoOnMount),
    bool('StorageCapacity', columnDocs.csiStorageCapacity),
    { name: 'TokenRequests', type: 'string', description: columnDocs.csiTokenRequests },
    bool('RequiresRepublish', columnDocs.csiRequiresRepublish),
    { name: 'Modes', type: 'string', description: columnDocs.csiModes },
    ageColumn,
  ],
  row(obj, now) {
    const s = obj.spec ?? {}
    const tokens = (s.tokenRequests ?? []).map((t) => t.audience)
    return [
      obj.metadata.name ?? '',
      s.attachRequired ?? true,
      s.podInfoOnMount ?? false,
      s.storageCapacity ?? false,
      tokens.length ? tokens.join(',') : '<unset>',
      s.requiresRepublish ?? false,
      (s.volumeLifecycleModes ?? []).join(','),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ]
  },
}
