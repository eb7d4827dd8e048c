/** @module app: buildApp() wires the HTTP layer onto a cluster; it never listens. */
import { randomUUID } from 'node:crypto'
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { selectWebSocketProtocol, type TokenAuthenticator } from './api/auth.js'
import { installAuthentication } from './api/authentication.js'
import { installAuthorization } from './api/authorization.js'
import { installImpersonation } from './api/impersonation.js'
import { installCors } from './api/cors.js'
import { installHostCheck } from './api/host-check.js'
import { clientErrorHandler, frameworkErrorHandler, hasBrokenEscape, maxHeaderBytes, sendBadRequestURI } from './api/malformed-requests.js'
import { Discovery } from './api/discovery.js'
import { installErrorHandlers } from './api/errors.js'
import { StatusError } from './errors.js'
import type { ObjectStore } from './store/object-store.js'
import { protobufMediaType } from './api/protobuf.js'
import { isLongRunning, requestInfo } from './api/journal.js'
import { queryRequestTimeout, type RawQuery } from './api/query-params.js'
import { installControlHooks, registerControlRoutes } from './api/control.js'
import { installFilterChain } from './api/filter-chain.js'
import { registerResourceRoutes } from './api/resources.js'
import { registerUiRoutes } from './api/ui.js'
import { installUpgradeRouting } from './api/upgrade.js'
import { servesWebSocket } from './api/ws-subresources.js'
import { registerOpenAPIRoutes, registerSystemRoutes } from './api/system.js'
import type { Cluster } from './cluster.js'
import { installRequestLog, sharedRequestLogger } from './logging.js'
import { createOpenAPIDocuments, type OpenAPIDocuments, type ServedResource } from './openapi/documents.js'
import { customResourceSchemas } from './openapi/custom-resource-schema.js'
import { createSwaggerV2, type SwaggerV2Service } from './openapi/swagger-v2.js'
import { lazyLibrariesLoaded, loadLazyLibraries } from './util/lazy-libraries.js'

/** kube-apiserver's default request body limit (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024

export interface AppOptions {
  cluster: Cluster
  /** Fastify/pino logger options; false (default) logs nothing. With a logger, one line per request. */
  logger?: FastifyServerOptions['logger']
  /** Serve HTTPS with this PEM key and certificate (see tls.ts). */
  https?: { key: string; cert: string }
  /** Static bearer tokens (see api/auth.ts); giving them requires authentication. */
  auth?: TokenAuthenticator
  /**
   * PEM bundle of the CAs client certificates must chain to (`--client-ca-file`, the `--tls`
   * CA); with `https`, the server asks for a client certificate and authenticates CN/O.
   */
  clientCA?: string
  /**
   * A request without credentials is system:anonymous and bad credentials are a 401 (default:
   * when `auth` is given). Otherwise such requests are the administrator (see api/authentication.ts).
   */
  authenticationRequired?: boolean
  /**
   * Origins allowed cross-origin besides the loopback ones (`*` = any; see api/cors.ts); `false`
   * allows no cross-origin requests at all. Requests from other origins are refused with 403.
   */
  corsOrigins?: readonly string[] | false
  /**
   * Host names answered besides loopback names and IP addresses (see api/host-check.ts
   * `hostAllowList`; `*` = any). Requests for other names are refused with 403.
   */
  allowedHosts?: readonly string[]
}

/** Builds the Fastify app serving the Kubernetes API for `cluster`. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { cluster } = opts
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: maxRequestBodyBytes,
    // One line per request is written by our own hook (or not at all); Fastify's pair is too chatty.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: sharedRequestLogger,
    routerOptions: { maxParamLength: 1000, ignoreDuplicateSlashes: true },
    forceCloseConnections: true,
    // HEAD is served by the GET route itself (below), as Go's ServeMux does for kube-apiserver.
    exposeHeadRoutes: false,
    http: { maxHeaderSize: maxHeaderBytes },
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    ...(opts.https
      ? {
          https: {
            ...opts.https,
            maxHeaderSize: maxHeaderBytes,
            // Ask for a client certificate but let the authenticator decide (an untrusted one is a 401, not a failed handshake).
            ...(opts.clientCA ? { ca: opts.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance

  // One route (one Context, one handler store) answers GET and HEAD: Fastify's own HEAD routes
  // are a second copy of each, ~100 KB per app, which 300 clusters in one process pay 300 times.
  // Node's response writes no body for a HEAD request; the headers are the GET's.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.includes('GET') && !methods.includes('HEAD')) route.method = [...methods, 'HEAD']
  })

  // Bodies are decoded by the handlers (JSON, YAML, four patch types), so take every body as text,
  // except protobuf (typed client-go clients such as `kubectl create`), which needs the raw bytes.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxRequestBodyBytes }, (_req, body, done) => done(null, body))
  app.addContentTypeParser(protobufMediaType, { parseAs: 'buffer', bodyLimit: maxRequestBodyBytes }, (_req, body, done) => done(null, body))

  const chain = installFilterChain(app)
  // Go's server refuses a path it cannot unescape before any handler runs (routes that matched
  // without decoding, such as OPTIONS, would otherwise answer it).
  chain.add((req, reply) => {
    if (!hasBrokenEscape(req.raw.url ?? '/')) return false
    sendBadRequestURI(reply)
    return true
  })
  chain.add((_req, reply) => {
    reply.header('Cache-Control', 'no-cache, private')
    reply.header('Audit-Id', randomUUID())
    return false
  })
  // First of the request filters that may answer, so the request journal also sees requests
  // other filters answer.
  installControlHooks(app, cluster, chain)
  // A browser is the one client that can be made to send requests against its user's will:
  // refuse foreign host names (DNS rebinding) and foreign origins before anything else runs.
  installHostCheck(chain, opts.allowedHosts)
  // WithRequestDeadline sits outside CORS and authentication: a malformed `timeout` on a short
  // request is a 400 before anything else looks at it.
  chain.add((req) => {
    const query = req.query as RawQuery
    if (query.timeout === undefined) return false
    const [path, rawQuery = ''] = (req.raw.url ?? '/').split(/\?(.*)/s, 2)
    if (!isLongRunning(requestInfo(req.method, path, rawQuery))) queryRequestTimeout(query)
    return false
  })
  // kube-apiserver's chain puts CORS outside authentication: preflights never carry credentials.
  installCors(chain, opts.corsOrigins ?? [])
  installAuthentication(app, chain, cluster.registry, {
    ...(opts.auth ? { tokens: opts.auth } : {}),
    clientCertificates: !!(opts.https && opts.clientCA),
    required: opts.authenticationRequired ?? !!opts.auth,
    kubeMinor: Number(cluster.version.minor),
  })
  installImpersonation(chain, cluster.registry)
  // WithAuthorization follows WithAuthentication and WithImpersonation; the authorizer is cluster.registry.authorizer.
  installAuthorization(chain, cluster.registry)
  // Pods reach the API server through the `kubernetes` Service: served in-process, through every filter.
  cluster.registry.apiServerTransport = async (r) => {
    const res = await app.inject({ method: r.method as 'GET', url: r.path, headers: r.headers, ...(r.body !== undefined ? { payload: r.body } : {}) })
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v)
    return { status: res.statusCode, headers, body: res.body }
  }
  installRequestLog(app)

  installErrorHandlers(app)
  installDurableAnswers(app, cluster.store)
  // Field validation (Ajv) and YAML bodies need libraries that start-up does not load: the first
  // request with a body waits for them (a few milliseconds, once) before any handler decodes it.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body === undefined || lazyLibrariesLoaded()) return done()
    loadLazyLibraries().then(() => done(), done)
  })

  await app.register(websocket, {
    options: {
      maxPayload: maxRequestBodyBytes,
      // Echo the single protocol left after removing the bearer-token one, as kube-apiserver does.
      handleProtocols: selectWebSocketProtocol,
    },
  })
  // Only watches and exec/attach/portforward switch to WebSocket; other upgrade requests (and all
  // SPDY/3.1 ones) are routed as plain requests, whose handlers may claim the socket.
  installUpgradeRouting(app, (req) => servesWebSocket(req.method, req.url ?? '/'))

  const discovery = new Discovery(cluster.registry)
  const servedResources = (): ServedResource[] =>
    cluster.registry.servedStores().map((rs) => {
      const custom = rs.def.schema?.()
      return {
        group: rs.def.group,
        version: rs.def.version,
        kind: rs.def.kind,
        plural: rs.def.plural,
        namespaced: rs.def.namespaced,
        verbs: rs.def.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        subresources: (rs.def.subresources ?? []).map((s) => ({ name: s.name, verbs: s.verbs, ...(s.kind ? { kind: s.kind } : {}) })),
        ...(custom ? { schemas: customResourceSchemas(rs.def.group, rs.def.version, rs.def.kind, custom) } : {}),
      }
    })
  // Rebuilt (lazily, on the next request) whenever definitions are added or removed at run time (CRDs).
  let builtAt = -1
  let docsNow!: OpenAPIDocuments
  let swaggerNow!: SwaggerV2Service
  const current = (): { docs: OpenAPIDocuments; swagger: SwaggerV2Service } => {
    if (builtAt !== cluster.registry.generation) {
      const served = servedResources()
      docsNow = createOpenAPIDocuments(served, { gitVersion: cluster.version.gitVersion })
      swaggerNow = createSwaggerV2(served, { gitVersion: cluster.version.gitVersion })
      builtAt = cluster.registry.generation
    }
    return { docs: docsNow, swagger: swaggerNow }
  }
  const docs: OpenAPIDocuments = {
    index: () => current().docs.index(),
    document: (k) => current().docs.document(k),
  }
  const swaggerV2: SwaggerV2Service = {
    json: () => current().swagger.json(),
    protobuf: () => current().swagger.protobuf(),
  }

  await registerSystemRoutes(app, { version: cluster.version, ready: () => true, storageHealthy: () => cluster.store.healthy?.() ?? true })
  await registerOpenAPIRoutes(app, docs, swaggerV2)
  await registerControlRoutes(app, cluster)
  await registerUiRoutes(app)
  await registerResourceRoutes(app, { registry: cluster.registry, discovery, now: () => cluster.clock.now() })
  return app
}

/**
 * With a durable store (`--data-dir`), no answer leaves before the writes made so far are on disk:
 * the writes are committed in groups after the work that made them, and this is what makes an
 * acknowledged write a durable one. A failed commit turns the answers that waited for it into
 * 500s (their writes are not acknowledged). In memory, durable() is always undefined: no wait.
 */
function installDurableAnswers(app: FastifyInstance, store: ObjectStore): void {
  app.addHook('onSend', (_req, reply, payload, done) => {
    const pending = store.durable()
    if (!pending) return done(null, payload)
    pending.then(
      () => done(null, payload),
      (err: unknown) => {
        const status = StatusError.internal((err as Error).message)
        reply.code(status.code).header('content-type', 'application/json')
        done(null, JSON.stringify(status.status))
      },
    )
  })
}
