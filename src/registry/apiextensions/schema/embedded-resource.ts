/**
 * @module embedded-resource: TypeMeta and ObjectMeta of x-kubernetes-embedded-resource values
 * (apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go).
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type { FieldError } from '../../../types.js'
import { childPath, invalid, required } from '../../shared/field-errors.js'
import { isDNS1035Label, validateObjectMeta } from '../../shared/validation.js'
import { goValue, isObj } from './field-path.js'
import type { SchemaNode } from './schema-node.js'

/** path.ValidatePathSegmentName: the names an embedded object may have. */
function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`]
  const errs: string[] = []
  for (const c of ['/', '%']) if (name.includes(c)) errs.push(`may not contain '${c}'`)
  return errs
}

/** schema.ParseGroupVersion's error, or undefined. */
function groupVersionError(gv: string): string | undefined {
  return gv.split('/').length > 2 ? `unexpected GroupVersion string: ${gv}` : undefined
}

function validateEmbedded(path: string, x: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = []
  const child = (k: string) => childPath(path, k)
  if (!('apiVersion' in x)) errs.push(required(child('apiVersion')))
  if (!('kind' in x)) errs.push(required(child('kind')))
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion') {
      if (typeof v !== 'string') errs.push(invalid(child(k), goValue(v), 'must be a string'))
      else if (!v) errs.push(required(child(k)))
      else {
        const why = groupVersionError(v)
        if (why) errs.push(invalid(child(k), v, why))
      }
    } else if (k === 'kind') {
      if (typeof v !== 'string') errs.push(invalid(child(k), goValue(v), 'must be a string'))
      else if (!v) errs.push(required(child(k)))
      else {
        const why = isDNS1035Label(v.toLowerCase())
        if (why.length) errs.push(invalid(child(k), v, `may have mixed case, but should otherwise match: ${why.join(',')}`))
      }
    } else if (k === 'metadata') {
      if (!isObj(v)) {
        errs.push(invalid(child(k), goValue(v), 'must be an object'))
        continue
      }
      const meta = { ...(v as ObjectMeta) }
      if (!meta.name) meta.name = 'fakename'
      for (const e of validateObjectMeta(meta, { namespaced: !!meta.namespace, nameFn: pathSegmentName })) errs.push({ ...e, field: child(e.field) })
    }
  }
  return errs
}

function walk(path: string, x: unknown, s: SchemaNode | undefined, out: FieldError[]): void {
  if (!s) return
  if (isObj(x)) {
    if (s.embeddedResource) out.push(...validateEmbedded(path, x))
    for (const [k, v] of Object.entries(x)) {
      const prop = s.properties?.get(k)
      if (prop) walk(childPath(path, k), v, prop, out)
      else if (s.additionalProperties) walk(`${path}[${k}]`, v, s.additionalProperties.schema, out)
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => {
      walk(`${path}[${i}]`, v, s.items, out)
    })
  }
}

/**
 * objectmeta.Validate(nil, obj, schema, false): apiVersion and kind required and well-formed,
 * metadata valid as ObjectMeta, in every embedded resource below the root. Never mutates `obj`.
 */
export function validateEmbeddedResources(obj: unknown, schema: SchemaNode): FieldError[] {
  const out: FieldError[] = []
  walk('', obj, schema, out)
  return out
}
