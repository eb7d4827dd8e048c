/** @module patch-object: applies one of the four patch media types to an object, schema-aware for SMP. */
import { definitionForKind, loadDefinitions } from '../openapi/definitions.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import { applyPatch } from './patch/patch.js'
import { schemaContextFromDefinitions, strategicMergePatch, type OpenAPISchema, type SchemaContext } from './patch/strategic-merge-patch.js'

/** `apps`/`v1`/`Deployment` → `io.k8s.api.apps.v1.Deployment` (the generated schema's name). */
export function definitionName(group: string, version: string, kind: string): string {
  return `io.k8s.api.${group ? group.split('.')[0] : 'core'}.${version}.${kind}`
}

const contexts = new Map<string, SchemaContext | undefined>()

/** The SMP schema context of a kind (cached); undefined means plain merge semantics. */
export function schemaContext(group: string, version: string, kind: string): SchemaContext | undefined {
  const name = definitionForKind({ group, version, kind }) ?? definitionName(group, version, kind)
  if (!contexts.has(name)) contexts.set(name, schemaContextFromDefinitions(loadDefinitions() as Record<string, OpenAPISchema>, name))
  return contexts.get(name)
}

/**
 * Returns the patched copy of `current`. `rs` undefined means the body is an autoscaling/v1 Scale.
 * Server-side apply is approximated by a strategic merge of the applied configuration (no
 * managedFields ownership).
 */
export function applyObjectPatch(rs: ResourceStore | undefined, mediaType: string, current: object, patch: unknown): object {
  const ctx = rs ? schemaContext(rs.def.group, rs.def.version, rs.def.kind) : schemaContext('autoscaling', 'v1', 'Scale')
  switch (mediaType) {
    case 'application/json-patch+json':
      return applyPatch('json', current, patch)
    case 'application/merge-patch+json':
      return applyPatch('merge', current, patch)
    case 'application/strategic-merge-patch+json':
      return applyPatch('strategic', current, patch, ctx)
    default:
      return strategicMergePatch(current, patch, ctx) as object
  }
}
