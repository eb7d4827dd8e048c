/**
 * @module validate-defaults: defaults must be pruned and valid against their schema
 * (apiextensions-apiserver/pkg/apiserver/schema/defaulting/validation.go).
 */
import type { FieldError } from '../../../types.js'
import { deepEqual } from '../../../util/deep-equal.js'
import { invalid } from '../../shared/field-errors.js'
import { validateEmbeddedResources } from './embedded-resource.js'
import { child, goValue, key } from './field-path.js'
import { pruneValue } from './prune-value.js'
import type { SchemaNode } from './schema-node.js'
import { schemaErrors } from './validate-custom-object.js'

function walk(path: string, s: SchemaNode, insideMeta: boolean, requirePruned: boolean, out: FieldError[]): void {
  let inMeta = insideMeta
  if (s.embeddedResource) inMeta = false
  const raw = s.raw.default
  if (raw !== undefined) {
    const at = child(path, 'default')
    if (inMeta) {
      // A default inside metadata is checked as part of the surrounding object upstream; its own schema is the part that can fail here.
      out.push(...schemaErrors(s, raw, at))
    } else {
      let errs: FieldError[] = []
      if (requirePruned && !deepEqual(pruneValue(structuredClone(raw), s, s.embeddedResource), raw))
        errs.push(invalid(at, goValue(raw), 'must not have unknown fields'))
      const meta = validateEmbeddedResources(raw, s).map((e) => ({ ...e, field: e.field ? `${at}.${e.field}` : at }))
      if (meta.length) errs = [...errs, ...meta]
      else errs.push(...schemaErrors(s, raw, at))
      out.push(...errs)
    }
  }
  // Defaults under additionalProperties are forbidden elsewhere, so only items and properties are walked.
  if (s.items) walk(child(path, 'items'), s.items, inMeta, requirePruned, out)
  for (const [k, p] of s.properties ?? []) {
    const sub = inMeta || (s.embeddedResource && (k === 'metadata' || k === 'apiVersion' || k === 'kind'))
    walk(key(child(path, 'properties'), k), p, sub, requirePruned, out)
  }
}

/** ValidateDefaults(path, schema, isResourceRoot=true, requirePrunedDefaults). */
export function validateDefaults(root: SchemaNode, path: string, requirePruned: boolean): FieldError[] {
  const out: FieldError[] = []
  walk(path, { ...root, embeddedResource: true }, false, requirePruned, out)
  return out
}
