/**
 * @module custom-field-problems: unknown fields of custom resources for fieldValidation, from
 * pruning by the structural schema (crdHandler's unstructuredSchemaCoercer) plus metadata's
 * fields checked against ObjectMeta, as the custom resource decoder does.
 */
import { checkUnknownFields, pruneUnknownFields as pruneBuiltinUnknown, type FieldCheckResult } from '../openapi/field-validation.js'
import { pruneUnknownFields } from '../registry/apiextensions/schema/index.js'
import { dropNullFields } from '../util/null-fields.js'

// Any built-in kind's definition embeds the same ObjectMeta; a ConfigMap is used to check just
// `metadata` (objectmeta.GetObjectMetaWithOptions reports `metadata.<field>` the same way).
const metaGVK = { group: '', version: 'v1', kind: 'ConfigMap' }

/**
 * Prunes `o` in place by `schema` and returns what the strict decoder would report: unknown
 * fields (`metadata.bar` first, then the pruned `spec.foo`, …) and metadata values of the wrong
 * JSON type.
 */
export function customFieldProblems(o: Record<string, unknown>, schema: Record<string, unknown>): FieldCheckResult {
  const meta = { metadata: o.metadata }
  const checked = o.metadata === undefined ? { unknownFields: [], typeErrors: [] } : checkUnknownFields(metaGVK, meta)
  if (checked.unknownFields.length) pruneBuiltinUnknown(metaGVK, meta)
  // Custom objects keep their nulls (a nullable field holds null; the defaulter drops the rest),
  // but metadata is decoded into ObjectMeta, where null is the zero value.
  if (o.metadata && typeof o.metadata === 'object') dropNullFields(o.metadata)
  // unstructuredSchemaCoercer.apply appends metadata's unknown fields first, then the pruned
  // paths (sorted by PruneWithOptions); the two lists are not sorted together.
  const unknownFields = [...checked.unknownFields, ...pruneUnknownFields(o, schema)]
  return { unknownFields, typeErrors: checked.typeErrors }
}
