/**
 * @module prune-unknown-fields: pruning a custom object to its structural schema, with the
 * unknown-field paths fieldValidation reports (crdHandler's unstructuredSchemaCoercer).
 */
import { pruneValue } from './prune-value.js'
import { compileSchema } from './schema-node.js'

/**
 * Removes, in place, every field of `obj` that `schema` does not specify (respecting
 * x-kubernetes-preserve-unknown-fields; apiVersion, kind and metadata stay at the root and in
 * embedded resources) and returns the removed paths sorted, as kube-apiserver 1.32 words them in
 * `unknown field "spec.foo"`: dotted from the root without a leading dot, list items as `[i]`.
 */
export function pruneUnknownFields(obj: Record<string, unknown>, schema: Record<string, unknown>): string[] {
  const pruned: string[] = []
  pruneValue(obj, compileSchema(schema), true, pruned)
  // sort.Strings: byte order, not locale order.
  return pruned.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
