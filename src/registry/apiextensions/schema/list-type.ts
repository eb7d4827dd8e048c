/**
 * @module list-type: uniqueness of x-kubernetes-list-type set and map lists
 * (apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go).
 */
import type { FieldError } from '../../../types.js'
import { duplicate, invalid } from '../../shared/field-errors.js'
import { goValue, isObj } from './field-path.js'
import type { SchemaNode } from './schema-node.js'

/** Go's json.Marshal sorts map keys: the identity of a compound set element. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`
  return JSON.stringify(v) ?? 'undefined'
}

/** Indices of the second appearance of each repeated element (validateListSet). */
function nonUnique(items: unknown[]): number[] {
  const seen = new Map<string, number>()
  const out: number[] = []
  items.forEach((x, i) => {
    const k = x === undefined ? '\0unspecified' : typeof x === 'object' && x !== null ? canonical(x) : `${typeof x}:${String(x)}`
    const n = seen.get(k) ?? 0
    seen.set(k, n + 1)
    if (n === 1) out.push(i)
  })
  return out
}

function validateArray(path: string, s: SchemaNode, arr: unknown[], out: FieldError[]): void {
  if (s.listType === 'set') {
    if (arr.length > 1) for (const i of nonUnique(arr)) out.push(duplicate(`${path}[${i}]`, goValue(arr[i])))
  } else if (s.listType === 'map') {
    const bad = arr.findIndex((x) => x !== null && !isObj(x))
    if (bad >= 0) out.push(invalid(`${path}[${bad}]`, arr[bad], 'must be an object for an array of list-type map'))
    else if (arr.length > 1) {
      const keys = s.listMapKeys ?? []
      const keyOf = (x: unknown): Record<string, unknown> | undefined => {
        const k: Record<string, unknown> = {}
        if (isObj(x)) for (const f of keys) if (f in x) k[f] = x[f]
        return keys.length === 1 && !(isObj(x) && keys[0] in x) ? undefined : k
      }
      const ks = arr.map(keyOf)
      const ids = keys.length === 1 ? ks.map((k) => (k === undefined ? undefined : k[keys[0]])) : ks
      for (const i of nonUnique(ids)) out.push(duplicate(`${path}[${i}]`, goValue(ks[i] ?? {})))
    }
  }
  if (s.items)
    arr.forEach((v, i) => {
      visit(`${path}[${i}]`, s.items as SchemaNode, v, out)
    })
}

function visit(path: string, s: SchemaNode, v: unknown, out: FieldError[]): void {
  if (Array.isArray(v)) validateArray(path, s, v, out)
  else if (isObj(v)) visitObject(path, s, v, out)
}

function visitObject(path: string, s: SchemaNode, obj: Record<string, unknown>, out: FieldError[]): void {
  const ap = s.additionalProperties?.schema
  if (ap) for (const [k, v] of Object.entries(obj)) visit(`${path}[${k}]`, ap, v, out)
  if (s.properties) {
    for (const [k, v] of Object.entries(obj)) {
      const sub = s.properties.get(k)
      if (sub) visit(path ? `${path}.${k}` : k, sub, v, out)
    }
  }
}

/** ValidateListSetsAndMaps: `Duplicate value` for each repeated set element or map key. Never mutates `obj`. */
export function validateListSetsAndMaps(obj: Record<string, unknown>, schema: SchemaNode): FieldError[] {
  const out: FieldError[] = []
  visitObject('', schema, obj, out)
  return out
}
