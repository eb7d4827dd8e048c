/**
 * @module api/authorization: the authorization filter, last of the request filters (kube-apiserver's
 * WithAuthorization, staging/src/k8s.io/apiserver/pkg/endpoints/filters/authorization.go): the
 * request's attributes as RequestInfo derives them, asked of the registry's authorizer; anything
 * but Allow is the 403 Forbidden Status. The decision and the user go into the request journal.
 */
import type { FastifyRequest } from 'fastify'
import type { AuthorizationAttributes } from '../registry/authorization/authorizer.js'
import { alwaysAllow } from '../registry/authorization/authorizer.js'
import type { Registry } from '../registry/registry.js'
import type { RequestUser } from '../registry/resource-definition.js'
import { journalEntryOf } from './control.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'
import { forbiddenError } from './forbidden.js'
import { infoOf, requestAddress, requestInfo, type RequestInfo } from './journal.js'
import { requestUser } from './request-user.js'
import { isUiPath } from './ui.js'

/** The attributes of a request (authorizer.AttributesRecord from RequestInfo and the user). */
export function requestAttributes(user: RequestUser, info: RequestInfo, path: string): AuthorizationAttributes {
  if (!info.isResourceRequest) return { user, verb: info.verb, resourceRequest: false, path }
  return { user, resourceRequest: true, ...requestAddress(info) }
}

/**
 * Adds the authorization filter; add it last, after authentication. The authorizer is read from
 * the request's cluster's registry on every request, so setting `registry.authorizer` takes effect at once. Under
 * AlwaysAllow no attributes are derived (the journal still records the user and `allow`).
 */
export function installAuthorization(chain: FilterChain, registryOf: (req: FastifyRequest) => Registry): void {
  chain.add((req, reply) => {
    const entry = journalEntryOf(req)
    // The authentication and impersonation filters have set the user (system:anonymous included).
    const user = requestUser(req)
    if (entry) {
      entry.user = user.username
      entry.groups = user.groups
    }
    const authorizer = registryOf(req).authorizer
    if (authorizer === alwaysAllow) {
      if (entry) entry.decision = 'allow'
      return false
    }
    const url = req.raw.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    // The web view's static files carry no cluster data (the page's API calls are authorized as any other).
    if (isUiPath(path)) {
      if (entry) entry.decision = 'allow'
      return false
    }
    const info = entry ? infoOf(entry) : requestInfo(req.raw.method ?? 'GET', path, q < 0 ? '' : url.slice(q + 1))
    const attrs = requestAttributes(user, info, path)
    const result = authorizer.authorize(attrs)
    if (entry) entry.reason = result.reason
    if (result.decision === 'Allow') {
      if (entry) entry.decision = 'allow'
      return false
    }
    if (entry) entry.decision = 'forbid'
    req.log.debug({ reason: result.reason }, 'Forbidden')
    reply.header('X-Content-Type-Options', 'nosniff')
    sendStatus(reply, forbiddenError(attrs, result.reason))
    return true
  })
}
