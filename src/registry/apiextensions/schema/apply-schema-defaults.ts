/**
 * @module apply-schema-defaults: structural defaulting of custom objects
 * (apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go and prunenulls.go).
 */
import { compileSchema, type SchemaNode } from './schema-node.js'
import { isObj } from './field-path.js'

/** Schema of a field: its property, else additionalProperties' schema (getSchemaForField). */
function fieldSchema(s: SchemaNode | undefined, k: string): SchemaNode | undefined {
  return s?.properties?.get(k) ?? s?.additionalProperties?.schema
}

/**
 * PruneNonNullableNullsWithoutDefaults: `null` where the schema is not nullable and has no
 * default is dropped (the decoder's zero value); nulls that have a default are defaulted next.
 */
function pruneNulls(x: unknown, s: SchemaNode | undefined): void {
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      const fs = fieldSchema(s, k)
      if (x[k] === null && fs && !fs.nullable && fs.default === undefined) delete x[k]
      else pruneNulls(x[k], fs)
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items)
  }
}

const isNonNullableNull = (v: unknown, s: SchemaNode | undefined): boolean => v === null && !!s && !s.nullable

/** Default: top-down, so a defaulted object gets its own fields' defaults too. */
function applyDefaults(x: unknown, s: SchemaNode | undefined): void {
  if (!s) return
  if (isObj(x)) {
    if (s.properties) {
      for (const [k, prop] of s.properties) {
        if (prop.default === undefined) continue
        if (!(k in x) || isNonNullableNull(x[k], prop)) x[k] = structuredClone(prop.default)
      }
    }
    for (const k of Object.keys(x)) {
      const prop = s.properties?.get(k)
      if (prop) applyDefaults(x[k], prop)
      else if (s.additionalProperties) {
        const ap = s.additionalProperties.schema
        if (isNonNullableNull(x[k], ap)) x[k] = structuredClone(ap?.default)
        applyDefaults(x[k], ap)
      }
    }
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], s.items)) x[i] = structuredClone(s.items?.default)
      applyDefaults(x[i], s.items)
    }
  }
}

/**
 * Applies the schema's defaults to `obj` in place, as the custom resource decoder does on every
 * read and write: non-nullable nulls without a default are removed, then defaults fill absent
 * (or non-nullable null) fields of objects that are present, list items and map values included.
 * Defaults are deep-copied and were pruned by their schema when it was compiled.
 */
export function applySchemaDefaults(obj: Record<string, unknown>, schema: Record<string, unknown>): void {
  const node = compileSchema(schema)
  pruneNulls(obj, node)
  applyDefaults(obj, node)
}
