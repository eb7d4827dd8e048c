/**
 * @module value: the JSON value helpers structured-merge-diff's value package gives the merge:
 * its total order, Go's JSON and `%v` printing of scalars (for fieldsV1 keys and conflict paths);
 * value.Equals is util/deep-equal.ts's deepEqual.
 * After sigs.k8s.io/structured-merge-diff/v6/value/value.go.
 */
import { goQuote } from '../../util/go-value.js'

/** A JSON value as the API decodes it; `undefined` never appears inside one (it means "absent"). */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value }

/** A JSON object (smd's map), as opposed to a list or a scalar. */
export type ValueMap = { [key: string]: Value }

/** Whether `v` is a JSON object (not null, not an array). */
export function isMap(v: unknown): v is ValueMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Whether `v` is a JSON object without keys. */
export function isEmptyMap(v: unknown): boolean {
  if (!isMap(v)) return false
  for (const _ in v) return false
  return true
}

// value.Compare orders kinds: numbers (floats and ints compare numerically), strings, booleans, lists, maps, null.
function rank(v: unknown): number {
  if (typeof v === 'number') return 0
  if (typeof v === 'string') return 1
  if (typeof v === 'boolean') return 2
  if (Array.isArray(v)) return 3
  if (v !== null && typeof v === 'object') return 4
  return 5
}

/** Strings in Go's order: UTF-8 bytes, which differs from UTF-16 units only above the surrogates. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x < y ? -1 : 1
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

/** smd's total order of values (value.Compare): -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra < rb ? -1 : 1
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
    case 1:
      return compareStrings(a as string, b as string)
    case 2:
      return a === b ? 0 : a ? 1 : -1
    case 3: {
      const x = a as unknown[]
      const y = b as unknown[]
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareValues(x[i], y[i])
        if (c !== 0) return c
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0
    }
    case 4: {
      // MapCompare: entries in key order, compared key then value; the shorter map first.
      const x = a as Record<string, unknown>
      const y = b as Record<string, unknown>
      const xk = Object.keys(x).sort(compareStrings)
      const yk = Object.keys(y).sort(compareStrings)
      for (let i = 0; i < xk.length && i < yk.length; i++) {
        const c = compareStrings(xk[i]!, yk[i]!) || compareValues(x[xk[i]!], y[yk[i]!])
        if (c !== 0) return c
      }
      return xk.length < yk.length ? -1 : xk.length > yk.length ? 1 : 0
    }
    default:
      return 0
  }
}

// Go's encoding/json (and json-iterator's standard-library mode) escapes these in strings.
const htmlUnsafe = /[<>&\u2028\u2029]/g
const htmlEscapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' }

/** A string as Go's encoding/json writes it (HTML-safe escapes). */
export function goJSONString(s: string): string {
  // Most keys are plain ASCII with nothing to escape.
  let plain = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92 || c === 60 || c === 62 || c === 38) {
      plain = false
      break
    }
  }
  if (plain) return `"${s}"`
  const j = JSON.stringify(s)
  return htmlUnsafe.test(j) ? j.replace(htmlUnsafe, (c) => htmlEscapes[c]!) : j
}

/** A value as Go's encoding/json writes an `interface{}`: maps with sorted keys, HTML-safe strings. */
export function goJSON(v: unknown): string {
  if (typeof v === 'string') return goJSONString(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`
  const m = v as Record<string, unknown>
  return `{${Object.keys(m)
    .sort(compareStrings)
    .map((k) => `${goJSONString(k)}:${goJSON(m[k])}`)
    .join(',')}}`
}

/** A value as smd prints it in a path (value.ToString): strings quoted, maps as `k=v` runs. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return goQuote(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`
  const m = v as Record<string, unknown>
  return Object.keys(m)
    .map((k) => `${k}=${valueToString(m[k])}`)
    .join('')
}
