/**
 * @module validate-structural: the structural-schema rules, invariants and completeness
 * (apiextensions-apiserver/pkg/apiserver/schema/validation.go and complete.go), over the raw
 * JSONSchemaProps object.
 */
import type { FieldError } from '../../../types.js'
import { fieldErrorString } from '../../../errors.js'
import { forbidden, invalid, required } from '../../shared/field-errors.js'
import { asList, asMap, asObject, child, key } from './field-path.js'
import { compilePattern } from './schema-node.js'

type Schema = Record<string, unknown>
type Level = 'root' | 'item' | 'field'

const isIntOrStringPair = (list: unknown): boolean => {
  const l = asList(list)
  const only = (s: Schema, t: string) => Object.keys(s).length === 1 && s.type === t
  return Array.isArray(list) && list.length === 2 && l.length === 2 && only(l[0], 'integer') && only(l[1], 'string')
}

const typeOf = (s: Schema): string => (typeof s.type === 'string' ? s.type : '')

function validateValueValidation(v: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string, out: FieldError[]): void {
  if (!skipAnyOf)
    asList(v.anyOf).forEach((s, i) => {
      validateNested(s, false, lvl, key(child(path, 'anyOf'), i), out)
    })
  asList(v.allOf).forEach((s, i) => {
    validateNested(s, skipFirstAllOfAnyOf && i === 0, lvl, key(child(path, 'allOf'), i), out)
  })
  asList(v.oneOf).forEach((s, i) => {
    validateNested(s, false, lvl, key(child(path, 'oneOf'), i), out)
  })
  const not = asObject(v.not)
  if (not) validateNested(not, false, lvl, child(path, 'not'), out)
  if (typeof v.pattern === 'string' && v.pattern) {
    const p = compilePattern(v.pattern)
    if (!p.re) out.push(invalid(child(path, 'pattern'), v.pattern, `must be a valid regular expression, but isn't: ${p.error}`))
  }
}

function validateNested(v: Schema, skipAnyOf: boolean, lvl: Level, path: string, out: FieldError[]): void {
  validateValueValidation(v, skipAnyOf, false, lvl, path, out)
  const items = asObject(v.items)
  if (items) validateNested(items, false, lvl, child(path, 'items'), out)
  for (const [k, s] of asMap(v.properties)) validateNested(s, false, 'field', key(child(path, 'properties'), k), out)
  if (typeOf(v)) out.push(forbidden(child(path, 'type'), 'must be empty to be structural'))
  if (v.additionalProperties !== undefined) out.push(forbidden(child(path, 'additionalProperties'), 'must be undefined to be structural'))
  if (v.default !== undefined) out.push(forbidden(child(path, 'default'), 'must be undefined to be structural'))
  if (v.title) out.push(forbidden(child(path, 'title'), 'must be empty to be structural'))
  if (v.description) out.push(forbidden(child(path, 'description'), 'must be empty to be structural'))
  if (v.nullable === true) out.push(forbidden(child(path, 'nullable'), 'must be false to be structural'))
  if (v.externalDocs !== undefined) out.push(forbidden(child(path, 'externalDocs'), 'must be undefined to be structural'))
  if (v['x-kubernetes-preserve-unknown-fields'] === true)
    out.push(forbidden(child(path, 'x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'))
  if (v['x-kubernetes-embedded-resource'] === true) out.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must be false to be structural'))
  if (v['x-kubernetes-int-or-string'] === true) out.push(forbidden(child(path, 'x-kubernetes-int-or-string'), 'must be false to be structural'))
  if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length > 0)
    out.push(forbidden(child(path, 'x-kubernetes-list-map-keys'), 'must be empty to be structural'))
  if (v['x-kubernetes-list-type'] !== undefined) out.push(forbidden(child(path, 'x-kubernetes-list-type'), 'must be undefined to be structural'))
  if (v['x-kubernetes-map-type'] !== undefined) out.push(forbidden(child(path, 'x-kubernetes-map-type'), 'must be undefined to be structural'))
  if (Array.isArray(v['x-kubernetes-validations']) && v['x-kubernetes-validations'].length > 0)
    out.push(forbidden(child(path, 'x-kubernetes-validations'), 'must be empty to be structural'))
  if (asObject(v.properties)?.metadata !== undefined)
    out.push(forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'))
}

function validateMetadata(s: Schema, checkMetadata: boolean, lvl: Level, path: string, out: FieldError[]): void {
  if (checkMetadata && typeOf(s) !== 'object') out.push(invalid(child(path, 'type'), typeOf(s), 'must be object'))
  if (lvl !== 'root') return
  const props = Object.keys(asObject(s.properties) ?? {})
  const onlyNames = props.every((p) => p === 'name' || p === 'generateName')
  // Upstream clears type, default and a properties map of just name/generateName, then requires
  // the rest to be empty: anything else restricts metadata, which the apiserver owns.
  const rest = Object.keys(s).filter((k) => k !== 'type' && k !== 'default' && !(k === 'properties' && onlyNames && props.length > 0))
  if (rest.some((k) => s[k] !== undefined && s[k] !== false && !(Array.isArray(s[k]) && (s[k] as unknown[]).length === 0)))
    out.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'))
}

function validateInvariants(s: Schema, lvl: Level, path: string, out: FieldError[]): void {
  const type = typeOf(s)
  const items = asObject(s.items)
  if (type === 'array' && !items) out.push(required(child(path, 'items'), 'must be specified'))
  if (items) validateInvariants(items, 'item', child(path, 'items'), out)
  for (const [k, p] of asMap(s.properties)) validateInvariants(p, 'field', key(child(path, 'properties'), k), out)
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') out.push(forbidden(child(path, 'additionalProperties'), 'must not be used at the root'))
    const ap = asObject(s.additionalProperties)
    if (ap) validateInvariants(ap, 'field', child(path, 'additionalProperties'), out)
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true
  const embedded = s['x-kubernetes-embedded-resource'] === true
  if (intOrString && preserve)
    out.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'))
  if (intOrString && embedded) out.push(invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'))
  const skipAnyOf = isIntOrStringPair(s.anyOf)
  const skipFirstAllOfAnyOf = asList(s.allOf).length >= 1 && isIntOrStringPair(asList(s.allOf)[0].anyOf)
  validateValueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, out)
  const checkMetadata = lvl === 'root' || embedded
  if (embedded && type !== 'object') {
    if (!type) out.push(required(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'))
    else out.push(invalid(child(path, 'type'), type, 'must be object if x-kubernetes-embedded-resource is true'))
  } else if (!type && !intOrString && !preserve) {
    const why = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    }[lvl]
    out.push(required(child(path, 'type'), why))
  }
  if (embedded && s.additionalProperties !== undefined)
    out.push(forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'))
  if (lvl === 'root' && type && type !== 'object') out.push(invalid(child(path, 'type'), type, 'must be object at the root'))
  const props = asObject(s.properties) ?? {}
  for (const f of ['kind', 'apiVersion']) {
    const p = asObject(props[f])
    if (p && checkMetadata && typeOf(p) !== 'string') out.push(invalid(child(key(child(path, 'properties'), f), 'type'), typeOf(p), 'must be string'))
  }
  const meta = asObject(props.metadata)
  if (meta) validateMetadata(meta, checkMetadata, lvl, key(child(path, 'properties'), 'metadata'), out)
  if (embedded && !preserve && Object.keys(props).length === 0)
    out.push(required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'))
}

function completenessOf(v: Schema, s: Schema | undefined, sPath: string, vPath: string, out: FieldError[]): void {
  const nested = (n: Schema, p: string) => nestedCompleteness(n, s, sPath, p, out)
  const not = asObject(v.not)
  if (not) nested(not, child(vPath, 'not'))
  asList(v.allOf).forEach((n, i) => {
    nested(n, key(child(vPath, 'allOf'), i))
  })
  asList(v.anyOf).forEach((n, i) => {
    nested(n, key(child(vPath, 'anyOf'), i))
  })
  asList(v.oneOf).forEach((n, i) => {
    nested(n, key(child(vPath, 'oneOf'), i))
  })
}

function nestedCompleteness(v: Schema, s: Schema | undefined, sPath: string, vPath: string, out: FieldError[]): void {
  if (!s) {
    out.push(required(sPath, `because it is defined in ${vPath}`))
    return
  }
  completenessOf(v, s, sPath, vPath, out)
  const items = asObject(v.items)
  if (items) nestedCompleteness(items, asObject(s.items), child(sPath, 'items'), child(vPath, 'items'), out)
  const sProps = asObject(s.properties) ?? {}
  for (const [k, p] of asMap(v.properties)) {
    const sp = asObject(sProps[k])
    if (!sp) out.push(required(key(child(sPath, 'properties'), k), `because it is defined in ${key(child(vPath, 'properties'), k)}`))
    else nestedCompleteness(p, sp, key(child(sPath, 'properties'), k), key(child(vPath, 'properties'), k), out)
  }
}

/**
 * ValidateStructural: the schema is structural (types everywhere, value validations in
 * allOf/anyOf/oneOf/not only restate what the structure specifies, metadata restricted to name
 * and generateName, …). Errors sorted by their text, as upstream sorts them.
 */
export function validateStructural(schema: Schema, path: string): FieldError[] {
  const out: FieldError[] = []
  validateInvariants(schema, 'root', path, out)
  // Upstream checks completeness of the root's value validations only (complete.go).
  completenessOf(schema, schema, path, path, out)
  const text = out.map((e) => ({ e, s: fieldErrorString(e) }))
  text.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0))
  return text.map((t) => t.e)
}
