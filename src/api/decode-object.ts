/** @module decode-object: request bodies → objects, with fieldValidation=Strict|Warn|Ignore as upstream. */
import { StatusError } from '../errors.js'
import { checkUnknownFields, pruneUnknownFields } from '../openapi/field-validation.js'
import { customFieldProblems } from './custom-field-problems.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import { goFormat } from './patch/strategic-merge-patch.js'
import type { KubeObject } from '../types.js'
import { dropNullFields } from '../util/null-fields.js'
import { JSONSyntaxError, parseJSONWithDuplicates, unrecognizedBodyMessage } from '../store/json-decode.js'
import { decodeBody, mediaType, objectMediaTypes, type DecodedBody } from './negotiation.js'
import { decodeAnyBody, protobufMediaType } from './protobuf.js'

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

/** Reads ?fieldValidation=; absent means Warn, as on the real server. */
export function parseFieldValidation(v: string | undefined): FieldValidation {
  if (v === undefined || v === '') return 'Warn'
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v
  throw StatusError.badRequest(`fieldValidation parameter unsupported: ${v}`)
}

/** A decoded object plus the `Warning` texts to send. */
export interface Decoded<T = KubeObject> {
  obj: T
  warnings: string[]
}

function gvk(rs: ResourceStore) {
  return { group: rs.def.group, version: rs.def.version, kind: rs.def.kind }
}

/** `Deployment in version "v1" cannot be handled as a Deployment: <why>` */
function cannotHandle(rs: ResourceStore, why: string): StatusError {
  return StatusError.badRequest(`${rs.def.kind} in version "${rs.def.version}" cannot be handled as a ${rs.def.kind}: ${why}`)
}

/** Checks apiVersion/kind in a body against the endpoint's. */
function checkTypeMeta(rs: ResourceStore, o: Record<string, unknown>): void {
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = o[field]
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw StatusError.badRequest(
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJSONType(v)} into Go struct field .${field} of type string`,
      )
    }
  }
  if (o.apiVersion !== undefined && o.apiVersion !== '' && o.apiVersion !== rs.apiVersion) {
    throw StatusError.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${rs.apiVersion})`)
  }
  if (o.kind !== undefined && o.kind !== '' && o.kind !== rs.def.kind) {
    throw StatusError.badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${rs.def.kind})`)
  }
}

function bodyText(raw: unknown): string {
  return typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : ''
}

/**
 * A JSON create/update body. Malformed JSON fails in the serializer's Interpret before any kind is
 * known, so transformDecodeError (handlers/rest.go) words it `the object provided is unrecognized
 * (must be of type Pod): couldn't get version/kind; json parse error: <Go's text> (<summary>)`.
 */
function decodeJSONObject(rs: ResourceStore, raw: unknown): DecodedBody {
  const text = bodyText(raw)
  if (!text.trim()) return decodeBody(raw, 'application/json')
  try {
    return parseJSONWithDuplicates(text)
  } catch (err) {
    if (err instanceof JSONSyntaxError) throw StatusError.badRequest(unrecognizedBodyMessage(rs.def.kind, err, text))
    throw err
  }
}

/** Go's UnmarshalTypeError name for a JSON value. */
function goJSONType(v: unknown): string {
  return Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v
}

/**
 * Interpret (serializer/json/meta.go) reads apiVersion and kind into strings before anything else,
 * so a non-string there is `json: cannot unmarshal object into Go struct field .apiVersion of type
 * string`, inside the same "unrecognized" text.
 */
function checkTypeMetaTypes(rs: ResourceStore, value: unknown, raw: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = (value as Record<string, unknown>)[field]
    if (v === undefined || v === null || typeof v === 'string') continue
    const why = new Error(`json: cannot unmarshal ${goJSONType(v)} into Go struct field .${field} of type string`)
    throw StatusError.badRequest(unrecognizedBodyMessage(rs.def.kind, why, bodyText(raw)))
  }
}

/**
 * Decodes a POST/PUT body. Strict rejects unknown or duplicate fields with 400; Warn drops them
 * and reports each as a warning; Ignore drops them silently.
 */
export function decodeObject(rs: ResourceStore, raw: unknown, contentType: string | undefined, mode: FieldValidation): Decoded {
  const type = mediaType(contentType)
  if (!objectMediaTypes.includes(type)) throw StatusError.unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'])
  // Protobuf decode failures read like upstream's: "<Kind> in version ... cannot be handled as a <Kind>: <why>".
  const { value, duplicates } = type === 'application/json' ? decodeJSONObject(rs, raw) : decodeAnyBody(raw, contentType, (why) => cannotHandle(rs, why))
  if (type !== protobufMediaType) checkTypeMetaTypes(rs, value, raw)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw cannotHandle(rs, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct`)
  }
  const o = value as Record<string, unknown>
  checkTypeMeta(rs, o)
  if (o.metadata !== undefined && (o.metadata === null || typeof o.metadata !== 'object' || Array.isArray(o.metadata))) {
    throw cannotHandle(rs, 'json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta')
  }
  const warnings = fieldProblems(rs, o, duplicates, mode, (problems) => cannotHandle(rs, `strict decoding error: ${problems.join(', ')}`))
  // `"image": null`, `"containers": [null]`: zero values in Go, crashes in the registry code.
  // Custom objects keep theirs for the schema's nullable/defaulting rules.
  if (!rs.def.schema) dropNullFields(o)
  if (!o.metadata) o.metadata = {}
  return { obj: o as KubeObject, warnings }
}

/**
 * Field checks after a patch: Strict fails with 422 (the patch is invalid), Warn reports.
 * The patch appears in the message as Go prints the decoded patch map (`map[spec:map[…]]`).
 */
export function checkPatchedObject(rs: ResourceStore, obj: Record<string, unknown>, mode: FieldValidation, patch: unknown): string[] {
  const patchText = goFormat(patch)
  checkTypeMeta(rs, obj)
  const warnings = fieldProblems(rs, obj, [], mode, (problems) => {
    const err = new StatusError(
      422,
      'Invalid',
      ` "" is invalid: patch: Invalid value: ${JSON.stringify(patchText)}: strict decoding error: ${problems.join(', ')}`,
      {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(patchText)}: strict decoding error: ${problems.join(', ')}`,
            field: 'patch',
          },
        ],
      },
    )
    err.status.details = { name: '', kind: '', ...err.status.details }
    return err
  })
  // A JSON patch can add nulls; decoding the patched object makes them zero values.
  if (!rs.def.schema) dropNullFields(obj)
  return warnings
}

function fieldProblems(
  rs: ResourceStore,
  o: Record<string, unknown>,
  duplicates: string[],
  mode: FieldValidation,
  strictError: (problems: string[]) => StatusError,
): string[] {
  const schema = rs.def.schema?.()
  // Custom resources: unknown fields are what pruning by their structural schema removes.
  const { unknownFields, typeErrors } = schema ? customFieldProblems(o, schema) : checkUnknownFields(gvk(rs), o)
  if (typeErrors.length) {
    throw StatusError.badRequest(`${rs.def.kind} in version "${rs.def.version}" cannot be handled as a ${rs.def.kind}: ${typeErrors[0].message}`)
  }
  const problems = [...duplicates.map((d) => `duplicate field "${d}"`), ...unknownFields.map((u) => `unknown field "${u}"`)]
  if (unknownFields.length && !schema) pruneUnknownFields(gvk(rs), o)
  if (!problems.length || mode === 'Ignore') return []
  if (mode === 'Strict') throw strictError(problems)
  return [...new Set(problems)]
}

/** Formats a warning as an RFC 7234 Warning header value: `299 - "text"`. */
export function warningHeader(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced.
  const quoted = JSON.stringify(text.replace(/[\x00-\x1f\x7f]/g, ' '))
  return `299 - ${quoted}`
}
