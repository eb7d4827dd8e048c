/** @module system: /version, health endpoints and the OpenAPI documents. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OpenAPIDocuments } from '../openapi/documents.js'
import type { SwaggerV2Service } from '../openapi/swagger-v2.js'
import type { KubeVersion } from '../version.js'
import { registerOpenAPIv2Route } from './openapi-v2.js'

/** What /version and the health checks report for one cluster. */
export interface SystemInfo {
  version: KubeVersion
  ready: () => boolean
  storageHealthy?: () => boolean
}

/** The individual checks a kube-apiserver exposes under each health path (`/livez/ping`, …). */
const healthChecks = ['ping', 'log', 'etcd']

/**
 * /version and the three health checks; they answer even before auth, as on a real cluster.
 * `/version/` answers too (go-restful trims a trailing slash; the Python client asks for it), but
 * `/healthz/` does not: the health paths are exact entries of the non-go-restful mux, next to one
 * entry per check (`/healthz/ping`).
 */
export async function registerSystemRoutes(app: FastifyInstance, optsOf: SystemInfo | ((req: FastifyRequest) => SystemInfo)): Promise<void> {
  const of = typeof optsOf === 'function' ? optsOf : () => optsOf
  const versionJSON = new WeakMap<KubeVersion, string>()
  const versionOf = (v: KubeVersion) => {
    let json = versionJSON.get(v)
    if (json === undefined) versionJSON.set(v, (json = JSON.stringify(v, null, 2)))
    return json
  }
  const text = 'text/plain; charset=utf-8'
  for (const path of ['/version', '/version/']) app.get(path, async (req, reply) => reply.type('application/json').send(versionOf(of(req).version)))
  const etcdOK = (req: FastifyRequest) => of(req).storageHealthy?.() ?? true
  // The healthz handler's answer when a check fails: every check listed, the failed one's reason
  // withheld (the endpoint is public), then "<path> check failed", with 500.
  const failing = (name: string) =>
    `${healthChecks.map((c) => (c === 'etcd' ? '[-]etcd failed: reason withheld' : `[+]${c} ok`)).join('\n')}\n${name} check failed\n`
  for (const path of ['/healthz', '/livez', '/readyz']) {
    const name = path.slice(1)
    app.get(path, async (req, reply) => {
      if (path === '/readyz' && !of(req).ready()) return reply.code(500).type(text).send('[-]kubemock not ready\nreadyz check failed')
      if (!etcdOK(req)) return reply.code(500).type(text).send(failing(name))
      return reply.type(text).send('ok')
    })
    for (const check of healthChecks)
      app.get(`${path}/${check}`, async (req, reply) => {
        if (check === 'etcd' && !etcdOK(req))
          return reply.code(500).type(text).send('internal server error: error getting data from etcd: context deadline exceeded\n')
        return reply.type(text).send('ok')
      })
  }
}

/**
 * /openapi/v3 (index) and /openapi/v3/<gv>, and /openapi/v2 (one Swagger 2.0 document, JSON or
 * gnostic protobuf; see openapi-v2.ts). kube-apiserver 1.32 serves no other swagger path.
 */
export async function registerOpenAPIRoutes(
  app: FastifyInstance,
  docsOf: (req: FastifyRequest) => OpenAPIDocuments,
  v2Of: (req: FastifyRequest) => SwaggerV2Service,
): Promise<void> {
  app.get('/openapi/v3', async (req, reply) => reply.type('application/json').send(JSON.stringify(docsOf(req).index())))
  app.get('/openapi/v3/*', async (req, reply) => {
    const path = (req.raw.url ?? '').split('?')[0].replace(/^\/openapi\/v3\//, '')
    const doc = docsOf(req).document(decodeURIComponent(path))
    if (!doc) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n')
    reply.header('ETag', `"${doc.hash}"`)
    return reply.type('application/json').send(doc.body)
  })
  await registerOpenAPIv2Route(app, v2Of)
}
