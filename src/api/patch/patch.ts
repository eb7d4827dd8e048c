/** @module patch: JSON patch, JSON merge patch and strategic merge patch with kube-apiserver's error texts. */
import { StatusError } from '../../errors.js'
import { serverRejected, strategicMergePatch, type SchemaContext } from './strategic-merge-patch.js'

// Error classes and texts follow staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
// (jsonPatcher.applyJSPatch, strategicPatchObject) and gopkg.in/evanphx/json-patch.v4 v4.12.0
// (patch.go, merge.go), which the apiserver uses for JSON and merge patches.
//
// JSON patch is implemented here rather than with fast-json-patch because kube-apiserver's library has
// semantics fast-json-patch rejects (a `replace` of a missing object key adds it, negative array indices,
// `test` against a missing key with value null passes) and its own error texts, which kubectl prints.

export type { SchemaContext } from './strategic-merge-patch.js'

/** The three client patch types; server-side apply is not handled here. */
export type PatchType = 'json' | 'merge' | 'strategic'

/** Maps a PATCH Content-Type (parameters ignored) to a PatchType; undefined for others (→ 415). */
export function patchTypeFromContentType(contentType: string | undefined): PatchType | undefined {
  const base = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (base === 'application/json-patch+json') return 'json'
  if (base === 'application/merge-patch+json') return 'merge'
  if (base === 'application/strategic-merge-patch+json') return 'strategic'
  return undefined
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The JSON type name Go's UnmarshalTypeError uses ("array", "string", "number", "bool", "object"). */
function goJSONType(v: unknown): string {
  if (Array.isArray(v)) return 'array'
  if (v === null) return 'null'
  if (typeof v === 'boolean') return 'bool'
  return typeof v === 'object' ? 'object' : typeof v
}

/**
 * Applies a decoded patch body to `original` and returns a new object; never mutates `original` or `patch`.
 * Throws StatusError as kube-apiserver 1.32 answers (default fieldValidation):
 * - merge: non-object body → 400 `error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}`; `null` → 400 `Invalid JSON Patch`
 * - strategic: non-object body → 400 `json: cannot unmarshal array into Go value of type map[string]interface {}`; `null` → no change
 * - json: see jsonPatch.
 * `schema` is only used for strategic patches; without it SMP degrades to merge semantics (the real server
 * answers 415 for SMP on custom resources — that check belongs to the caller).
 */
export function applyPatch(type: PatchType, original: object, patch: unknown, schema?: SchemaContext): object {
  switch (type) {
    case 'json':
      return jsonPatch(original, patch)
    case 'merge':
      if (patch === null) throw StatusError.badRequest('Invalid JSON Patch')
      if (!isMap(patch))
        throw StatusError.badRequest(`error decoding patch: json: cannot unmarshal ${goJSONType(patch)} into Go value of type map[string]interface {}`)
      return jsonMergePatch(original, patch) as object
    case 'strategic':
      if (patch !== null && !isMap(patch))
        throw StatusError.badRequest(`json: cannot unmarshal ${goJSONType(patch)} into Go value of type map[string]interface {}`)
      return strategicMergePatch(original, patch, schema) as object
  }
}

/**
 * The 400 for a patch body that is not valid JSON, given the Go-worded parse error
 * (json-decode.ts JSONSyntaxError): json/merge → `error decoding patch: <msg>`, strategic → `<msg>`.
 * With fieldValidation=Ignore upstream skips the strict pre-decode: merge → `Invalid JSON Patch`, json → `<msg>`.
 */
export function patchBodySyntaxError(type: PatchType, err: Error, fieldValidation: 'Strict' | 'Warn' | 'Ignore' = 'Warn'): StatusError {
  if (fieldValidation === 'Ignore') {
    if (type === 'merge') return StatusError.badRequest('Invalid JSON Patch')
    return StatusError.badRequest(err.message)
  }
  return StatusError.badRequest(type === 'strategic' ? err.message : `error decoding patch: ${err.message}`)
}

/**
 * Strict-decoding problems of a JSON patch body, worded as upstream (`json patch unknown field "[0].foo"`,
 * `json patch duplicate field "[1].path"`). `duplicates` are the paths from parseJSONWithDuplicates.
 * In Strict mode the caller fails the request with them; in Warn mode each becomes a Warning header.
 */
export function jsonPatchStrictProblems(ops: unknown, duplicates: string[] = []): string[] {
  const out: string[] = []
  if (Array.isArray(ops)) {
    ops.forEach((op, i) => {
      if (!isMap(op)) return
      for (const k of Object.keys(op)) if (!opFields.has(k)) out.push(`json patch unknown field ${JSON.stringify(`[${i}].${k}`)}`)
    })
  }
  for (const d of duplicates) out.push(`json patch duplicate field ${JSON.stringify(d)}`)
  return out
}

const opFields = new Set(['op', 'path', 'from', 'value'])

// ---- RFC 7386 merge patch (evanphx/json-patch v4 merge.go) ---------------------------------------------

/**
 * RFC 7386 JSON merge patch; returns a new value, never mutates inputs. `null` members delete; arrays and
 * scalars replace. Like the apiserver's library, nulls inside newly added objects are pruned, while nulls
 * that are array elements are kept.
 */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  const p = structuredClone(patch)
  if (isMap(original) && isMap(p)) return mergeDocs(structuredClone(original), p)
  return pruneNulls(p)
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isMap(cur)) return pruneNulls(patch)
  if (!isMap(patch)) return patch
  return mergeDocs(cur, patch)
}

function mergeDocs(doc: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k]
      continue
    }
    const cur = doc[k]
    doc[k] = cur === undefined || cur === null ? pruneNulls(v) : mergeValue(cur, v)
  }
  return doc
}

function pruneNulls(v: unknown): unknown {
  if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k]
      else pruneNulls(x)
    }
  } else if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x)
  }
  return v
}

// ---- RFC 6902 JSON patch (evanphx/json-patch v4.12.0 patch.go) -----------------------------------------

const maxJSONPatchOperations = 10000

type Container = Record<string, unknown> | unknown[]

class OpError extends Error {}

/** rfc6901Decoder: "~1" → "/", then "~0" → "~". */
const decodeKey = (k: string): string => k.replace(/~1/g, '/').replace(/~0/g, '~')

/** strconv.Atoi, with Go's error texts. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`)
  return n
}

const invalidIndex = (idx: number): OpError => new OpError(`Unable to access invalid index: ${idx}: invalid index referenced`)

function get(c: Container, key: string): unknown {
  if (!Array.isArray(c)) return Object.hasOwn(c, key) ? c[key] : undefined
  let idx = atoi(key)
  if (idx < 0) {
    if (idx < -c.length) throw invalidIndex(idx)
    idx += c.length
  }
  if (idx >= c.length) throw invalidIndex(idx)
  return c[idx]
}

function add(c: Container, key: string, val: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = val
    return
  }
  if (key === '-') {
    c.push(val)
    return
  }
  let idx: number
  try {
    idx = atoi(key)
  } catch (e) {
    throw new OpError(`value was not a proper array index: '${key}': ${(e as Error).message}`)
  }
  const size = c.length + 1
  if (idx >= size) throw invalidIndex(idx)
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx)
    idx += size
  }
  c.splice(idx, 0, val)
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.hasOwn(c, key)) throw new OpError(`Unable to remove nonexistent key: ${key}: missing value`)
    delete c[key]
    return
  }
  let idx = atoi(key)
  if (idx >= c.length) throw invalidIndex(idx)
  if (idx < 0) {
    if (idx < -c.length) throw invalidIndex(idx)
    idx += c.length
  }
  c.splice(idx, 1)
}

function set(c: Container, key: string, val: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = val
    return
  }
  let idx = atoi(key)
  if (idx < 0) {
    if (idx < -c.length) throw invalidIndex(idx)
    idx += c.length
  }
  c[idx] = val
}

/** findObject: the container holding the last path segment, or undefined when any step is missing. */
function findObject(doc: Container, path: string): [Container, string] | undefined {
  const split = path.split('/')
  if (split.length < 2) return undefined
  let cur: Container = doc
  for (const part of split.slice(1, -1)) {
    let next: unknown
    try {
      next = get(cur, decodeKey(part))
    } catch {
      return undefined
    }
    if (next === null || next === undefined || typeof next !== 'object') return undefined
    cur = next as Container
  }
  return [cur, decodeKey(split[split.length - 1])]
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]))
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** Checks the op list shape as kjson.UnmarshalStrict into []jsonPatchOp does; first problem wins (400). */
function checkOpsShape(ops: unknown): void {
  const fail = (m: string): never => {
    throw StatusError.badRequest(`error decoding patch: json: ${m}`)
  }
  if (ops === null) return
  if (!Array.isArray(ops)) fail(`cannot unmarshal ${goJSONType(ops)} into Go value of type []handlers.jsonPatchOp`)
  for (const op of ops as unknown[]) {
    if (op === null) continue
    if (!isMap(op)) fail(`cannot unmarshal ${goJSONType(op)} into Go value of type handlers.jsonPatchOp`)
    for (const f of ['op', 'path', 'from'] as const) {
      const v = (op as Record<string, unknown>)[f]
      if (v !== undefined && v !== null && typeof v !== 'string') fail(`cannot unmarshal ${goJSONType(v)} into Go struct field jsonPatchOp.${f} of type string`)
    }
  }
}

/**
 * RFC 6902 with evanphx/json-patch v4 semantics; returns a new object and never mutates its inputs.
 * Throws StatusError: a body that is not a list of op objects → 400 `error decoding patch: json: …`;
 * more than 10000 ops → 413; a failing op → 422 reason Invalid with message
 * `the server rejected our request due to an error in our request` and the library's text as the cause,
 * e.g. `testing value /spec/replicas failed: test failed`,
 * `add operation does not apply: doc is missing path: "/metadata/labels/a": missing value`.
 */
export function jsonPatch(original: object, ops: unknown): object {
  checkOpsShape(ops)
  const list = (structuredClone(ops) as (Record<string, unknown> | null)[] | null) ?? []
  if (list.length > maxJSONPatchOperations) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${list.length}`,
    )
  }
  const box: { doc: Container } = { doc: structuredClone(original) as Container }
  for (const raw of list) {
    const op = raw ?? {}
    const kind = typeof op.op === 'string' ? op.op : 'unknown'
    try {
      applyOp(box, kind, op)
    } catch (e) {
      if (e instanceof OpError) throw serverRejected(e.message)
      throw e
    }
  }
  return box.doc
}

/** The op's "value" (absent and null both mean JSON null), copied so ops can be reused. */
const opValue = (op: Record<string, unknown>): unknown => structuredClone(op.value ?? null)

function applyOp(box: { doc: Container }, kind: string, op: Record<string, unknown>): void {
  const path = typeof op.path === 'string' ? op.path : undefined
  const from = typeof op.from === 'string' ? op.from : undefined
  const missingPath = 'operation missing path field: missing value'
  switch (kind) {
    case 'add': {
      if (path === undefined) throw new OpError('add operation failed to decode path: missing value')
      const found = findObject(box.doc, path)
      if (!found) throw new OpError(`add operation does not apply: doc is missing path: "${path}": missing value`)
      wrap(`error in add for path: '${path}'`, () => add(found[0], found[1], opValue(op)))
      return
    }
    case 'remove': {
      if (path === undefined) throw new OpError('remove operation failed to decode path: missing value')
      const found = findObject(box.doc, path)
      if (!found) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": missing value`)
      wrap(`error in remove for path: '${path}'`, () => remove(found[0], found[1]))
      return
    }
    case 'replace': {
      if (path === undefined) throw new OpError(`replace operation failed to decode path: ${missingPath}`)
      if (path === '') {
        // upstream wraps a nil error here, so a scalar value silently leaves the document unchanged
        const v = opValue(op)
        if (typeof v === 'object' && v !== null) box.doc = v as Container
        return
      }
      const found = findObject(box.doc, path)
      if (!found) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: missing value`)
      try {
        get(found[0], found[1])
      } catch {
        throw new OpError(`replace operation does not apply: doc is missing key: ${path}: missing value`)
      }
      wrap(`error in remove for path: '${path}'`, () => set(found[0], found[1], opValue(op)))
      return
    }
    case 'move': {
      if (from === undefined) throw new OpError('move operation failed to decode from: operation, missing from field: missing value')
      const src = findObject(box.doc, from)
      if (!src) throw new OpError(`move operation does not apply: doc is missing from path: ${from}: missing value`)
      const val = wrap(`error in move for path: '${src[1]}'`, () => get(src[0], src[1]))
      wrap(`error in move for path: '${src[1]}'`, () => remove(src[0], src[1]))
      if (path === undefined) throw new OpError(`move operation failed to decode path: ${missingPath}`)
      const dst = findObject(box.doc, path)
      if (!dst) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}: missing value`)
      wrap(`error in move for path: '${path}'`, () => add(dst[0], dst[1], val ?? null))
      return
    }
    case 'test': {
      if (path === undefined) throw new OpError(`test operation failed to decode path: ${missingPath}`)
      const failed = new OpError(`testing value ${path} failed: test failed`)
      if (path === '') {
        if (deepEqual(box.doc, opValue(op))) return
        throw failed
      }
      const found = findObject(box.doc, path)
      if (!found) throw new OpError(`test operation does not apply: is missing path: ${path}: missing value`)
      const val = wrap(`error in test for path: '${path}'`, () => get(found[0], found[1]))
      if (val === undefined || val === null) {
        if (op.value === undefined || op.value === null) return
        throw failed
      }
      if (!('value' in op)) throw failed
      if (deepEqual(val, op.value)) return
      throw failed
    }
    case 'copy': {
      if (from === undefined) throw new OpError('copy operation failed to decode from: operation, missing from field: missing value')
      const src = findObject(box.doc, from)
      if (!src) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: missing value`)
      const val = wrap(`error in copy for from: '${from}'`, () => get(src[0], src[1]))
      if (path === undefined) throw new OpError('copy operation failed to decode path: missing value')
      const dst = findObject(box.doc, path)
      if (!dst) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}: missing value`)
      wrap('error while adding value during copy', () => add(dst[0], dst[1], structuredClone(val ?? null)))
      return
    }
    default:
      throw new OpError(`Unexpected kind: ${kind}`)
  }
}

/** errors.Wrapf: prefixes the inner error's text. */
function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof OpError) throw new OpError(`${prefix}: ${e.message}`)
    throw e
  }
}
