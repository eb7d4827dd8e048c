/**
 * @module schema: smd-style schemas (schema.Atom: scalar, list, map) built from OpenAPI: the
 * generated built-in definitions and custom resources' openAPIV3Schema, as kube-openapi's
 * schemaconv does (https://github.com/kubernetes/kube-openapi/blob/master/pkg/schemaconv/openapi.go
 * and smd.go): list types from x-kubernetes-list-type / -list-map-keys (or patch strategy "merge"
 * and its merge key), map types from x-kubernetes-map-type, everything untyped "deduced".
 */
import { definitionForKind, loadDefinitions, refName, type SchemaObject } from '../../openapi/definitions.js'
import type { Value } from './value.js'

/** schema.Scalar: the leaf kinds (`untyped` accepts any scalar: int-or-string, date-time, quantities). */
export type ScalarType = 'numeric' | 'string' | 'boolean' | 'untyped'

/** schema.List. `atomic` lists are replaced whole; otherwise associative: a set (no keys) or a map keyed by `keys`. */
export interface ListType {
  atomic: boolean
  keys: readonly string[] | undefined
  element: Atom
}

/** schema.Map: a struct (named `fields`), a map (`element` for other keys), or both. */
export interface MapType {
  /** x-kubernetes-map-type: atomic (replaced whole); otherwise granular ("separable"). */
  atomic: boolean
  fields: ReadonlyMap<string, Atom> | undefined
  /** Type of keys that are not named fields; undefined: none declared (treated as deduced, see walkers). */
  element: Atom | undefined
  /** Defaults of named fields, for associative-list keys an item omits (`protocol: TCP`). */
  defaults: ReadonlyMap<string, Value> | undefined
}

/** schema.Atom: a value's possible forms; more than one is set for untyped values, chosen by the value. */
export interface Atom {
  scalar?: ScalarType
  list?: ListType
  map?: MapType
}

/** `__untyped_atomic_`: anything, replaced whole (RawExtension, list items without a schema). */
export const UNTYPED_ATOMIC: Atom = { scalar: 'untyped' }
/** `__untyped_deduced_`: anything; maps merge key by key, lists are atomic (preserve-unknown-fields). */
export const DEDUCED: Atom = { scalar: 'untyped' }
Object.assign(UNTYPED_ATOMIC, {
  list: { atomic: true, keys: undefined, element: UNTYPED_ATOMIC },
  map: { atomic: true, fields: undefined, element: UNTYPED_ATOMIC, defaults: undefined },
})
Object.assign(DEDUCED, {
  list: { atomic: true, keys: undefined, element: UNTYPED_ATOMIC },
  map: { atomic: false, fields: undefined, element: DEDUCED, defaults: undefined },
})

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity'
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension'
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'

// Defaults of associative-list key fields that upstream declares with `+default=` tags in
// k8s.io/api (core/v1/types.go) but the generated definitions here do not carry.
const KEY_DEFAULTS: Record<string, Record<string, Value>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.LocalObjectReference': { name: '' },
}

/** Converts OpenAPI schemas to atoms; named definitions are converted once and shared (cycles allowed). */
class Converter {
  private readonly named = new Map<string, Atom>()

  constructor(private readonly defs: Record<string, SchemaObject>) {}

  /** The atom of a named definition, with an optional x-kubernetes-map-type override from the referring field. */
  namedAtom(name: string, mapOverride?: boolean): Atom {
    const key = mapOverride === undefined ? name : `${name}|${mapOverride}`
    let atom = this.named.get(key)
    if (atom) return atom
    if (name === QUANTITY) atom = { scalar: 'untyped' }
    else if (name === RAW_EXTENSION) atom = UNTYPED_ATOMIC
    else {
      const def = this.defs[name]
      if (!def) return DEDUCED
      // Registered before it is filled so that recursive types (JSONSchemaProps) resolve to it.
      atom = {}
      this.named.set(key, atom)
      Object.assign(atom, this.parse(def, false, name))
      if (mapOverride !== undefined && atom.map) atom.map = { ...atom.map, atomic: mapOverride }
      return atom
    }
    this.named.set(key, atom)
    return atom
  }

  /** makeOpenAPIRef: a field's type, by reference (also a one-element allOf) or inline. */
  ref(s: SchemaObject, preserveUnknown: boolean): Atom {
    const r = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]!.$ref : undefined)
    if (r) return this.namedAtom(refName(r), mapTypeAtomic(s))
    return this.parse(s, preserveUnknown, undefined)
  }

  /** parseSchema: the atom of one schema; `preserveUnknown` is inherited by inline descendants. */
  parse(s: SchemaObject, preserveUnknown: boolean, name: string | undefined): Atom {
    if (s['x-kubernetes-preserve-unknown-fields'] === true) preserveUnknown = true
    switch (s.type) {
      case undefined:
      case '':
        return { scalar: 'untyped', list: this.list(s, preserveUnknown), map: this.object(s, preserveUnknown, name) }
      case 'object':
        return { map: this.object(s, preserveUnknown, name) }
      case 'array':
        return { list: this.list(s, preserveUnknown) }
      case 'integer':
      case 'number':
        return { scalar: 'numeric' }
      case 'boolean':
        return { scalar: 'boolean' }
      case 'string':
        return { scalar: !s.format || s.format === 'byte' ? 'string' : 'untyped' }
      default:
        return { scalar: 'untyped' }
    }
  }

  private object(s: SchemaObject, preserveUnknown: boolean, name: string | undefined): MapType {
    let fields: Map<string, Atom> | undefined
    let defaults: Map<string, Value> | undefined
    for (const [field, prop] of Object.entries(s.properties ?? {})) {
      ;(fields ??= new Map()).set(field, this.ref(prop, preserveUnknown))
      if (prop.default !== undefined) (defaults ??= new Map()).set(field, prop.default as Value)
    }
    for (const [field, v] of Object.entries((name && KEY_DEFAULTS[name]) || {})) if (!defaults?.has(field)) (defaults ??= new Map()).set(field, v)
    let element: Atom | undefined
    const ap = s.additionalProperties
    if (ap === undefined) element = preserveUnknown || !fields ? DEDUCED : undefined
    else if (typeof ap === 'object') element = this.ref(ap, preserveUnknown)
    else element = ap ? DEDUCED : undefined
    return { atomic: mapTypeAtomic(s) === true, fields, element, defaults }
  }

  private list(s: SchemaObject, preserveUnknown: boolean): ListType {
    const { atomic, keys } = listRelationship(s)
    const element = s.items ? this.ref(s.items, preserveUnknown) : UNTYPED_ATOMIC
    return { atomic, keys, element }
  }
}

// getMapElementRelationship: true for atomic, false for granular, undefined when unset.
function mapTypeAtomic(s: SchemaObject): boolean | undefined {
  const t = s['x-kubernetes-map-type']
  return t === 'atomic' ? true : t === 'granular' ? false : undefined
}

// getListElementRelationship: list-type first, then the strategic-merge-patch strategy, else atomic.
function listRelationship(s: SchemaObject): { atomic: boolean; keys: string[] | undefined } {
  const listType = s['x-kubernetes-list-type']
  if (listType === 'set') return { atomic: false, keys: undefined }
  if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys']
    return { atomic: false, keys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [] }
  }
  if (listType !== undefined) return { atomic: true, keys: undefined }
  const strategy = s['x-kubernetes-patch-strategy']
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = s['x-kubernetes-patch-merge-key']
    return { atomic: false, keys: typeof key === 'string' ? [key] : undefined }
  }
  return { atomic: true, keys: undefined }
}

let builtins: Converter | undefined
const kindCache = new Map<string, Atom | null>()

/** The atom of a built-in kind (`apps/v1 Deployment`), from the generated definitions; cached. */
export function builtinSchema(gvk: { group: string; version: string; kind: string }): Atom | undefined {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`
  let atom = kindCache.get(key)
  if (atom === undefined) {
    const name = definitionForKind(gvk)
    builtins ??= new Converter(loadDefinitions())
    atom = name ? builtins.namedAtom(name) : null
    kindCache.set(key, atom)
  }
  return atom ?? undefined
}

/** The atom of one named built-in definition (`io.k8s.api.core.v1.PodSpec`), for tests and tools. */
export function definitionSchema(name: string): Atom {
  builtins ??= new Converter(loadDefinitions())
  return builtins.namedAtom(name)
}

/**
 * The atom of a custom resource from its version's openAPIV3Schema, as the apiserver's CRD
 * handler builds it: `metadata` is ObjectMeta, `apiVersion`/`kind` strings, and embedded
 * resources (x-kubernetes-embedded-resource) get the same three fields. Not cached here: cache
 * the result per CRD generation.
 */
export function customResourceSchema(openAPIV3Schema: Record<string, unknown> | undefined, preserveUnknownFields = false): Atom {
  builtins ??= new Converter(loadDefinitions())
  const root = withObjectFields((openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as SchemaObject, true)
  return builtins.parse(root, preserveUnknownFields, undefined)
}

const META_REF: SchemaObject = { $ref: `#/components/schemas/${OBJECT_META}` }

// Adds apiVersion, kind and metadata to the root and to every embedded resource (a copy; the input is not mutated).
function withObjectFields(s: SchemaObject, isResource: boolean): SchemaObject {
  const out: SchemaObject = { ...s }
  if (s.properties) {
    out.properties = {}
    for (const [k, v] of Object.entries(s.properties)) out.properties[k] = withObjectFields(v, v['x-kubernetes-embedded-resource'] === true)
  }
  if (s.items) out.items = withObjectFields(s.items, s.items['x-kubernetes-embedded-resource'] === true)
  if (typeof s.additionalProperties === 'object')
    out.additionalProperties = withObjectFields(s.additionalProperties, s.additionalProperties['x-kubernetes-embedded-resource'] === true)
  if (isResource) {
    out.type ??= 'object'
    out.properties = {
      ...out.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: META_REF,
    }
  }
  return out
}

/**
 * The atom of an OpenAPI v3 schema as given (no fields added), `$ref`s resolved in `defs`
 * (`#/components/schemas/<name>`): for tests, and for kinds whose schema is neither built-in nor a
 * custom resource's.
 */
export function openAPISchema(schema: SchemaObject, defs: Record<string, SchemaObject> = {}): Atom {
  return new Converter(defs).parse(schema, false, undefined)
}
