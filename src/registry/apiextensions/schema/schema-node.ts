/**
 * @module schema-node: an openAPIV3Schema compiled once into typed nodes (upstream's Structural
 * plus the go-openapi spec.Schema the validator walks), cached per schema object.
 */
import { pruneValue } from './prune-value.js'
import { supportedFormat } from './formats.js'
import { isObj } from './field-path.js'

/** additionalProperties as spec.SchemaOrBool: `true`, `false` or a schema. */
export interface AdditionalProperties {
  allows: boolean
  schema?: SchemaNode
}

/**
 * One schema (or nested value validation) in the shape the algorithms read. Fields mirror
 * JSONSchemaProps; `types` is what go-openapi's type validator compares against (int-or-string
 * is `integer,string`), `format` has formats the apiextensions validator does not support
 * removed (StripUnsupportedFormatsPostProcess).
 */
export interface SchemaNode {
  raw: Record<string, unknown>
  type: string
  types: string[]
  format: string
  nullable: boolean
  /** The default, already pruned by its own schema (PruneDefaults); `undefined` when unset. */
  default?: unknown
  properties?: Map<string, SchemaNode>
  additionalProperties?: AdditionalProperties
  items?: SchemaNode
  enum?: unknown[]
  pattern?: { source: string; re: RegExp | null; error?: string }
  maximum?: number
  exclusiveMaximum: boolean
  minimum?: number
  exclusiveMinimum: boolean
  multipleOf?: number
  maxLength?: number
  minLength?: number
  maxItems?: number
  minItems?: number
  maxProperties?: number
  minProperties?: number
  required?: string[]
  allOf?: SchemaNode[]
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  not?: SchemaNode
  preserveUnknownFields: boolean
  embeddedResource: boolean
  intOrString: boolean
  listType?: string
  listMapKeys?: string[]
  mapType?: string
}

const cache = new WeakMap<object, SchemaNode>()

/**
 * The compiled node for `schema`; compiled on first use and cached by object identity, so a
 * definition that keeps its schema object pays the walk once, not on every write.
 */
export function compileSchema(schema: Record<string, unknown>): SchemaNode {
  let node = cache.get(schema)
  if (!node) {
    node = compile(schema)
    cache.set(schema, node)
  }
  return node
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)

/**
 * RE2 patterns mostly read the same in JavaScript; `u` keeps \p{…} classes working, and a pattern
 * that only compiles without it (`\-` style escapes) falls back to the legacy syntax.
 */
export function compilePattern(source: string): { source: string; re: RegExp | null; error?: string } {
  const { body, flags } = fromRE2(source)
  try {
    return { source, re: new RegExp(body, `u${flags}`) }
  } catch {
    try {
      return { source, re: new RegExp(body, flags) }
    } catch (err) {
      return { source, re: null, error: (err as Error).message }
    }
  }
}

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
}

/**
 * The RE2 syntax JavaScript lacks: `(?i)`/`(?s)`/`(?m)` flag groups (applied to the whole
 * pattern, which is where CRDs put them), `(?P<name>`, `\A`, `\z` and `[[:alpha:]]` classes.
 */
function fromRE2(source: string): { body: string; flags: string } {
  let flags = ''
  let body = source.replace(/\(\?([ims]+)\)/g, (_, f: string) => {
    for (const c of f) if (!flags.includes(c)) flags += c
    return ''
  })
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)(\w+):\]/g, (m, neg: string, name: string) => (posixClasses[name] && !neg ? posixClasses[name] : m))
  return { body, flags }
}

function compileList(v: unknown): SchemaNode[] | undefined {
  return Array.isArray(v) ? v.filter(isObj).map(compile) : undefined
}

function compile(raw: Record<string, unknown>): SchemaNode {
  const type = typeof raw.type === 'string' ? raw.type : ''
  const intOrString = raw['x-kubernetes-int-or-string'] === true
  const types = intOrString ? ['integer', 'string'] : type ? [type] : []
  const node: SchemaNode = {
    raw,
    type,
    types,
    format: supportedFormat(types.length === 1 ? types[0] : '', typeof raw.format === 'string' ? raw.format : ''),
    nullable: raw.nullable === true,
    exclusiveMaximum: raw.exclusiveMaximum === true,
    exclusiveMinimum: raw.exclusiveMinimum === true,
    preserveUnknownFields: raw['x-kubernetes-preserve-unknown-fields'] === true,
    embeddedResource: raw['x-kubernetes-embedded-resource'] === true,
    intOrString,
  }
  if (isObj(raw.properties)) {
    node.properties = new Map()
    for (const [k, v] of Object.entries(raw.properties)) if (isObj(v)) node.properties.set(k, compile(v))
  }
  if (raw.additionalProperties === true || raw.additionalProperties === false) node.additionalProperties = { allows: raw.additionalProperties }
  else if (isObj(raw.additionalProperties)) node.additionalProperties = { allows: true, schema: compile(raw.additionalProperties) }
  if (isObj(raw.items)) node.items = compile(raw.items)
  if (Array.isArray(raw.enum)) node.enum = raw.enum
  if (typeof raw.pattern === 'string' && raw.pattern) node.pattern = compilePattern(raw.pattern)
  node.maximum = num(raw.maximum)
  node.minimum = num(raw.minimum)
  node.multipleOf = num(raw.multipleOf)
  node.maxLength = num(raw.maxLength)
  node.minLength = num(raw.minLength)
  node.maxItems = num(raw.maxItems)
  node.minItems = num(raw.minItems)
  node.maxProperties = num(raw.maxProperties)
  node.minProperties = num(raw.minProperties)
  if (Array.isArray(raw.required)) node.required = raw.required.filter((r): r is string => typeof r === 'string')
  node.allOf = compileList(raw.allOf)
  node.anyOf = compileList(raw.anyOf)
  node.oneOf = compileList(raw.oneOf)
  if (isObj(raw.not)) node.not = compile(raw.not)
  if (typeof raw['x-kubernetes-list-type'] === 'string') node.listType = raw['x-kubernetes-list-type']
  if (Array.isArray(raw['x-kubernetes-list-map-keys'])) node.listMapKeys = raw['x-kubernetes-list-map-keys'].filter((k): k is string => typeof k === 'string')
  if (typeof raw['x-kubernetes-map-type'] === 'string') node.mapType = raw['x-kubernetes-map-type']
  // PruneDefaults (defaulting/prune.go): a default is stored as its own schema prunes it.
  if (raw.default !== undefined) node.default = pruneValue(structuredClone(raw.default), node, node.embeddedResource)
  return node
}
