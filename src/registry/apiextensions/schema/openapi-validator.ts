/**
 * @module openapi-validator: kube-openapi's SchemaValidator (pkg/validation/validate: schema.go,
 * type.go, object_validator.go, slice_validator.go, schema_props.go, validator.go, values.go) over
 * compiled schema nodes, with its error texts (pkg/validation/errors/schema.go).
 */
import { deepEqual } from '../../../util/deep-equal.js'
import { checkFormat, isKnownFormat } from './formats.js'
import type { SchemaNode } from './schema-node.js'
import { isObj } from './field-path.js'

/** An openapierrors.Validation (`code` set) or a plain error (composite anyOf/oneOf texts, range checks). */
export interface ValidationError {
  code?: 'required' | 'enum' | 'tooLong' | 'maxItems' | 'tooManyProperties' | 'invalidType' | 'other'
  /** The validator path (`spec.replicas`, `.spec` for required at the root). */
  name?: string
  value?: unknown
  valid?: number
  values?: unknown[]
  message: string
}

/** validate.Result: errors de-duplicated by message, and the match count anyOf/oneOf rank by. */
export class Result {
  errors: ValidationError[] = []
  matchCount = 0
  private seen?: Set<string>

  add(e: ValidationError): void {
    this.seen ??= new Set(this.errors.map((x) => x.message))
    if (this.seen.has(e.message)) return
    this.seen.add(e.message)
    this.errors.push(e)
  }

  merge(other: Result | undefined): void {
    if (!other) return
    for (const e of other.errors) this.add(e)
    this.matchCount += other.matchCount
  }

  get valid(): boolean {
    return this.errors.length === 0
  }
}

const IN = 'body'
const named = (name: string): string => `${name} in ${IN}`

/** Go's %v of a float64 (strconv 'g', shortest): exponents below 1e-4 and from 1e21, two digits at least (`1e-05`, `1e+21`). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf'
  const abs = Math.abs(n)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = n.toExponential().split('e')
    return `${m}e${e[0] === '-' ? '-' : '+'}${e.replace(/^[+-]/, '').padStart(2, '0')}`
  }
  return String(n)
}

/** Go's %v of []interface{}: `[a b 1]` with maps as map[k:v]. */
function goSlice(values: unknown[]): string {
  const v = (x: unknown): string => {
    if (x === null || x === undefined) return '<nil>'
    if (Array.isArray(x)) return `[${x.map(v).join(' ')}]`
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>
      return `map[${Object.keys(o)
        .sort()
        .map((k) => `${k}:${v(o[k])}`)
        .join(' ')}]`
    }
    if (typeof x === 'number') return goFloat(x)
    return String(x)
  }
  return v(values)
}

const INT64 = 2 ** 63

/** How Go's unstructured JSON holds a value: int64 for integer literals that fit, float64 otherwise. */
function isInt64(v: number): boolean {
  return Number.isInteger(v) && v >= -INT64 && v < INT64
}

function invalidType(path: string, typeName: string, value: string): ValidationError {
  return { code: 'invalidType', name: path, value, message: `${named(path)} must be of type ${typeName}: ${JSON.stringify(value)}` }
}

/** schemaInfoForType for a JSON value as Go holds it. */
function schemaType(data: unknown): [string, string] {
  if (typeof data === 'boolean') return ['boolean', '']
  if (typeof data === 'string') return ['string', '']
  if (typeof data === 'number') return isInt64(data) ? ['integer', 'int64'] : ['number', 'float64']
  if (Array.isArray(data)) return ['array', '']
  return ['object', '']
}

/** typeValidator.Validate. */
function validateType(s: SchemaNode, path: string, data: unknown, res: Result): void {
  if (data === null || data === undefined) {
    if (s.types.length > 0 && !s.types.includes('null') && !s.nullable) res.add(invalidType(path, s.types.join(','), 'null'))
    return
  }
  const [schType, format] = schemaType(data)
  const isString = typeof data === 'string'
  const isSlice = Array.isArray(data)
  const has = (t: string) => s.types.includes(t)
  const isFloatInt = schType === 'number' && Number.isInteger(data) && has('integer')
  const isIntFloat = schType === 'integer' && has('number')
  if (!isString && !isSlice && s.format && !(has(schType) || format === s.format || isFloatInt || isIntFloat)) {
    res.add(invalidType(path, s.format, format))
    return
  }
  if (!(has('number') || has('integer')) && s.format && (isString || isSlice)) return
  if (!(has(schType) || isFloatInt || isIntFloat)) res.add(invalidType(path, s.types.join(','), schType))
}

/** basicCommonValidator: enum by deep equality (numbers compare by value, as Convert does). */
function validateEnum(s: SchemaNode, path: string, data: unknown, res: Result): void {
  if (!s.enum || s.enum.length === 0) return
  if (data !== null && data !== undefined && s.enum.some((e) => deepEqual(e, data))) return
  res.add({ code: 'enum', name: path, value: data ?? null, values: s.enum, message: `${named(path)} should be one of ${goSlice(s.enum)}` })
}

/** stringValidator: the first of maxLength, minLength, pattern that fails (lengths in code points). */
function validateString(s: SchemaNode, path: string, data: string, res: Result): void {
  if (s.maxLength === undefined && s.minLength === undefined && !s.pattern) return
  const len = s.maxLength !== undefined || s.minLength !== undefined ? [...data].length : 0
  if (s.maxLength !== undefined && len > s.maxLength) {
    res.add({ code: 'tooLong', name: path, value: data, valid: s.maxLength, message: `${named(path)} should be at most ${s.maxLength} chars long` })
    return
  }
  if (s.minLength !== undefined && len < s.minLength) {
    res.add({ code: 'other', name: path, value: data, message: `${named(path)} should be at least ${s.minLength} chars long` })
    return
  }
  if (s.pattern) {
    if (!s.pattern.re)
      res.add({
        code: 'other',
        name: path,
        value: data,
        message: `${named(path)} should match '${s.pattern.source}, but pattern is invalid: ${s.pattern.error}'`,
      })
    else if (!s.pattern.re.test(data)) res.add({ code: 'other', name: path, value: data, message: `${named(path)} should match '${s.pattern.source}'` })
  }
}

/** formatValidator, for formats strfmt knows. */
function validateFormat(s: SchemaNode, path: string, data: string, res: Result): void {
  if (!s.format || !isKnownFormat(s.format)) return
  if (!checkFormat(s.format, data)) res.add(invalidType(path, s.format, data))
}

/** IsValueValidAgainstRange: does the number (or bound) fit the declared type and format? */
function rangeError(val: number, typeName: string, format: string, prefix: string, path: string): ValidationError | undefined {
  const rep = isInt64(val) ? BigInt(val).toString() : String(val)
  let ok = true
  if (typeName === 'integer') {
    if (!/^[-+]?\d+$/.test(rep)) ok = false
    else if (format === 'int32') ok = val >= -(2 ** 31) && val < 2 ** 31
  } else if (format === 'float') {
    ok = Math.abs(val) <= 3.4028234663852886e38 || !Number.isFinite(val)
  }
  if (ok) return undefined
  const message = format
    ? `${prefix} value must be of type ${typeName} with format ${format} in ${path}`
    : `${prefix} value must be of type ${typeName} (default format) in ${path}`
  return { message }
}

/** numberValidator: multipleOf, maximum, minimum, with the Int variants for integer data. */
function validateNumber(s: SchemaNode, path: string, val: number, res: Result): void {
  const typeName = s.types.length === 1 && (s.types[0] === 'integer' || s.types[0] === 'number') ? s.types[0] : ''
  const format =
    typeName === 'integer'
      ? s.format === 'int32' || s.format === 'int64'
        ? s.format
        : ''
      : typeName === 'number' && (s.format === 'float' || s.format === 'double')
        ? s.format
        : ''
  const isInt = isInt64(val)
  const checked = rangeError(val, typeName, format, 'Checked', path)
  if (checked) res.add(checked)
  const sub = new Result()
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf
    const bad = rangeError(f, typeName, format, 'MultipleOf', path)
    if (bad) sub.add(bad)
    const factor = !bad && isInt ? Math.trunc(f) : f
    if (factor <= 0)
      sub.add({ code: 'other', name: path, value: factor, message: `factor MultipleOf declared for ${path} must be positive: ${goFloat(factor)}` })
    else if (!bad && isInt ? val % factor !== 0 : !Number.isInteger(factor < 1 ? (1 / factor) * val : val / factor))
      sub.add({ code: 'other', name: path, value: val, message: `${named(path)} should be a multiple of ${goFloat(factor)}` })
  }
  const bound = (kind: 'Minimum' | 'Maximum', limit: number, exclusive: boolean) => {
    const bad = rangeError(limit, typeName, format, `${kind} boundary`, path)
    if (bad) sub.add(bad)
    const l = !bad && isInt ? Math.trunc(limit) : limit
    const fails = kind === 'Maximum' ? (exclusive ? val >= l : val > l) : exclusive ? val <= l : val < l
    if (!fails) return
    const words = kind === 'Maximum' ? (exclusive ? 'less than' : 'less than or equal to') : exclusive ? 'greater than' : 'greater than or equal to'
    sub.add({ code: 'other', name: path, value: val, message: `${named(path)} should be ${words} ${goFloat(l)}` })
  }
  // Merged as upstream orders them: multipleOf, minimum, maximum.
  if (s.minimum !== undefined) bound('Minimum', s.minimum, s.exclusiveMinimum)
  if (s.maximum !== undefined) bound('Maximum', s.maximum, s.exclusiveMaximum)
  res.merge(sub)
  res.matchCount++
}

/** schemaSliceValidator: items, minItems, maxItems, uniqueItems. */
function validateSlice(s: SchemaNode, path: string, data: unknown[], res: Result): void {
  if (s.items) for (let i = 0; i < data.length; i++) res.merge(validateNode(s.items, `${path}[${i}]`, data[i]))
  if (s.minItems !== undefined && data.length < s.minItems)
    res.add({ code: 'other', name: path, value: data.length, message: `${named(path)} should have at least ${s.minItems} items` })
  if (s.maxItems !== undefined && data.length > s.maxItems)
    res.add({ code: 'maxItems', name: path, value: data.length, valid: s.maxItems, message: `${named(path)} should have at most ${s.maxItems} items` })
  if (s.raw.uniqueItems === true) {
    for (let i = 1; i < data.length; i++) {
      if (data.slice(0, i).some((u) => deepEqual(u, data[i]))) {
        res.add({ code: 'other', name: path, message: `${named(path)} shouldn't contain duplicates` })
        break
      }
    }
  }
  res.matchCount++
}

/** objectValidator: property counts, additionalProperties, properties, required. */
function validateObject(s: SchemaNode, path: string, data: Record<string, unknown>, res: Result): void {
  const keys = Object.keys(data)
  if (s.minProperties !== undefined && keys.length < s.minProperties)
    res.add({ code: 'other', name: path, value: keys.length, message: `${named(path)} should have at least ${s.minProperties} properties` })
  if (s.maxProperties !== undefined && keys.length > s.maxProperties)
    res.add({
      code: 'tooManyProperties',
      name: path,
      value: keys.length,
      valid: s.maxProperties,
      message: `${named(path)} should have at most ${s.maxProperties} properties`,
    })
  const ap = s.additionalProperties
  if (ap && !ap.allows) {
    for (const k of keys) if (!s.properties?.has(k)) res.add({ code: 'other', name: path, value: k, message: `${path}.${k} in ${IN} is a forbidden property` })
  } else if (ap?.schema) {
    for (const k of keys) if (!s.properties?.has(k)) res.merge(validateNode(ap.schema, `${path}.${k}`, data[k]))
  }
  if (s.properties) {
    for (const k of keys) {
      const p = s.properties.get(k)
      if (p) res.merge(validateNode(p, path ? `${path}.${k}` : k, data[k]))
    }
  }
  if (s.required)
    for (const k of s.required) if (!(k in data)) res.add({ code: 'required', name: `${path}.${k}`, message: `${named(`${path}.${k}`)} is required` })
}

/** schemaPropsValidator: anyOf, oneOf, allOf, not. */
function validateProps(s: SchemaNode, path: string, data: unknown, res: Result): void {
  if (s.anyOf?.length) {
    let best: Result | undefined
    let first: Result | undefined
    let ok = false
    for (const sub of s.anyOf) {
      const r = validateNode(sub, path, data)
      if (r.valid) {
        ok = true
        best = undefined
        first = r
        break
      }
      if (!best || r.matchCount > best.matchCount) best = r
    }
    if (!ok) res.add({ message: `${JSON.stringify(path)} must validate at least one schema (anyOf)` })
    res.merge(best ?? first)
  }
  if (s.oneOf?.length) {
    let best: Result | undefined
    let first: Result | undefined
    let validated = 0
    for (const sub of s.oneOf) {
      const r = validateNode(sub, path, data)
      if (r.valid) {
        validated++
        best = undefined
        first ??= r
        continue
      }
      if (validated === 0 && (!best || r.matchCount > best.matchCount)) best = r
    }
    if (validated !== 1) {
      const why = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`
      res.add({ message: `${JSON.stringify(path)} must validate one and only one schema (oneOf). ${why}` })
      res.merge(best)
    } else res.merge(first)
  }
  if (s.allOf?.length) {
    let validated = 0
    for (const sub of s.allOf) {
      const r = validateNode(sub, path, data)
      if (r.valid) validated++
      res.merge(r)
    }
    if (validated !== s.allOf.length)
      res.add({ message: `${JSON.stringify(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}` })
  }
  if (s.not && validateNode(s.not, path, data).valid) res.add({ message: `${JSON.stringify(path)} must not validate the schema (not)` })
  res.matchCount++
}

/** SchemaValidator.Validate: the eight validators in upstream's order, each where it applies. */
export function validateNode(s: SchemaNode, path: string, data: unknown): Result {
  const res = new Result()
  if (data === null || data === undefined) {
    validateType(s, path, data, res)
    validateEnum(s, path, data, res)
    return res
  }
  if (s.types.length > 0 || s.format) {
    validateType(s, path, data, res)
    res.matchCount++
  }
  validateProps(s, path, data, res)
  res.matchCount++
  if (typeof data === 'string') {
    validateString(s, path, data, res)
    validateFormat(s, path, data, res)
    res.matchCount += 2
  } else if (typeof data === 'number') {
    validateNumber(s, path, data, res)
  } else if (Array.isArray(data)) {
    validateSlice(s, path, data, res)
  }
  validateEnum(s, path, data, res)
  res.matchCount++
  if (isObj(data)) {
    validateObject(s, path, data, res)
    res.matchCount++
  }
  res.matchCount++
  return res
}
