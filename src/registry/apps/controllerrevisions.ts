/** @module controllerrevisions: the apps/v1 ControllerRevision definition (pkg/registry/apps/controllerrevision/strategy.go). */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from './columns.js'
import { validateNonnegative } from './int-or-percent.js'
import { jsonEqual } from './workload-validation.js'

/** A ControllerRevision as stored: an opaque `data` snapshot plus its revision number. */
export type ControllerRevision = KubeObject & { data?: unknown; revision?: number }

/** ValidateControllerRevision: data is mandatory, revision non-negative. */
function validate(obj: ControllerRevision): FieldError[] {
  const errs: FieldError[] = []
  if (obj.data === undefined || obj.data === null) errs.push({ type: 'FieldValueRequired', field: 'data', detail: 'data is mandatory' })
  return [...errs, ...validateNonnegative(obj.revision ?? 0, 'revision')]
}

/**
 * `<group-lowercased kind>/<name>` of the controller ownerReference (formatResourceName), e.g.
 * `statefulset.apps/web` or `daemonset.apps/fluentd`; `<none>` without a controller.
 */
export function controllerName(obj: KubeObject): string {
  const refs: OwnerReference[] | undefined = obj.metadata.ownerReferences
  const ref = refs?.find((r: OwnerReference) => r.controller)
  if (!ref) return '<none>'
  const slash = ref.apiVersion.indexOf('/')
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : ''
  if (!ref.kind && !group) return ref.name
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`
}

/** NAME CONTROLLER REVISION AGE (printControllerRevision); REVISION is an int64 cell. */
export const controllerRevisions: ResourceDefinition<ControllerRevision> = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  validate,
  validateUpdate(obj, old) {
    if (jsonEqual(obj.data, old.data)) return []
    return [{ type: 'FieldValueInvalid', field: 'data', badValue: obj.data, detail: 'field is immutable' }]
  },
  columns: [
    nameColumn,
    stringColumn('Controller', 'Controller of the object'),
    stringColumn('Revision', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  row: (obj, now) => [obj.metadata.name ?? '', controllerName(obj), obj.revision ?? 0, translateTimestampSince(obj.metadata.creationTimestamp, now)],
}
