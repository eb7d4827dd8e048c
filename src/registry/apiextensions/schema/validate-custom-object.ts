/**
 * @module validate-custom-object: a custom object against its structural schema, as the custom
 * resource strategy validates it: the OpenAPI schema validator, embedded resources' TypeMeta and
 * ObjectMeta, and list-type set/map uniqueness
 * (apiextensions-apiserver/pkg/registry/customresource/validator.go, pkg/apiserver/validation/validation.go).
 */
import type { FieldError } from '../../../types.js'
import { omitValue } from '../../../errors.js'
import { invalid, required, tooLong } from '../../shared/field-errors.js'
import { compileSchema, type SchemaNode } from './schema-node.js'
import { validateNode, type ValidationError } from './openapi-validator.js'
import { validateEmbeddedResources } from './embedded-resource.js'
import { validateListSetsAndMaps } from './list-type.js'
import { goValue } from './field-path.js'

/**
 * kubeOpenAPIResultToFieldErrors: each validator error as the field.Error kube-apiserver builds
 * from it. `base` prefixes the paths (a default's `…default`); without it plain errors (composite
 * anyOf/oneOf texts) land on `<nil>`, as upstream's nil field.Path prints.
 */
export function toFieldErrors(errors: ValidationError[], base?: string): FieldError[] {
  return errors.map((e) => {
    if (e.code === undefined) return invalid(base ?? '<nil>', '', e.message)
    const name = e.name && e.name !== '.' ? e.name.replace(/^\./, '') : ''
    const field = base ? (name ? `${base}.${name}` : base) : name
    const value = e.value === undefined ? '' : goValue(e.value)
    switch (e.code) {
      case 'required':
        return required(field)
      case 'enum': {
        const values = (e.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        const detail = values.length ? `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}` : ''
        return { type: 'FieldValueNotSupported', field, badValue: goValue(e.value), ...(detail ? { detail } : {}) }
      }
      case 'tooLong':
        // 1.32's field.TooLong/TooMany say "bytes" and "items" even for 1 (the singular came in 1.34).
        return tooLong(field, e.valid ?? -1)
      case 'maxItems':
      case 'tooManyProperties':
        return {
          type: 'FieldValueTooMany',
          field,
          badValue: typeof e.value === 'number' ? e.value : omitValue,
          detail: `must have at most ${e.valid} items`,
        }
      case 'invalidType':
        return { type: 'FieldValueTypeInvalid', field, badValue: value, detail: e.message }
      default:
        return invalid(field, value, e.message)
    }
  })
}

/** The schema validator's errors for `value` against `node` at validator path `path`. */
export function schemaErrors(node: SchemaNode, value: unknown, base?: string): FieldError[] {
  const res = validateNode(node, '', value)
  return res.valid ? [] : toFieldErrors(res.errors, base)
}

/**
 * Validates a custom object against its version's openAPIV3Schema and returns upstream's field
 * errors (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer:
 * "string"`), in the order the custom resource strategy reports them. The root metadata is left
 * to the generic registry's ObjectMeta validation; `x-kubernetes-validations` to CEL. Never
 * mutates `obj`.
 */
export function validateCustomObject(obj: Record<string, unknown>, schema: Record<string, unknown>): FieldError[] {
  const node = compileSchema(schema)
  return [...schemaErrors(node, obj), ...validateEmbeddedResources(obj, node), ...validateListSetsAndMaps(obj, node)]
}
