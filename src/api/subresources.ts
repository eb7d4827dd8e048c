/** @module subresources: status, scale, binding, eviction and finalize, on top of the generic verbs. */
import { getAtPath, setAtPath } from '../registry/apiextensions/simple-json-path.js'
import { checkEviction } from '../controllers/eviction-policy.js'
import { StatusError } from '../errors.js'
import { type BindingBody, bindFromBinding, bindingSuccess } from '../registry/core/pod-binding.js'
import { labelSelectorAsString } from '../store/selectors.js'
import type { KubeObject } from '../types.js'
import { checkUnknownFields } from '../openapi/field-validation.js'
import { decodeBody, mediaType, objectMediaTypes, patchMediaTypes } from './negotiation.js'
import { decodeAnyBody } from './protobuf.js'
import { notFoundResource } from './errors.js'
import { applyObjectPatch } from './patch-object.js'
import { decodeObject, parseFieldValidation } from './decode-object.js'
import { fieldManagerOf } from './field-manager-name.js'
import { parseDryRun, patchObject, sendObject, withAdmissionWarnings, type ResourceCall } from './resources.js'
import { requestUser } from './request-user.js'
import { createTokenRequest, type TokenRequestBody } from '../registry/authentication/token-request.js'
import { queryString, queryValues } from './query-params.js'
import { serveLogs } from './logs.js'
import { servePortForwardHTTP } from './portforward.js'
import { serveProxy } from './proxy.js'

type Handler = (call: ResourceCall) => unknown

/** Subresource handlers by name; a subresource the definition does not declare is a 404. */
const handlers: Record<string, Handler> = {
  status: statusHandler,
  scale: scaleHandler,
  binding: bindingHandler,
  eviction: evictionHandler,
  finalize: finalizeHandler,
  approval: (call) => objectSubresourceHandler(call, 'approval'),
  ephemeralcontainers: ephemeralContainersHandler,
  token: tokenRequestHandler,
}

/** Extra handlers contributed by later layers (log, exec, proxy …), keyed by subresource name. */
export const extraSubresources: Record<string, Handler> = {
  log: serveLogs,
  proxy: serveProxy,
  portforward: servePortForwardHTTP,
}

/** Serves `<object>/<subresource>`. */
export function handleSubresource(call: ResourceCall): unknown {
  const sub = call.subresource!
  const declared = (call.rs.def.subresources ?? []).find((s) => s.name === sub)
  const h = declared ? (handlers[sub] ?? extraSubresources[sub]) : undefined
  if (!h || !call.name) throw notFoundResource()
  const verb = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[call.req.method] ?? call.req.method.toLowerCase()
  if (!declared!.verbs.includes(verb) && sub !== 'proxy') throw StatusError.methodNotAllowed(verb, `${call.rs.def.plural}/${sub}`)
  return h(call)
}

function statusHandler(call: ResourceCall) {
  return objectSubresourceHandler(call, 'status')
}

/** A subresource whose body is the whole object (status, approval): get, update and patch through its strategy. */
async function objectSubresourceHandler(call: ResourceCall, subresource: string) {
  const { rs, req } = call
  if (req.method === 'GET') return sendObject(call, rs.get(call.namespace, call.name!))
  if (req.method === 'PATCH') return patchObject(call, subresource)
  const { obj, warnings } = decodeObject(rs, req.body, req.headers['content-type'], parseFieldValidation(queryString(call.query, 'fieldValidation')))
  const dryRun = parseDryRun(queryValues(call.query, 'dryRun'))
  const fieldManager = fieldManagerOf(call.query, req.headers['user-agent'], 'UpdateOptions')
  const s = await withAdmissionWarnings(call, (sink) =>
    rs.update(call.namespace, call.name!, obj, { subresource, dryRun, fieldManager, user: requestUser(req), warnings: sink }),
  )
  return sendObject(call, s, 200, warnings)
}

/**
 * pods/ephemeralcontainers takes a Pod since 1.22. kubectl 1.20/1.21 still PUT the old
 * `EphemeralContainers` kind, which a 1.32 scheme no longer has: the decoder's 400
 * (transformDecodeError in staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go).
 */
function ephemeralContainersHandler(call: ResourceCall) {
  if (call.req.method === 'PUT') {
    const kind = (decodeAnyBody(call.req.body, call.req.headers['content-type']).value as { kind?: unknown } | null)?.kind
    if (kind === 'EphemeralContainers') {
      throw StatusError.badRequest(
        'EphemeralContainers in version "v1" cannot be handled as a Pod: no kind "EphemeralContainers" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      )
    }
  }
  return objectSubresourceHandler(call, 'ephemeralcontainers')
}

/** Where a custom resource keeps its replicas (ResourceDefinition.scalePaths). */
type ScalePaths = { specReplicas: string; statusReplicas: string }

/** autoscaling/v1 Scale for a workload, with the selector as a string. */
export function scaleOf(obj: KubeObject, selectorOf?: (obj: KubeObject) => string, paths?: ScalePaths): Record<string, unknown> {
  let spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown }
  let status = (obj.status ?? {}) as { replicas?: number }
  if (paths) {
    // Custom resources name their replica fields (the CRD's specReplicasPath and statusReplicasPath).
    const num = (v: unknown) => (typeof v === 'number' ? v : 0)
    spec = { replicas: num(getAtPath(obj, paths.specReplicas)) }
    status = { replicas: num(getAtPath(obj, paths.statusReplicas)) }
  }
  const m = obj.metadata
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorOf ? selectorOf(obj) : labelSelectorAsString(spec.selector as never, { empty: '' }) },
  }
}

async function scaleHandler(call: ResourceCall) {
  const { rs, req, reply } = call
  const selectorOf = rs.def.scaleSelector?.bind(rs.def)
  const paths = rs.def.scalePaths
  reply.type('application/json')
  if (req.method === 'GET') return reply.send(JSON.stringify(scaleOf(rs.get(call.namespace, call.name!).obj, selectorOf, paths)))
  const dryRun = parseDryRun(queryValues(call.query, 'dryRun'))
  const fieldManager = fieldManagerOf(call.query, req.headers['user-agent'], req.method === 'PATCH' ? 'PatchOptions' : 'UpdateOptions')
  const s = await rs.guaranteedUpdate(
    call.namespace,
    call.name!,
    (cur) => {
      const scale = scaleOf(cur, selectorOf, paths)
      let next: Record<string, unknown>
      if (req.method === 'PATCH') {
        const type = mediaType(req.headers['content-type'])
        if (!patchMediaTypes.includes(type)) throw StatusError.unsupportedMediaType(patchMediaTypes)
        next = applyObjectPatch(undefined, type, scale, decodeBody(req.body, req.headers['content-type']).value) as Record<string, unknown>
      } else {
        if (!objectMediaTypes.includes(mediaType(req.headers['content-type']))) throw StatusError.unsupportedMediaType(objectMediaTypes)
        next = decodeBody(req.body, req.headers['content-type']).value as Record<string, unknown>
      }
      // The body decodes into an autoscaling/v1 Scale: a wrong type, or replicas past int32, is the
      // decoder's 400 (before this, 2^63 replicas were stored and the controller chased them).
      const { typeErrors } = checkUnknownFields({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, next)
      if (typeErrors.length) throw StatusError.badRequest(`Scale in version "v1" cannot be handled as a Scale: ${typeErrors[0].message}`)
      const meta = (next?.metadata ?? {}) as { resourceVersion?: string }
      const r = (next?.spec as { replicas?: unknown } | undefined)?.replicas
      if (typeof r !== 'number' || !Number.isInteger(r)) {
        throw StatusError.invalid('Scale', 'autoscaling', call.name!, [
          { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: r ?? null, detail: 'must be an integer' },
        ])
      }
      if (r < 0)
        throw StatusError.invalid('Scale', 'autoscaling', call.name!, [
          { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: r, detail: 'must be greater than or equal to 0' },
        ])
      if (paths) {
        const out = structuredClone(cur)
        setAtPath(out as unknown as Record<string, unknown>, paths.specReplicas, r)
        if (meta.resourceVersion) out.metadata.resourceVersion = meta.resourceVersion
        return out
      }
      const out = { ...cur, spec: { ...(cur.spec as object), replicas: r } } as KubeObject
      if (meta.resourceVersion) out.metadata.resourceVersion = meta.resourceVersion
      return out
    },
    { dryRun, fieldManager, subresource: 'scale' },
  )
  return reply.send(JSON.stringify(scaleOf(s.obj, selectorOf, paths)))
}

/** pods/binding: assigns a node once (the scheduler's write). */
async function bindingHandler(call: ResourceCall) {
  const { rs, req, reply } = call
  const body = decodeBody(req.body, req.headers['content-type']).value as BindingBody
  await bindFromBinding(rs, call.namespace, call.name!, body, call.now().getTime())
  return reply.code(201).type('application/json').send(JSON.stringify(bindingSuccess))
}

/**
 * Checks an eviction against disruption budgets before the delete (controllers/eviction-policy.ts):
 * throws 429/403/500 when refused, records the eviction otherwise. Replaceable for tests.
 */
export const evictionPolicy: { check?: (call: ResourceCall, pod: KubeObject, deleteOptions: Record<string, unknown>) => Promise<void> | void } = {
  check: (call, pod, deleteOptions) => checkEviction(call.registry, pod, deleteOptions, call.now().getTime()),
}

/** pods/eviction (policy/v1 Eviction): a delete that disruption budgets may refuse. */
async function evictionHandler(call: ResourceCall) {
  const { rs, req, reply } = call
  const body = decodeAnyBody(req.body, req.headers['content-type']).value as { metadata?: { name?: string }; deleteOptions?: Record<string, unknown> }
  if (body?.metadata?.name && body.metadata.name !== call.name) {
    throw StatusError.badRequest(`name in URL does not match name in Eviction object`)
  }
  const pod = rs.get(call.namespace, call.name!).obj
  const opts = body?.deleteOptions ?? {}
  await evictionPolicy.check?.(call, pod, opts)
  await rs.delete(call.namespace, call.name!, {
    gracePeriodSeconds: typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined,
    preconditions: opts.preconditions as never,
    dryRun: parseDryRun(opts.dryRun),
  })
  return reply
    .code(201)
    .type('application/json')
    .send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }))
}

/** serviceaccounts/token: a TokenRequest answered with a signed token (201, not stored). */
async function tokenRequestHandler(call: ResourceCall) {
  // The signing key is made in the background at start; wait for it rather than block the loop.
  await call.registry.serviceAccountTokens.whenReady()
  const body = (decodeAnyBody(call.req.body, call.req.headers['content-type']).value ?? {}) as TokenRequestBody
  if (typeof body !== 'object') throw StatusError.badRequest('the body of the request was in an unknown format')
  const out = createTokenRequest(call.registry, call.namespace, call.name!, body)
  return call.reply.code(201).type('application/json').send(JSON.stringify(out))
}

/** namespaces/finalize: only spec.finalizers changes. */
async function finalizeHandler(call: ResourceCall) {
  const { rs, req } = call
  const { obj } = decodeObject(rs, req.body, req.headers['content-type'], 'Ignore')
  const s = await rs.guaranteedUpdate(
    '',
    call.name!,
    (cur) => {
      ;(cur.spec as { finalizers?: string[] }) = { ...(cur.spec as object), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] }
      if (obj.metadata.resourceVersion) cur.metadata.resourceVersion = obj.metadata.resourceVersion
      return cur
    },
    { trusted: true },
  )
  return sendObject(call, s)
}
