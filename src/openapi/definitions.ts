/** @module definitions: lazy, cached access to the generated schemas in openapi/*.json. */
import { readFileSync } from 'node:fs'

/** An OpenAPI 3.0 schema object as stored in openapi/definitions.json (loosely typed on purpose). */
export interface SchemaObject {
  type?: string
  format?: string
  description?: string
  properties?: Record<string, SchemaObject>
  additionalProperties?: SchemaObject | boolean
  items?: SchemaObject
  allOf?: SchemaObject[]
  oneOf?: SchemaObject[]
  required?: string[]
  $ref?: string
  [extension: string]: unknown
}

/** One JSON field of a Go API struct, as recorded in openapi/go-struct-tags.json. */
export interface GoField {
  /** reflect-style type string encoding/json prints, e.g. `[]v1.Container`, `map[string]string`. */
  go: string
  /** Underlying type of a named type, e.g. `map[v1.ResourceName]resource.Quantity` for `v1.ResourceList`. */
  underlying?: string
}

/** Go struct facts for one definition. */
export interface GoStruct {
  fields: Record<string, GoField>
  order: string[]
}

/** Prefix of every component reference in the served documents. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/'

// Both src/openapi/*.ts and dist/openapi/*.js sit two levels below the package root.
const openapiDir = new URL('../../openapi/', import.meta.url)

let definitions: Record<string, SchemaObject> | undefined
let goStructs: Record<string, GoStruct> | undefined

/**
 * All generated definitions keyed by upstream name. Parsed on first call (the file is several
 * hundred kB, so never at import time: server startup must stay fast), then cached. Callers must
 * not mutate the result.
 */
export function loadDefinitions(): Record<string, SchemaObject> {
  definitions ??= {
    ...(JSON.parse(readFileSync(new URL('definitions.json', openapiDir), 'utf8')) as Record<string, SchemaObject>),
    // metrics.k8s.io (k8s.io/metrics, which kubernetes-types lacks): the schemas metrics-server publishes.
    ...(JSON.parse(readFileSync(new URL('metrics-definitions.json', openapiDir), 'utf8')) as Record<string, SchemaObject>),
  }
  return definitions
}

/** Go struct facts keyed by definition name; loaded on first call and cached. Must not be mutated. */
export function loadGoStructs(): Record<string, GoStruct> {
  goStructs ??= (JSON.parse(readFileSync(new URL('go-struct-tags.json', openapiDir), 'utf8')) as { structs: Record<string, GoStruct> }).structs
  return goStructs
}

/** `#/components/schemas/io.k8s.api.core.v1.Pod` -> `io.k8s.api.core.v1.Pod`. */
export function refName(ref: string): string {
  return ref.startsWith(SCHEMA_REF_PREFIX) ? ref.slice(SCHEMA_REF_PREFIX.length) : ref
}

/** Every definition name referenced from `roots`, transitively, roots included. */
export function referenceClosure(roots: Iterable<string>, defs: Record<string, SchemaObject> = loadDefinitions()): Set<string> {
  const seen = new Set<string>()
  const pending = [...roots]
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x)
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') pending.push(refName(x))
        else visit(x)
      }
    }
  }
  while (pending.length) {
    const name = pending.pop()!
    if (seen.has(name)) continue
    const def = defs[name]
    if (!def) throw new Error(`openapi: definition ${name} is referenced but not generated; run node scripts/gen-openapi.mjs`)
    seen.add(name)
    visit(def)
  }
  return seen
}

/** Name of the definition tagged with this GVK (`x-kubernetes-group-version-kind`), if any. */
export function definitionForKind(gvk: { group: string; version: string; kind: string }): string | undefined {
  return kindIndex().get(`${gvk.group}/${gvk.version}/${gvk.kind}`)
}

let kinds: Map<string, string> | undefined
function kindIndex(): Map<string, string> {
  if (kinds) return kinds
  kinds = new Map()
  for (const [name, def] of Object.entries(loadDefinitions())) {
    const list = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined
    for (const g of list ?? []) kinds.set(`${g.group}/${g.version}/${g.kind}`, name)
  }
  return kinds
}
