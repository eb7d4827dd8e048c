/** @module table: server-side printing (meta.k8s.io/v1 Table) from each definition's columns and row(). */
import { StatusError } from '../errors.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { ColumnDef } from '../registry/resource-definition.js'
import type { StoredObject } from '../store/object-store.js'
import type { KubeObject } from '../types.js'

export type IncludeObject = 'Metadata' | 'Object' | 'None'

/** Parses ?includeObject=; anything but the three policies is a 400 as upstream. */
export function parseIncludeObject(v: string | undefined): IncludeObject {
  if (v === undefined || v === '' || v === 'Metadata') return 'Metadata'
  if (v === 'Object' || v === 'None') return v
  throw StatusError.badRequest(`unrecognized includeObject value: "${v}"`)
}

/** The default convertor's columns when a kind has no printer (upstream DefaultTableConvertor). */
const defaultColumns: ColumnDef[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', priority: 0 },
]

/** Column definitions in wire form (every field present, priority defaulted). */
export function columnDefinitions(rs: ResourceStore): object[] {
  const cols = rs.def.columns?.length ? rs.def.columns : defaultColumns
  return cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))
}

/** Cuts a string cell at the first line break, as the printer does. */
function cleanCell(c: unknown): unknown {
  if (typeof c !== 'string') return c
  const i = c.search(/[\n\r\f]/)
  return i >= 0 ? c.slice(0, i) + '...' : c
}

/** One TableRow (cells + object per includeObject + conditions). */
export function tableRow(rs: ResourceStore, s: StoredObject, now: Date, include: IncludeObject): string {
  const obj = s.obj
  const cells = rs.def.columns?.length && rs.def.row ? rs.def.row(obj, now).map(cleanCell) : [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null]
  let out = `{"cells":${JSON.stringify(cells)}`
  const conditions = rs.def.rowConditions?.(obj)
  if (conditions?.length) out += `,"conditions":${JSON.stringify(conditions)}`
  if (include === 'Metadata') out += `,"object":${JSON.stringify(partialMetadata(obj))}`
  else if (include === 'Object') out += `,"object":${s.json}`
  return out + '}'
}

function partialMetadata(obj: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
}

/** A whole Table body for a list (or a single GET: one row). */
export function tableJSON(rs: ResourceStore, items: StoredObject[], meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number }, now: Date, include: IncludeObject, withColumns = true): string {
  const m: Record<string, unknown> = {}
  if (meta.resourceVersion) m.resourceVersion = meta.resourceVersion
  if (meta.continue) m.continue = meta.continue
  if (meta.remainingItemCount !== undefined) m.remainingItemCount = meta.remainingItemCount
  const rows = items.map((s) => tableRow(rs, s, now, include)).join(',')
  const cols = withColumns ? JSON.stringify(columnDefinitions(rs)) : 'null'
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(m)},"columnDefinitions":${cols},"rows":[${rows}]}`
}
