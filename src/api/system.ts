/** @module system: /version, health endpoints and the OpenAPI documents. */
import type { FastifyInstance } from 'fastify'
import type { OpenAPIDocuments } from '../openapi/documents.js'
import type { KubeVersion } from '../version.js'

/** /version and the three health checks; they answer even before auth, as on a real cluster. */
export async function registerSystemRoutes(app: FastifyInstance, opts: { version: KubeVersion; ready: () => boolean }): Promise<void> {
  const versionJSON = JSON.stringify(opts.version, null, 2)
  app.get('/version', async (_req, reply) => reply.type('application/json').send(versionJSON))
  for (const path of ['/healthz', '/livez']) {
    app.get(path, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'))
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
export async function registerOpenAPIRoutes(app: FastifyInstance, docs: OpenAPIDocuments): Promise<void> {
  app.get('/openapi/v3', async (_req, reply) => reply.type('application/json').send(JSON.stringify(docs.index())))
  app.get('/openapi/v3/*', async (req, reply) => {
    const path = (req.raw.url ?? '').split('?')[0].replace(/^\/openapi\/v3\//, '')
    const doc = docs.document(decodeURIComponent(path))
    if (!doc) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n')
    reply.header('ETag', `"${doc.hash}"`)
    return reply.type('application/json').send(doc.body)
  })
  app.get('/openapi/v2', async (_req, reply) => reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n'))
}
