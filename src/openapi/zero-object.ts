/**
 * @module zero-object: a built-in kind's zero value as Go's JSON encoding prints it (`New(gvk)`
 * converted to the request version): non-pointer structs present, non-omitempty pointers, lists
 * and maps null. The fieldmanager compares a create against it, so a create does not "add"
 * `.spec` or `.metadata` themselves (structuredmerge.go in k8s.io/apimachinery/pkg/util/managedfields/internal).
 */
import { readFileSync } from 'node:fs'

interface FieldInfo {
  json?: string
  type: string
  omitempty?: boolean
  pointer?: boolean
  inline?: boolean
  ref?: string
}

interface FieldTable {
  groupVersions: Record<string, string>
  messages: Record<string, { fields: FieldInfo[] }>
}

const dataFile = new URL('../../openapi/protobuf-fields.json', import.meta.url)
let table: FieldTable | undefined

// Types whose MarshalJSON prints something else than a struct for their zero value.
const SPECIAL_ZERO: Record<string, unknown> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': null,
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': null,
  'io.k8s.apimachinery.pkg.api.resource.Quantity': '0',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 0,
  'io.k8s.apimachinery.pkg.runtime.RawExtension': null,
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': null,
}

const cache = new Map<string, Record<string, unknown> | null>()

/**
 * The zero object of `kind` at `apiVersion` with its apiVersion and kind set, or undefined when the
 * kind is not a generated built-in. Computed once and deeply frozen: shared, never to be mutated.
 */
export function zeroObject(apiVersion: string, kind: string): Record<string, unknown> | undefined {
  const key = `${apiVersion}/${kind}`
  let zero = cache.get(key)
  if (zero === undefined) {
    table ??= JSON.parse(readFileSync(dataFile, 'utf8')) as FieldTable
    const prefix = table.groupVersions[apiVersion]
    const name = prefix ? `${prefix}.${kind}` : undefined
    zero = name && table.messages[name] ? deepFreeze({ ...(zeroOf(name, new Set()) as Record<string, unknown>), apiVersion, kind }) : null
    cache.set(key, zero)
  }
  return zero ?? undefined
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}

function zeroOf(name: string, seen: Set<string>): unknown {
  if (name in SPECIAL_ZERO) return SPECIAL_ZERO[name]
  const msg = table!.messages[name]
  if (!msg || seen.has(name)) return {}
  seen.add(name)
  const out: Record<string, unknown> = {}
  for (const f of msg.fields) {
    if (f.inline) {
      if (f.ref) Object.assign(out, zeroOf(f.ref, seen))
      continue
    }
    if (!f.json) continue
    if (f.type === 'message' && !f.pointer) {
      // encoding/json never omits a struct, omitempty or not.
      out[f.json] = zeroOf(f.ref!, seen)
      continue
    }
    if (f.omitempty) continue
    if (f.pointer || f.type === 'list' || f.type === 'map' || f.type === 'bytes') out[f.json] = null
    else if (f.type === 'string') out[f.json] = ''
    else if (f.type === 'bool') out[f.json] = false
    else out[f.json] = 0
  }
  seen.delete(name)
  return out
}
