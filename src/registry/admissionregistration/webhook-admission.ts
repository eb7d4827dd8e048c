/**
 * @module webhook-admission: the MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/generic/webhook.go, mutating/dispatcher.go,
 * validating/dispatcher.go, predicates/, errors/statuserror.go).
 */
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { applyJSONPatch, JSONPatchError } from '../../util/json-patch.js'
import { deepEqual } from '../../util/deep-equal.js'
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js'
import type { Registry } from '../registry.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from '../shared/label-selector-match.js'
import {
  admissionReviewRequest,
  admissionReviewVersionFor,
  verifyAdmissionResponse,
  type AdmissionResponse,
  type WebhookInvocation,
} from './admission-review.js'
import { requestVersionsOf } from './request-versions.js'
import { evaluateMatchConditions } from './match-conditions.js'
import { celLoaded, loadCel } from '../cel/load-cel.js'
import { callWebhook, WebhookCallError, webhookRequest } from './webhook-client.js'
import type { Webhook, WebhookConfiguration, WebhookRule } from './webhook-types.js'

const group = 'admissionregistration.k8s.io'

/** One webhook of one configuration, in call order (configurations sorted by name, as upstream's source). */
interface Hook {
  config: string
  hook: Webhook
  /** Unique per webhook: reinvocation bookkeeping. */
  uid: string
}

function hooksOf(registry: Registry, plural: string): Hook[] {
  const rs = registry.find(group, plural)
  if (!rs) return []
  const configs = registry.store.list(rs.key).map((s) => s.obj as WebhookConfiguration)
  configs.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
  return configs.flatMap((c) => (c.webhooks ?? []).map((hook, i) => ({ config: c.metadata.name ?? '', hook, uid: `${c.metadata.name}/${hook.name}/${i}` })))
}

function hasHooks(registry: Registry, plural: string): boolean {
  const rs = registry.find(group, plural)
  return !!rs && registry.store.count(rs.key) > 0
}

/** rules.IsExemptAdmissionConfigurationResource: webhooks never see the admission configuration kinds. */
function exempt(a: AdmissionAttributes): boolean {
  return a.resource.group === group
}

// ---------------------------------------------------------------- matching (predicates/)

function exactOrWildcard(items: string[] | undefined, v: string): boolean {
  return (items ?? []).some((x) => x === '*' || x === v)
}

/** rules.Matcher.Matches for one resource version. */
function ruleMatches(r: WebhookRule, a: AdmissionAttributes, version: string): boolean {
  const scope = r.scope ?? '*'
  const isNamespace = a.resource.group === '' && a.resource.resource === 'namespaces'
  if (scope === 'Namespaced' && (isNamespace || !a.namespace)) return false
  if (scope === 'Cluster' && !(isNamespace || !a.namespace)) return false
  if (!(r.operations ?? []).some((op) => op === '*' || op === a.operation)) return false
  if (!exactOrWildcard(r.apiGroups, a.resource.group) || !exactOrWildcard(r.apiVersions, version)) return false
  const sub = a.subresource ?? ''
  return (r.resources ?? []).some((rs) => {
    const slash = rs.indexOf('/')
    const res = slash < 0 ? rs : rs.slice(0, slash)
    const s = slash < 0 ? '' : rs.slice(slash + 1)
    return (res === '*' || res === a.resource.resource) && (s === '*' || s === sub)
  })
}

/**
 * The namespace's labels (a namespace's own on its create/update), or a NotFound as upstream's matcher.
 * A request on a namespace has the namespace's name as its namespace (the apiserver's RequestInfo).
 */
function namespaceLabels(registry: Registry, a: AdmissionAttributes): Record<string, string> | undefined {
  const isNamespace = a.resource.group === '' && a.resource.resource === 'namespaces'
  if (isNamespace && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return a.obj.metadata.labels ?? {}
  const name = a.namespace || (isNamespace ? a.name : '')
  const ns = registry.find('', 'namespaces')?.getStored('', name)?.obj
  if (!ns) throw StatusError.notFound({ group: '', resource: 'namespaces' }, name)
  return ns.metadata.labels ?? {}
}

/**
 * ShouldCallHook: rules (exact, then equivalent versions), selectors, match conditions. A selector
 * that does not match skips the webhook; one that cannot be evaluated (namespace not found) fails
 * the request only when the rules match, as upstream checks its errors after the rules.
 */
function invocationFor(registry: Registry, h: Webhook, a: AdmissionAttributes): WebhookInvocation | undefined {
  const versions = requestVersionsOf(registry, a)
  const candidates = h.matchPolicy === 'Exact' ? versions.slice(0, 1) : versions
  const version = candidates.find((v) => (h.rules ?? []).some((r) => ruleMatches(r, a, v)))
  if (!version) return undefined
  if ((a.namespace || a.resource.resource === 'namespaces') && !labelSelectorIsEmpty(h.namespaceSelector)) {
    if (!labelSelectorMatches(h.namespaceSelector, namespaceLabels(registry, a))) return undefined
  }
  if (!labelSelectorIsEmpty(h.objectSelector)) {
    const obj = a.operation === 'DELETE' ? undefined : a.obj
    const hit = (o: KubeObject | undefined) => !!o && labelSelectorMatches(h.objectSelector, o.metadata.labels ?? {})
    if (!hit(obj) && !hit(a.old)) return undefined
  }
  const inv = { group: a.resource.group, version, resource: a.resource.resource, kind: a.kind, subresource: a.subresource ?? '' }
  if (h.matchConditions?.length) {
    // `request` is the AdmissionRequest the webhook would get (without the objects and uid).
    const request = admissionReviewRequest(a, inv, versions[0] ?? '', null, null).review.request as Record<string, unknown>
    const res = evaluateMatchConditions(h.matchConditions, { object: objectFor(a), oldObject: a.old ?? null, request })
    // matcher.go: an evaluation error (with no condition false) skips the webhook under failurePolicy Ignore, refuses under Fail.
    if (res.error) {
      if (h.failurePolicy === 'Ignore') return undefined
      throw StatusError.forbidden(a.resource, a.name, res.error)
    }
    if (!res.matches) return undefined
  }
  return inv
}

/** Loads CEL when a webhook of `plural` has matchConditions (configurations restored from a snapshot were written without it). */
async function conditionsLoaded(registry: Registry, plural: string): Promise<void> {
  if (!celLoaded() && hooksOf(registry, plural).some(({ hook }) => hook.matchConditions?.length)) await loadCel()
}

function objectFor(a: AdmissionAttributes): KubeObject | null {
  return a.operation === 'DELETE' ? null : a.obj
}

// ---------------------------------------------------------------- calling

/** The conversion of a served version other than the storage one (undefined for the storage version). */
function conversionTo(registry: Registry, a: AdmissionAttributes, version: string) {
  return registry.find(a.resource.group, a.resource.resource)?.def.servedVersions?.find((v) => v.version === version)
}

/** The object in the invocation's version (an equivalent served version is converted out of storage). */
function inVersion(registry: Registry, a: AdmissionAttributes, version: string, o: KubeObject | null): KubeObject | null {
  if (!o) return null
  const conv = conversionTo(registry, a, version)
  return conv ? conv.fromStorage(o) : o
}

/** ToStatusErr: a webhook's refusal, at least 400, `admission webhook "x" denied the request: …`. */
function denied(name: string, result: AdmissionResponse['result']): StatusError {
  const r = result ?? {}
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400
  const by = `admission webhook "${name}" denied the request`
  const message = r.message ? `${by}: ${r.message}` : r.reason ? `${by}: ${r.reason}` : `${by} without explanation`
  return new StatusError(code, r.reason ?? '', message, r.details as ConstructorParameters<typeof StatusError>[3])
}

/**
 * Calls one webhook; returns its checked response. A dry run reaches only webhooks without side
 * effects (`admission webhook "x" does not support dry run`, 400).
 */
async function call(registry: Registry, h: Webhook, a: AdmissionAttributes, inv: WebhookInvocation, mutating: boolean, obj: KubeObject | null) {
  if (a.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun')
    throw StatusError.badRequest(`admission webhook "${h.name}" does not support dry run`)
  // CreateAdmissionObjects: the first review version of the webhook's list that this server speaks.
  const reviewVersion = admissionReviewVersionFor(h.admissionReviewVersions)
  if (!reviewVersion)
    throw new WebhookCallError(h.name, 'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)')
  const requestVersion = requestVersionsOf(registry, a)[0] ?? ''
  const { uid, review } = admissionReviewRequest(a, inv, requestVersion, obj, inVersion(registry, a, inv.version, a.old ?? null), reviewVersion)
  const req = webhookRequest(registry, h.name, h.clientConfig, h.timeoutSeconds ?? 10, JSON.stringify(review))
  const res = await callWebhook(registry, h.name, req)
  let out: AdmissionResponse
  try {
    out = verifyAdmissionResponse(uid, mutating, res.body, reviewVersion)
  } catch (err) {
    throw new WebhookCallError(h.name, `received invalid webhook response: ${(err as Error).message}`)
  }
  if (a.warnings) a.warnings.push(...out.warnings)
  if (!out.allowed) throw denied(h.name, out.result)
  return out
}

/** A call failure under failurePolicy: Ignore drops it, Fail makes it `Internal error occurred: failed calling webhook …`. */
function failed(h: Webhook, err: unknown): StatusError | undefined {
  if (!(err instanceof WebhookCallError)) throw err
  if (h.failurePolicy === 'Ignore') return undefined
  return StatusError.internal(err.message)
}

/** The MutatingAdmissionWebhook plugin: webhooks in order, each seeing the previous ones' patches. */
export function createMutatingWebhookAdmission(registry: Registry): AdmissionPlugin {
  const plural = 'mutatingwebhookconfigurations'
  return {
    name: 'MutatingAdmissionWebhook',
    everyWrite: () => hasHooks(registry, plural),
    async admit(a) {
      if (exempt(a) || !hasHooks(registry, plural)) return
      await conditionsLoaded(registry, plural)
      const re = a.reinvocation
      const state = (re?.state.get('MutatingAdmissionWebhook') as ReinvokeState | undefined) ?? { invoked: new Set<string>(), reinvoke: new Set<string>() }
      re?.state.set('MutatingAdmissionWebhook', state)
      const round = re?.round ?? 0
      if (round > 0 && state.last !== undefined && !deepEqual(state.last, a.obj)) reinvokeAll(state)
      for (const { hook: h, uid } of hooksOf(registry, plural)) {
        const inv = invocationFor(registry, h, a)
        if (!inv) continue
        if (round > 0 && !state.reinvoke.has(uid)) continue
        let changed = false
        try {
          const obj = inVersion(registry, a, inv.version, objectFor(a))
          const out = await call(registry, h, a, inv, true, obj)
          if (out.patch?.length) {
            // callAttrMutatingHook: an unknown patch type is a call failure (failurePolicy applies), not an invalid response.
            if (out.patchType !== 'JSONPatch') throw new WebhookCallError(h.name, `unsupported patch type "${out.patchType}"`)
            changed = applyPatch(registry, a, h, inv.version, obj, out.patch)
          }
        } catch (err) {
          const e = failed(h, err)
          if (e) throw e
        }
        if (changed) {
          reinvokeAll(state)
          if (re) re.requested = true
        }
        if (h.reinvocationPolicy === 'IfNeeded') state.invoked.add(uid)
      }
      state.last = structuredClone(a.obj)
    },
  }
}

/** reinvocationcontext.go: which IfNeeded webhooks were called before a later mutation. */
interface ReinvokeState {
  invoked: Set<string>
  reinvoke: Set<string>
  last?: KubeObject
}

function reinvokeAll(s: ReinvokeState): void {
  for (const u of s.invoked) s.reinvoke.add(u)
  s.invoked.clear()
}

/** Applies a webhook's JSONPatch to the object (in place, so the registry goes on with it); true when it changed. */
function applyPatch(registry: Registry, a: AdmissionAttributes, h: Webhook, version: string, obj: KubeObject | null, ops: unknown[]): boolean {
  if (!obj || a.operation === 'DELETE')
    throw StatusError.internal(`admission webhook "${h.name}" attempted to modify the object, which is not supported for this operation`)
  let patched: KubeObject
  try {
    patched = applyJSONPatch(obj, ops as (Record<string, unknown> | null)[]) as KubeObject
  } catch (err) {
    if (err instanceof JSONPatchError) throw StatusError.internal(err.message)
    throw err
  }
  const conv = conversionTo(registry, a, version)
  const stored = conv ? conv.toStorage(patched) : patched
  if (deepEqual(stored, a.obj)) return false
  const target = a.obj as unknown as Record<string, unknown>
  for (const k of Object.keys(target)) delete target[k]
  Object.assign(target, stored)
  return true
}

/** The ValidatingAdmissionWebhook plugin: matching webhooks called in parallel; the first refusal (in order) wins. */
export function createValidatingWebhookAdmission(registry: Registry): AdmissionPlugin {
  const plural = 'validatingwebhookconfigurations'
  return {
    name: 'ValidatingAdmissionWebhook',
    everyWrite: () => hasHooks(registry, plural),
    async validate(a) {
      if (exempt(a) || !hasHooks(registry, plural)) return
      await conditionsLoaded(registry, plural)
      const calls: { h: Webhook; inv: WebhookInvocation }[] = []
      for (const { hook: h } of hooksOf(registry, plural)) {
        const inv = invocationFor(registry, h, a)
        if (inv) calls.push({ h, inv })
      }
      const results = await Promise.allSettled(calls.map(({ h, inv }) => call(registry, h, a, inv, false, inVersion(registry, a, inv.version, objectFor(a)))))
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return
        const e = r.reason instanceof WebhookCallError ? failed(calls[i].h, r.reason) : r.reason
        if (e) throw e
      })
    },
  }
}
