/**
 * @module review-attributes: what the authorization.k8s.io reviews share
 * (pkg/registry/authorization/util/helpers.go ResourceAttributesFrom, pkg/apis/authorization/validation):
 * the spec's attributes, validation, and the status an authorizer's answer becomes.
 */
import type { NonResourceAttributes, ResourceAttributes } from 'kubernetes-types/authorization/v1.js'
import { StatusError } from '../../errors.js'
import type { FieldError, KubeObject } from '../../types.js'
import { invalid } from '../shared/field-errors.js'
import type { RequestUser } from '../resource-definition.js'
import type { AuthorizationAttributes, Authorizer } from './authorizer.js'

/** The spec fields every access review has. */
export interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes
  nonResourceAttributes?: NonResourceAttributes
  user?: string
  groups?: string[]
  uid?: string
  extra?: Record<string, string[]>
}

/** An access review as posted. */
export type AccessReview = KubeObject & { spec?: AccessReviewSpec }

/** ValidateSubjectAccessReviewSpec: the attribute choice, and a user or a group to ask about. */
export function validateSubjectAccessReviewSpec(spec: AccessReviewSpec): FieldError[] {
  const errs = validateAttributesChoice(spec)
  if (!spec.user && !spec.groups?.length) errs.push(invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'))
  return errs
}

/** ValidateSelfSubjectAccessReviewSpec: exactly one of the two attribute kinds. */
export function validateAttributesChoice(spec: AccessReviewSpec): FieldError[] {
  const errs: FieldError[] = []
  if (spec.resourceAttributes && spec.nonResourceAttributes)
    errs.push(
      invalid(
        'spec.nonResourceAttributes',
        { goString: goAttributes(spec.nonResourceAttributes) },
        'cannot be specified in combination with resourceAttributes',
      ),
    )
  if (!spec.resourceAttributes && !spec.nonResourceAttributes)
    errs.push(invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'))
  return errs
}

/** The %#v-ish rendering of a NonResourceAttributes pointer in a field error. */
function goAttributes(a: NonResourceAttributes): string {
  return `&authorization.NonResourceAttributes{Path:${JSON.stringify(a.path ?? '')}, Verb:${JSON.stringify(a.verb ?? '')}}`
}

/** NewInvalid for a review kind: `SubjectAccessReview.authorization.k8s.io "" is invalid: …`. */
export function throwIfInvalid(kind: string, errs: FieldError[]): void {
  if (errs.length) throw StatusError.invalid(kind, 'authorization.k8s.io', '', errs)
}

/** ResourceAttributesFrom / NonResourceAttributesFrom for `user`. */
export function reviewAttributes(user: RequestUser, spec: AccessReviewSpec): AuthorizationAttributes {
  const r = spec.resourceAttributes
  if (r)
    return {
      user,
      verb: r.verb ?? '',
      resourceRequest: true,
      apiGroup: r.group ?? '',
      apiVersion: r.version ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
      name: r.name ?? '',
    }
  const n = spec.nonResourceAttributes ?? {}
  return { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '' }
}

/** The review as answered: the posted object with `status` (allowed, denied, reason) and no stored metadata. */
export function answerReview(review: AccessReview, kind: string, authorizer: Authorizer, attrs: AuthorizationAttributes): KubeObject {
  const r = authorizer.authorize(attrs)
  const status = {
    allowed: r.decision === 'Allow',
    ...(r.decision === 'Deny' ? { denied: true } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  }
  return {
    kind,
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { ...review.metadata, creationTimestamp: null } as unknown as KubeObject['metadata'],
    spec: review.spec ?? {},
    status,
  } as KubeObject
}
