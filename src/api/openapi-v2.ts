/** @module openapi-v2: GET /openapi/v2 with kube-openapi's content negotiation, ETag, conditional requests and gzip. */
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SwaggerV2Bytes, SwaggerV2Service } from '../openapi/swagger-v2.js'

/** What a client gets: the JSON document or the gnostic protobuf. */
export type OpenAPIv2Format = 'json' | 'protobuf'

// kube-openapi pkg/handler RegisterOpenAPIVersionedService: the accepted media types in order, and
// what the response's Content-Type then says (the deprecated `@v1.0` spelling is answered with `.v1.0`).
const accepted: { type: string; subType: string; format: OpenAPIv2Format }[] = [
  { type: 'application', subType: 'json', format: 'json' },
  { type: 'application', subType: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', format: 'protobuf' },
  { type: 'application', subType: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', format: 'protobuf' },
]
const contentTypes: Record<OpenAPIv2Format, string> = {
  json: 'application/json',
  protobuf: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
}

interface AcceptClause {
  type: string
  subType: string
  q: number
}

/** Accept parsed as goautoneg.ParseAccept does: bad ranges dropped, sorted by q, then specific before `*`. */
function parseAccept(header: string): AcceptClause[] {
  const out: AcceptClause[] = []
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';')
    const [type, subType] = range
      .trim()
      .split('/', 2)
      .map((s) => s.trim())
    let q = 1
    for (const p of params) {
      const [k, v] = p.split('=', 2).map((s) => s.trim())
      if (k === 'q' && v !== undefined && !Number.isNaN(Number(v))) q = Number(v)
    }
    if (subType !== undefined) out.push({ type, subType, q })
    else if (type === '*') out.push({ type, subType: '*', q })
  }
  const rank = (c: AcceptClause): number => (c.type === '*' ? 2 : 0) + (c.subType === '*' ? 1 : 0)
  return out
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.q - a.c.q || rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c)
}

/**
 * The format for an Accept header, or undefined (406). An absent header counts as a wildcard, which is JSON;
 * as upstream, the first clause (after sorting) that any accepted type matches wins, q=0 included.
 */
export function negotiateOpenAPIv2(accept: string | undefined): OpenAPIv2Format | undefined {
  for (const clause of parseAccept(accept || '*/*')) {
    for (const a of accepted) {
      if (clause.type !== a.type && clause.type !== '*') continue
      if (clause.subType !== a.subType && clause.subType !== '*') continue
      return a.format
    }
  }
  return undefined
}

/** net/http checkIfNoneMatch: a weak comparison against the list, `*` matching anything. */
function noneMatchHits(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const tag = t.trim()
    return tag === '*' || tag.replace(/^W\//, '') === etag
  })
}

/** True when http.ServeContent would answer 304 Not Modified (If-None-Match first, else If-Modified-Since). */
function notModified(req: FastifyRequest, v: SwaggerV2Bytes, quotedETag: string): boolean {
  const inm = req.headers['if-none-match']
  if (typeof inm === 'string' && inm.trim()) return noneMatchHits(inm, quotedETag)
  const ims = req.headers['if-modified-since']
  if (typeof ims === 'string') {
    const since = Date.parse(ims)
    return !Number.isNaN(since) && v.lastModified.getTime() <= since
  }
  return false
}

// gziphandler's default minimum size; smaller bodies go out as they are.
const gzipMinBytes = 1400
const gzipped = new WeakMap<Buffer, Buffer>()

function acceptsGzip(req: FastifyRequest): boolean {
  const ae = req.headers['accept-encoding']
  return (
    typeof ae === 'string' &&
    ae.split(',').some((e) => {
      const [name, ...params] = e.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return name.trim().toLowerCase() === 'gzip' && (q === undefined || Number(q.slice(2)) > 0)
    })
  )
}

async function serve(req: FastifyRequest, reply: FastifyReply, service: SwaggerV2Service): Promise<FastifyReply> {
  reply.header('Vary', 'Accept')
  const format = negotiateOpenAPIv2(req.headers.accept)
  if (!format) return reply.code(406).send()
  const v = format === 'json' ? service.json() : await service.protobuf()
  const etag = `"${v.etag}"`
  reply.header('ETag', etag)
  // ServeContent drops Last-Modified from a 304 that carries an ETag.
  if (notModified(req, v, etag)) return reply.code(304).send()
  reply.header('Last-Modified', v.lastModified.toUTCString())
  reply.header('Content-Type', contentTypes[format])
  if (v.body.length >= gzipMinBytes) {
    reply.header('Vary', 'Accept, Accept-Encoding')
    if (acceptsGzip(req)) {
      let z = gzipped.get(v.body)
      if (!z) gzipped.set(v.body, (z = gzipSync(v.body)))
      reply.header('Content-Encoding', 'gzip')
      return reply.send(z)
    }
  }
  return reply.send(v.body)
}

/**
 * GET /openapi/v2 as kube-apiserver serves it: JSON for `application/json` (and wildcards or no
 * Accept), the gnostic protobuf for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
 * (what client-go's discovery asks for), 406 otherwise; `ETag` with `If-None-Match` → 304.
 */
export async function registerOpenAPIv2Route(app: FastifyInstance, serviceOf: (req: FastifyRequest) => SwaggerV2Service): Promise<void> {
  app.get('/openapi/v2', async (req, reply) => serve(req, reply, serviceOf(req)))
}
