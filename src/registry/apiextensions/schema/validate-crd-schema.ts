/**
 * @module validate-crd-schema: the checks ValidateCustomResourceDefinition runs on one version's
 * openAPIV3Schema (apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go:
 * validateCustomResourceDefinitionValidation, ValidateCustomResourceDefinitionOpenAPISchema,
 * specStandardValidatorV3, validateMapListKeysMapSet), the structural rules and the defaults.
 */
import type { FieldError } from '../../../types.js'
import { omitValue } from '../../../errors.js'
import { forbidden, invalid, notSupported, required } from '../../shared/field-errors.js'
import { asList, asMap, asObject, child, key } from './field-path.js'
import { compileSchema } from './schema-node.js'
import { validateDefaults } from './validate-defaults.js'
import { validateStructural } from './validate-structural.js'

type Schema = Record<string, unknown>

/** Options of ValidateCustomResourceDefinition; the defaults are those of a create. */
export interface CRDSchemaOptions {
  /** The version has the status subresource: only some keywords may sit at the root. */
  statusSubresource?: boolean
  /** opts.requireValidPropertyType (relaxed on update when the old CRD already had a bad type). */
  requireValidPropertyType?: boolean
  /** opts.requirePrunedDefaults. */
  requirePrunedDefaults?: boolean
  /** opts.requireAtomicSetType. */
  requireAtomicSetType?: boolean
  /** opts.requireMapListKeysMapSetValidation. */
  requireMapListKeysMapSetValidation?: boolean
  /** opts.requireStructuralSchema. */
  requireStructuralSchema?: boolean
}

interface Ssv {
  allowDefaults: boolean
  disallowDefaultsReason: string
  insideResourceMeta: boolean
}

const openapiV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string']
const metaFields = new Set(['metadata', 'kind', 'apiVersion'])
const supportedReasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']

/** JSON names of allowedFieldsAtRootSchema. */
const allowedAtRoot = new Set([
  'description',
  'type',
  'format',
  'title',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'required',
  'items',
  'properties',
  'externalDocs',
  'example',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
])
const allowedAtRootText =
  '[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]'

const typeOf = (s: Schema): string => (typeof s.type === 'string' ? s.type : '')
const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : !!asObject(v) && Object.keys(v as object).length > 0)

/** specStandardValidatorV3.validate. */
function standardChecks(s: Schema, path: string, ssv: Ssv, opts: CRDSchemaOptions, out: FieldError[]): void {
  const type = typeOf(s)
  if (opts.requireValidPropertyType !== false && type && !openapiV3Types.includes(type)) out.push(notSupported(child(path, 'type'), type, openapiV3Types))
  if (s.default !== undefined && !ssv.allowDefaults) {
    out.push(forbidden(child(path, 'default'), `must not be set${ssv.disallowDefaultsReason ? ` ${ssv.disallowDefaultsReason}` : ''}`))
  }
  if (s.id) out.push(forbidden(child(path, 'id'), 'id is not supported'))
  if (s.additionalItems !== undefined) out.push(forbidden(child(path, 'additionalItems'), 'additionalItems is not supported'))
  if (nonEmpty(s.patternProperties)) out.push(forbidden(child(path, 'patternProperties'), 'patternProperties is not supported'))
  if (nonEmpty(s.definitions)) out.push(forbidden(child(path, 'definitions'), 'definitions is not supported'))
  if (s.dependencies !== undefined) out.push(forbidden(child(path, 'dependencies'), 'dependencies is not supported'))
  if (s.$ref !== undefined) out.push(forbidden(child(path, '$ref'), '$ref is not supported'))
  if (type === 'null') out.push(forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'))
  if (Array.isArray(s.items) && s.items.length) out.push(forbidden(child(path, 'items'), 'items must be a schema object and not an array'))
  if (ssv.insideResourceMeta && s['x-kubernetes-embedded-resource'] === true)
    out.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'))
}

function listChecks(s: Schema, path: string, opts: CRDSchemaOptions, out: FieldError[]): void {
  const type = typeOf(s)
  const items = asObject(s.items)
  const listType = s['x-kubernetes-list-type'] as string | undefined
  const mapType = s['x-kubernetes-map-type'] as string | undefined
  const mapKeys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as string[]) : []
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    out.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'))
  if (mapType !== undefined && type !== 'object') {
    if (!type) out.push(required(child(path, 'type'), 'must be object if x-kubernetes-map-type is specified'))
    else out.push(invalid(child(path, 'type'), type, 'must be object if x-kubernetes-map-type is specified'))
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular')
    out.push(notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']))
  if (listType !== undefined && type !== 'array') {
    if (!type) out.push(required(child(path, 'type'), 'must be array if x-kubernetes-list-type is specified'))
    else out.push(invalid(child(path, 'type'), type, 'must be array if x-kubernetes-list-type is specified'))
  } else if (opts.requireAtomicSetType !== false && listType === 'set' && items) {
    const it = typeOf(items)
    const itList = items['x-kubernetes-list-type']
    if (it === 'array' && itList !== undefined && itList !== 'atomic')
      out.push(invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), itList, 'must be atomic as item of a list with x-kubernetes-list-type=set'))
    // Upstream reports the items' list type here (a nil *string for an object), and 1.32's
    // field.Error prints a nil pointer as the string "null": `Invalid value: "null"`.
    if (it === 'object' && items['x-kubernetes-map-type'] !== 'atomic')
      out.push(invalid(child(child(path, 'items'), 'x-kubernetes-map-type'), itList, 'must be atomic as item of a list with x-kubernetes-list-type=set'))
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map')
    out.push(notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']))
  if (mapKeys.length > 0) {
    if (listType === undefined) out.push(required(child(path, 'x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'))
    else if (listType !== 'map') out.push(invalid(child(path, 'x-kubernetes-list-type'), listType, 'must be map if x-kubernetes-list-map-keys is non-empty'))
  }
  if (listType === 'map') {
    if (mapKeys.length === 0) out.push(required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'))
    if (s.items === undefined) out.push(required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'))
    if (Array.isArray(s.items)) out.push(invalid(child(path, 'items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map'))
    if (items && typeOf(items) !== 'object')
      out.push(invalid(child(child(path, 'items'), 'type'), typeOf(items), "must be object if parent array's x-kubernetes-list-type is map"))
    if (items && typeOf(items) === 'object') {
      const props = asObject(items.properties) ?? {}
      const seen = new Set<string>()
      for (const k of mapKeys) {
        const p = asObject(props[k])
        if (p) {
          if (typeOf(p) === 'array' || typeOf(p) === 'object')
            out.push(
              invalid(
                child(key(child(child(path, 'items'), 'properties'), k), 'type'),
                typeOf(items),
                "must be a scalar type if parent array's x-kubernetes-list-type is map",
              ),
            )
        } else out.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'entries must all be names of item properties'))
        if (seen.has(k)) out.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'must not contain duplicate entries'))
        seen.add(k)
      }
    }
  }
  if (opts.requireMapListKeysMapSetValidation !== false && items && (listType === 'set' || listType === 'map')) {
    if (items.nullable === true) out.push(forbidden(child(child(path, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`))
    if (listType === 'map') {
      const req = new Set(Array.isArray(items.required) ? items.required : [])
      const props = asObject(items.properties) ?? {}
      for (const k of mapKeys) {
        const p = asObject(props[k])
        if (!p) continue
        const at = key(child(child(path, 'items'), 'properties'), k)
        if (!req.has(k) && p.default === undefined)
          out.push(required(child(at, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'))
        if (p.nullable === true) out.push(forbidden(child(at, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'))
      }
    }
  }
}

/** The static checks of each x-kubernetes-validations rule (compiling the CEL is the CEL engine's part). */
function ruleChecks(s: Schema, path: string, out: FieldError[]): void {
  const rules = asList(s['x-kubernetes-validations'])
  rules.forEach((r, i) => {
    const at = key(child(path, 'x-kubernetes-validations'), i)
    const rule = typeof r.rule === 'string' ? r.rule.trim() : ''
    const msg = typeof r.message === 'string' ? r.message : ''
    const trimmedMsg = msg.trim()
    const newline = /[\n\r]+/
    if (!rule) out.push(required(child(at, 'rule'), 'rule is not specified'))
    else if (msg.length > 0 && !trimmedMsg) out.push(invalid(child(at, 'message'), msg, 'message must be non-empty if specified'))
    else if (newline.test(trimmedMsg)) out.push(invalid(child(at, 'message'), msg, 'message must not contain line breaks'))
    else if (newline.test(rule) && !trimmedMsg) out.push(required(child(at, 'message'), 'message must be specified if rule contains line breaks'))
    const me = typeof r.messageExpression === 'string' ? r.messageExpression : ''
    if (me.length > 0 && !me.trim()) out.push(required(child(at, 'messageExpression'), 'messageExpression must be non-empty if specified'))
    if (r.reason !== undefined && !supportedReasons.includes(String(r.reason))) out.push(notSupported(child(at, 'reason'), r.reason, supportedReasons))
    const fp = typeof r.fieldPath === 'string' ? r.fieldPath : ''
    if (fp.length > 0 && !fp.trim()) out.push(invalid(child(at, 'fieldPath'), fp, 'fieldPath must be non-empty if specified'))
    if (newline.test(fp)) out.push(invalid(child(at, 'fieldPath'), fp, 'fieldPath must not contain line breaks'))
  })
}

/** ValidateCustomResourceDefinitionOpenAPISchema: one node, then its children, in upstream's order. */
function openAPISchema(s: Schema | undefined, path: string, ssv: Ssv, isRoot: boolean, opts: CRDSchemaOptions, out: FieldError[]): void {
  if (!s) return
  standardChecks(s, path, ssv, opts, out)
  if (s.uniqueItems === true)
    out.push(forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'))
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    const ap = s.additionalProperties
    if (nonEmpty(s.properties) && (ap === false || asObject(ap)))
      out.push(forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'))
    const sub = ssv.insideResourceMeta
      ? { ...ssv, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' }
      : ssv
    openAPISchema(asObject(ap), child(path, 'additionalProperties'), sub, false, opts, out)
  }
  for (const [k, p] of asMap(s.properties)) {
    let sub = ssv
    if ((isRoot || s['x-kubernetes-embedded-resource'] === true) && metaFields.has(k)) {
      sub = { ...sub, insideResourceMeta: true }
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${k}` }
    }
    openAPISchema(p, key(child(path, 'properties'), k), sub, false, opts, out)
  }
  openAPISchema(asObject(s.not), child(path, 'not'), ssv, false, opts, out)
  asList(s.allOf).forEach((x, i) => {
    openAPISchema(x, key(child(path, 'allOf'), i), ssv, false, opts, out)
  })
  asList(s.oneOf).forEach((x, i) => {
    openAPISchema(x, key(child(path, 'oneOf'), i), ssv, false, opts, out)
  })
  asList(s.anyOf).forEach((x, i) => {
    openAPISchema(x, key(child(path, 'anyOf'), i), ssv, false, opts, out)
  })
  for (const [k, d] of asMap(s.definitions)) openAPISchema(d, key(child(path, 'definitions'), k), ssv, false, opts, out)
  openAPISchema(asObject(s.items), child(path, 'items'), ssv, false, opts, out)
  if (Array.isArray(s.items))
    asList(s.items).forEach((x, i) => {
      openAPISchema(x, key(child(path, 'items'), i), ssv, false, opts, out)
    })
  for (const [k, d] of asMap(s.dependencies)) openAPISchema(d, key(child(path, 'dependencies'), k), ssv, false, opts, out)
  listChecks(s, path, opts, out)
  ruleChecks(s, path, out)
}

/** NewStructural's refusal (validateUnsupportedFields), anywhere in the schema. */
function structuralInitError(s: Schema): string | undefined {
  if (s.id) return "OpenAPIV3Schema 'id' is not supported"
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported"
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported"
  if (nonEmpty(s.patternProperties)) return "OpenAPIV3Schema 'patternProperties' is not supported"
  if (nonEmpty(s.dependencies)) return "OpenAPIV3Schema 'dependencies' is not supported"
  if (s.additionalItems !== undefined) return "OpenAPIV3Schema 'additionalItems' is not supported"
  if (nonEmpty(s.definitions)) return "OpenAPIV3Schema 'definitions' is not supported"
  if (Array.isArray(s.items)) return "OpenAPIV3Schema 'items' must be a schema, but is an array"
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined"
  const kids = [
    asObject(s.items),
    asObject(s.not),
    asObject(s.additionalProperties),
    ...asList(s.allOf),
    ...asList(s.anyOf),
    ...asList(s.oneOf),
    ...asMap(s.properties).map(([, p]) => p),
  ]
  for (const k of kids) {
    const e = k && structuralInitError(k)
    if (e) return e
  }
  return undefined
}

/**
 * Validates one version's openAPIV3Schema as CRD create/update does and returns upstream's field
 * errors, e.g. `spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value:
 * must not be empty for specified object fields`. `path` is the schema's own path. The
 * x-kubernetes-validations rules are only checked statically here (CEL compiles elsewhere).
 * Never mutates `schema`.
 */
export function validateCRDSchema(schema: Record<string, unknown>, path: string, opts: CRDSchemaOptions = {}): FieldError[] {
  const out: FieldError[] = []
  const parent = path.replace(/\.openAPIV3Schema$/, '')
  if (opts.statusSubresource) {
    for (const [k, v] of Object.entries(schema)) {
      // Zero values are skipped; additionalProperties and preserve-unknown-fields are pointers in Go, so `false` counts.
      const pointer = k === 'additionalProperties' || k === 'x-kubernetes-preserve-unknown-fields'
      if (v === undefined || v === null || (v === false && !pointer) || v === '' || (Array.isArray(v) && v.length === 0)) continue
      if (k === 'type') {
        if (v !== 'object') {
          out.push(
            invalid(
              child(parent, 'openAPIV3Schema.type'),
              v,
              'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
            ),
          )
          break
        }
        continue
      }
      if (!allowedAtRoot.has(k)) {
        out.push(invalid(path, omitValue, `only ${allowedAtRootText} fields are allowed at the root of the schema if the status subresource is enabled`))
        break
      }
    }
  }
  if (schema.nullable === true) out.push(forbidden(child(path, 'nullable'), 'nullable cannot be true at the root'))
  let initError: FieldError | undefined
  if (opts.requireStructuralSchema !== false) {
    const why = structuralInitError(schema)
    if (why) initError = invalid(path, '', why)
    else {
      const structural = validateStructural(schema, path)
      if (structural.length) out.push(...structural)
      else out.push(...validateDefaults(compileSchema(schema), path, opts.requirePrunedDefaults !== false))
    }
  }
  openAPISchema(schema, path, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true, opts, out)
  if (out.length === 0 && initError) out.push(initError)
  return out
}
