/** @module gnostic-document: a Swagger 2.0 document as gnostic's openapi_v2.Document message, and its protobuf bytes. */
import { loadLazyLibraries, yamlLibrary } from '../util/lazy-libraries.js'
import type { Type } from 'protobufjs'
import { GNOSTIC_DOCUMENT_TYPE, gnosticDescriptor } from './gnostic-messages.js'

type Json = Record<string, unknown>
/** A message as protobufjs encodes it: field names of gnostic-messages.ts, nested plain objects. */
export type GnosticMessage = Record<string, unknown>

// kube-apiserver builds its protobuf with gnostic's compiler from the JSON document
// (kube-openapi pkg/handler ToProtoBinary -> openapi_v2.ParseDocument). The rules mirrored here:
// - keys keep document order (maps become repeated Named* pairs);
// - every `x-…` key becomes a NamedAny whose Any.yaml is the value written as block YAML
//   (compiler.Marshal clears the JSON flow style before yaml.Marshal);
// - `default`, `example` and `enum` values are Any too;
// - proto3: zero values (empty string, false, 0, empty lists) are not sent, except a oneof member.

function yamlAny(value: unknown): GnosticMessage {
  return { yaml: yamlLibrary().stringify(value, { lineWidth: 0 }) }
}

function put(out: GnosticMessage, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return
  if (Array.isArray(value) && value.length === 0) return
  out[key] = value
}

function vendorExtensions(o: Json): GnosticMessage[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: yamlAny(v) }))
}

function entries(o: unknown): [string, Json][] {
  return o && typeof o === 'object' ? (Object.entries(o) as [string, Json][]) : []
}

function externalDocs(d: Json | undefined): GnosticMessage | undefined {
  if (!d) return undefined
  const out: GnosticMessage = {}
  put(out, 'description', d.description)
  put(out, 'url', d.url)
  put(out, 'vendorExtension', vendorExtensions(d))
  return out
}

// Validation keywords shared by Schema, PrimitivesItems, Header and the non-body parameters.
const numericKeys = [
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
]

function validations(out: GnosticMessage, s: Json): void {
  for (const k of numericKeys) put(out, k, s[k])
  if ('default' in s) out.default = yamlAny(s.default)
  if (Array.isArray(s.enum)) put(out, 'enum', s.enum.map(yamlAny))
}

/** One JSON schema as a gnostic Schema message. */
export function gnosticSchema(s: Json): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'ref', s.$ref)
  put(out, 'format', s.format)
  put(out, 'title', s.title)
  put(out, 'description', s.description)
  validations(out, s)
  put(out, 'maxProperties', s.maxProperties)
  put(out, 'minProperties', s.minProperties)
  put(out, 'required', s.required)
  if (typeof s.additionalProperties === 'boolean') out.additionalProperties = { boolean: s.additionalProperties }
  else if (s.additionalProperties) out.additionalProperties = { schema: gnosticSchema(s.additionalProperties as Json) }
  if (s.type !== undefined) out.type = { value: Array.isArray(s.type) ? s.type : [s.type] }
  if (Array.isArray(s.items)) out.items = { schema: (s.items as Json[]).map(gnosticSchema) }
  else if (s.items) out.items = { schema: [gnosticSchema(s.items as Json)] }
  if (Array.isArray(s.allOf)) put(out, 'allOf', (s.allOf as Json[]).map(gnosticSchema))
  if (s.properties) out.properties = { additionalProperties: entries(s.properties).map(([name, v]) => ({ name, value: gnosticSchema(v) })) }
  put(out, 'discriminator', s.discriminator)
  put(out, 'readOnly', s.readOnly)
  if (s.xml) {
    const x = s.xml as Json
    const xml: GnosticMessage = {}
    for (const k of ['name', 'namespace', 'prefix', 'attribute', 'wrapped']) put(xml, k, x[k])
    put(xml, 'vendorExtension', vendorExtensions(x))
    out.xml = xml
  }
  put(out, 'externalDocs', externalDocs(s.externalDocs as Json | undefined))
  if ('example' in s) out.example = yamlAny(s.example)
  put(out, 'vendorExtension', vendorExtensions(s))
  return out
}

/** PrimitivesItems / Header / non-body parameter keywords (the same names, other field numbers). */
function primitive(p: Json, withDescription: boolean): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'type', p.type)
  put(out, 'format', p.format)
  if (p.items) out.items = primitive(p.items as Json, false)
  put(out, 'collectionFormat', p.collectionFormat)
  validations(out, p)
  if (withDescription) put(out, 'description', p.description)
  put(out, 'vendorExtension', vendorExtensions(p))
  return out
}

const nonBodyKinds: Record<string, string> = {
  header: 'headerParameterSubSchema',
  formData: 'formDataParameterSubSchema',
  query: 'queryParameterSubSchema',
  path: 'pathParameterSubSchema',
}

/** A parameter object as gnostic's Parameter (body or one of the non-body sub-schemas, chosen by `in`). */
export function gnosticParameter(p: Json): GnosticMessage {
  if (p.in === 'body') {
    const body: GnosticMessage = {}
    put(body, 'description', p.description)
    put(body, 'name', p.name)
    put(body, 'in', p.in)
    put(body, 'required', p.required)
    if (p.schema) body.schema = gnosticSchema(p.schema as Json)
    put(body, 'vendorExtension', vendorExtensions(p))
    return { bodyParameter: body }
  }
  const kind = nonBodyKinds[String(p.in)]
  if (!kind) throw new Error(`openapi v2: parameter ${String(p.name)} has unknown "in": ${String(p.in)}`)
  const sub: GnosticMessage = { ...primitive(p, false) }
  put(sub, 'required', p.required)
  put(sub, 'in', p.in)
  put(sub, 'description', p.description)
  put(sub, 'name', p.name)
  if (p.in === 'query' || p.in === 'formData') put(sub, 'allowEmptyValue', p.allowEmptyValue)
  return { nonBodyParameter: { [kind]: sub } }
}

function parametersItem(p: Json): GnosticMessage {
  if (typeof p.$ref === 'string') {
    const ref: GnosticMessage = { ref: p.$ref }
    put(ref, 'description', p.description)
    return { jsonReference: ref }
  }
  return { parameter: gnosticParameter(p) }
}

function response(r: Json): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'description', r.description)
  const schema = r.schema as Json | undefined
  if (schema) out.schema = schema.type === 'file' ? { fileSchema: fileSchema(schema) } : { schema: gnosticSchema(schema) }
  if (r.headers) out.headers = { additionalProperties: entries(r.headers).map(([name, h]) => ({ name, value: primitive(h, true) })) }
  if (r.examples) out.examples = { additionalProperties: entries(r.examples).map(([name, v]) => ({ name, value: yamlAny(v) })) }
  put(out, 'vendorExtension', vendorExtensions(r))
  return out
}

function fileSchema(s: Json): GnosticMessage {
  const out: GnosticMessage = {}
  for (const k of ['format', 'title', 'description']) put(out, k, s[k])
  if ('default' in s) out.default = yamlAny(s.default)
  put(out, 'required', s.required)
  put(out, 'type', s.type)
  put(out, 'readOnly', s.readOnly)
  put(out, 'externalDocs', externalDocs(s.externalDocs as Json | undefined))
  if ('example' in s) out.example = yamlAny(s.example)
  put(out, 'vendorExtension', vendorExtensions(s))
  return out
}

function responseValue(r: Json): GnosticMessage {
  return typeof r.$ref === 'string' ? { jsonReference: { ref: r.$ref } } : { response: response(r) }
}

function securityRequirements(list: unknown): GnosticMessage[] | undefined {
  if (!Array.isArray(list)) return undefined
  const scopeList = (scopes: unknown): GnosticMessage => (Array.isArray(scopes) && scopes.length ? { value: scopes } : {})
  return list.map((req: Json) => ({ additionalProperties: Object.entries(req).map(([name, scopes]) => ({ name, value: scopeList(scopes) })) }))
}

function operation(op: Json): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'tags', op.tags)
  put(out, 'summary', op.summary)
  put(out, 'description', op.description)
  put(out, 'externalDocs', externalDocs(op.externalDocs as Json | undefined))
  put(out, 'operationId', op.operationId)
  put(out, 'produces', op.produces)
  put(out, 'consumes', op.consumes)
  if (Array.isArray(op.parameters)) put(out, 'parameters', (op.parameters as Json[]).map(parametersItem))
  if (op.responses) {
    const res = op.responses as Json
    const responses: GnosticMessage = {}
    put(
      responses,
      'responseCode',
      entries(res)
        .filter(([k]) => !k.startsWith('x-'))
        .map(([name, v]) => ({ name, value: responseValue(v) })),
    )
    put(responses, 'vendorExtension', vendorExtensions(res))
    out.responses = responses
  }
  put(out, 'schemes', op.schemes)
  put(out, 'deprecated', op.deprecated)
  put(out, 'security', securityRequirements(op.security))
  put(out, 'vendorExtension', vendorExtensions(op))
  return out
}

const pathMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']

function pathItem(item: Json): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'ref', item.$ref)
  for (const m of pathMethods) if (item[m]) out[m] = operation(item[m] as Json)
  if (Array.isArray(item.parameters)) put(out, 'parameters', (item.parameters as Json[]).map(parametersItem))
  put(out, 'vendorExtension', vendorExtensions(item))
  return out
}

function securityDefinition(d: Json): GnosticMessage {
  const out: GnosticMessage = {}
  for (const k of ['type', 'name', 'in', 'flow', 'authorizationUrl', 'tokenUrl', 'description']) put(out, k, d[k])
  if (d.scopes) out.scopes = { additionalProperties: Object.entries(d.scopes as Record<string, string>).map(([name, value]) => ({ name, value })) }
  put(out, 'vendorExtension', vendorExtensions(d))
  if (d.type === 'basic') return { basicAuthenticationSecurity: out }
  if (d.type === 'apiKey') return { apiKeySecurity: out }
  const flows: Record<string, string> = {
    implicit: 'oauth2ImplicitSecurity',
    password: 'oauth2PasswordSecurity',
    application: 'oauth2ApplicationSecurity',
    accessCode: 'oauth2AccessCodeSecurity',
  }
  const kind = d.type === 'oauth2' ? flows[String(d.flow)] : undefined
  if (!kind) throw new Error(`openapi v2: unknown security definition type ${String(d.type)}`)
  return { [kind]: out }
}

/**
 * A Swagger 2.0 JSON document (as parsed from its JSON text) in the shape of gnostic's
 * openapi_v2.Document, ready for protobufjs' encode. Pure; throws on parameters or security
 * definitions gnostic would reject.
 */
export function toGnosticDocument(doc: Json): GnosticMessage {
  const out: GnosticMessage = {}
  put(out, 'swagger', doc.swagger)
  if (doc.info) {
    const i = doc.info as Json
    const info: GnosticMessage = {}
    for (const k of ['title', 'version', 'description', 'termsOfService']) put(info, k, i[k])
    for (const k of ['contact', 'license']) {
      const c = i[k] as Json | undefined
      if (!c) continue
      const m: GnosticMessage = {}
      for (const f of ['name', 'url', 'email']) put(m, f, c[f])
      put(m, 'vendorExtension', vendorExtensions(c))
      info[k] = m
    }
    put(info, 'vendorExtension', vendorExtensions(i))
    out.info = info
  }
  put(out, 'host', doc.host)
  put(out, 'basePath', doc.basePath)
  put(out, 'schemes', doc.schemes)
  put(out, 'consumes', doc.consumes)
  put(out, 'produces', doc.produces)
  if (doc.paths) {
    const paths = entries(doc.paths)
    const p: GnosticMessage = {}
    put(
      p,
      'vendorExtension',
      paths.filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: yamlAny(v) })),
    )
    put(
      p,
      'path',
      paths.filter(([k]) => k.startsWith('/')).map(([name, v]) => ({ name, value: pathItem(v) })),
    )
    out.paths = p
  }
  if (doc.definitions) out.definitions = { additionalProperties: entries(doc.definitions).map(([name, v]) => ({ name, value: gnosticSchema(v) })) }
  if (doc.parameters) out.parameters = { additionalProperties: entries(doc.parameters).map(([name, v]) => ({ name, value: gnosticParameter(v) })) }
  if (doc.responses) out.responses = { additionalProperties: entries(doc.responses).map(([name, v]) => ({ name, value: response(v) })) }
  put(out, 'security', securityRequirements(doc.security))
  if (doc.securityDefinitions) {
    out.securityDefinitions = { additionalProperties: entries(doc.securityDefinitions).map(([name, v]) => ({ name, value: securityDefinition(v) })) }
  }
  if (Array.isArray(doc.tags)) {
    put(
      out,
      'tags',
      (doc.tags as Json[]).map((t) => {
        const m: GnosticMessage = {}
        put(m, 'name', t.name)
        put(m, 'description', t.description)
        put(m, 'externalDocs', externalDocs(t.externalDocs as Json | undefined))
        put(m, 'vendorExtension', vendorExtensions(t))
        return m
      }),
    )
  }
  put(out, 'externalDocs', externalDocs(doc.externalDocs as Json | undefined))
  put(out, 'vendorExtension', vendorExtensions(doc))
  return out
}

let documentType: Type | undefined

/**
 * The protobufjs type of openapi.v2.Document. protobufjs is loaded on the first call only
 * (it costs ~20 ms to load, and most runs never ask for /openapi/v2 as protobuf).
 */
export async function gnosticDocumentType(): Promise<Type> {
  if (documentType) return documentType
  const { default: protobuf } = await import('protobufjs/light.js')
  documentType = protobuf.Root.fromJSON(gnosticDescriptor()).lookupType(GNOSTIC_DOCUMENT_TYPE)
  return documentType
}

/** The protobuf bytes kube-apiserver would send for `doc` (a parsed Swagger 2.0 JSON document). */
export async function encodeGnosticDocument(doc: Json): Promise<Uint8Array> {
  const type = await gnosticDocumentType()
  await loadLazyLibraries()
  return type.encode(toGnosticDocument(doc)).finish()
}
