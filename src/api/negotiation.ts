/** @module negotiation: Accept parsing (JSON, Table, aggregated discovery) and request-body decoding. */
import { StatusError } from '../errors.js'
import { parseJSONWithDuplicates } from '../store/json-decode.js'
import { decodeYAML } from '../util/yaml-decode.js'

/** One media range from an Accept header with its parameters. */
interface MediaRange {
  type: string
  params: Record<string, string>
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }]
  return header.split(',').map((part) => {
    const [type, ...rest] = part.trim().split(';')
    const params: Record<string, string> = {}
    for (const p of rest) {
      const i = p.indexOf('=')
      if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim()
    }
    return { type: type.trim().toLowerCase(), params }
  })
}

/** What the response should be: a plain object/list, or a meta.k8s.io Table. */
export type ResponseShape = 'object' | 'table'

/**
 * Chooses the response form from Accept, in the client's order: Table when asked for
 * (as=Table;g=meta.k8s.io;v=v1|v1beta1), JSON otherwise; protobuf-only clients get 406.
 */
export function negotiateShape(accept: string | undefined): ResponseShape {
  if (accept === undefined) return 'object'
  let shape = shapes.get(accept)
  if (shape === undefined) {
    shape = shapeOf(accept)
    // A client sends one Accept header on all its requests: a bounded memo spares the parse.
    if (shapes.size < 256) shapes.set(accept, shape)
  }
  return shape
}

const shapes = new Map<string, ResponseShape>()

function shapeOf(accept: string): ResponseShape {
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      if (m.type === 'application/json' || m.type === '*/*') return 'table'
      continue
    }
    if (m.params.as) continue
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*' || m.type === 'application/yaml') return 'object'
  }
  throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml`)
}

/** True when the client asked for aggregated discovery (apidiscovery.k8s.io APIGroupDiscoveryList). */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v
    }
    if (!m.params.as && (m.type === 'application/json' || m.type === '*/*')) return undefined
  }
  return undefined
}

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

export interface DecodedBody {
  value: unknown
  duplicates: string[]
}

/** Decodes a JSON or YAML request body; malformed input is a 400 with the decoder's words. */
export function decodeBody(raw: unknown, contentType: string | undefined): DecodedBody {
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : raw === undefined ? '' : JSON.stringify(raw)
  const type = mediaType(contentType)
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      return { value: decodeYAML(text), duplicates: [] }
    } catch (err) {
      throw StatusError.badRequest(`error converting YAML to JSON: yaml: ${(err as Error).message}`)
    }
  }
  if (!text.trim()) throw StatusError.badRequest("Object 'Kind' is missing in ''")
  try {
    return parseJSONWithDuplicates(text)
  } catch (err) {
    throw StatusError.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
  }
}

/** Media types the create/update endpoints accept (protobuf is decoded by protobuf.ts's decodeAnyBody). */
export const objectMediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']
/** Media types PATCH accepts, as the real server lists them. */
export const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]
