/**
 * @module admission-review: the AdmissionReview (v1, or v1beta1 for webhooks that list only it)
 * sent to a webhook and the checks on its response
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/request/admissionreview.go).
 */
import { randomUUID } from 'node:crypto'
import type { KubeObject } from '../../types.js'
import type { AdmissionAttributes } from '../admission.js'
import type { RequestUser } from '../resource-definition.js'

/** Which kind/resource the webhook is called for (an equivalent version under matchPolicy Equivalent). */
export interface WebhookInvocation {
  group: string
  version: string
  resource: string
  kind: string
  subresource: string
}

/** The AdmissionReview versions this server sends, as upstream's CreateAdmissionObjects knows them. */
export type AdmissionReviewVersion = 'v1' | 'v1beta1'

/**
 * CreateAdmissionObjects' choice: the first of the webhook's `admissionReviewVersions` this server
 * speaks, or undefined when it speaks none of them.
 */
export function admissionReviewVersionFor(versions: string[] | undefined): AdmissionReviewVersion | undefined {
  return (versions ?? []).find((v): v is AdmissionReviewVersion => v === 'v1' || v === 'v1beta1')
}

/** The user of an in-process write (the controllers run as kube-controller-manager). */
const controllerUser: RequestUser = { username: 'system:kube-controller-manager', uid: '', groups: ['system:authenticated'] }

/**
 * CreateV1AdmissionReview (CreateV1beta1AdmissionReview with `reviewVersion` v1beta1: the same
 * request fields under admission.k8s.io/v1beta1): `obj` and `old` are already in the invocation's version.
 */
export function admissionReviewRequest(
  a: AdmissionAttributes,
  inv: WebhookInvocation,
  requestVersion: string,
  obj: KubeObject | null,
  old: KubeObject | null,
  reviewVersion: AdmissionReviewVersion = 'v1',
): { uid: string; review: Record<string, unknown> } {
  const uid = randomUUID()
  const user = a.user ?? controllerUser
  const userInfo: Record<string, unknown> = { username: user.username }
  if (user.uid) userInfo.uid = user.uid
  if (user.groups.length) userInfo.groups = user.groups
  if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra
  const request: Record<string, unknown> = {
    uid,
    kind: { group: inv.group, version: inv.version, kind: inv.kind },
    resource: { group: inv.group, version: inv.version, resource: inv.resource },
    ...(inv.subresource ? { subResource: inv.subresource } : {}),
    requestKind: { group: a.resource.group, version: requestVersion, kind: a.kind },
    requestResource: { group: a.resource.group, version: requestVersion, resource: a.resource.resource },
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo,
    object: obj,
    oldObject: old,
    dryRun: a.dryRun,
    options: a.options ?? null,
  }
  return { uid, review: { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${reviewVersion}`, request } }
}

/** A checked webhook answer. */
export interface AdmissionResponse {
  allowed: boolean
  patch?: unknown[]
  /** The patch's type; only `JSONPatch` can be applied (the mutating dispatcher checks, after `allowed`). */
  patchType?: string
  result?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown }
  warnings: string[]
  auditAnnotations: Record<string, string>
}

/**
 * VerifyAdmissionResponse; throws an Error whose message is upstream's
 * (`expected response.uid="…", got "…"`), which callers wrap as `received invalid webhook response: …`.
 * A v1beta1 answer is checked as upstream checks it for compatibility: no uid, kind or patchType
 * checks; a mutating webhook's patch is taken as a JSONPatch, a validating webhook's is ignored.
 */
export function verifyAdmissionResponse(uid: string, mutating: boolean, body: string, reviewVersion: AdmissionReviewVersion = 'v1'): AdmissionResponse {
  let review: { kind?: string; apiVersion?: string; response?: Record<string, unknown> }
  try {
    review = JSON.parse(body)
  } catch (err) {
    throw new Error(`couldn't decode response body: ${(err as Error).message}`)
  }
  const r = review?.response
  if (!r || typeof r !== 'object') throw new Error('webhook response was absent')
  if (reviewVersion === 'v1beta1') return v1beta1Response(r, mutating)
  if (r.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(r.uid ?? '')}"`)
  const gvk = `${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview')
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk.startsWith(',') ? `/${gvk.slice(2)}` : gvk}`)
  const patch = typeof r.patch === 'string' && r.patch ? r.patch : undefined
  const patchType = r.patchType as string | undefined
  let ops: unknown[] | undefined
  if (mutating) {
    if (patch && patchType === undefined) throw new Error('webhook returned response.patch but not response.patchType')
    if (!patch && patchType !== undefined) throw new Error('webhook returned response.patchType but not response.patch')
    if (patchType !== undefined && !patchType) throw new Error(`webhook returned invalid response.patchType of ""`)
    if (patch) ops = decodePatch(patch)
  } else {
    if (patch) throw new Error('validating webhook may not return response.patch')
    if (patchType !== undefined) throw new Error('validating webhook may not return response.patchType')
  }
  return responseOf(r, ops, patchType)
}

/** The v1beta1 branch of VerifyAdmissionResponse: "v1beta1 processing did not verify GVK or UID". */
function v1beta1Response(r: Record<string, unknown>, mutating: boolean): AdmissionResponse {
  const patch = mutating && typeof r.patch === 'string' && r.patch ? r.patch : undefined
  // The patch type was never checked in v1beta1: a patch is pinned to the one supported type.
  return patch ? responseOf(r, decodePatch(patch), 'JSONPatch') : responseOf(r, undefined, undefined)
}

/** The base64 JSONPatch of a response, decoded. */
function decodePatch(patch: string): unknown[] {
  let ops: unknown
  try {
    ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8'))
  } catch (err) {
    throw new Error(`received undecodable patch in webhook response: ${(err as Error).message}`)
  }
  if (!Array.isArray(ops)) throw new Error('received undecodable patch in webhook response: the patch is not a JSON array')
  return ops
}

function responseOf(r: Record<string, unknown>, patch: unknown[] | undefined, patchType: string | undefined): AdmissionResponse {
  return {
    allowed: r.allowed === true,
    patch,
    patchType,
    result: (r.status as AdmissionResponse['result']) ?? undefined,
    warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : [],
    auditAnnotations: (r.auditAnnotations as Record<string, string>) ?? {},
  }
}
