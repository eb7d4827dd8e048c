/** @module localsubjectaccessreviews: authorization.k8s.io/v1 LocalSubjectAccessReview, create-only (pkg/registry/authorization/localsubjectaccessreview/rest.go). */
import { StatusError } from '../../errors.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { invalid } from '../shared/field-errors.js'
import { type AccessReview, answerReview, reviewAttributes, throwIfInvalid, validateSubjectAccessReviewSpec } from './review-attributes.js'

/** A SubjectAccessReview scoped to the namespace it is posted in (namespace admins may ask it). */
export const localSubjectAccessReviews: ResourceDefinition<AccessReview> = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'LocalSubjectAccessReview',
  plural: 'localsubjectaccessreviews',
  singular: 'localsubjectaccessreview',
  namespaced: true,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const review = obj as AccessReview
    const spec = review.spec ?? {}
    // ValidateLocalSubjectAccessReview: the spec rules, then the namespace's.
    const errs = validateSubjectAccessReviewSpec(spec)
    const ns = review.metadata?.namespace ?? ''
    if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== ns)
      errs.push(invalid('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'))
    if (spec.nonResourceAttributes) errs.push(invalid('spec.nonResourceAttributes', null, 'disallowed on this kind of request'))
    throwIfInvalid('LocalSubjectAccessReview', errs)
    if (ns !== ctx.namespace) throw StatusError.badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`)
    const user = { username: spec.user ?? '', uid: spec.uid ?? '', groups: spec.groups ?? [], ...(spec.extra ? { extra: spec.extra } : {}) }
    return answerReview(review, 'LocalSubjectAccessReview', ctx.authorizer, reviewAttributes(user, spec))
  },
}
