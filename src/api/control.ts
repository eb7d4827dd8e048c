/** @module control: the kubemock control API (/kubemock/v1/...) — clock, faults, journal, snapshot/reset, node/container/image failures. */
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SimControls } from '../controllers/index.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { ImageCatalogue } from '../sim/images.js'
import type { ActivityRecord } from '../sim/activity/activity-runner.js'
import { StatusError } from '../errors.js'
import { parseJSONWithDuplicates } from '../store/json-decode.js'
import { longTimeout, type LongTimeout } from '../long-timeout.js'
import { parseImageRef } from '../sim/images.js'
import { controlSchemaValidator, invalidControlRequest } from '../sim/scenario.js'
import { loadLazyLibraries } from '../util/lazy-libraries.js'
import { exportSnapshot, importObjects, parseSnapshotBody, snapshotYAML, validateSnapshot, type ObjectList, type SnapshotState } from '../sim/snapshot.js'
import type { FieldError } from '../types.js'
import type { KubeObject } from '../types.js'
import { rfc3339Micro } from '../util/time.js'
import type { FilterChain } from './filter-chain.js'
import { FaultInjector, WatchTracker, faultMatches, type Fault, type FaultSpec } from './faults.js'
import { infoOf, requestInfo, RequestJournal, type JournalEntry, type RequestInfo, type RequestFilter, type RequestRecord } from './journal.js'
import { queryString, type RawQuery } from './query-params.js'
import { registerUsageRoutes } from './usage-routes.js'
import { usageOverridesFor, type UsageOverrideBody } from '../sim/usage/usage-overrides.js'
import { clearNamespaceUsage, clearPodUsage, setNamespaceUsage, setPodUsage } from '../sim/usage/usage-controls.js'

/** Everything the control API keeps for one server; also what the library helpers call. */
export interface ControlState {
  journal: RequestJournal
  faults: FaultInjector
  watches: WatchTracker
  /** Validates and adds a fault; a dropWatch fault also cuts the open watches it matches at once. */
  addFault(spec: unknown): Fault
  /** Validates a List and replaces every object with its items (all or nothing). Returns counts per kind. */
  replaceState(body: unknown): Promise<Record<string, number>>
  /** Back to the scenario's initial objects; faults and image failures are cleared too. */
  reset(): Promise<void>
  /** Makes pulls of `image` fail as a missing tag does. */
  failImage(image: string): void
  /** Undoes failImage. */
  restoreImage(image: string): void
  /** Makes a container's main process exit (restartPolicy applies). */
  crashContainer(namespace: string, pod: string, opts?: { container?: string; exitCode?: number; reason?: string }): { container: string; exitCode: number }
  /** Makes a container's probe endpoints fail or answer again (sim/probes). */
  setContainerHealth(namespace: string, pod: string, opts: { container?: string; healthy: boolean }): { container: string; healthy: boolean }
  snapshot(): ObjectList
  /** Runs `run` after `ms` (a fault's latency); {@link ControlState.dispose} drops pending ones. */
  delay(run: () => void, ms: number): void
  /** Drops pending fault latencies (the app or the cluster stops being served). */
  dispose(): void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The control API's state (journal, faults, open watches) of the app's (first) cluster. */
    kubemock: ControlState
  }
}

const journalKey = Symbol('kubemock.journal')
type WithEntry = FastifyRequest & { [journalKey]?: JournalEntry }

/** The request journal's entry for `req` (undefined for control requests), for filters that add to it. */
export function journalEntryOf(req: FastifyRequest): JournalEntry | undefined {
  return (req as WithEntry)[journalKey]
}

/** The Status watchers get when the state is replaced: they must re-list (etcd3's "too old" watch error). */
function replacedError(): StatusError {
  return StatusError.expired('The resourceVersion for the provided watch is too old.')
}

function isControlPath(url: string): boolean {
  return url.startsWith('/kubemock/')
}

/**
 * What the control API drives: one cluster's clock, registry, simulated kubelets and image
 * catalogue, and its state replacement (the Cluster in cluster.ts is one; the API never imports it).
 */
export interface ControlTarget {
  readonly clock: Clock
  readonly registry: Registry
  readonly sim: SimControls
  readonly images: ImageCatalogue
  /**
   * Clears every object, then runs `load`; `beforeClear` runs first (open watches end there).
   * `state` (a snapshot's `kubemock`, checked by snapshotStateErrors) is put back with the objects.
   */
  replaceState(load: () => Promise<void>, beforeClear?: () => void, state?: SnapshotState): Promise<void>
  /** What a snapshot carries beside the objects (the activity's position, seeded name counters). */
  snapshotState?(): SnapshotState
  /** Why a snapshot's `kubemock` cannot be put back here (field errors under `kubemock`; empty: it can). */
  snapshotStateErrors?(state: SnapshotState): FieldError[]
  /** Back to the boot objects (scenario or default cluster). */
  reset(beforeClear?: () => void): Promise<void>
  /** The scenario's activity, when it has one (GET /kubemock/v1/activity lists what it did). */
  readonly activity?: { readonly running: boolean; readonly log: readonly ActivityRecord[] }
}

/**
 * Installs the request hooks: the journal (a request filter and onResponse; add it before any
 * filter that may answer early, such as authentication, so those answers are recorded too), open-watch
 * tracking, and the fault hook (preHandler, so it runs after authentication and before the
 * resource handlers). `stateOf` is the control state of the cluster a request is for (one app may
 * serve several clusters, see app.ts). Call once, before the routes are registered.
 */
export function installControlHooks(app: FastifyInstance, stateOf: (req: FastifyRequest) => ControlState, chain: FilterChain): void {
  // Declared on the Request class, so that setting it per request keeps one hidden class.
  app.decorateRequest(journalKey as unknown as string, undefined)
  chain.add((req, reply) => {
    const url = req.raw.url ?? '/'
    if (isControlPath(url)) return false
    const { journal, watches } = stateOf(req)
    const e = journal.start(req.raw.method ?? 'GET', url, req.headers['user-agent'])
    ;(req as WithEntry)[journalKey] = e
    // Only watches outlive their handler; find them cheaply before parsing anything.
    if (url.includes('watch')) {
      const info = infoOf(e)
      if (info.verb === 'watch') {
        const ws = req.headers.upgrade?.toLowerCase() === 'websocket'
        watches.track(ws ? { info, socket: req.raw.socket } : { info, res: reply.raw }, () => {
          if (e.status === 0) journal.finish(e, ws ? 101 : reply.raw.statusCode)
        })
      }
    }
    return false
  })
  app.addHook('onResponse', (req, reply, done) => {
    const e = (req as WithEntry)[journalKey]
    if (e) stateOf(req).journal.finish(e, reply.statusCode)
    done()
  })

  app.addHook('preHandler', (req, reply, done) => {
    const url = req.raw.url ?? '/'
    if (isControlPath(url)) return done()
    const state = stateOf(req)
    if (!state.faults.active) return done()
    const e = (req as WithEntry)[journalKey]
    let info: RequestInfo
    if (e) info = infoOf(e)
    else {
      const q = url.indexOf('?')
      info = requestInfo(req.raw.method ?? 'GET', q < 0 ? url : url.slice(0, q), q < 0 ? '' : url.slice(q + 1))
    }
    const out = state.faults.apply(info, info.verb === 'create' ? bodyName(req.body) : undefined)
    const finish = () => {
      if (out.error) return done(out.error)
      if (out.dropWatch) {
        if (req.headers.upgrade) {
          req.raw.socket.destroy()
          reply.hijack()
          return done()
        }
        // A watch that ends at once: clients treat it like a server-side timeout and watch again.
        reply.code(200).type('application/json').send('')
        return
      }
      done()
    }
    if (out.latencyMs > 0) state.delay(finish, out.latencyMs)
    else finish()
  })
}

/**
 * The control API's state for one cluster: its journal, faults, open watches and image failures.
 * `app` is the app serving it (its WebSocket server finds the sockets of open watches); whoever
 * stops serving the cluster calls dispose().
 */
export function createControlState(app: FastifyInstance, cluster: ControlTarget): ControlState {
  const journal = new RequestJournal()
  const faults = new FaultInjector(() => cluster.clock.now())
  const watches = new WatchTracker((socket: Socket) => {
    for (const c of app.websocketServer?.clients ?? []) if ((c as unknown as { _socket?: Socket })._socket === socket) return c
    return undefined
  })
  const failedImages = new Map<string, { repository: string; tag: string; size?: number; known: boolean }>()
  const latencyTimers = new Set<LongTimeout>()

  const cutAllWatches = () => {
    watches.cut(() => true, replacedError())
  }
  const restoreImages = () => {
    for (const img of [...failedImages.keys()]) state.restoreImage(img)
  }

  const state: ControlState = {
    journal,
    faults,
    watches,
    addFault(spec) {
      const f = faults.add(spec)
      if (f.dropWatch) watches.cut((w) => faults.cutsOpenWatch(f, w.info))
      return faults.get(f.id)!
    },
    async replaceState(body) {
      const { items, kubemock } = parseSnapshotBody(body)
      const stateErrors = kubemock ? (cluster.snapshotStateErrors?.(kubemock) ?? []) : []
      if (stateErrors.length) throw invalidControlRequest('ObjectList', stateErrors)
      await validateSnapshot(cluster.registry, items, cluster.clock.now())
      let counts: Record<string, number> = {}
      await cluster.replaceState(
        async () => {
          counts = await importObjects(cluster.registry, items)
        },
        cutAllWatches,
        kubemock,
      )
      return counts
    },
    async reset() {
      faults.clear()
      restoreImages()
      usageOverridesFor(cluster.registry).clear()
      await cluster.reset(cutAllWatches)
    },
    failImage(image) {
      const ref = parseImageRef(image)
      if (ref.digest || failedImages.has(ref.full)) return
      const repo = cluster.images.repository(image)
      failedImages.set(ref.full, { repository: ref.repository, tag: ref.tag, size: repo?.tags[ref.tag], known: !!repo })
      const tags = { ...(repo?.tags ?? {}) }
      delete tags[ref.tag]
      cluster.images.set({ repository: ref.repository, tags, behaviour: repo?.behaviour })
    },
    restoreImage(image) {
      const ref = parseImageRef(image)
      const was = failedImages.get(ref.full)
      if (!was) return
      failedImages.delete(ref.full)
      if (was.size !== undefined) cluster.images.addTags(was.repository, { [was.tag]: was.size })
      else if (!was.known && Object.keys(cluster.images.repository(image)?.tags ?? {}).length === 0) {
        // The repository was unknown (such images always pull): make it unknown-like again by
        // accepting the tag with the default size.
        cluster.images.addTags(was.repository, { [was.tag]: cluster.images.describe(image).sizeBytes })
      }
    },
    crashContainer(namespace, name, opts = {}) {
      const pod = cluster.registry.resource('', 'pods').getStored(namespace, name)
      if (!pod) throw StatusError.notFound({ group: '', resource: 'pods' }, name)
      const containers = ((pod.obj.spec as { containers?: { name: string }[] })?.containers ?? []).map((c) => c.name)
      const container = opts.container ?? containers[0]
      if (!container || !containers.includes(container)) throw StatusError.badRequest(`container ${container} is not valid for pod ${name}`)
      if (!cluster.sim.exitContainer) throw new StatusError(501, 'NotImplemented', 'this cluster runs no simulated kubelet')
      const exitCode = opts.exitCode ?? 1
      cluster.sim.exitContainer(namespace, name, container, exitCode, opts.reason)
      return { container, exitCode }
    },
    setContainerHealth(namespace, name, opts) {
      const pod = cluster.registry.resource('', 'pods').getStored(namespace, name)
      if (!pod) throw StatusError.notFound({ group: '', resource: 'pods' }, name)
      const spec = pod.obj.spec as { containers?: { name: string }[]; initContainers?: { name: string }[] } | undefined
      const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name)
      const container = opts.container ?? containers[0]
      if (!container || !containers.includes(container)) throw StatusError.badRequest(`container ${container} is not valid for pod ${name}`)
      if (!cluster.sim.setContainerHealth) throw new StatusError(501, 'NotImplemented', 'this cluster runs no simulated kubelet')
      cluster.sim.setContainerHealth(namespace, name, container, opts.healthy)
      return { container, healthy: opts.healthy }
    },
    snapshot: () => exportSnapshot(cluster.registry, cluster.snapshotState?.()),
    dispose() {
      for (const t of latencyTimers) t.clear()
      latencyTimers.clear()
    },
    delay(run, ms) {
      const t = longTimeout(() => {
        latencyTimers.delete(t)
        run()
      }, ms)
      latencyTimers.add(t)
    },
  }
  return state
}

/** metadata.name of a JSON create body, for the AlreadyExists text of a 409 fault. */
function bodyName(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body.startsWith('{')) return undefined
  try {
    return (JSON.parse(body) as KubeObject).metadata?.name
  } catch {
    return undefined
  }
}

/** Stops (`fail`) or restarts (`recover`) a node's simulated kubelet; 404 for an unknown node. */
function nodeKubelet(cluster: ControlTarget, name: string, action: 'fail' | 'recover'): void {
  if (!cluster.registry.resource('', 'nodes').getStored('', name)) throw StatusError.notFound({ group: '', resource: 'nodes' }, name)
  const control = action === 'fail' ? cluster.sim.stopKubelet : cluster.sim.startKubelet
  if (!control) throw new StatusError(501, 'NotImplemented', 'this cluster runs no simulated kubelet')
  control(name)
}

function clockBody(cluster: ControlTarget): string {
  const now = cluster.clock.now()
  return JSON.stringify({ now: rfc3339Micro(now), epochMillis: now, speed: cluster.clock.speed, mode: cluster.clock.speed === 0 ? 'manual' : 'running' })
}

function jsonBody(raw: unknown, optional = false): unknown {
  if (raw === undefined || raw === '' || raw === null) {
    if (optional) return {}
    throw StatusError.badRequest('invalid control request: the body is empty; send a JSON object')
  }
  if (typeof raw !== 'string') return raw
  try {
    // Go-worded syntax errors, and a nesting limit: the schema validation after it recurses.
    return parseJSONWithDuplicates(raw).value
  } catch (err) {
    throw StatusError.badRequest(`invalid control request: the body is not JSON: ${(err as Error).message}`)
  }
}

const checkAdvance = controlSchemaValidator('ClockAdvance')
const checkSpeed = controlSchemaValidator('ClockSpeed')
const checkCrash = controlSchemaValidator('CrashRequest')
const checkImage = controlSchemaValidator('ImageRequest')
const checkHealth = controlSchemaValidator('HealthRequest')

function send(reply: FastifyReply, body: unknown, code = 200): FastifyReply {
  return reply
    .code(code)
    .type('application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body))
}

/** Reads the journal filters from a query string; bad values are a 400 naming the parameter. */
function requestFilter(q: RawQuery): RequestFilter {
  const one = (k: string) => queryString(q, k)
  const f: RequestFilter = {}
  for (const k of ['verb', 'resource', 'namespace', 'name', 'userAgent', 'since'] as const) {
    const v = one(k)
    if (v !== undefined) f[k] = v
  }
  const status = one('status')
  if (status !== undefined) {
    if (!/^([1-5][0-9][0-9]|[1-5]xx)$/.test(status))
      throw StatusError.badRequest(`invalid control request: status: must be an HTTP status such as 404 or a class such as 5xx, got "${status}"`)
    f.status = status
  }
  const limit = one('limit')
  if (limit !== undefined) {
    if (!/^[0-9]+$/.test(limit)) throw StatusError.badRequest(`invalid control request: limit: must be a non-negative integer, got "${limit}"`)
    f.limit = Number(limit)
  }
  return f
}

/** The cluster a control request acts on and its control state. */
export interface ControlScope {
  cluster: ControlTarget
  state: ControlState
}

/**
 * Registers every /kubemock/v1 route; `scopeOf` names the cluster each request acts on. Needs
 * {@link installControlHooks} to have run on `app`.
 */
export async function registerControlRoutes(app: FastifyInstance, scopeOf: (req: FastifyRequest) => ControlScope): Promise<void> {
  app.get('/kubemock/v1/clock', async (req, reply) => {
    const { cluster } = scopeOf(req)
    return send(reply, clockBody(cluster))
  })

  // Moves simulated time forward and fires everything due in order (backoffs, deadlines, grace periods).
  app.post('/kubemock/v1/clock/advance', async (req, reply) => {
    const { cluster } = scopeOf(req)
    const body = jsonBody(req.body)
    checkAdvance(body)
    await cluster.clock.advance(Math.round((body as { seconds: number }).seconds * 1000))
    return send(reply, clockBody(cluster))
  })

  // Sets the speed of simulated time: 0 = manual, 1 = real time, N = N × real time.
  app.put('/kubemock/v1/clock', async (req, reply) => {
    const { cluster } = scopeOf(req)
    const body = jsonBody(req.body)
    checkSpeed(body)
    cluster.clock.setSpeed((body as { speed: number }).speed)
    return send(reply, clockBody(cluster))
  })

  for (const action of ['fail', 'recover'] as const) {
    app.post(`/kubemock/v1/nodes/:name/${action}`, async (req, reply) => {
      const { cluster } = scopeOf(req)
      const { name } = req.params as { name: string }
      nodeKubelet(cluster, name, action)
      return send(reply, { node: name, kubelet: action === 'fail' ? 'stopped' : 'running' })
    })
  }

  app.get('/kubemock/v1/faults', async (req, reply) => {
    const { state } = scopeOf(req)
    return send(reply, { kind: 'FaultList', items: state.faults.list() })
  })
  app.post('/kubemock/v1/faults', async (req, reply) => {
    const { state } = scopeOf(req)
    return send(reply, state.addFault(jsonBody(req.body)), 201)
  })
  app.delete('/kubemock/v1/faults', async (req, reply) => {
    const { state } = scopeOf(req)
    return send(reply, { kind: 'FaultList', items: state.faults.clear() })
  })
  const faultNotFound = (id: string) => new StatusError(404, 'NotFound', `fault "${id}" not found`, { name: id, kind: 'faults' })
  app.get('/kubemock/v1/faults/:id', async (req, reply) => {
    const { state } = scopeOf(req)
    const { id } = req.params as { id: string }
    const f = state.faults.get(id)
    if (!f) throw faultNotFound(id)
    return send(reply, f)
  })
  app.delete('/kubemock/v1/faults/:id', async (req, reply) => {
    const { state } = scopeOf(req)
    const { id } = req.params as { id: string }
    const f = state.faults.remove(id)
    if (!f) throw faultNotFound(id)
    return send(reply, f)
  })

  app.post('/kubemock/v1/namespaces/:namespace/pods/:name/crash', async (req, reply) => {
    const { state } = scopeOf(req)
    const { namespace, name } = req.params as { namespace: string; name: string }
    const body = jsonBody(req.body, true)
    checkCrash(body)
    return send(reply, { namespace, pod: name, ...state.crashContainer(namespace, name, body as { container?: string; exitCode?: number; reason?: string }) })
  })

  app.put('/kubemock/v1/namespaces/:namespace/pods/:name/health', async (req, reply) => {
    const { state } = scopeOf(req)
    const { namespace, name } = req.params as { namespace: string; name: string }
    const body = jsonBody(req.body)
    checkHealth(body)
    return send(reply, { namespace, pod: name, ...state.setContainerHealth(namespace, name, body as { container?: string; healthy: boolean }) })
  })

  for (const action of ['fail', 'restore'] as const) {
    app.post(`/kubemock/v1/images/${action}`, async (req, reply) => {
      const { state } = scopeOf(req)
      const body = jsonBody(req.body)
      checkImage(body)
      const { image } = body as { image: string }
      if (action === 'fail') state.failImage(image)
      else state.restoreImage(image)
      return send(reply, { image, pull: action === 'fail' ? 'fails' : 'succeeds' })
    })
  }

  app.get('/kubemock/v1/requests', async (req, reply) => {
    const { state } = scopeOf(req)
    const items: RequestRecord[] = state.journal.list(requestFilter(req.query as RawQuery))
    return send(reply, { kind: 'RequestList', items })
  })
  app.delete('/kubemock/v1/requests', async (req, reply) => {
    const { state } = scopeOf(req)
    state.journal.clear()
    return send(reply, { kind: 'RequestList', items: [] })
  })

  app.get('/kubemock/v1/snapshot', async (req, reply) => {
    const { state } = scopeOf(req)
    const list = state.snapshot()
    if (/\b(application|text)\/(x-)?yaml\b/.test(req.headers.accept ?? '')) {
      await loadLazyLibraries()
      return reply.type('application/yaml').send(snapshotYAML(list))
    }
    return send(reply, list)
  })
  app.put('/kubemock/v1/snapshot', async (req, reply) => {
    const { state } = scopeOf(req)
    const counts = await state.replaceState(req.body)
    return send(reply, { loaded: counts, objects: Object.values(counts).reduce((a, b) => a + b, 0) })
  })
  registerUsageRoutes(
    app,
    (req) => scopeOf(req).cluster.registry,
    (raw) => jsonBody(raw),
  )

  app.post('/kubemock/v1/reset', async (req, reply) => {
    const { state } = scopeOf(req)
    await state.reset()
    return send(reply, { reset: true })
  })

  // What the scenario's activity did since boot or the last reset, oldest first.
  app.get('/kubemock/v1/activity', async (req, reply) => {
    const { cluster } = scopeOf(req)
    const a = cluster.activity
    const items = (a?.log ?? []).map((r) => ({ n: r.n, time: rfc3339Micro(r.at), kind: r.kind, target: r.target, detail: r.detail }))
    return send(reply, { kind: 'ActivityLog', running: a?.running ?? false, items })
  })
}

/**
 * The control features as in-process calls (the library's `start()` returns them). They validate
 * like the HTTP endpoints and throw the same StatusErrors.
 */
export interface ControlHelpers {
  /** Moves simulated time forward by `seconds`, firing everything due in order. */
  advance(seconds: number): Promise<void>
  faults: {
    /** Adds a fault (see FaultSpec); a dropWatch fault cuts matching open watches at once. */
    add(spec: FaultSpec): Fault
    list(): Fault[]
    remove(id: string): Fault | undefined
    clear(): Fault[]
  }
  /** The request journal, oldest first. */
  requests(filter?: RequestFilter): RequestRecord[]
  clearRequests(): void
  /** Every object as a v1 List. */
  snapshot(): ObjectList
  /** Replaces the state with a List, its items, or its JSON/YAML text (all or nothing); returns counts per kind. */
  restore(snapshot: ObjectList | KubeObject[] | string): Promise<Record<string, number>>
  /** Back to the scenario's initial objects; clears faults and image failures. */
  reset(): Promise<void>
  failNode(name: string): void
  recoverNode(name: string): void
  crashContainer(namespace: string, pod: string, opts?: { container?: string; exitCode?: number; reason?: string }): { container: string; exitCode: number }
  failImage(image: string): void
  restoreImage(image: string): void
  /** Makes a container's probe endpoints fail (`healthy: false`) or answer again. */
  setContainerHealth(namespace: string, pod: string, opts: { container?: string; healthy: boolean }): { container: string; healthy: boolean }
  /** PUT …/namespaces/NS/pods/NAME/usage: the body as the HTTP API takes it. */
  setPodUsage(namespace: string, pod: string, usage: UsageOverrideBody): unknown
  /** DELETE …/namespaces/NS/pods/NAME/usage. */
  clearPodUsage(namespace: string, pod: string): unknown
  /** PUT …/namespaces/NS/usage?labelSelector=…: every matching pod, now and later. */
  setNamespaceUsage(namespace: string, labelSelector: string, usage: UsageOverrideBody): unknown
  /** DELETE …/namespaces/NS/usage[?labelSelector=…]. */
  clearNamespaceUsage(namespace: string, labelSelector?: string): unknown
}

/** Builds the {@link ControlHelpers} of `cluster` from its control state (an app's `kubemock`). */
export function controlHelpers(state: ControlState, cluster: ControlTarget): ControlHelpers {
  return {
    advance: async (seconds) => {
      checkAdvance({ seconds })
      await cluster.clock.advance(Math.round(seconds * 1000))
    },
    faults: {
      add: (spec) => state.addFault(spec),
      list: () => state.faults.list(),
      remove: (id) => state.faults.remove(id),
      clear: () => state.faults.clear(),
    },
    requests: (filter) => state.journal.list(filter),
    clearRequests: () => state.journal.clear(),
    snapshot: () => state.snapshot(),
    // The store's size limits surface as the Status the HTTP route would answer, as the helpers promise.
    restore: (snapshot) => StatusError.fromStore(() => state.replaceState(Array.isArray(snapshot) ? { items: snapshot } : snapshot)),
    reset: () => state.reset(),
    failNode: (name) => nodeKubelet(cluster, name, 'fail'),
    recoverNode: (name) => nodeKubelet(cluster, name, 'recover'),
    crashContainer: (namespace, pod, opts) => {
      checkCrash(opts ?? {})
      return state.crashContainer(namespace, pod, opts)
    },
    setContainerHealth: (namespace, pod, opts) => {
      checkHealth(opts)
      return state.setContainerHealth(namespace, pod, opts)
    },
    failImage: (image) => {
      checkImage({ image })
      state.failImage(image)
    },
    restoreImage: (image) => {
      checkImage({ image })
      state.restoreImage(image)
    },
    setPodUsage: (namespace, pod, usage) => setPodUsage(cluster.registry, namespace, pod, usage),
    clearPodUsage: (namespace, pod) => clearPodUsage(cluster.registry, namespace, pod),
    setNamespaceUsage: (namespace, selector, usage) => setNamespaceUsage(cluster.registry, namespace, selector, usage),
    clearNamespaceUsage: (namespace, selector) => clearNamespaceUsage(cluster.registry, namespace, selector),
  }
}

export { faultMatches }
