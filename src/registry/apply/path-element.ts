/**
 * @module path-element: smd's fieldpath.PathElement, held in its serialized fieldsV1 form
 * (`f:name`, `k:{"name":"nginx"}`, `v:"a"`, `i:0`) so that sets are keyed by the very strings
 * managedFields stores. Order and printing follow
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/fieldpath/element.go and
 * serialize-pe.go.
 */
import { GenerationalLru } from '../../util/lru.js'
import { compareStrings, compareValues, goJSON, goJSONString, type Value, valueToString } from './value.js'

/** A serialized path element: `f:` field name, `k:` associative-list key, `v:` set value, `i:` index. */
export type PathElement = string

/** The element selecting field `name` of a struct or key `name` of a map. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`
}

/** The element selecting a list item by index (lists that are neither sets nor maps). */
export function indexElement(i: number): PathElement {
  return `i:${i}`
}

/** The element selecting a set item by its value. */
export function valueElement(v: Value): PathElement {
  return `v:${goJSON(v)}`
}

/**
 * The element selecting an associative-list item by its key fields; `fields` must be sorted by
 * name (smd sorts the FieldList), and is written as upstream's JSON-iterator does: no spaces.
 */
export function keyElement(fields: readonly (readonly [string, Value])[]): PathElement {
  let s = 'k:{'
  for (let i = 0; i < fields.length; i++) {
    const [name, v] = fields[i]!
    if (i > 0) s += ','
    s += `${goJSONString(name)}:${goJSON(v)}`
  }
  return `${s}}`
}

// Parsed forms of `k:` and `v:` elements, for ordering and printing; bounded so it cannot grow with traffic.
const parsedCache = new GenerationalLru<string, unknown>(10_000)
function parsed(pe: PathElement): unknown {
  let p = parsedCache.get(pe)
  if (p === undefined) {
    p = JSON.parse(pe.slice(2))
    parsedCache.set(pe, p)
  }
  return p
}

/** The key fields of a `k:` element, sorted by name. */
export function keyFields(pe: PathElement): [string, Value][] {
  const obj = parsed(pe) as Record<string, Value>
  return Object.keys(obj)
    .sort(compareStrings)
    .map((k) => [k, obj[k]!])
}

function kindRank(pe: PathElement): number {
  switch (pe.charCodeAt(0)) {
    case 102: // f
      return 0
    case 107: // k
      return 1
    case 118: // v
      return 2
    default: // i
      return 3
  }
}

/** PathElement.Compare: field names first, then keys, values, indexes; each kind in its own order. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0
  // Two field names (most elements): the shared `f:` prefix does not change their order.
  if (a.charCodeAt(0) === 102 && b.charCodeAt(0) === 102) return compareStrings(a, b)
  const ra = kindRank(a)
  const rb = kindRank(b)
  if (ra !== rb) return ra < rb ? -1 : 1
  switch (ra) {
    case 0:
      return compareStrings(a.slice(2), b.slice(2))
    case 1: {
      const x = keyFields(a)
      const y = keyFields(b)
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareStrings(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1])
        if (c !== 0) return c
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0
    }
    case 2:
      return compareValues(parsed(a), parsed(b))
    default: {
      const x = Number(a.slice(2))
      const y = Number(b.slice(2))
      return x < y ? -1 : x > y ? 1 : 0
    }
  }
}

/** PathElement.String: `.name`, `[name="nginx",port=80]`, `[="a"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.charCodeAt(0)) {
    case 102:
      return `.${pe.slice(2)}`
    case 107:
      return `[${keyFields(pe)
        .map(([k, v]) => `${k}=${valueToString(v)}`)
        .join(',')}]`
    case 118:
      return `[=${valueToString(parsed(pe))}]`
    default:
      return `[${pe.slice(2)}]`
  }
}

/**
 * A fieldsV1 key as a path element in canonical form, or undefined for a kind this version does
 * not know (upstream drops those). `k:` keys are re-sorted and `v:` values re-written so that
 * equal elements are equal strings. Throws on a malformed key.
 */
export function parsePathElement(key: string): PathElement | undefined {
  if (key.charCodeAt(0) === 102 && key.charCodeAt(1) === 58) return key // `f:`, by far the most common
  let c = canonicalCache.get(key)
  if (c === undefined) {
    c = canonical(key)
    canonicalCache.set(key, c)
  }
  return c ?? undefined
}

// Canonical forms of the `k:`/`v:`/`i:` keys read from managedFields (null: a kind to drop).
const canonicalCache = new GenerationalLru<string, PathElement | null>(10_000)

function canonical(key: string): PathElement | null {
  if (key.length < 2 || key[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(key)}: missing colon`)
  switch (key[0]) {
    case 'f':
      return key
    case 'i': {
      const rest = key.slice(2)
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid path element ${JSON.stringify(key)}: bad index`)
      return `i:${Number(rest)}`
    }
    case 'v':
      return valueElement(JSON.parse(key.slice(2)) as Value)
    case 'k': {
      const obj = JSON.parse(key.slice(2)) as unknown
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`invalid path element ${JSON.stringify(key)}: key must be an object`)
      const m = obj as Record<string, Value>
      return keyElement(
        Object.keys(m)
          .sort(compareStrings)
          .map((k) => [k, m[k]!] as const),
      )
    }
    default:
      return null
  }
}
