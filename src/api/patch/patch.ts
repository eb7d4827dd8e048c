/** @module patch: JSON patch, JSON merge patch and strategic merge patch with kube-apiserver's error texts. */
import { StatusError } from '../../errors.js'
import { serverRejected, strategicMergePatch, type SchemaContext } from './strategic-merge-patch.js'
import { applyJSONPatch, JSONPatchError } from '../../util/json-patch.js'

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
  const list = (ops as (Record<string, unknown> | null)[] | null) ?? []
  if (list.length > maxJSONPatchOperations) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${list.length}`,
    )
  }
  try {
    return applyJSONPatch(original, list)
  } catch (e) {
    if (e instanceof JSONPatchError) throw serverRejected(e.message)
    throw e
  }
}
