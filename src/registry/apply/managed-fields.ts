/**
 * @module managed-fields: metadata.managedFields on the wire ↔ the updater's Managers, after
 * k8s.io/apimachinery/pkg/util/managedfields/internal (managedfields.go: DecodeManagedFields,
 * EncodeObjectManagedFields, BuildManagerIdentifier; conflict.go: printManager).
 */
import { fieldSetFromFieldsV1 } from './field-set.js'
import type { Managers } from './updater.js'

/** One metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager?: string
  operation?: string
  apiVersion?: string
  time?: string
  fieldsType?: string
  fieldsV1?: Record<string, unknown>
  subresource?: string
}

/** Ownership plus the time of each manager's last change (managedStruct). */
export interface Managed {
  fields: Managers
  /** RFC 3339 times by manager key; absent for entries that had none. */
  times: Map<string, string | undefined>
}

/** An empty Managed (NewEmptyManaged). */
export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() }
}

/**
 * The manager identifier (BuildManagerIdentifier): the entry's JSON without fieldsType, fieldsV1
 * and time, in the Go struct's field order, with apiVersion left out for appliers so that an
 * applier keeps one entry across versions.
 */
export function managerKey(e: Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const o: ManagedFieldsEntry = {}
  if (e.manager) o.manager = e.manager
  if (e.operation) o.operation = e.operation
  if (e.apiVersion && e.operation !== 'Apply') o.apiVersion = e.apiVersion
  if (e.subresource) o.subresource = e.subresource
  return JSON.stringify(o)
}

/** The identifier fields of a key (its manager, operation, apiVersion and subresource). */
export function parseManagerKey(key: string): ManagedFieldsEntry {
  try {
    const v = JSON.parse(key) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ManagedFieldsEntry) : {}
  } catch {
    return {}
  }
}

/** Thrown by decodeManagedFields for an entry upstream refuses to decode. */
export class ManagedFieldsError extends Error {}

/** DecodeManagedFields: throws ManagedFieldsError for a malformed entry. */
export function decodeManagedFields(entries: unknown): Managed {
  const out = emptyManaged()
  if (entries === undefined || entries === null) return out
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list')
  entries.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`)
    const e = raw as ManagedFieldsEntry
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`')
    if (!e.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty')
    if (e.fieldsType === undefined || e.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`)
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`)
    let set: ReturnType<typeof fieldSetFromFieldsV1>
    try {
      set = fieldSetFromFieldsV1(e.fieldsV1 ?? {})
    } catch (err) {
      throw new ManagedFieldsError(`error decoding set: ${(err as Error).message}`)
    }
    const key = managerKey(e)
    out.fields.set(key, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' })
    out.times.set(key, e.time)
  })
  return out
}

/** encodeManagedFields: undefined when no manager is left; entries sorted as upstream sorts them. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (m.fields.size === 0) return undefined
  const out: ManagedFieldsEntry[] = []
  for (const [key, vs] of m.fields) {
    const id = parseManagerKey(key)
    const e: ManagedFieldsEntry = {}
    if (id.manager) e.manager = id.manager
    e.operation = vs.applied ? 'Apply' : (id.operation ?? 'Update')
    e.apiVersion = vs.apiVersion
    const time = m.times.get(key)
    if (time) e.time = time
    e.fieldsType = 'FieldsV1'
    e.fieldsV1 = vs.set.toFieldsV1()
    if (id.subresource) e.subresource = id.subresource
    out.push(e)
  }
  return out.sort(compareEntries)
}

// sortEncodedManagedFields: operation, time (seconds), manager, apiVersion, subresource.
function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  const by = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0)
  if (p.operation !== q.operation) return by(p.operation, q.operation)
  const ps = p.time ? Date.parse(p.time) : 0
  const qs = q.time ? Date.parse(q.time) : 0
  if (ps !== qs) return ps - qs
  return by(p.manager, q.manager) || by(p.apiVersion, q.apiVersion) || by(p.subresource, q.subresource)
}

/** printManager: `"alice"`, `"bob" with subresource "status"`, `"kubectl-edit" using apps/v1`. */
export function printManager(key: string): string {
  const e = parseManagerKey(key)
  if (!e.manager && !e.operation) return JSON.stringify(key)
  let s = JSON.stringify(e.manager ?? '')
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`
  // Identifiers carry no time, so upstream's ` at <time>` form never shows.
  if (e.operation === 'Update') return `${s} using ${e.apiVersion}`
  return s
}
