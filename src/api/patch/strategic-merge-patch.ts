/** @module strategic-merge-patch: Kubernetes strategic merge patch for built-in kinds, driven by OpenAPI patch extensions. */
import { StatusError } from '../../errors.js'

// A port of the *apply* half of staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
// (StrategicMergeMapPatch → mergeMap / mergeSlice / mergePatchIntoOriginal / applyRetainKeysDirective),
// with error classes mapped as handlers/patch.go interpretStrategicMergePatchError does. Instead of Go struct
// tags, patch metadata comes from the OpenAPI `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`
// extensions, which are generated from those same tags.

/** The subset of an OpenAPI 3 schema that SMP needs. */
export interface OpenAPISchema {
  type?: string
  properties?: Record<string, OpenAPISchema>
  items?: OpenAPISchema
  additionalProperties?: OpenAPISchema | boolean
  $ref?: string
  allOf?: OpenAPISchema[]
  'x-kubernetes-patch-merge-key'?: string
  'x-kubernetes-patch-strategy'?: string
  [extra: string]: unknown
}

/** Where SMP finds types: `root` is the patched kind's schema; `resolve` follows `$ref`s. */
export interface SchemaContext {
  resolve(ref: string): OpenAPISchema | undefined
  root: OpenAPISchema
}

/**
 * Builds a SchemaContext over a `definitions.json`-style map (`io.k8s.api.apps.v1.Deployment` → schema).
 * Refs may be `#/components/schemas/<name>` or `#/definitions/<name>`. Returns undefined when `rootName`
 * is not in the map, which makes SMP degrade to merge semantics.
 */
export function schemaContextFromDefinitions(defs: Record<string, OpenAPISchema>, rootName: string): SchemaContext | undefined {
  const root = defs[rootName]
  if (!root) return undefined
  return { root, resolve: (ref) => defs[ref.slice(ref.lastIndexOf('/') + 1)] }
}

// ---- errors -------------------------------------------------------------------------------------------

/**
 * errors.NewGenericServerResponse(422, ...): reason Invalid, the fixed text
 * "the server rejected our request due to an error in our request" and the real error as the only cause.
 * Used for failed JSON-patch operations and for SMP's ErrNoListOfLists / ErrPatchContentNotMatchRetainKeys.
 */
export function serverRejected(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message }] })
}

/**
 * What the apiserver answers for an error that is not a typed API error (responsewriters.ErrorToAPIStatus):
 * code 500, empty reason (omitted from the JSON), the raw error text as message.
 */
export function unknownError(message: string, code = 500): StatusError {
  const err = new StatusError(code, '', message)
  delete (err.status as { reason?: string }).reason
  return err
}

/** Go's `%v` of an unstructured JSON value: `map[a:1 b:[x y]]`, `<nil>`; used in upstream error texts. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>'
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goFormat(o[k])}`)
      .join(' ')}]`
  }
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : goFloat(v)
  return String(v)
}

/** strconv.FormatFloat(f, 'g', -1, 64) as %v prints float64: exponent form for large/small magnitudes. */
function goFloat(f: number): string {
  const exp = f === 0 ? 0 : Math.floor(Math.log10(Math.abs(f)))
  if (exp < -4 || exp >= 21) {
    const [m, e] = f.toExponential().split('e')
    const n = Number(e)
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  return String(f)
}

const badJSONDoc = (): StatusError => StatusError.badRequest('invalid JSON document')
const badPrimitiveList = (): StatusError => StatusError.badRequest('invalid patch format of primitive list')
const badRetainKeys = (): StatusError => StatusError.badRequest('invalid patch format of retainKeys')
const badSetElementOrder = (): StatusError => StatusError.badRequest('invalid patch format of setElementOrder list')
const noListOfLists = (): StatusError => serverRejected('lists of lists are not supported')
const noMergeKey = (m: unknown, key: string): StatusError => unknownError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`)

// ---- schema lookup ------------------------------------------------------------------------------------

type Json = unknown
type JsonMap = Record<string, Json>

interface FieldMeta {
  schema: OpenAPISchema | undefined
  strategy: string
  mergeKey: string
}

const directiveMarker = '$patch'
const retainKeysDirective = '$retainKeys'
const deletePrefix = '$deleteFromPrimitiveList'
const orderPrefix = '$setElementOrder'

/** Resolves `$ref` and single-element `allOf: [{$ref}]` wrappers. */
function deref(ctx: SchemaContext | undefined, s: OpenAPISchema | undefined): OpenAPISchema | undefined {
  let cur = s
  for (let depth = 0; cur && depth < 16; depth++) {
    if (cur.$ref) cur = ctx?.resolve(cur.$ref)
    else if (cur.allOf && cur.allOf.length >= 1 && !cur.properties && !cur.items) cur = cur.allOf[0]
    else return cur
  }
  return cur
}

/** LookupPatchMetadata: the field's schema plus strategy and merge key (read from the property itself). */
function lookup(ctx: SchemaContext | undefined, parent: OpenAPISchema | undefined, key: string): FieldMeta {
  const p = deref(ctx, parent)
  if (!p) return { schema: undefined, strategy: '', mergeKey: '' }
  const prop = p.properties?.[key] ?? (typeof p.additionalProperties === 'object' ? p.additionalProperties : undefined)
  if (!prop) return { schema: undefined, strategy: '', mergeKey: '' }
  const resolved = deref(ctx, prop)
  const raw = prop['x-kubernetes-patch-strategy'] ?? resolved?.['x-kubernetes-patch-strategy'] ?? ''
  const mergeKey = prop['x-kubernetes-patch-merge-key'] ?? resolved?.['x-kubernetes-patch-merge-key'] ?? ''
  return { schema: resolved, strategy: extractStrategy(raw), mergeKey }
}

/** extractRetainKeysPatchStrategy: drops "retainKeys" from "merge,retainKeys" and returns the rest. */
function extractStrategy(raw: string): string {
  if (!raw) return ''
  const parts = raw.split(',')
  if (parts.length === 1) return parts[0] === 'retainKeys' ? '' : parts[0]
  if (parts.length === 2) {
    if (parts[0] === 'retainKeys') return parts[1]
    if (parts[1] === 'retainKeys') return parts[0]
  }
  throw unknownError(`unexpected patch strategy: [${parts.join(' ')}]`)
}

const itemsOf = (ctx: SchemaContext | undefined, s: OpenAPISchema | undefined): OpenAPISchema | undefined => deref(ctx, deref(ctx, s)?.items)

// ---- value helpers ------------------------------------------------------------------------------------

const isMap = (v: Json): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Go's reflect kind of a decoded JSON value, used for "same type" checks. */
function kindOf(v: Json): string {
  if (v === null || v === undefined) return 'nil'
  if (Array.isArray(v)) return 'slice'
  if (typeof v === 'object') return 'map'
  return typeof v
}

/** sliceElementType: the common element kind of the lists; errors mirror upstream. */
function elementKind(...lists: Json[][]): string {
  let prev: string | undefined
  for (const l of lists) {
    for (const v of l) {
      const k = kindOf(v)
      if (prev === undefined) {
        prev = k
        if (k === 'slice') throw noListOfLists()
      } else if (prev !== k) {
        throw unknownError(`list element types are not identical: ${goFormat(lists)}`)
      }
    }
  }
  if (prev === undefined) throw unknownError('no elements in any of the given slices')
  return prev
}

// ---- merge --------------------------------------------------------------------------------------------

/**
 * Applies a strategic merge patch; returns a new value and never mutates its inputs.
 * `original` and `patch` are decoded JSON objects. Without a schema context every list is replaced and
 * maps merge (JSON-merge-patch semantics plus directive handling). All `$`-directives are removed from the
 * result. Throws StatusError: 400 for malformed directives, 422 for lists of lists, 500 (no reason) for
 * anything else, e.g. `map: map[image:x] does not contain declared merge key: name`.
 */
export function strategicMergePatch(original: unknown, patch: unknown, ctx: SchemaContext | undefined): unknown {
  if (patch === null || patch === undefined) return structuredClone(original ?? {})
  if (!isMap(patch)) throw badJSONDoc()
  const orig = isMap(original) ? structuredClone(original) : {}
  return mergeMap(orig, structuredClone(patch), ctx?.root, ctx)
}

function mergeMap(original: JsonMap | null, patch: JsonMap, schema: OpenAPISchema | undefined, ctx: SchemaContext | undefined): JsonMap {
  if (directiveMarker in patch) {
    const d = patch[directiveMarker]
    if (d === 'replace') {
      delete patch[directiveMarker]
      // upstream stores the patch verbatim; we also resolve directives nested inside it
      return mergeMap({}, patch, schema, ctx)
    }
    if (d === 'delete') return {}
    throw unknownError(`unknown patch type: ${goFormat(d)} in map: ${goFormat(patch)}`)
  }
  const orig = original ?? {}
  applyRetainKeys(orig, patch)
  mergeOrderedLists(orig, patch, schema, ctx)

  for (const rawKey of Object.keys(patch)) {
    let k = rawKey
    let isDeleteList = false
    const patchV = patch[rawKey]
    if (k.startsWith(deletePrefix)) {
      k = extractKey(k, deletePrefix)
      isDeleteList = true
    } else if (k.startsWith('$')) {
      continue // unknown directive: never stored
    }
    if (patchV === null) {
      delete orig[k]
      continue
    }
    const meta = lookup(ctx, schema, k)
    if (!(k in orig)) {
      // upstream would store a deletion list as the new list; deleting from nothing yields nothing
      if (!isDeleteList) orig[k] = clean(patchV, meta, ctx)
      continue
    }
    const cur = orig[k]
    if (kindOf(cur) !== kindOf(patchV)) {
      orig[k] = clean(patchV, meta, ctx)
      continue
    }
    if (isMap(cur)) {
      orig[k] = meta.strategy === 'replace' ? clean(patchV, meta, ctx) : mergeMap(cur, patchV as JsonMap, meta.schema, ctx)
    } else if (Array.isArray(cur)) {
      orig[k] = mergeSliceHandler(cur, patchV as Json[], meta, isDeleteList, ctx)
    } else {
      orig[k] = patchV
    }
  }
  return orig
}

/** A patch value that lands where the original has nothing: directives inside it are resolved against empty. */
function clean(v: Json, meta: FieldMeta, ctx: SchemaContext | undefined): Json {
  if (isMap(v)) return mergeMap({}, v, meta.schema, ctx)
  if (Array.isArray(v)) {
    if (meta.strategy === 'merge' && v.length > 0) return mergeSliceHandler([], v, meta, false, ctx)
    const items = itemsOf(ctx, meta.schema)
    return v.map((e) => (isMap(e) ? mergeMap({}, e, items, ctx) : e))
  }
  return v
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/')
  if (slash < 0 || s.slice(0, slash) !== prefix) throw prefix === deletePrefix ? badPrimitiveList() : badSetElementOrder()
  return s.slice(slash + 1)
}

/** applyRetainKeysDirective (server side): clears original keys missing from `$retainKeys`. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(retainKeysDirective in patch)) return
  const list = patch[retainKeysDirective]
  delete patch[retainKeysDirective]
  if (!Array.isArray(list)) throw badRetainKeys()
  const keep = new Set(list)
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deletePrefix) || k.startsWith(orderPrefix)) continue
    if (!keep.has(k)) throw badRetainKeys()
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k]
}

/** mergePatchIntoOriginal: handles every `$setElementOrder/<field>` together with its list. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: OpenAPISchema | undefined, ctx: SchemaContext | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(orderPrefix)) continue
    const order = patch[key]
    delete patch[key]
    if (!Array.isArray(order)) throw unknownError(`expected a []interface {}, but received a ${goTypeName(order)}`)
    const field = extractKey(key, orderPrefix)
    const foundOriginal = field in original
    const foundPatch = field in patch
    const origList = original[field]
    const patchList = patch[field]
    if (foundOriginal && !Array.isArray(origList)) throw unknownError(`expected a []interface {}, but received a ${goTypeName(origList)}`)
    if (foundPatch && !Array.isArray(patchList)) throw unknownError(`expected a []interface {}, but received a ${goTypeName(patchList)}`)
    const origArr = (origList as Json[] | undefined) ?? []
    const patchArr = (patchList as Json[] | undefined) ?? []
    const meta = lookup(ctx, schema, field)
    validateOrder(patchArr, order, meta.mergeKey)
    let merged: Json[]
    if (foundOriginal && !foundPatch) merged = origArr
    else if (!foundOriginal && foundPatch) merged = clean(patchArr, meta, ctx) as Json[]
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(origArr, patchArr, meta, false, ctx)
    else continue
    const [patchItems, serverOnly] = partition(merged, order, meta.mergeKey)
    const kind = elementKind(origArr, patchArr)
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, origArr, meta.mergeKey, kind)
    delete patch[field]
  }
}

function goTypeName(v: Json): string {
  if (v === null || v === undefined) return '%!s(<nil>)'
  if (Array.isArray(v)) return '[]interface {}'
  if (typeof v === 'object') return 'map[string]interface {}'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64'
  return typeof v === 'boolean' ? 'bool' : 'string'
}

/** validatePatchWithSetOrderList: patch items (minus deletions/directives) must follow the order list. */
function validateOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return
  const nonDelete = mergeKey ? patchList.filter((v) => !(isMap(v) && v[directiveMarker] === 'delete')) : patchList
  if (mergeKey) for (const v of patchList) if (!isMap(v)) throw unknownError(`expected a map[string]interface {}, but received a ${goTypeName(v)}`)
  let pi = 0
  let oi = 0
  while (pi < nonDelete.length && oi < order.length) {
    const item = nonDelete[pi]
    if (isMap(item) && directiveMarker in item) {
      pi++
      continue
    }
    if (mergeKeyValueEqual(item, order[oi], mergeKey)) pi++
    oi++
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw unknownError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${orderPrefix} list:\n${goFormat(order)}\n`)
  }
}

function mergeKeyValueEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return left === right
  if (!isMap(left)) throw unknownError(`expected a map[string]interface {}, but received a ${goTypeName(left)}`)
  if (!isMap(right)) throw unknownError(`expected a map[string]interface {}, but received a ${goTypeName(right)}`)
  if (!(mergeKey in left)) throw noMergeKey(left, mergeKey)
  if (!(mergeKey in right)) throw noMergeKey(right, mergeKey)
  return left[mergeKey] === right[mergeKey]
}

function mergeSliceHandler(original: Json[], patch: Json[], meta: FieldMeta, isDeleteList: boolean, ctx: SchemaContext | undefined): Json[] {
  if (meta.strategy !== 'merge') {
    const items = itemsOf(ctx, meta.schema)
    return patch.map((e) => (isMap(e) ? mergeMap({}, e, items, ctx) : e))
  }
  return mergeSlice(original, patch, itemsOf(ctx, meta.schema), meta.mergeKey, isDeleteList, ctx)
}

/** mergeSlice: union of primitives, or merge-by-key of maps, then upstream's order normalisation. */
function mergeSlice(
  original: Json[],
  patch: Json[],
  elem: OpenAPISchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  ctx: SchemaContext | undefined,
): Json[] {
  if (original.length === 0 && patch.length === 0) return original
  const kind = elementKind(original, patch)
  let merged: Json[]
  let orig = original
  let pat = patch
  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set(patch)
      return original.filter((v) => !del.has(v))
    }
    merged = dedupeScalars([...original, ...patch])
  } else {
    if (!mergeKey) throw unknownError('cannot merge lists without merge key for type map')
    let replaced: boolean
    ;[orig, pat, replaced] = mergeSpecialElements(original, patch, mergeKey)
    // a replaced list is stored as sent; resolve directives nested in its elements
    if (replaced) orig = orig.map((e) => mergeMap({}, e as JsonMap, elem, ctx))
    merged = mergeWithoutSpecial(orig, pat, mergeKey, elem, ctx)
  }
  const [patchItems, serverOnly] = partition(merged, pat, mergeKey)
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind)
}

/** deduplicateScalars, including its swap-with-last reordering (order is normalised afterwards). */
function dedupeScalars(s: Json[]): Json[] {
  let length = s.length - 1
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length]
        s.length = length
        length--
        j--
      }
    }
  }
  return s
}

/** mergeSliceWithSpecialElements: `$patch: delete` removes by key, `$patch: replace` replaces the list. */
function mergeSpecialElements(original: Json[], patch: Json[], mergeKey: string): [Json[], Json[], boolean] {
  const plain: Json[] = []
  let replace = false
  let orig = original
  for (const v of patch) {
    const m = v as JsonMap
    if (!(directiveMarker in m)) {
      plain.push(v)
      continue
    }
    const d = m[directiveMarker]
    if (d === 'delete') {
      if (!(mergeKey in m)) throw noMergeKey(m, mergeKey)
      const mv = m[mergeKey]
      orig = orig.filter((o) => {
        if (!isMap(o)) throw unknownError('value for key 0 is not a map.')
        return !(mergeKey in o && o[mergeKey] === mv)
      })
    } else if (d === 'replace') {
      replace = true
    } else if (d === 'merge') {
      throw unknownError('merging lists cannot yet be specified in the patch')
    } else {
      throw unknownError(`unknown patch type: ${goFormat(d)} in map: ${goFormat(m)}`)
    }
  }
  return replace ? [plain, [], true] : [orig, plain, false]
}

/** mergeSliceWithoutSpecialElements: merge into the element with the same key, else append. */
function mergeWithoutSpecial(original: Json[], patch: Json[], mergeKey: string, elem: OpenAPISchema | undefined, ctx: SchemaContext | undefined): Json[] {
  const out = [...original]
  for (const v of patch) {
    const m = v as JsonMap
    if (!(mergeKey in m)) throw noMergeKey(m, mergeKey)
    const idx = out.findIndex((o) => isMap(o) && mergeKey in o && o[mergeKey] === m[mergeKey])
    if (idx >= 0) out[idx] = mergeMap(out[idx] as JsonMap, m, elem, ctx)
    else out.push(mergeMap({}, m, elem, ctx))
  }
  return out
}

function keyOf(v: Json, mergeKey: string): Json {
  return mergeKey ? (isMap(v) ? v[mergeKey] : undefined) : v
}

/** partition*ByPresentInList: items whose key appears in `by`, and the rest ("server only"). */
function partition(items: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const present = new Set(by.map((v) => keyOf(v, mergeKey)))
  const inPatch: Json[] = []
  const serverOnly: Json[] = []
  for (const v of items) {
    if (mergeKey) {
      if (!isMap(v)) throw unknownError(`expected a map[string]interface {}, but received a ${goTypeName(v)}`)
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey)
    }
    ;(present.has(keyOf(v, mergeKey)) ? inPatch : serverOnly).push(v)
  }
  return [inPatch, serverOnly]
}

function indexIn(list: Json[], v: Json, mergeKey: string): number {
  const key = keyOf(v, mergeKey)
  return list.findIndex((x) => keyOf(x, mergeKey) === key)
}

/** normalizeSliceOrder: stable sort by position in `order`; `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: string): Json[] {
  let items = toSort
  let deletes: Json[] = []
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) {
      if (!isMap(v)) throw unknownError(`expected a map[string]interface {}, but received a ${goTypeName(v)}`)
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey)
    }
    items = toSort.filter((v) => (v as JsonMap)[directiveMarker] !== 'delete')
    deletes = toSort.filter((v) => (v as JsonMap)[directiveMarker] === 'delete')
  }
  // upstream's comparator only orders pairs that are both in `order`; items absent from it keep their place
  const pos = items.map((v) => indexIn(order, v, mergeKey))
  const idx = items.map((_, i) => i)
  idx.sort((a, b) => (pos[a] >= 0 && pos[b] >= 0 ? pos[a] - pos[b] : a - b))
  return [...idx.map((i) => items[i]), ...deletes]
}

/** normalizeElementOrder + mergeSortedSlice: interleave server-only items with patch items by live order. */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: string): Json[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind)
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind)
  const out: Json[] = []
  let i = 0
  let j = 0
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++])
    else if (j >= right.length) out.push(left[i++])
    else {
      const li = indexIn(serverOrder, left[i], mergeKey)
      const ri = indexIn(serverOrder, right[j], mergeKey)
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++])
      else out.push(right[j++])
    }
  }
  return out
}
