/** @module app: buildApp() wires the HTTP layer onto a cluster; it never listens. */
import { randomUUID } from 'node:crypto'
import websocket from '@fastify/websocket'
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { selectWebSocketProtocol, type TokenAuthenticator } from './api/auth.js'
import { clusterAuthentication, installAuthentication, type ClusterAuthentication } from './api/authentication.js'
import { installAuthorization } from './api/authorization.js'
import { installImpersonation } from './api/impersonation.js'
import { installCors } from './api/cors.js'
import { installHostCheck } from './api/host-check.js'
import { clientErrorHandler, frameworkErrorHandler, hasBrokenEscape, maxHeaderBytes, sendBadRequestURI } from './api/malformed-requests.js'
import { Discovery } from './api/discovery.js'
import { installErrorHandlers } from './api/errors.js'
import { StatusError } from './errors.js'
import { sendStatus } from './api/errors.js'
import type { Duplex } from 'node:stream'
import type { ObjectStore } from './store/object-store.js'
import { protobufMediaType } from './api/protobuf.js'
import { isLongRunning, requestInfo } from './api/journal.js'
import { queryRequestTimeout, type RawQuery } from './api/query-params.js'
import { createControlState, installControlHooks, registerControlRoutes, type ControlState } from './api/control.js'
import { installFilterChain } from './api/filter-chain.js'
import { registerResourceRoutes, type ResourceRoutesOptions } from './api/resources.js'
import { registerUiRoutes } from './api/ui.js'
import { installUpgradeRouting } from './api/upgrade.js'
import { servesWebSocket } from './api/ws-subresources.js'
import { registerOpenAPIRoutes, registerSystemRoutes, type SystemInfo } from './api/system.js'
import type { Cluster } from './cluster.js'
import { installRequestLog, sharedRequestLogger } from './logging.js'
import { createOpenAPIDocuments, type OpenAPIDocuments, type ServedResource } from './openapi/documents.js'
import { customResourceSchemas } from './openapi/custom-resource-schema.js'
import { createSwaggerV2, type SwaggerV2Service } from './openapi/swagger-v2.js'
import { lazyLibrariesLoaded, loadLazyLibraries } from './util/lazy-libraries.js'

/** kube-apiserver's default request body limit (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024

/** What an app serves one cluster with: the cluster and its own TLS and authentication. */
export interface AppClusterOptions {
  cluster: Cluster
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
}

/** What every cluster of one app shares: logging and the browser checks. */
export interface AppCommonOptions {
  /** Fastify/pino logger options; false (default) logs nothing. With a logger, one line per request. */
  logger?: FastifyServerOptions['logger']
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

/** The options of an app serving one cluster. */
export interface AppOptions extends AppClusterOptions, AppCommonOptions {}

/** The options of one app serving several clusters, each on its own server (see {@link buildSharedApp}). */
export interface SharedAppOptions extends AppCommonOptions {
  /** The clusters to serve from the start; more can be added with `app.kubemockAddCluster`. */
  clusters: readonly AppClusterOptions[]
}

/** One cluster of an app: everything its requests are answered from. */
export interface ClusterScope {
  readonly index: number
  readonly cluster: Cluster
  readonly control: ControlState
  readonly auth: ClusterAuthentication
  readonly resources: ResourceRoutesOptions
  readonly system: SystemInfo
  readonly docs: OpenAPIDocuments
  readonly swaggerV2: SwaggerV2Service
  /**
   * This cluster's own HTTP(S) server, not listening yet (apps from {@link buildSharedApp} only;
   * {@link buildApp}'s one cluster is served by `app.server`). It hands its requests and upgrades
   * to the app, which answers them from this cluster: listen on it; `close()` or `app.close()` closes it.
   */
  readonly server?: HttpServer
  /**
   * Stops serving this cluster (apps from {@link buildSharedApp}): its server stops listening, its
   * connections and upgraded sockets (watches, exec) end, and its fault timers are dropped. The
   * app and the other clusters go on. The Cluster itself is the caller's to close.
   */
  close(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The clusters this app serves, in the order they were added; one for {@link buildApp}. */
    kubemockClusters: readonly ClusterScope[]
    /** Serves one more cluster from this app (apps from {@link buildSharedApp}; throws for {@link buildApp}'s). */
    kubemockAddCluster(c: AppClusterOptions): ClusterScope
  }
  interface FastifyRequest {
    /** The cluster the request is for (see scopeOf in app.ts); set by the first request filter. */
    kubemockScope: ClusterScope | null
  }
}

/**
 * The header naming the cluster of a request injected in-process (`app.inject` has no socket, so
 * no local port). Only requests without a local port may use it: one from the network cannot.
 */
const injectedClusterHeader = 'x-kubemock-injected-cluster'

/** Builds the Fastify app serving the Kubernetes API for `cluster`. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { logger, corsOrigins, allowedHosts, ...cluster } = opts
  return buildAppFor({ logger, corsOrigins, allowedHosts, clusters: [cluster] }, false)
}

/**
 * Builds one Fastify app (one set of routes) serving several clusters, each from its own server
 * (`app.kubemockClusters[i].server`; `app.server` never listens): a request is answered from the
 * cluster whose server's port it arrived on (`request.socket.localPort`), and never sees another.
 * Routes are the same for every cluster; what differs (registry, clock, control state, tokens,
 * client CAs, TLS certificate) is looked up per request. The app is ready when returned; clusters
 * can be added (`app.kubemockAddCluster`) and removed (`scope.close()`) while it serves.
 */
export async function buildSharedApp(opts: SharedAppOptions): Promise<FastifyInstance> {
  return buildAppFor(opts, true)
}

/** Builds the app: `shared`, every cluster on a server of its own (buildSharedApp); otherwise one cluster on `app.server` (buildApp). */
async function buildAppFor(opts: SharedAppOptions, shared: boolean): Promise<FastifyInstance> {
  let httpHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const serverFor = (c: AppClusterOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): HttpServer => {
    const server = c.https
      ? createHttpsServer(
          { ...c.https, maxHeaderSize: maxHeaderBytes, ...(c.clientCA ? { ca: c.clientCA, requestCert: true, rejectUnauthorized: false } : {}) },
          handler,
        )
      : createHttpServer({ maxHeaderSize: maxHeaderBytes }, handler)
    // Fastify's defaults for the servers it makes itself.
    server.keepAliveTimeout = 72_000
    server.requestTimeout = 0
    server.setTimeout(0)
    return server
  }
  const first = opts.clusters[0]
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
    // Several clusters: each has its own server (its own port and certificate), all handing their
    // requests to this app's handler, which the factory is the one place to get.
    ...(shared
      ? {
          // The app's own server never listens: its 'upgrade' and 'clientError' listeners (the
          // WebSocket plugin's, upgrade.ts's, Fastify's) serve the clusters' servers.
          serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
            httpHandler = handler
            return createHttpServer({ maxHeaderSize: maxHeaderBytes }, handler)
          },
        }
      : first?.https
        ? {
            https: {
              ...first.https,
              maxHeaderSize: maxHeaderBytes,
              // Ask for a client certificate but let the authenticator decide (an untrusted one is a 401, not a failed handshake).
              ...(first.clientCA ? { ca: first.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
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
  const scopes = new Map<number, ClusterScope>()
  let nextIndex = 0
  let only: ClusterScope | undefined
  const byPort = new Map<number, ClusterScope>()
  app.decorateRequest('kubemockScope', null)
  const scopeOf = (req: FastifyRequest): ClusterScope => {
    if (req.kubemockScope) return req.kubemockScope
    let scope = only
    if (shared) {
      const port = req.raw.socket?.localPort
      if (port !== undefined) scope = byPort.get(port)
      else {
        const injected = req.headers[injectedClusterHeader]
        scope = scopes.get(typeof injected === 'string' ? Number(injected) : 0)
      }
      // A request racing its cluster's removal (or an inject naming none): answered as 503, below.
      scope ??= closedScope
    }
    req.kubemockScope = scope!
    return scope!
  }
  // First of all: everything after it (and the onSend hooks) answers from this cluster.
  chain.add((req, reply) => {
    const scope = scopeOf(req)
    if (!shared) return false
    delete req.headers[injectedClusterHeader]
    if (scope !== closedScope) return false
    sendStatus(reply, new StatusError(503, 'ServiceUnavailable', 'this cluster is no longer served'))
    return true
  })
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
  installControlHooks(app, (req) => scopeOf(req).control, chain)
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
  installAuthentication(app, chain, (req) => scopeOf(req).auth)
  installImpersonation(chain, (req) => scopeOf(req).cluster.registry)
  // WithAuthorization follows WithAuthentication and WithImpersonation; the authorizer is cluster.registry.authorizer.
  installAuthorization(chain, (req) => scopeOf(req).cluster.registry)
  installRequestLog(app)

  installErrorHandlers(app)
  installDurableAnswers(app, (req) => scopeOf(req).cluster.store)
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

  const serverClosers = new Set<() => Promise<void>>()
  const addCluster = (c: AppClusterOptions): ClusterScope => {
    const index = nextIndex++
    const scope = clusterScope(app, index, c, shared)
    scopes.set(index, scope)
    if (!shared) {
      only = scope
      return scope
    }
    const server = serverFor(c, httpHandler!)
    // Upgraded sockets are no HTTP connections any more: closing the server would not end them.
    const upgraded = new Set<Duplex>()
    server.on('listening', () => {
      const addr = server.address()
      if (typeof addr === 'object' && addr) byPort.set(addr.port, scope)
    })
    // Upgrades (WebSocket, SPDY) and malformed requests go to the listeners on the app's own server.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgraded.add(socket)
      socket.once('close', () => upgraded.delete(socket))
      app.server.emit('upgrade', req, socket, head)
    })
    server.on('clientError', (...args) => app.server.emit('clientError', ...args))
    const closeServer = async () => {
      serverClosers.delete(closeServer)
      scopes.delete(index)
      scope.control.dispose()
      if (!server.listening) return
      const addr = server.address()
      const closed = new Promise<void>((done) => server.close(() => done()))
      server.closeAllConnections()
      for (const s of upgraded) s.destroy()
      await closed
      if (typeof addr === 'object' && addr) byPort.delete(addr.port)
    }
    serverClosers.add(closeServer)
    Object.assign(scope, { server, close: closeServer })
    return scope
  }
  for (const c of opts.clusters) addCluster(c)
  app.addHook('onClose', async () => {
    for (const close of [...serverClosers]) await close()
    for (const s of scopes.values()) s.control.dispose()
  })
  app.decorate('kubemockClusters', {
    getter: () => [...scopes.values()],
  })
  app.decorate('kubemockAddCluster', (c: AppClusterOptions) => {
    if (!shared) throw new Error('kubemockAddCluster: only an app from buildSharedApp() serves more clusters')
    return addCluster(c)
  })
  app.decorate('kubemock', {
    getter: () => scopes.values().next().value?.control as ControlState,
  })

  await registerSystemRoutes(app, (req) => scopeOf(req).system)
  await registerOpenAPIRoutes(
    app,
    (req) => scopeOf(req).docs,
    (req) => scopeOf(req).swaggerV2,
  )
  await registerControlRoutes(app, (req) => {
    const s = scopeOf(req)
    return { cluster: s.cluster, state: s.control }
  })
  await registerUiRoutes(app)
  await registerResourceRoutes(app, shared ? (req) => scopeOf(req).resources : only!.resources)
  if (shared) await app.ready()
  return app
}

/** What a request is answered from when its cluster is gone: nothing (the first filter answers 503). */
const closedScope = {} as ClusterScope

/** What `app` answers cluster `index`'s requests from; with `shared`, its in-process requests name it. */
function clusterScope(app: FastifyInstance, index: number, c: AppClusterOptions, shared: boolean): ClusterScope {
  const { cluster } = c
  const auth = clusterAuthentication(cluster.registry, {
    ...(c.auth ? { tokens: c.auth } : {}),
    clientCertificates: !!(c.https && c.clientCA),
    required: c.authenticationRequired ?? !!c.auth,
    kubeMinor: Number(cluster.version.minor),
  })
  // Pods reach the API server through the `kubernetes` Service: served in-process, through every filter.
  cluster.registry.apiServerTransport = async (r) => {
    const res = await app.inject({
      method: r.method as 'GET',
      url: r.path,
      headers: shared ? { ...r.headers, [injectedClusterHeader]: String(index) } : r.headers,
      ...(r.body !== undefined ? { payload: r.body } : {}),
    })
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v)
    return { status: res.statusCode, headers, body: res.body }
  }
  const { docs, swaggerV2 } = openAPIFor(cluster)
  return {
    index,
    cluster,
    control: createControlState(app, cluster),
    auth,
    resources: { registry: cluster.registry, discovery: new Discovery(cluster.registry), now: () => cluster.clock.now() },
    system: { version: cluster.version, ready: () => true, storageHealthy: () => cluster.store.healthy?.() ?? true },
    docs,
    swaggerV2,
    close: async () => {},
  }
}

/** A cluster's OpenAPI documents, rebuilt (lazily, on the next request) whenever definitions are added or removed at run time (CRDs). */
function openAPIFor(cluster: Cluster): { docs: OpenAPIDocuments; swaggerV2: SwaggerV2Service } {
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
  return {
    docs: { index: () => current().docs.index(), document: (k) => current().docs.document(k) },
    swaggerV2: { json: () => current().swagger.json(), protobuf: () => current().swagger.protobuf() },
  }
}

/**
 * With a durable store (`--data-dir`), no answer leaves before the writes made so far are on disk:
 * the writes are committed in groups after the work that made them, and this is what makes an
 * acknowledged write a durable one. A failed commit turns the answers that waited for it into
 * 500s (their writes are not acknowledged). In memory, durable() is always undefined: no wait.
 */
function installDurableAnswers(app: FastifyInstance, storeOf: (req: FastifyRequest) => ObjectStore): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    const pending = storeOf(req).durable()
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
