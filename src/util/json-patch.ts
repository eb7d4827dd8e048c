/** @module json-patch: RFC 6902 JSON patch with the semantics and error texts of evanphx/json-patch v4.12.0 (patch.go). */

// Shared by the PATCH handler (src/api/patch/patch.ts, which adds kube-apiserver's decoding checks
// and Status errors) and the mutating admission webhooks (src/registry/admissionregistration), which
// apply a webhook's JSONPatch response as upstream's mutating dispatcher does.

import { deepEqual } from './deep-equal.js'

/** A failing operation; the message is the library's text (`testing value /a failed: test failed`). */
export class JSONPatchError extends Error {}

/**
 * Applies `ops` (already decoded: a list of op objects, null entries are no-ops) to a copy of
 * `original`; returns the new document and never mutates its inputs. Throws JSONPatchError.
 */
export function applyJSONPatch(original: object, ops: readonly (Record<string, unknown> | null)[]): object {
  const box: { doc: Container } = { doc: structuredClone(original) as Container }
  for (const raw of ops) {
    const op = raw ?? {}
    applyOp(box, typeof op.op === 'string' ? op.op : 'unknown', op)
  }
  return box.doc
}

type Container = Record<string, unknown> | unknown[]

/** rfc6901Decoder: "~1" → "/", then "~0" → "~". */
const decodeKey = (k: string): string => k.replace(/~1/g, '/').replace(/~0/g, '~')

/** strconv.Atoi, with Go's error texts. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new JSONPatchError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new JSONPatchError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`)
  return n
}

const invalidIndex = (idx: number): JSONPatchError => new JSONPatchError(`Unable to access invalid index: ${idx}: invalid index referenced`)

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
    throw new JSONPatchError(`value was not a proper array index: '${key}': ${(e as Error).message}`)
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
    if (!Object.hasOwn(c, key)) throw new JSONPatchError(`Unable to remove nonexistent key: ${key}: missing value`)
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

/** The op's "value" (absent and null both mean JSON null), copied so ops can be reused. */
const opValue = (op: Record<string, unknown>): unknown => structuredClone(op.value ?? null)

function applyOp(box: { doc: Container }, kind: string, op: Record<string, unknown>): void {
  const path = typeof op.path === 'string' ? op.path : undefined
  const from = typeof op.from === 'string' ? op.from : undefined
  const missingPath = 'operation missing path field: missing value'
  switch (kind) {
    case 'add': {
      if (path === undefined) throw new JSONPatchError('add operation failed to decode path: missing value')
      const found = findObject(box.doc, path)
      if (!found) throw new JSONPatchError(`add operation does not apply: doc is missing path: "${path}": missing value`)
      wrap(`error in add for path: '${path}'`, () => add(found[0], found[1], opValue(op)))
      return
    }
    case 'remove': {
      if (path === undefined) throw new JSONPatchError('remove operation failed to decode path: missing value')
      const found = findObject(box.doc, path)
      if (!found) throw new JSONPatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`)
      wrap(`error in remove for path: '${path}'`, () => remove(found[0], found[1]))
      return
    }
    case 'replace': {
      if (path === undefined) throw new JSONPatchError(`replace operation failed to decode path: ${missingPath}`)
      if (path === '') {
        // upstream wraps a nil error here, so a scalar value silently leaves the document unchanged
        const v = opValue(op)
        if (typeof v === 'object' && v !== null) box.doc = v as Container
        return
      }
      const found = findObject(box.doc, path)
      if (!found) throw new JSONPatchError(`replace operation does not apply: doc is missing path: ${path}: missing value`)
      try {
        get(found[0], found[1])
      } catch {
        throw new JSONPatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`)
      }
      wrap(`error in remove for path: '${path}'`, () => set(found[0], found[1], opValue(op)))
      return
    }
    case 'move': {
      if (from === undefined) throw new JSONPatchError('move operation failed to decode from: operation, missing from field: missing value')
      const src = findObject(box.doc, from)
      if (!src) throw new JSONPatchError(`move operation does not apply: doc is missing from path: ${from}: missing value`)
      const val = wrap(`error in move for path: '${src[1]}'`, () => get(src[0], src[1]))
      wrap(`error in move for path: '${src[1]}'`, () => remove(src[0], src[1]))
      if (path === undefined) throw new JSONPatchError(`move operation failed to decode path: ${missingPath}`)
      const dst = findObject(box.doc, path)
      if (!dst) throw new JSONPatchError(`move operation does not apply: doc is missing destination path: ${path}: missing value`)
      wrap(`error in move for path: '${path}'`, () => add(dst[0], dst[1], val ?? null))
      return
    }
    case 'test': {
      if (path === undefined) throw new JSONPatchError(`test operation failed to decode path: ${missingPath}`)
      const failed = new JSONPatchError(`testing value ${path} failed: test failed`)
      if (path === '') {
        if (deepEqual(box.doc, opValue(op))) return
        throw failed
      }
      const found = findObject(box.doc, path)
      if (!found) throw new JSONPatchError(`test operation does not apply: is missing path: ${path}: missing value`)
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
      if (from === undefined) throw new JSONPatchError('copy operation failed to decode from: operation, missing from field: missing value')
      const src = findObject(box.doc, from)
      if (!src) throw new JSONPatchError(`copy operation does not apply: doc is missing from path: ${from}: missing value`)
      const val = wrap(`error in copy for from: '${from}'`, () => get(src[0], src[1]))
      if (path === undefined) throw new JSONPatchError('copy operation failed to decode path: missing value')
      const dst = findObject(box.doc, path)
      if (!dst) throw new JSONPatchError(`copy operation does not apply: doc is missing destination path: ${path}: missing value`)
      wrap('error while adding value during copy', () => add(dst[0], dst[1], structuredClone(val ?? null)))
      return
    }
    default:
      throw new JSONPatchError(`Unexpected kind: ${kind}`)
  }
}

/** errors.Wrapf: prefixes the inner error's text. */
function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof JSONPatchError) throw new JSONPatchError(`${prefix}: ${e.message}`)
    throw e
  }
}
