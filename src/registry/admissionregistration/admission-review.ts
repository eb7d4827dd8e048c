/**
 * @module admission-review: the AdmissionReview v1 request sent to a webhook and the checks on its
 * response (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/request/admissionreview.go).
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

/** The user of an in-process write (the controllers run as kube-controller-manager). */
const controllerUser: RequestUser = { username: 'system:kube-controller-manager', uid: '', groups: ['system:authenticated'] }

/** CreateV1AdmissionReview: `obj` and `old` are already in the invocation's version. */
export function admissionReviewRequest(
  a: AdmissionAttributes,
  inv: WebhookInvocation,
  storageVersion: string,
  obj: KubeObject | null,
  old: KubeObject | null,
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
    requestKind: { group: a.resource.group, version: storageVersion, kind: a.kind },
    requestResource: { group: a.resource.group, version: storageVersion, resource: a.resource.resource },
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
  return { uid, review: { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request } }
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
 * VerifyAdmissionResponse for v1; throws an Error whose message is upstream's
 * (`expected response.uid="…", got "…"`), which callers wrap as `received invalid webhook response: …`.
 */
export function verifyAdmissionResponse(uid: string, mutating: boolean, body: string): AdmissionResponse {
  let review: { kind?: string; apiVersion?: string; response?: Record<string, unknown> }
  try {
    review = JSON.parse(body)
  } catch (err) {
    throw new Error(`couldn't decode response body: ${(err as Error).message}`)
  }
  const r = review?.response
  if (!r || typeof r !== 'object') throw new Error('webhook response was absent')
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
    if (patch) {
      try {
        ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as unknown[]
      } catch (err) {
        throw new Error(`received undecodable patch in webhook response: ${(err as Error).message}`)
      }
      if (!Array.isArray(ops)) throw new Error('received undecodable patch in webhook response: the patch is not a JSON array')
    }
  } else {
    if (patch) throw new Error('validating webhook may not return response.patch')
    if (patchType !== undefined) throw new Error('validating webhook may not return response.patchType')
  }
  return {
    allowed: r.allowed === true,
    patch: ops,
    patchType,
    result: (r.status as AdmissionResponse['result']) ?? undefined,
    warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : [],
    auditAnnotations: (r.auditAnnotations as Record<string, string>) ?? {},
  }
}
