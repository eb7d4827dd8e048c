/** @module system: /version, health endpoints and the OpenAPI documents. */
import type { FastifyInstance } from 'fastify'
import type { OpenAPIDocuments } from '../openapi/documents.js'
import type { KubeVersion } from '../version.js'

/** The individual checks a kube-apiserver exposes under each health path (`/livez/ping`, …). */
const healthChecks = ['ping', 'log', 'etcd']

/**
 * /version and the three health checks; they answer even before auth, as on a real cluster.
 * `/version/` answers too (go-restful trims a trailing slash; the Python client asks for it), but
 * `/healthz/` does not: the health paths are exact entries of the non-go-restful mux, next to one
 * entry per check (`/healthz/ping`).
 */
export async function registerSystemRoutes(app: FastifyInstance, opts: { version: KubeVersion; ready: () => boolean }): Promise<void> {
  const versionJSON = JSON.stringify(opts.version, null, 2)
  for (const path of ['/version', '/version/']) app.get(path, async (_req, reply) => reply.type('application/json').send(versionJSON))
  for (const path of ['/healthz', '/livez']) {
    app.get(path, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'))
  }
  for (const path of ['/healthz', '/livez', '/readyz']) {
    for (const check of healthChecks) app.get(`${path}/${check}`, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'))
  }
  app.get('/readyz', async (_req, reply) => {
    if (!opts.ready()) return reply.code(500).type('text/plain; charset=utf-8').send('[-]kubemock not ready\nreadyz check failed')
    return reply.type('text/plain; charset=utf-8').send('ok')
  })
}

/**
 * /openapi/v3 (index) and /openapi/v3/<gv>. /openapi/v2 is requested by kubectl only as
 * protobuf; answering 404 makes it fall back to its compiled-in types, which is what we want.
 */
export async function registerOpenAPIRoutes(app: FastifyInstance, docs: OpenAPIDocuments, gitVersion: string): Promise<void> {
  app.get('/openapi/v3', async (_req, reply) => reply.type('application/json').send(JSON.stringify(docs.index())))
  app.get('/openapi/v3/*', async (req, reply) => {
    const path = (req.raw.url ?? '').split('?')[0].replace(/^\/openapi\/v3\//, '')
    const doc = docs.document(decodeURIComponent(path))
    if (!doc) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n')
    reply.header('ETag', `"${doc.hash}"`)
    return reply.type('application/json').send(doc.body)
  })
  // kubectl ≤ 1.28 loads the v2 document (protobuf) before apply/create/explain and gives up on a
  // 404; an empty gnostic Document (swagger 2.0, info, no paths) lets it go on to v3 and to its
  // compiled-in types for strategic merge patches. kubectl 1.32 only needs it not to fail.
  const emptyV2 = openAPIv2Document(gitVersion)
  for (const path of ['/openapi/v2', '/swagger-2.0.0.pb-v1']) {
    app.get(path, async (_req, reply) => reply.type('application/octet-stream').send(emptyV2))
  }
}

/** A protobuf openapi_v2.Document with only swagger, info.title and info.version set. */
function openAPIv2Document(gitVersion: string): Buffer {
  const field = (num: number, body: Buffer) => Buffer.concat([Buffer.from([(num << 3) | 2, body.length]), body])
  const str = (num: number, s: string) => field(num, Buffer.from(s, 'utf8'))
  return Buffer.concat([str(1, '2.0'), field(2, Buffer.concat([str(1, 'Kubernetes'), str(2, gitVersion)])), field(8, Buffer.alloc(0))])
}
