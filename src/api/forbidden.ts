/**
 * @module forbidden: the text of an authorization refusal, as responsewriters.Forbidden builds it
 * (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage,
 * wrapped by apierrors.NewForbidden).
 */
import type { AuthorizationAttributes } from '../registry/authorization/authorizer.js'
import { StatusError } from '../errors.js'

/**
 * The whole message of the 403: `pods is forbidden: User "jane" cannot list resource "pods" in API
 * group "" in the namespace "default"`, `deployments.apps "web" is forbidden: … at the cluster
 * scope`, or for non-resource paths `forbidden: User "jane" cannot get path "/metrics"`. The
 * authorizer's reason, when it gave one, is appended by {@link forbiddenError}.
 */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = a.user.username
  if (!a.resourceRequest) return `forbidden: User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path ?? '')}`
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '')
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope'
  const why = `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? '')} ${where}`
  const gr = a.apiGroup ? `${a.resource ?? ''}.${a.apiGroup}` : (a.resource ?? '')
  return a.name ? `${gr} ${JSON.stringify(a.name)} is forbidden: ${why}` : `${gr} is forbidden: ${why}`
}

/** The 403 Forbidden Status: the message (plus `: <reason>`), details {name, group, kind} as NewForbidden fills them. */
export function forbiddenError(a: AuthorizationAttributes, reason: string): StatusError {
  const message = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a)
  const details = a.resourceRequest
    ? { ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), ...(a.resource ? { kind: a.resource } : {}) }
    : {}
  return new StatusError(403, 'Forbidden', message, details)
}
