/** @module token-request: the serviceaccounts/token subresource (pkg/registry/core/serviceaccount/storage/token.go): a TokenRequest in, a signed token out. */
import { StatusError } from '../../errors.js'
import type { FieldError } from '../../types.js'
import type { KubeObject } from '../../types.js'
import type { Registry } from '../registry.js'
import type { ObjectRefClaim, TokenIssueRequest } from './service-account-tokens.js'

/** authentication.k8s.io/v1 TokenRequest, as far as the server reads it. */
export interface TokenRequestBody {
  metadata?: { name?: string; namespace?: string }
  spec?: {
    audiences?: string[] | null
    expirationSeconds?: number | null
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null
  }
}

/** The v1 default of spec.expirationSeconds. */
export const defaultTokenExpirationSeconds = 3600
/** The kubelet's projected-token lifetime, which the server extends to a year with a warnafter (claims.go WarnOnlyBoundTokenExpirationSeconds). */
export const kubeletTokenExpirationSeconds = 3607
const expirationExtensionSeconds = 24 * 365 * 60 * 60
const minTokenAgeSeconds = 10 * 60
const maxTokenAgeSeconds = 2 ** 32

const tokenRequestKind = { kind: 'TokenRequest', group: 'authentication.k8s.io' }

/**
 * Creates a token for ServiceAccount `namespace/name` as TokenREST.Create does: body name and
 * namespace must match the URL, audiences default to the API audiences, expirationSeconds to
 * 3600 (at least 10 minutes), a boundObjectRef must name an existing Pod (of this service
 * account), Secret or Node, with a matching uid when one is given. Returns the TokenRequest
 * with status.token and status.expirationTimestamp.
 */
export function createTokenRequest(registry: Registry, namespace: string, name: string, body: TokenRequestBody): KubeObject {
  const meta = body.metadata ?? {}
  const invalid = (errs: FieldError[], objName: string) => StatusError.invalid(tokenRequestKind.kind, tokenRequestKind.group, objName, errs)
  if (meta.name && meta.name !== name)
    throw invalid(
      [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: meta.name, detail: 'must match the service account name if specified' }],
      name,
    )
  if (meta.namespace && meta.namespace !== namespace)
    throw invalid(
      [{ type: 'FieldValueInvalid', field: 'metadata.namespace', badValue: meta.namespace, detail: 'must match the service account namespace if specified' }],
      name,
    )
  const sa = registry.resource('', 'serviceaccounts').get(namespace, name).obj
  const spec = body.spec ?? {}
  const audiences = spec.audiences?.length ? [...spec.audiences] : [...registry.serviceAccountTokens.apiAudiences]
  const expirationSeconds = spec.expirationSeconds ?? defaultTokenExpirationSeconds
  const errs: FieldError[] = []
  if (expirationSeconds < minTokenAgeSeconds)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      badValue: expirationSeconds,
      detail: 'may not specify a duration less than 10 minutes',
    })
  if (expirationSeconds > maxTokenAgeSeconds)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      badValue: expirationSeconds,
      detail: 'may not specify a duration larger than 2^32 seconds',
    })
  if (errs.length) throw invalid(errs, '')
  const nowMs = registry.clock.now()
  const req: TokenIssueRequest = {
    namespace,
    serviceAccount: { name, uid: sa.metadata.uid ?? '' },
    audiences,
    expirationSeconds,
  }
  const ref = spec.boundObjectRef
  if (ref) bindTo(registry, namespace, name, ref, req)
  // The kubelet's 3607 s pod tokens are valid a year, and warn after their nominal lifetime.
  if (req.pod && expirationSeconds === kubeletTokenExpirationSeconds) {
    req.expirationSeconds = expirationExtensionSeconds
    req.warnAfterSeconds = kubeletTokenExpirationSeconds
  }
  const { token } = registry.serviceAccountTokens.issue(req)
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: isoSeconds(nowMs) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: isoSeconds(nowMs + expirationSeconds * 1000) },
  }
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** Resolves spec.boundObjectRef into the pod/secret/node claims (and the pod's node). */
function bindTo(
  registry: Registry,
  namespace: string,
  saName: string,
  ref: NonNullable<NonNullable<TokenRequestBody['spec']>['boundObjectRef']>,
  req: TokenIssueRequest,
) {
  const apiVersion = ref.apiVersion ?? ''
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : ''
  const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion
  const refName = ref.name ?? ''
  let obj: KubeObject
  if (group === '' && ref.kind === 'Pod') {
    obj = registry.resource('', 'pods').get(namespace, refName).obj
    const podSA = (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName
    if (podSA !== saName) throw StatusError.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`)
    req.pod = refOf(obj)
    const nodeName = (obj.spec as { nodeName?: string } | undefined)?.nodeName
    const node = nodeName ? registry.find('', 'nodes')?.getStored('', nodeName)?.obj : undefined
    if (node) req.node = refOf(node)
  } else if (group === '' && ref.kind === 'Secret') {
    obj = registry.resource('', 'secrets').get(namespace, refName).obj
    req.secret = refOf(obj)
  } else if (group === '' && ref.kind === 'Node') {
    obj = registry.resource('', 'nodes').get('', refName).obj
    req.node = refOf(obj)
  } else {
    // schema.GroupVersionKind.String(): "group/version, Kind=kind".
    throw StatusError.badRequest(`cannot bind token to object of type ${group ? `${group}/` : '/'}${version}, Kind=${ref.kind ?? ''}`)
  }
  if (ref.uid && ref.uid !== obj.metadata.uid)
    throw StatusError.conflict(
      { group: '', resource: ref.kind ?? '' },
      refName,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    )
}

function refOf(o: KubeObject): ObjectRefClaim {
  return { name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' }
}

/**
 * The token the kubelet writes into a pod's projected service-account volume: bound to the pod
 * (and its node), for the API audiences, 3607 s nominal (a year with a warnafter, as upstream
 * extends it). Undefined when the pod's service account does not exist.
 */
export function issuePodToken(
  registry: Registry,
  pod: KubeObject,
  expirationSeconds = kubeletTokenExpirationSeconds,
  audiences?: string[],
): string | undefined {
  const ns = pod.metadata.namespace ?? ''
  const saName = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName || 'default'
  const sa = registry.find('', 'serviceaccounts')?.getStored(ns, saName)?.obj
  if (!sa) return undefined
  const req: TokenIssueRequest = {
    namespace: ns,
    serviceAccount: refOf(sa),
    audiences: audiences?.length ? audiences : [...registry.serviceAccountTokens.apiAudiences],
    expirationSeconds,
    pod: refOf(pod),
  }
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName
  const node = nodeName ? registry.find('', 'nodes')?.getStored('', nodeName)?.obj : undefined
  if (node) req.node = refOf(node)
  if (expirationSeconds === kubeletTokenExpirationSeconds) {
    req.expirationSeconds = expirationExtensionSeconds
    req.warnAfterSeconds = kubeletTokenExpirationSeconds
  }
  return registry.serviceAccountTokens.issue(req).token
}
