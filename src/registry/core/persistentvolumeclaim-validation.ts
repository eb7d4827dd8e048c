/**
 * @module persistentvolumeclaim-validation: ValidatePersistentVolumeClaimSpec / ValidatePersistentVolumeClaimUpdate
 * (pkg/apis/core/validation/validation.go) with 1.32's feature gates (RecoverVolumeExpansionFailure on).
 */
import type { PersistentVolumeClaimSpec, PersistentVolumeClaimStatus } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { validateAccessModes } from '../shared/access-modes.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { parseQuantity } from '../shared/quantity.js'
import { invalidEach, isDNS1123Subdomain, validateImmutable, validateLabelSelector } from '../shared/validation.js'
import { validatePositiveQuantity, volumeModes } from './persistentvolume-validation.js'
import { jsonEqual } from '../apps/workload-validation.js'

/** ValidatePersistentVolumeClaimSpec at `path` (`spec`, or `spec.volumeClaimTemplates[i].spec`). Pure. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path = 'spec'): FieldError[] {
  const s = spec ?? {}
  const errs: FieldError[] = []
  const modes = s.accessModes ?? []
  if (modes.length === 0) errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'))
  if (s.selector) errs.push(...validateLabelSelector(s.selector, `${path}.selector`))
  errs.push(...validateAccessModes(modes, `${path}.accessModes`))
  const storage = (s.resources?.requests as Record<string, string> | undefined)?.storage
  if (storage === undefined) errs.push(required(`${path}.resources[storage]`))
  else errs.push(...validatePositiveQuantity(storage, `${path}.resources[storage]`))
  if (s.storageClassName) errs.push(...invalidEach(`${path}.storageClassName`, s.storageClassName, isDNS1123Subdomain(s.storageClassName)))
  if (s.volumeMode && !volumeModes.includes(s.volumeMode)) errs.push(notSupported(`${path}.volumeMode`, s.volumeMode, volumeModes))
  for (const k of ['dataSource', 'dataSourceRef'] as const) {
    const ds = s[k]
    if (!ds) continue
    if (!ds.name) errs.push(required(`${path}.${k}.name`))
    if (!ds.kind) errs.push(required(`${path}.${k}.kind`))
    if (!ds.apiGroup && ds.kind !== 'PersistentVolumeClaim')
      errs.push(invalid(`${path}.${k}`, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
  }
  return errs
}

type Claim = { metadata: { annotations?: Record<string, string> }; spec?: PersistentVolumeClaimSpec; status?: PersistentVolumeClaimStatus }

/**
 * ValidatePersistentVolumeClaimUpdate: the spec is immutable except a first volumeName, a class
 * set on a claim that had none, and (bound claims) resources.requests, which may not shrink
 * below status.capacity.
 */
export function validatePersistentVolumeClaimUpdate(obj: Claim, old: Claim): FieldError[] {
  const errs = validatePersistentVolumeClaimSpec(obj.spec)
  const next = structuredClone(obj.spec ?? {}) as PersistentVolumeClaimSpec
  const prev = structuredClone(old.spec ?? {}) as PersistentVolumeClaimSpec
  if (!prev.volumeName) prev.volumeName = next.volumeName
  if (prev.storageClassName == null && next.storageClassName != null) prev.storageClassName = next.storageClassName
  if (obj.status?.phase === 'Bound' && next.resources?.requests) {
    next.resources.requests = { ...next.resources.requests, storage: prev.resources?.requests?.storage as string }
  }
  next.volumeAttributesClassName = prev.volumeAttributesClassName
  if (!jsonEqual(next, prev)) {
    errs.push(
      forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(prev, next)}`),
    )
  }
  const size = (c: unknown) => parseQuantity(c as string | undefined) ?? 0
  const newSize = size(obj.spec?.resources?.requests?.storage)
  if (newSize < size(old.spec?.resources?.requests?.storage) && newSize <= size(old.status?.capacity?.storage))
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'))
  errs.push(...validateImmutable(obj.spec?.volumeMode ?? null, old.spec?.volumeMode ?? null, 'volumeMode'))
  return errs
}

/** A short stand-in for cmp.Diff (whose output upstream randomises on purpose): the changed fields. */
function specDiff(prev: PersistentVolumeClaimSpec, next: PersistentVolumeClaimSpec): string {
  const p = prev as Record<string, unknown>
  const n = next as Record<string, unknown>
  const keys = [...new Set([...Object.keys(p), ...Object.keys(n)])].filter((k) => !jsonEqual(p[k], n[k]))
  const lines = keys.flatMap((k) => [`- \t${k}: ${JSON.stringify(p[k] ?? null)},`, `+ \t${k}: ${JSON.stringify(n[k] ?? null)},`])
  return ['  core.PersistentVolumeClaimSpec{', ...lines, '  }', ''].join('\n')
}
