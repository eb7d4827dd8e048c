/** @module field-validation: unknown-field and JSON type checks behind kube-apiserver's fieldValidation. */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import { ajvLibrary } from '../util/lazy-libraries.js'
import { definitionForKind, loadDefinitions, loadGoStructs, refName, type SchemaObject } from './definitions.js'

/** The `fieldValidation` query parameter; absent means Warn (protocol-core.md §3). */
export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore'

/** Group, version, kind; the core group is `''`. */
export interface GroupVersionKind {
  group: string
  version: string
  kind: string
}

/**
 * A JSON value whose type the Go decoder would reject. `message` is the encoding/json text the
 * apiserver embeds in its 400: `json: cannot unmarshal number into Go struct field
 * ObjectMeta.metadata.name of type string` (prefix it with `Pod in version "v1" cannot be handled as a Pod: `).
 */
export interface FieldTypeError {
  /** Dotted path with `[i]` for list items, e.g. `spec.containers[0].image`. */
  path: string
  /** What the JSON held, in Go's words: `string`, `number`, `number 1.5`, `bool`, `array`, `object`. */
  found: string
  /** The Go type wanted, e.g. `string`, `int32`, `[]v1.Container`, `v1.PodSpec`. */
  goType: string
  message: string
}

/** Result of checkUnknownFields; both lists are in document order. */
export interface FieldCheckResult {
  /** `spec.template.spec.conainters`, `spec.template.spec.containers[0].unknownNested`, … */
  unknownFields: string[]
  typeErrors: FieldTypeError[]
}

// One Ajv instance holds every definition once; each GVK's validator is compiled on first use.
// Options: allErrors to report every unknown field; strict off because the schemas carry
// x-kubernetes-* keywords; formats off because Go's decoder does not check them the way JSON Schema
// would; messages, code optimisation and ref inlining off because they cost compile time (about
// 2x) and we build our own messages.
const ROOT_ID = 'kubemock-definitions'
let ajv: Ajv | undefined
const validators = new Map<string, ValidateFunction | null>()

function validatorFor(gvk: GroupVersionKind): { validate: ValidateFunction; defName: string } | undefined {
  const defName = definitionForKind(gvk)
  if (!defName) return undefined
  let validate = validators.get(defName)
  if (validate === undefined) {
    ajv ??= createAjv()
    validate = ajv.getSchema(`${ROOT_ID}#/definitions/${defName}`) ?? null
    validators.set(defName, validate)
  }
  return validate ? { validate, defName } : undefined
}

function createAjv(): Ajv {
  const instance = new (ajvLibrary().Ajv)({
    allErrors: true,
    strict: false,
    validateFormats: false,
    validateSchema: false,
    inlineRefs: false,
    messages: false,
    code: { optimize: false },
  })
  const definitions: Record<string, object> = {}
  for (const [name, def] of Object.entries(loadDefinitions())) definitions[name] = toDecoderSchema(def)
  instance.addSchema({ $id: ROOT_ID, definitions })
  return instance
}

/**
 * Rewrites a served schema into what Go's strict JSON decoding accepts: objects with properties
 * reject other keys, every value may be null (null decodes to the zero value), IntOrString and
 * Quantity accept both of their JSON forms, and `required`/formats are left to the validators
 * that run after decoding.
 */
function toDecoderSchema(s: SchemaObject): object {
  const out: Record<string, unknown> = {}
  if (s.$ref) out.$ref = `#/definitions/${refName(s.$ref)}`
  if (s.allOf) out.allOf = s.allOf.map(toDecoderSchema)
  if (s.oneOf) out.type = [...new Set([...s.oneOf.map((o) => o.type as string), 'null'])]
  else if (s.type) out.type = [s.type, 'null']
  // Go's decoder refuses a number its integer field cannot hold (v.OverflowInt): int32 and int64
  // ranges (2^63 itself passes: JSON.parse cannot tell it from 2^63 - 1).
  if (s.type === 'integer') {
    const bound = s.format === 'int64' ? 2 ** 63 : 2 ** 31
    out.minimum = -bound
    out.maximum = s.format === 'int64' ? bound : bound - 1
  }
  if (s.items) out.items = toDecoderSchema(s.items)
  if (s.properties) {
    const props: Record<string, object> = {}
    for (const [k, v] of Object.entries(s.properties)) props[k] = toDecoderSchema(v)
    out.properties = props
    if (!s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toDecoderSchema(s.additionalProperties)
  return out
}

/**
 * Finds the fields of `obj` that the 1.32 schema of `gvk` does not know, and values whose JSON
 * type Go could not decode. Maps (labels, annotations, data) accept any key; free-form fields
 * (RawExtension) accept anything; status is checked like the rest. Kinds without a schema give
 * empty lists. Never mutates `obj`.
 */
export function checkUnknownFields(gvk: GroupVersionKind, obj: unknown): FieldCheckResult {
  const v = validatorFor(gvk)
  if (!v || v.validate(obj)) return { unknownFields: [], typeErrors: [] }
  const unknown: string[][] = []
  const typed: { segments: string[]; value: unknown }[] = []
  for (const e of v.validate.errors ?? []) {
    if (e.keyword === 'additionalProperties')
      unknown.push([...pointerSegments(e.instancePath), (e.params as { additionalProperty: string }).additionalProperty])
    else if (e.keyword === 'type' || e.keyword === 'minimum' || e.keyword === 'maximum')
      typed.push({ segments: pointerSegments(e.instancePath), value: valueAt(obj, pointerSegments(e.instancePath)) })
  }
  return {
    unknownFields: sortByDocument(obj, unknown).map((s) => dottedPath(obj, s)),
    typeErrors: dedupe(
      sortByDocument(
        obj,
        typed.map((t) => t.segments),
      ),
    ).map((segs) => describeTypeError(v.defName, obj, segs)),
  }
}

/**
 * Compiles the validators for `gvks` now instead of on their first request (a few hundred ms for
 * a Pod-sized closure). Optional: call it after the server listens, e.g. from setImmediate.
 */
export function warmFieldValidation(gvks: GroupVersionKind[]): void {
  for (const gvk of gvks) validatorFor(gvk)
}

/**
 * Deletes, in place, every field checkUnknownFields reports as unknown (what the decoder does in
 * Warn and Ignore modes). Values of the wrong type are left alone.
 */
export function pruneUnknownFields(gvk: GroupVersionKind, obj: unknown): void {
  const v = validatorFor(gvk)
  if (!v || v.validate(obj)) return
  for (const e of (v.validate.errors ?? []) as ErrorObject[]) {
    if (e.keyword !== 'additionalProperties') continue
    const parent = valueAt(obj, pointerSegments(e.instancePath))
    if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[(e.params as { additionalProperty: string }).additionalProperty]
  }
}

/** `/spec/containers/0` -> ['spec', 'containers', '0'] (RFC 6901 unescaping). */
function pointerSegments(pointer: string): string[] {
  if (!pointer) return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function valueAt(obj: unknown, segments: string[]): unknown {
  let cur = obj
  for (const s of segments) cur = (cur as Record<string, unknown> | undefined)?.[s]
  return cur
}

/** `spec.containers[0].image`: list items as [i], everything else dotted (as the strict decoder prints). */
function dottedPath(obj: unknown, segments: string[]): string {
  let out = ''
  let cur = obj
  for (const s of segments) {
    out += Array.isArray(cur) ? `[${s}]` : out ? `.${s}` : s
    cur = (cur as Record<string, unknown> | undefined)?.[s]
  }
  return out
}

/** Orders paths as a decoder walking the document meets them: by key position at each level. */
function sortByDocument(obj: unknown, paths: string[][]): string[][] {
  const key = (segments: string[]): number[] => {
    const out: number[] = []
    let cur = obj
    for (const s of segments) {
      out.push(Array.isArray(cur) ? Number(s) : cur && typeof cur === 'object' ? Object.keys(cur).indexOf(s) : 0)
      cur = (cur as Record<string, unknown> | undefined)?.[s]
    }
    return out
  }
  const keyed = paths.map((p) => ({ p, k: key(p) }))
  keyed.sort((a, b) => {
    for (let i = 0; i < Math.min(a.k.length, b.k.length); i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i]
    return a.k.length - b.k.length
  })
  return keyed.map((x) => x.p)
}

function dedupe(paths: string[][]): string[][] {
  const seen = new Set<string>()
  return paths.filter((p) => {
    const k = JSON.stringify(p)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Element type of a Go slice or map type string: `[]v1.Container` -> `v1.Container`. */
function elementType(goType: string): string {
  const m = /^(?:\[\]|map\[[^\]]+\])(.+)$/.exec(goType)
  return m ? m[1] : goType
}

/** A Go type name for a schema when the Go struct data has no entry (best effort). */
function goTypeOfSchema(s: SchemaObject | undefined): string {
  if (!s) return 'interface {}'
  const r = s.$ref ?? s.allOf?.[0]?.$ref
  if (r) {
    const name = refName(r)
    const pkg = /\.(\w+)\.\w+$/.exec(name)?.[1] ?? 'v1'
    return `${pkg}.${name.slice(name.lastIndexOf('.') + 1)}`
  }
  if (s.type === 'integer') return s.format === 'int64' ? 'int64' : 'int32'
  if (s.type === 'number') return 'float64'
  if (s.type === 'boolean') return 'bool'
  if (s.type === 'array') return `[]${goTypeOfSchema(s.items)}`
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goTypeOfSchema(s.additionalProperties)}`
  return s.type ?? 'interface {}'
}

/** A number as its JSON literal most likely read: integers below 1e21 in full (2^63 as 9223372036854775808). */
function goNumberLiteral(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n)
}

/**
 * Rebuilds encoding/json's UnmarshalTypeError for a value at `segments`: the innermost struct's
 * Go name, the JSON field path from the root without list indices or map keys, and the Go type
 * (see encoding/json decode.go addErrorContext; sigs.k8s.io/json keeps the same texts).
 */
function describeTypeError(rootDef: string, obj: unknown, segments: string[]): FieldTypeError {
  const defs = loadDefinitions()
  const goStructs = loadGoStructs()
  const short = (n: string): string => n.slice(n.lastIndexOf('.') + 1)
  let defName = rootDef
  let schema: SchemaObject | undefined = defs[rootDef]
  let struct = short(rootDef)
  let goType = `v1.${struct}`
  let underlying: string | undefined
  const stack: string[] = []
  for (const seg of segments) {
    // Follow $ref (bare or allOf-wrapped) to the definition the value is decoded into.
    const r = schema?.$ref ?? schema?.allOf?.[0]?.$ref
    if (r) {
      defName = refName(r)
      schema = defs[defName]
    }
    if (schema?.properties?.[seg]) {
      struct = short(defName)
      stack.push(seg)
      const goField = goStructs[defName]?.fields[seg]
      schema = schema.properties[seg]
      goType = goField?.go ?? goTypeOfSchema(schema)
      underlying = goField?.underlying
    } else if (schema?.type === 'array') {
      goType = elementType(goType)
      underlying = undefined
      schema = schema.items
    } else if (schema?.additionalProperties && typeof schema.additionalProperties === 'object') {
      goType = elementType(underlying ?? goType)
      underlying = undefined
      schema = schema.additionalProperties
    }
  }
  const value = valueAt(obj, segments)
  let found = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : value === null ? 'null' : typeof value
  // Go names the literal when a number does not fit an integer type: "number 1.5".
  if (typeof value === 'number' && /^u?int/.test(goType)) found = `number ${goNumberLiteral(value)}`
  const path = dottedPath(obj, segments)
  const message = stack.length
    ? `json: cannot unmarshal ${found} into Go struct field ${struct}.${stack.join('.')} of type ${goType}`
    : `json: cannot unmarshal ${found} into Go value of type ${goType}`
  return { path, found, goType, message }
}
