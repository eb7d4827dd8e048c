/** @module csinodes: the storage.k8s.io/v1 CSINode definition (pkg/registry/storage/csinode/strategy.go, pkg/apis/storage/validation). */
import type { CSINodeSpec } from 'kubernetes-types/storage/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { duplicate, forbidden, invalid, required } from '../shared/field-errors.js'

/** A CSINode as stored. */
export type CSINode = KubeObject & { spec?: CSINodeSpec }

/** ValidateCSINodeSpec: each driver has a unique name and a nodeID of at most 192 characters. */
function validate(obj: CSINode): FieldError[] {
  const errs: FieldError[] = []
  const names = new Set<string>()
  ;(obj.spec?.drivers ?? []).forEach((d, i) => {
    const p = `spec.drivers[${i}]`
    if (!d.name) errs.push(required(`${p}.name`))
    else if (names.has(d.name)) errs.push(duplicate(`${p}.name`, d.name))
    names.add(d.name)
    if (!d.nodeID) errs.push(required(`${p}.nodeID`, 'nodeID must not be empty'))
    else if (d.nodeID.length > 192) errs.push(invalid(`${p}.nodeID`, d.nodeID, 'must be 192 characters or less'))
  })
  return errs
}

/** ValidateCSINodeUpdate: a driver that stays keeps its nodeID and topologyKeys. */
function validateUpdate(obj: CSINode, old: CSINode): FieldError[] {
  const errs = validate(obj)
  const before = new Map((old.spec?.drivers ?? []).map((d) => [d.name, d]))
  ;(obj.spec?.drivers ?? []).forEach((d, i) => {
    const o = before.get(d.name)
    if (!o) return
    if (o.nodeID !== d.nodeID) errs.push(invalid(`spec.drivers[${i}].nodeID`, d.nodeID, 'field is immutable'))
    if (JSON.stringify(o.topologyKeys ?? []) !== JSON.stringify(d.topologyKeys ?? []))
      errs.push(forbidden(`spec.drivers[${i}].topologyKeys`, 'field is immutable'))
  })
  return errs
}

/** NAME DRIVERS AGE (printCSINode). */
export const csiNodes: ResourceDefinition<CSINode> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSINode',
  plural: 'csinodes',
  singular: 'csinode',
  namespaced: false,
  applyDefaults(obj) {
    const spec = (obj.spec ??= { drivers: [] })
    spec.drivers ??= []
  },
  validate,
  validateUpdate,
  columns: [nameColumn, { name: 'Drivers', type: 'integer', description: 'Drivers indicates the number of CSI drivers registered on the node' }, ageColumn],
  row: (obj, now) => [obj.metadata.name ?? '', obj.spec?.drivers?.length ?? 0, translateTimestampSince(obj.metadata.creationTimestamp, now)],
}
