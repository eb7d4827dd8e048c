/**
 * @module prune-value: the pruning algorithm (apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go):
 * drops object fields the structural schema does not specify, reporting each dropped path.
 */
import type { SchemaNode } from './schema-node.js'
import { child, isObj } from './field-path.js'

const metaFields = new Set(['apiVersion', 'kind', 'metadata'])

/**
 * PruneWithOptions: removes, in place, the fields of `value` that `schema` does not specify and
 * returns their paths (`spec.foo`, `spec.items[0].bar`). With `isResourceRoot` the root keeps
 * apiVersion, kind and metadata, as every x-kubernetes-embedded-resource does. Returns `value`
 * itself when it is a scalar (callers prune defaults with it).
 */
export function pruneValue<T>(value: T, schema: SchemaNode | undefined, isResourceRoot: boolean, pruned?: string[]): T {
  prune(value, schema, isResourceRoot, '', pruned)
  return value
}

function prune(x: unknown, s: SchemaNode | undefined, embedded: boolean, path: string, out: string[] | undefined): void {
  if (s?.preserveUnknownFields) {
    skipPrune(x, s, embedded || s.embeddedResource, path, out)
    return
  }
  if (isObj(x)) {
    if (!s) {
      for (const k of Object.keys(x)) {
        out?.push(child(path, k))
        delete x[k]
      }
      return
    }
    const meta = embedded || s.embeddedResource
    for (const k of Object.keys(x)) {
      if (meta && metaFields.has(k)) continue
      const prop = s.properties?.get(k)
      if (prop) prune(x[k], prop, false, child(path, k), out)
      else if (s.additionalProperties) prune(x[k], s.additionalProperties.schema, false, child(path, k), out)
      else {
        out?.push(child(path, k))
        delete x[k]
      }
    }
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) prune(x[i], s?.items, false, `${path}[${i}]`, out)
  }
}

/** x-kubernetes-preserve-unknown-fields: unknown fields stay, specified ones are still pruned inside. */
function skipPrune(x: unknown, s: SchemaNode, embedded: boolean, path: string, out: string[] | undefined): void {
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      if (embedded && metaFields.has(k)) continue
      const prop = s.properties?.get(k)
      if (prop) prune(x[k], prop, false, child(path, k), out)
      else if (s.additionalProperties) prune(x[k], s.additionalProperties.schema, false, child(path, k), out)
    }
  } else if (Array.isArray(x)) {
    // Upstream recurses with skipPrune into items: list items of a preserving schema keep unknown fields too.
    for (let i = 0; i < x.length; i++) if (s.items) skipPrune(x[i], s.items, false, `${path}[${i}]`, out)
  }
}
