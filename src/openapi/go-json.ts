/**
 * @module go-json: makes a stored object look as Go's encoding/json would print the typed object:
 * `omitempty` fields holding an empty string, zero, false, empty list or empty map disappear, and
 * nulls in pointer/omitempty fields go. Clients see `kubectl diff` and `-o yaml` as on a real cluster.
 */
import { readFileSync } from 'node:fs'

interface FieldInfo {
  json: string
  type: string
  omitempty?: boolean
  pointer?: boolean
  inline?: boolean
  ref?: string
  elem?: { type: string; ref?: string }
  value?: { type: string; ref?: string }
}

interface FieldTable {
  groupVersions: Record<string, string>
  messages: Record<string, { fields: FieldInfo[] }>
  specials: string[]
}

const dataFile = new URL('../../openapi/protobuf-fields.json', import.meta.url)
let table: FieldTable | undefined
let specials: Set<string> | undefined

function load(): FieldTable {
  if (!table) {
    table = JSON.parse(readFileSync(dataFile, 'utf8')) as FieldTable
    specials = new Set(table.specials)
  }
  return table
}

/** The field-table name of a kind, e.g. `apps/v1` + `Deployment` → `io.k8s.api.apps.v1.Deployment`. */
function messageName(apiVersion: string, kind: string): string | undefined {
  const prefix = load().groupVersions[apiVersion]
  return prefix ? `${prefix}.${kind}` : undefined
}

function isEmptyScalar(f: FieldInfo, v: unknown): boolean {
  switch (f.type) {
    case 'string':
    case 'bytes':
      return v === ''
    case 'int32':
    case 'int64':
      return v === 0
    case 'bool':
      return v === false
    case 'list':
      return Array.isArray(v) && v.length === 0
    case 'map':
      return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0
    default:
      // Go never omits a struct value, even with omitempty (`resources: {}` stays).
      return false
  }
}

/** A message's fields by JSON name, inline members flattened in: what a walk looks keys up in. */
const fieldMaps = new Map<string, Map<string, FieldInfo> | null>()

function fieldsByJSON(name: string): Map<string, FieldInfo> | null {
  let m = fieldMaps.get(name)
  if (m !== undefined) return m
  const msg = load().messages[name]
  m = null
  if (msg && !specials!.has(name)) {
    m = new Map()
    for (const f of msg.fields) {
      if (f.inline && f.ref) {
        for (const [k, inner] of fieldsByJSON(f.ref) ?? []) if (!m.has(k)) m.set(k, inner)
      } else if (!m.has(f.json)) m.set(f.json, f)
    }
  }
  fieldMaps.set(name, m)
  return m
}

/** A JSON object (not an array), or undefined. */
function objectOrUndefined(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/**
 * Walks the keys the object has (not every field its type could have), so the cost follows the
 * object. `prev` is the same place in the version this one replaces, already normalized and never
 * mutated (a stored version): a value that is that version's own (the same reference, as a
 * shallow draft keeps what it does not change) is skipped, so an update walks only what it changed.
 */
function walk(name: string, obj: Record<string, unknown>, prev?: Record<string, unknown>): void {
  const fields = fieldsByJSON(name)
  if (!fields) return
  for (const k in obj) {
    const v = obj[k]
    if (prev !== undefined && v !== undefined && v === prev[k]) continue
    const f = fields.get(k)
    if (!f) continue
    if (v === undefined) {
      delete obj[k]
      continue
    }
    if (v === null) {
      // A nil pointer, list or map with omitempty is left out; a zero struct (e.g. Time) prints null.
      if (f.pointer || (f.omitempty && f.type !== 'message')) delete obj[k]
      continue
    }
    if (f.omitempty && !f.pointer && isEmptyScalar(f, v)) {
      delete obj[k]
      continue
    }
    const pv = prev?.[k]
    if (f.type === 'message' && f.ref && typeof v === 'object' && !Array.isArray(v)) walk(f.ref, v as Record<string, unknown>, objectOrUndefined(pv))
    else if (f.type === 'list' && f.elem?.type === 'message' && f.elem.ref && Array.isArray(v)) {
      const pl = Array.isArray(pv) ? pv : undefined
      for (let i = 0; i < v.length; i++) {
        const x = v[i]
        if (x && typeof x === 'object') walk(f.elem.ref, x as Record<string, unknown>, objectOrUndefined(pl?.[i]))
      }
    } else if (f.type === 'map' && f.value?.type === 'message' && f.value.ref && typeof v === 'object') {
      const pm = objectOrUndefined(pv)
      for (const mk in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[mk]
        if (x && typeof x === 'object') walk(f.value.ref, x as Record<string, unknown>, objectOrUndefined(pm?.[mk]))
      }
    }
  }
}

/**
 * Normalizes `obj` in place for its apiVersion/kind; unknown kinds are left alone. With `only`,
 * just that top-level field is walked (a /status write changes nothing else). `prev`, the stored
 * version `obj` replaces, lets the walk skip every value `obj` shares with it.
 */
export function normalizeGoJSON(obj: { apiVersion?: string; kind?: string } & Record<string, unknown>, only?: string, prev?: Record<string, unknown>): void {
  if (!obj.apiVersion || !obj.kind) return
  const name = messageName(obj.apiVersion, obj.kind)
  if (!name) return
  if (only === undefined) return walk(name, obj, prev)
  const f = fieldsByJSON(name)?.get(only)
  const v = obj[only]
  if (f?.ref && v && typeof v === 'object' && !Array.isArray(v) && v !== prev?.[only])
    walk(f.ref, v as Record<string, unknown>, objectOrUndefined(prev?.[only]))
}
