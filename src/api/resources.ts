/** @module resources: the generic REST routes (get/list/watch/create/update/patch/delete) for every kind. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { qualifiedResource, StatusError } from '../errors.js'
import type { DeleteOptions, ListOptions, ResourceStore, WatchOptions } from '../registry/generic-registry.js'
import type { Registry } from '../registry/registry.js'
import type { StoredObject } from '../store/object-store.js'
import type { FieldError, KubeObject } from '../types.js'
import { checkPatchedObject, decodeObject, parseFieldValidation, warningHeader, type FieldValidation } from './decode-object.js'
import type { Discovery } from './discovery.js'
import { notFoundResource, sendStatus, toStatusError } from './errors.js'
import { decodeBody, mediaType, negotiateShape, patchMediaTypes, wantsAggregatedDiscovery } from './negotiation.js'
import { applyObjectPatch } from './patch-object.js'
import { parseListOptions, parseWatchOptions, validateListOptions } from './list-options.js'
import { queryBool, queryInt64, queryOptionalBool, queryString, queryValues, type RawQuery } from './query-params.js'
import { parseTarget, type Target } from './request-context.js'
import { handleSubresource } from './subresources.js'
import { parseIncludeObject, tableJSON } from './table.js'
import { serveHTTPWatch, serveWebSocketWatch, type WatchRequest } from './watch.js'
import { isWebSocketUpgrade, wsSubresources } from './ws-subresources.js'
import { requestUser } from './request-user.js'
import { fieldManagerOf } from './field-manager-name.js'
import { checkApplyConfig } from '../registry/apply/field-manager.js'
// Register the exec and attach transports (SPDY over HTTP, WebSocket) on import.
import './exec-spdy.js'
import './exec-websocket.js'

export interface ResourceRoutesOptions {
  registry: Registry
  discovery: Discovery
  now: () => number
}

type Query = RawQuery

const comma = Buffer.from(',')
const listEnd = Buffer.from(']}')

/** Everything a verb handler needs about one request. */
export interface ResourceCall {
  req: FastifyRequest
  reply: FastifyReply
  rs: ResourceStore
  namespace: string
  name?: string
  subresource?: string
  subpath?: string
  query: Query
  now: () => Date
  registry: Registry
}

/** What the routes derive once per cluster from its {@link ResourceRoutesOptions}. */
interface ClusterRoutes {
  registry: Registry
  discovery: Discovery
  now: () => Date
  serves: (g: string, v: string) => boolean
}

/**
 * Registers `/api`, `/apis` and everything below them, for the cluster `optsOf` names per request
 * (one app may serve several clusters; `optsOf` must return the same object for the same cluster).
 */
export async function registerResourceRoutes(
  app: FastifyInstance,
  optsOf: ResourceRoutesOptions | ((req: FastifyRequest) => ResourceRoutesOptions),
): Promise<void> {
  const derived = new WeakMap<ResourceRoutesOptions, ClusterRoutes>()
  const derive = (opts: ResourceRoutesOptions): ClusterRoutes => ({
    registry: opts.registry,
    discovery: opts.discovery,
    now: () => new Date(opts.now()),
    serves: (g, v) => opts.discovery.hasGroupVersion(g, v),
  })
  const single = typeof optsOf === 'function' ? undefined : derive(optsOf)
  const routesOf = (req: FastifyRequest): ClusterRoutes => {
    if (single) return single
    const opts = (optsOf as (req: FastifyRequest) => ResourceRoutesOptions)(req)
    let r = derived.get(opts)
    if (!r) derived.set(opts, (r = derive(opts)))
    return r
  }
  /**
   * The call for an object or collection target; WebSocket and preflight calls have no reply.
   * Always built by this one literal: a spread copy gets a fresh hidden class on every request,
   * which cost more than the rest of the handler on a GET.
   */
  const callFor = (req: FastifyRequest, c: ClusterRoutes, target: Extract<Target, { type: 'resource' }>, reply?: FastifyReply): ResourceCall => ({
    req,
    reply: reply as FastifyReply,
    rs: target.rs,
    namespace: target.namespace,
    name: target.name,
    subresource: target.subresource,
    subpath: target.subpath,
    query: req.query as Query,
    now: c.now,
    registry: c.registry,
  })

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const c = routesOf(req)
    const target = parseTarget(c.registry, pathOf(req), c.serves)
    if (target.type !== 'resource') return serveDiscovery(req, reply, target, c.discovery)
    const call = callFor(req, c, target, reply)
    if (target.subresource) return handleSubresource(call)
    return dispatch(call, target.watchPrefix)
  }

  const wsHandler = (socket: WebSocket, req: FastifyRequest) => {
    try {
      const c = routesOf(req)
      const target = parseTarget(c.registry, pathOf(req), c.serves)
      if (target.type === 'resource' && target.subresource && wsSubresources[target.subresource]) {
        wsSubresources[target.subresource].serve(socket, callFor(req, c, target))
        return
      }
      if (target.type !== 'resource' || target.subresource) throw notFoundResource()
      const w = watchRequest(callFor(req, c, target), 'object')
      serveWebSocketWatch(socket, w)
    } catch (err) {
      const se = toStatusError(err)
      socket.send(`{"type":"ERROR","object":${JSON.stringify(se.status)}}\n`)
      socket.close(1000)
    }
  }

  // Errors of exec/attach/portforward must be answered before the WebSocket upgrade (a non-101
  // Status), so that clients print them; the route hook runs before @fastify/websocket upgrades.
  // SPDY upgrades reach the plain handlers (see upgrade.ts), which run the same checks.
  const upgradePreflight = async (req: FastifyRequest) => {
    const c = routesOf(req)
    const target = parseTarget(c.registry, pathOf(req), c.serves)
    if (target.type !== 'resource' || !target.subresource || !target.name) return
    const sub = wsSubresources[target.subresource]
    if (!sub?.preflight) return
    if (!(target.rs.def.subresources ?? []).some((s) => s.name === target.subresource)) throw notFoundResource()
    sub.preflight(callFor(req, c, target))
    await sub.prepare?.()
  }
  // A plain request passes without a promise: this hook runs on every GET.
  const wsPreflight = (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (!isWebSocketUpgrade(req)) return done()
    upgradePreflight(req).then(() => done(), done)
  }

  for (const prefix of ['/api', '/apis']) {
    app.route({ method: 'GET', url: prefix, handler })
    app.route({ method: 'GET', url: `${prefix}/*`, handler, wsHandler, preValidation: wsPreflight })
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: `${prefix}/*`, handler, preValidation: wsPreflight })
  }
}

/** The request's path without its query. */
function pathOf(req: FastifyRequest): string {
  const url = req.raw.url ?? '/'
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

function serveDiscovery(req: FastifyRequest, reply: FastifyReply, target: Exclude<Target, { type: 'resource' }>, discovery: Discovery) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw StatusError.methodNotAllowed(req.method, 'discovery')
  reply.type('application/json')
  if (target.type === 'root') {
    const agg = wantsAggregatedDiscovery(req.headers.accept)
    if (agg) {
      reply.header('Vary', 'Accept')
      reply.type(`application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`)
      return reply.send(discovery.aggregated(target.core, agg))
    }
    if (target.core) return reply.send(discovery.apiVersions(`${req.hostname}`))
    return reply.send(discovery.apiGroupList())
  }
  if (target.type === 'group') {
    const doc = discovery.apiGroupDoc(target.group)
    if (!doc) throw notFoundResource()
    return reply.send(doc)
  }
  const doc = discovery.resourceList(target.group, target.version)
  if (!doc) throw notFoundResource()
  return reply.send(doc)
}

/** Routes a request on a collection or an object by HTTP method. */
async function dispatch(call: ResourceCall, watchPrefix: boolean) {
  const { req, rs, name } = call
  const verbs = rs.def.verbs
  const allowed = (v: string) => !verbs || verbs.includes(v)
  if (rs.def.deprecationWarning) call.reply.header('Warning', warningHeader(rs.def.deprecationWarning))
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const watch = watchPrefix || queryBool(call.query, 'watch')
      if (watch) {
        if (!allowed('watch')) throw StatusError.methodNotAllowed('watch', qualifiedResource(rs.ref))
        return serveHTTPWatch(call.reply, watchRequest(call, negotiateShape(req.headers.accept)))
      }
      if (name) {
        if (!allowed('get')) throw StatusError.methodNotAllowed('get', qualifiedResource(rs.ref))
        return getObject(call)
      }
      if (!allowed('list')) throw StatusError.methodNotAllowed('list', qualifiedResource(rs.ref))
      return listObjects(call)
    }
    case 'POST':
      if (name) throw StatusError.methodNotAllowed('create', rs.def.plural)
      if (!allowed('create')) throw StatusError.methodNotAllowed('create', qualifiedResource(rs.ref))
      if (rs.def.namespaced && !call.namespace) throw StatusError.methodNotAllowed('create', rs.def.plural)
      return createObject(call)
    case 'PUT':
      if (!name || !allowed('update')) throw StatusError.methodNotAllowed('update', rs.def.plural)
      return updateObject(call)
    case 'PATCH':
      if (!name || !allowed('patch')) throw StatusError.methodNotAllowed('patch', rs.def.plural)
      return patchObject(call)
    case 'DELETE':
      if (name) {
        if (!allowed('delete')) throw StatusError.methodNotAllowed('delete', qualifiedResource(rs.ref))
        return deleteObject(call)
      }
      if (!allowed('deletecollection')) throw StatusError.methodNotAllowed('deletecollection', rs.def.plural)
      return deleteCollection(call)
    default:
      throw StatusError.methodNotAllowed(req.method.toLowerCase(), rs.def.plural)
  }
}

/** Builds the watch request; a single-object watch path becomes a metadata.name field selector. */
function watchRequest(call: ResourceCall, shape: 'object' | 'table'): WatchRequest {
  const q = call.query
  const opts: WatchOptions = parseWatchOptions(q)
  if (call.name) opts.fieldSelector = [opts.fieldSelector, `metadata.name=${call.name}`].filter(Boolean).join(',')
  return {
    rs: call.rs,
    namespace: call.namespace || undefined,
    opts,
    timeoutSeconds: queryInt64(q, 'timeoutSeconds'),
    shape,
    include: parseIncludeObject(queryString(q, 'includeObject')),
    now: call.now,
  }
}

/**
 * Writes a response from many buffers without joining them first: a 1,000-pod list is ~1.5 MB,
 * and copying it into one buffer per request is what dominated LIST latency (GC).
 */
function sendParts(reply: FastifyReply, parts: Buffer[]) {
  let length = 0
  for (const p of parts) length += p.length
  const headers: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string
  headers['content-type'] = 'application/json'
  headers['content-length'] = length
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, headers)
  res.cork()
  for (const p of parts) res.write(p)
  res.uncork()
  res.end()
}

/**
 * Adds Warning headers (one line each, after those already set), skipping texts already sent:
 * upstream's warning recorder deduplicates too, and a retried write re-runs admission.
 */
export function addWarnings(reply: FastifyReply, texts: readonly string[]) {
  if (!texts.length) return
  const prev = reply.getHeader('Warning')
  const lines = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)]
  for (const t of texts) {
    const line = warningHeader(t)
    if (!lines.includes(line)) lines.push(line)
  }
  reply.header('Warning', lines.length === 1 ? lines[0] : lines)
}

/**
 * Runs a write whose admission may warn (webhook `warnings`): the warnings go out as Warning headers
 * whether the write succeeds or is refused, as kubectl shows them in both cases.
 */
export async function withAdmissionWarnings<R>(call: ResourceCall, write: (warnings: string[]) => Promise<R>): Promise<R> {
  const sink: string[] = []
  try {
    return await write(sink)
  } finally {
    addWarnings(call.reply, sink)
  }
}

/** Sends one stored object as JSON or as a one-row Table. */
export function sendObject(call: ResourceCall, s: StoredObject, code = 200, warnings: string[] = []) {
  const { reply, req } = call
  addWarnings(reply, warnings)
  reply.code(code).type('application/json')
  if (req.method === 'GET' && negotiateShape(req.headers.accept) === 'table') {
    return reply.send(tableJSON(call.rs, [s], { resourceVersion: String(s.rv) }, call.now(), parseIncludeObject(queryString(call.query, 'includeObject'))))
  }
  return reply.send(s.bytes())
}

async function getObject(call: ResourceCall) {
  const s = call.rs.get(call.namespace, call.name!)
  // Only a webhook-converted version waits; every other GET stays synchronous.
  if (call.rs.convertOut) return sendObject(call, (await call.rs.convertOut([s]))[0])
  return sendObject(call, s)
}

/** Parses and validates a list's options; a too-new "not older than" list first waits (≤ 3 s) for the store to catch up, as the watch cache does. */
async function freshListOptions(call: ResourceCall): Promise<ListOptions> {
  const opts = parseListOptions(call.query)
  validateListOptions(opts, queryOptionalBool(call.query, 'sendInitialEvents'))
  const rv = call.rs.freshnessNeeded(opts)
  if (rv !== undefined) await call.rs.waitUntilFresh(rv)
  return opts
}

async function listObjects(call: ResourceCall) {
  const { rs, reply, req } = call
  const shape = negotiateShape(req.headers.accept)
  const include = parseIncludeObject(queryString(call.query, 'includeObject'))
  const opts = await freshListOptions(call)
  const res = rs.list(call.namespace || undefined, opts)
  if (rs.convertOut) res.items = await rs.convertOut(res.items)
  reply.type('application/json')
  // A computed kind's REST List sets no resourceVersion (componentstatus.REST, metrics-server): `"metadata":{}`.
  const meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number } = rs.def.computed
    ? {}
    : { resourceVersion: String(res.resourceVersion) }
  if (res.continue) meta.continue = res.continue
  if (res.remainingItemCount !== undefined) meta.remainingItemCount = res.remainingItemCount
  if (shape === 'table') return reply.send(tableJSON(rs, res.items, meta, call.now(), include))
  // Assemble the list from the stored bytes (views, no re-encoding), then one copy into the response.
  const parts: Buffer[] = [Buffer.from(`{"kind":"${rs.def.kind}List","apiVersion":"${rs.apiVersion}","metadata":${JSON.stringify(meta)},"items":[`)]
  res.items.forEach((s, i) => {
    if (i > 0) parts.push(comma)
    parts.push(...s.itemBytes())
  })
  parts.push(listEnd)
  return sendParts(reply, parts)
}

/** dryRun=All (or the DeleteOptions list); any other value is rejected like upstream. */
export function parseDryRun(v: unknown): boolean {
  const list = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]
  for (const x of list)
    if (x !== 'All')
      throw StatusError.invalid('CreateOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueNotSupported', field: 'dryRun', badValue: x, detail: 'supported values: "All"' },
      ])
  return list.length > 0
}

function fieldValidation(call: ResourceCall): FieldValidation {
  return parseFieldValidation(queryString(call.query, 'fieldValidation'))
}

async function createObject(call: ResourceCall) {
  const { rs, req } = call
  const { obj, warnings } = decodeObject(rs, req.body, req.headers['content-type'], fieldValidation(call))
  if (rs.def.restCreate) {
    const ctx = {
      namespace: call.namespace,
      nowMs: call.now().getTime(),
      dryRun: parseDryRun(queryValues(call.query, 'dryRun')),
      user: requestUser(req),
      authorizer: call.registry.authorizer,
      resource: (group: string, plural: string) => call.registry.resource(group, plural),
      registry: call.registry,
    }
    const out = await rs.def.restCreate(ctx, obj)
    // A kind served at several versions answers in the one the request used.
    if (out.kind === rs.def.kind) out.apiVersion = rs.apiVersion
    addWarnings(call.reply, warnings)
    return call.reply.code(201).type('application/json').send(JSON.stringify(out))
  }
  const dryRun = parseDryRun(queryValues(call.query, 'dryRun'))
  const fieldManager = fieldManagerOf(call.query, req.headers['user-agent'], 'CreateOptions')
  const s = await withAdmissionWarnings(call, (sink) => rs.create(call.namespace, obj, { dryRun, fieldManager, user: requestUser(req), warnings: sink }))
  return sendObject(call, s, 201, warnings)
}

async function updateObject(call: ResourceCall) {
  const { rs, req } = call
  const { obj, warnings } = decodeObject(rs, req.body, req.headers['content-type'], fieldValidation(call))
  const dryRun = parseDryRun(queryValues(call.query, 'dryRun'))
  const fieldManager = fieldManagerOf(call.query, req.headers['user-agent'], 'UpdateOptions')
  const s = await withAdmissionWarnings(call, (sink) =>
    rs.update(call.namespace, call.name!, obj, { dryRun, fieldManager, user: requestUser(req), warnings: sink }),
  )
  return sendObject(call, s, 200, warnings)
}

/** PATCH in all four flavours; server-side apply creates the object when it is missing. */
async function patchObject(call: ResourceCall, subresource?: string) {
  const { rs, req } = call
  const type = mediaType(req.headers['content-type'])
  if (!patchMediaTypes.includes(type)) throw StatusError.unsupportedMediaType(patchMediaTypes)
  const dryRun = parseDryRun(queryValues(call.query, 'dryRun'))
  const mode = fieldValidation(call)
  const isApply = type === 'application/apply-patch+yaml'
  // ValidatePatchOptions
  const optionErrors: FieldError[] = []
  const force = queryOptionalBool(call.query, 'force')
  if (!isApply && force !== undefined) optionErrors.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' })
  if (isApply && !queryString(call.query, 'fieldManager'))
    optionErrors.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' })
  const fieldManager = fieldManagerOf(call.query, req.headers['user-agent'], 'PatchOptions', optionErrors)
  const patch = decodePatchBody(req.body, req.headers['content-type'], isApply)
  let warnings: string[] = []
  const opts = { dryRun, subresource, fieldManager, user: requestUser(req) }
  if (isApply) {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
      throw StatusError.badRequest('error decoding YAML: the apply patch must be an object')
    checkApplyConfig(rs.fieldScope(subresource), patch as Record<string, unknown>, { namespace: rs.def.namespaced ? call.namespace : '', name: call.name! })
    // Strict and Warn report the configuration's unknown fields, not the merged object's.
    warnings = checkPatchedObject(rs, patch as Record<string, unknown>, mode, patch)
    const { stored, created } = await withAdmissionWarnings(call, (sink) =>
      rs.apply(call.namespace, call.name!, patch as Record<string, unknown>, { ...opts, force: !!force, warnings: sink }),
    )
    return sendObject(call, stored, created ? 201 : 200, warnings)
  }
  const s = await withAdmissionWarnings(call, (sink) =>
    rs.guaranteedUpdate(
      call.namespace,
      call.name!,
      (current) => {
        const patched = applyObjectPatch(rs, type, current, patch) as KubeObject
        warnings = checkPatchedObject(rs, patched as unknown as Record<string, unknown>, mode, patch)
        return patched
      },
      { ...opts, warnings: sink },
    ),
  )
  return sendObject(call, s, 200, warnings)
}

export { patchObject }

/** The patch document; an apply configuration that does not decode is worded as applyPatcher words it. */
function decodePatchBody(raw: unknown, contentType: string | undefined, isApply: boolean): unknown {
  try {
    return decodeBody(raw, contentType).value
  } catch (err) {
    // handlers/patch.go applyPatchToCurrentObject: errors.NewBadRequest(fmt.Sprintf("error decoding YAML: %v", err))
    if (isApply && err instanceof StatusError) throw StatusError.badRequest(`error decoding YAML: ${err.message}`)
    throw err
  }
}

/**
 * DeleteOptions come from the body when there is one, else from the query string (as DeleteResource
 * decodes them): query parameters are then not even parsed.
 */
function deleteOptions(call: ResourceCall): DeleteOptions {
  const { req, query } = call
  if (typeof req.body === 'string' && req.body.trim()) {
    const { value } = decodeBody(req.body, req.headers['content-type'] || 'application/json')
    const body = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
    return checkedDeleteOptions({
      gracePeriodSeconds: typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined,
      propagationPolicy: body.propagationPolicy as DeleteOptions['propagationPolicy'] | undefined,
      orphanDependents: typeof body.orphanDependents === 'boolean' ? body.orphanDependents : undefined,
      preconditions: body.preconditions as DeleteOptions['preconditions'],
      dryRun: parseDryRun(body.dryRun),
    })
  }
  return checkedDeleteOptions({
    gracePeriodSeconds: queryInt64(query, 'gracePeriodSeconds'),
    propagationPolicy: queryString(query, 'propagationPolicy') as DeleteOptions['propagationPolicy'] | undefined,
    orphanDependents: queryOptionalBool(query, 'orphanDependents'),
    dryRun: parseDryRun(queryValues(query, 'dryRun')),
  })
}

function checkedDeleteOptions(opts: DeleteOptions): DeleteOptions {
  const policy = opts.propagationPolicy
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw StatusError.invalid('DeleteOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
    ])
  }
  return opts
}

async function deleteObject(call: ResourceCall) {
  const { rs, reply } = call
  const opts = { ...deleteOptions(call), user: requestUser(call.req) }
  const { stored, outcome } = await withAdmissionWarnings(call, (sink) => rs.delete(call.namespace, call.name!, { ...opts, warnings: sink }))
  reply.type('application/json')
  if (outcome === 'pending' || rs.def.returnDeletedObject) return reply.code(200).send(stored.json)
  const details: Record<string, string> = {
    name: call.name!,
    ...(rs.def.group ? { group: rs.def.group } : {}),
    kind: rs.def.plural,
    uid: stored.obj.metadata.uid ?? '',
  }
  return reply.code(200).send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }))
}

async function deleteCollection(call: ResourceCall) {
  const { rs, reply } = call
  const opts = await freshListOptions(call)
  const delOpts = { ...deleteOptions(call), user: requestUser(call.req) }
  const results = await withAdmissionWarnings(call, (sink) => rs.deleteCollection(call.namespace || undefined, opts, { ...delOpts, warnings: sink }))
  const items = results.map((r) => r.stored.itemJSON()).join(',')
  reply.type('application/json')
  return reply.send(`{"kind":"${rs.def.kind}List","apiVersion":"${rs.apiVersion}","metadata":{"resourceVersion":"${rs.currentRV()}"},"items":[${items}]}`)
}

export { sendStatus }
