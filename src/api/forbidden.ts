/** @module forbidden: upstream's 403 text for a denied request (responsewriters.Forbidden), shared by impersonation and authorization. */
import { StatusError, qualifiedResource } from '../errors.js'
import type { AuthorizationAttributes } from '../registry/authorization/authorizer.js'

/**
 * The `User "u" cannot …` part of the text, as forbiddenMessage in
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go words it:
 * `cannot <verb> resource "<res[/sub]>" in API group "<g>" in the namespace "<ns>"` (or
 * `at the cluster scope`), and `cannot <verb> path "<p>"` for non-resource requests.
 */
export function forbiddenReason(a: AuthorizationAttributes): string {
  const user = JSON.stringify(a.user.username)
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path ?? '')}`
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '')
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope'
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? '')} ${scope}`
}

/**
 * The whole Forbidden message: `<resource>[.<group>][ "<name>"] is forbidden: User …` for
 * resource requests (the subresource is not part of the subject, as upstream builds the
 * GroupResource from the resource alone), `forbidden: User … cannot get path "/x"` for
 * non-resource ones; a non-empty authorizer `reason` is appended after `: `.
 */
export function forbiddenMessage(a: AuthorizationAttributes, reason = ''): string {
  return forbiddenError(a, reason).message
}

/** The 403 Status for a denied request, with upstream's message and details (see {@link forbiddenMessage}). */
export function forbiddenError(a: AuthorizationAttributes, reason = ''): StatusError {
  const why = reason ? `${forbiddenReason(a)}: ${reason}` : forbiddenReason(a)
  if (!a.resourceRequest || !a.resource) return new StatusError(403, 'Forbidden', `forbidden: ${why}`, {})
  const ref = { group: a.apiGroup ?? '', resource: a.resource }
  const subject = a.name ? `${qualifiedResource(ref)} ${JSON.stringify(a.name)}` : qualifiedResource(ref)
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(ref.group ? { group: ref.group } : {}),
    kind: ref.resource,
  })
}
