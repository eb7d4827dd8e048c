/** @module table: server-side printing (meta.k8s.io/v1 Table) from each definition's columns and row(). */
import { StatusError } from '../errors.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { ColumnDef } from '../registry/resource-definition.js'
import { creationTimestampDescription, nameColumn } from '../registry/shared/columns.js'
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
  { ...nameColumn, priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: creationTimestampDescription, priority: 0 },
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
  return i >= 0 ? `${c.slice(0, i)}...` : c
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
  return `${out}}`
}

function partialMetadata(obj: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
}

/** A whole Table body for a list (or a single GET: one row). */
export function tableJSON(
  rs: ResourceStore,
  items: StoredObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  now: Date,
  include: IncludeObject,
  withColumns = true,
): string {
  const m: Record<string, unknown> = {}
  if (meta.resourceVersion) m.resourceVersion = meta.resourceVersion
  if (meta.continue) m.continue = meta.continue
  if (meta.remainingItemCount !== undefined) m.remainingItemCount = meta.remainingItemCount
  const rows = items.map((s) => tableRow(rs, s, now, include)).join(',')
  const cols = withColumns ? JSON.stringify(columnDefinitions(rs)) : 'null'
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(m)},"columnDefinitions":${cols},"rows":[${rows}]}`
}
