/**
 * @module impersonation: the Impersonate-User/-Group/-Uid/-Extra-* headers (kubectl --as,
 * --as-group, --as-uid), each checked with the authorizer (verb impersonate) before the request
 * runs as the impersonated user (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
 */
import type { FastifyRequest } from 'fastify'
import { StatusError } from '../errors.js'
import type { AuthorizationAttributes } from '../registry/authorization/authorizer.js'
import type { Registry } from '../registry/registry.js'
import type { RequestUser } from '../registry/resource-definition.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'
import { forbiddenError } from './forbidden.js'
import { requestUser } from './request-user.js'

const userHeader = 'impersonate-user'
const groupHeader = 'impersonate-group'
const uidHeader = 'impersonate-uid'
const extraPrefix = 'impersonate-extra-'

/** One thing asked to be impersonated, as buildImpersonationRequests lists them. */
interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID'
  name: string
  namespace?: string
  /** UserExtra: the extra key. */
  key?: string
}

function headerValues(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/** Splits `system:serviceaccount:<ns>:<name>` (serviceaccount.SplitUsername); undefined for other names. */
function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:'
  if (!username.startsWith(prefix)) return undefined
  const parts = username.slice(prefix.length).split(':')
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined
  return { namespace: parts[0], name: parts[1] }
}

/**
 * Groups, extra or a uid requested without a user. Upstream's buildImpersonationRequests fails
 * with this text, and WithImpersonation answers it with responsewriters.InternalError: a plain-text
 * 500, not a Status (see {@link internalErrorText}).
 */
export class ImpersonationWithoutUserError extends Error {}

/**
 * The body of upstream's responsewriters.InternalError (handlers/responsewriters/errors.go):
 * `Internal Server Error: <%q of the request URI>: <err>`, with `&`, `<`, `>` escaped as HTML
 * entities, ended by http.Error's newline.
 */
export function internalErrorText(requestURI: string, message: string): string {
  const text = `Internal Server Error: ${JSON.stringify(requestURI)}: ${message}`
  return `${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\n`
}

/**
 * The impersonation requests of `headers` (empty: no impersonation). Groups, extra or a uid
 * without a user throw {@link ImpersonationWithoutUserError} with upstream's text.
 */
export function impersonationRequests(headers: FastifyRequest['headers']): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = []
  const user = headerValues(headers[userHeader])[0] ?? ''
  if (user) {
    const sa = splitServiceAccount(user)
    out.push(sa ? { kind: 'ServiceAccount', ...sa } : { kind: 'User', name: user })
  }
  for (const g of headerValues(headers[groupHeader])) out.push({ kind: 'Group', name: g })
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(extraPrefix)) continue
    let key = name.slice(extraPrefix.length)
    try {
      key = decodeURIComponent(key)
    } catch {
      // kept as sent, as url.PathUnescape's failure leaves the key escaped
    }
    for (const v of headerValues(value)) out.push({ kind: 'UserExtra', name: v, key: key.toLowerCase() })
  }
  const uid = headerValues(headers[uidHeader])[0] ?? ''
  if (uid) out.push({ kind: 'UID', name: uid })
  if (!user && out.length > 0) {
    // Go's %v of the []ObjectReference: {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}.
    const refs = out.map(
      (r) =>
        `{${[r.kind, r.namespace ?? '', r.name, '', r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io/v1' : '', '', r.key ?? ''].join(' ')}}`,
    )
    throw new ImpersonationWithoutUserError(`requested [${refs.join(' ')}] without impersonating a user`)
  }
  return out
}

/** The authorization attributes that impersonating `r` needs. */
function attributesFor(requestor: RequestUser, r: ImpersonationRequest): AuthorizationAttributes {
  const base = { user: requestor, verb: 'impersonate', resourceRequest: true, apiVersion: 'v1', name: r.name }
  switch (r.kind) {
    case 'ServiceAccount':
      return { ...base, apiGroup: '', resource: 'serviceaccounts', namespace: r.namespace }
    case 'User':
      return { ...base, apiGroup: '', resource: 'users' }
    case 'Group':
      return { ...base, apiGroup: '', resource: 'groups' }
    case 'UserExtra':
      return { ...base, apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: r.key }
    case 'UID':
      return { ...base, apiGroup: 'authentication.k8s.io', resource: 'uids' }
  }
}

/**
 * Checks every impersonation request of `headers` for `requestor` with the registry's authorizer
 * and returns the user to act as (undefined: no impersonation), or throws the 403 of the first
 * refused one. Service accounts get their groups when none are asked for; system:authenticated
 * is added unless system:authenticated or system:unauthenticated is asked for (for
 * system:anonymous: system:unauthenticated).
 */
export function impersonate(registry: Registry, requestor: RequestUser, headers: FastifyRequest['headers']): RequestUser | undefined {
  const requests = impersonationRequests(headers)
  if (requests.length === 0) return undefined
  const groupsSpecified = requests.some((r) => r.kind === 'Group')
  let username = ''
  let uid = ''
  let groups: string[] = []
  const extra: Record<string, string[]> = {}
  for (const r of requests) {
    const attrs = attributesFor(requestor, r)
    const decision = registry.authorizer.authorize(attrs)
    if (decision.decision !== 'Allow') throw forbiddenError(attrs, decision.reason)
    if (r.kind === 'ServiceAccount') {
      username = `system:serviceaccount:${r.namespace}:${r.name}`
      if (!groupsSpecified) groups = ['system:serviceaccounts', `system:serviceaccounts:${r.namespace}`]
    } else if (r.kind === 'User') username = r.name
    else if (r.kind === 'Group') groups.push(r.name)
    else if (r.kind === 'UserExtra') (extra[r.key!] ??= []).push(r.name)
    else uid = r.name
  }
  if (username !== 'system:anonymous') {
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups = [...groups, 'system:authenticated']
  } else if (!groups.includes('system:unauthenticated')) groups = [...groups, 'system:unauthenticated']
  return { username, uid, groups, ...(Object.keys(extra).length ? { extra } : {}) }
}

/**
 * Adds the impersonation filter (right after authentication, as WithImpersonation follows
 * WithAuthentication): a request with impersonation headers runs as the impersonated user, or
 * gets the 403 for the first thing its user may not impersonate. The headers are removed.
 */
export function installImpersonation(chain: FilterChain, registryOf: (req: FastifyRequest) => Registry): void {
  chain.add((req, reply) => {
    const h = req.headers
    if (h[userHeader] === undefined && h[groupHeader] === undefined && h[uidHeader] === undefined && !Object.keys(h).some((k) => k.startsWith(extraPrefix)))
      return false
    try {
      // Each header line is one value, as Go's http.Header keeps them (Node joins repeats with ", ").
      const user = impersonate(registryOf(req), requestUser(req), (req.raw.headersDistinct as FastifyRequest['headers'] | undefined) ?? h)
      if (user) req.kubeUser = user
    } catch (err) {
      if (err instanceof ImpersonationWithoutUserError) {
        // http.Error's headers and body, as kube-apiserver writes them (kubectl: `an error on the server ("Internal Server Error: …") has prevented the request from succeeding`).
        req.log.debug({ reason: err.message }, 'impersonation without a user')
        reply
          .code(500)
          .header('content-type', 'text/plain; charset=utf-8')
          .header('x-content-type-options', 'nosniff')
          .send(internalErrorText(req.raw.url ?? '/', err.message))
        return true
      }
      if (!(err instanceof StatusError)) throw err
      sendStatus(reply, err)
      return true
    }
    for (const k of Object.keys(h)) if (k === userHeader || k === groupHeader || k === uidHeader || k.startsWith(extraPrefix)) delete h[k]
    return false
  })
}
