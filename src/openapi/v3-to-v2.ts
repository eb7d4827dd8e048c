/** @module v3-to-v2: merges the OpenAPI 3.0 group-version documents into one Swagger 2.0 document, in the shape kube-apiserver's /openapi/v2 has. */
import { SCHEMA_REF_PREFIX, type SchemaObject } from './definitions.js'
import type { OpenAPIv3Document } from './documents.js'

/** Prefix of every definition reference in the v2 document. */
export const DEFINITION_REF_PREFIX = '#/definitions/'

/** A Swagger 2.0 document (loosely typed below the top level). */
export interface SwaggerV2Document {
  swagger: '2.0'
  info: { title: string; version: string }
  paths: Record<string, Record<string, unknown>>
  definitions: Record<string, SchemaObject>
  security: Record<string, string[]>[]
  securityDefinitions: Record<string, Record<string, string>>
}

type Json = Record<string, unknown>

// Keys whose values are schemas (or lists / maps of schemas); everything else is copied as is.
const schemaListKeys = new Set(['allOf', 'oneOf', 'anyOf'])

/**
 * One schema in its v2 form; never mutates `schema`. kube-openapi writes the two forms from the
 * same Go definitions (k8s.io/kube-openapi/pkg/builder and pkg/builder3), and they differ only in:
 * - references: `#/components/schemas/X` becomes `#/definitions/X`;
 * - a reference with siblings (description) is wrapped as `allOf: [{$ref}]` in v3 and plain
 *   `$ref` beside its siblings in v2;
 * - types with custom JSON (IntOrString, Quantity) are `oneOf` of primitive types in v3
 *   (`OpenAPIV3OneOfTypes`) and `type: string` in v2 (`OpenAPISchemaType`); the structural
 *   `x-kubernetes-int-or-string` marker that spells that oneOf goes with it;
 * - `nullable` exists only in v3.
 * Throws for a v3 construct v2 cannot state (oneOf/anyOf of non-primitive schemas), naming it.
 */
export function schemaToV2(schema: SchemaObject): SchemaObject {
  const out: SchemaObject = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = refToV2(v)
    else if (k === 'properties' && v && typeof v === 'object') out.properties = mapValues(v as Record<string, SchemaObject>, schemaToV2)
    else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object') out[k] = schemaToV2(v as SchemaObject)
    else if (schemaListKeys.has(k) && Array.isArray(v)) out[k] = (v as SchemaObject[]).map(schemaToV2)
    else if (k !== 'nullable') out[k] = v
  }
  const allOf = out.allOf
  if (allOf && allOf.length === 1 && Object.keys(allOf[0]).length === 1 && allOf[0].$ref) {
    delete out.allOf
    out.$ref = allOf[0].$ref
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const alternatives = out[key] as SchemaObject[] | undefined
    if (!alternatives) continue
    if (!alternatives.every((a) => Object.keys(a).length === 1 && typeof a.type === 'string' && a.type !== 'object' && a.type !== 'array')) {
      throw new Error(`openapi v2: cannot express ${key} ${JSON.stringify(alternatives)} in Swagger 2.0`)
    }
    delete out[key]
    delete out['x-kubernetes-int-or-string']
    out.type = 'string'
  }
  return out
}

/** `#/components/schemas/X` -> `#/definitions/X`; other references unchanged. */
export function refToV2(ref: string): string {
  return ref.startsWith(SCHEMA_REF_PREFIX) ? DEFINITION_REF_PREFIX + ref.slice(SCHEMA_REF_PREFIX.length) : ref
}

/**
 * A v3 parameter `{name, in, description, required, schema: {type, uniqueItems}}` in v2 form, where
 * the schema's keywords sit on the parameter itself.
 */
export function parameterToV2(param: Json): Json {
  const { schema, ...rest } = param as { schema?: SchemaObject }
  return { ...rest, ...(schema ? schemaToV2(schema) : {}) }
}

function byName(a: Json, b: Json): number {
  const ka = `${String(a.name)}\u0000${String(a.in)}`
  const kb = `${String(b.name)}\u0000${String(b.in)}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/**
 * One v3 operation in v2 form:
 * - `requestBody` becomes the `body` parameter (required when the v3 body is), its media types `consumes`;
 *   operations without a body consume any type (kube-apiserver's resource routes), discovery GETs their own media types;
 * - each response's first content schema becomes its `schema`, the media types of the responses `produces`;
 * - parameters are sorted by name, as kube-openapi's v2 builder lists them;
 * - `schemes: [https]`, as upstream's document has on every operation.
 */
export function operationToV2(op: Json): Json {
  const { requestBody, responses, parameters, ...rest } = op as { requestBody?: Json; responses?: Record<string, Json>; parameters?: Json[] }
  const out: Json = { ...rest }
  const produces: string[] = []
  const v2Responses: Record<string, Json> = {}
  for (const [code, res] of Object.entries(responses ?? {})) {
    const { content, ...r } = res as { content?: Record<string, { schema?: SchemaObject }> }
    const types = Object.keys(content ?? {})
    for (const t of types) if (!produces.includes(t)) produces.push(t)
    const schema = types.length ? content![types[0]].schema : undefined
    v2Responses[code] = schema ? { ...r, schema: schemaToV2(schema) } : r
  }
  const params = (parameters ?? []).map(parameterToV2)
  let consumes = op['x-kubernetes-action'] ? ['*/*'] : produces
  if (requestBody) {
    const content = requestBody.content as Record<string, { schema: SchemaObject }>
    consumes = Object.keys(content)
    const schema = content[consumes[0]].schema
    params.push({ in: 'body', name: 'body', ...(requestBody.required ? { required: true } : {}), schema: schemaToV2(schema) })
  }
  if (params.length) out.parameters = params.sort(byName)
  out.consumes = consumes
  if (produces.length) out.produces = produces
  out.responses = v2Responses
  out.schemes = ['https']
  return out
}

const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch'])

/** A v3 path item in v2 form: operations through {@link operationToV2}, path parameters through {@link parameterToV2}. */
export function pathItemToV2(item: Record<string, unknown>): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(item)) {
    if (methods.has(k)) out[k] = operationToV2(v as Json)
    else if (k === 'parameters') out[k] = (v as Json[]).map(parameterToV2).sort(byName)
    else out[k] = v
  }
  return out
}

/**
 * The one v2 document holding the paths and definitions of all `docs` (kube-apiserver's
 * /openapi/v2 is the union of what /openapi/v3 splits by group-version). Paths and definitions
 * are merged by name; the first document's info and security are used. Never mutates `docs`.
 */
export function documentsToV2(docs: OpenAPIv3Document[]): SwaggerV2Document {
  const paths: Record<string, Json> = {}
  const definitions: Record<string, SchemaObject> = {}
  for (const doc of docs) {
    for (const [path, item] of Object.entries(doc.paths)) paths[path] = pathItemToV2(item)
    for (const [name, schema] of Object.entries(doc.components.schemas)) definitions[name] ??= schemaToV2(schema)
  }
  const first = docs[0]
  return {
    swagger: '2.0',
    info: { ...first.info },
    paths,
    definitions,
    security: first.security,
    securityDefinitions: first.components.securitySchemes,
  }
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {}
  for (const [k, v] of Object.entries(o)) out[k] = f(v)
  return out
}
