/** @module subjectaccessreviews: authorization.k8s.io/v1 SubjectAccessReview, create-only (pkg/registry/authorization/subjectaccessreview/rest.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { type AccessReview, answerReview, reviewAttributes, throwIfInvalid, validateSubjectAccessReviewSpec } from './review-attributes.js'

/** Can user X (with groups G) do this? Answered by the cluster's authorizer, never stored. */
export const subjectAccessReviews: ResourceDefinition<AccessReview> = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const review = obj as AccessReview
    const spec = review.spec ?? {}
    const errs = validateSubjectAccessReviewSpec(spec)
    throwIfInvalid('SubjectAccessReview', errs)
    const user = { username: spec.user ?? '', uid: spec.uid ?? '', groups: spec.groups ?? [], ...(spec.extra ? { extra: spec.extra } : {}) }
    return answerReview(review, 'SubjectAccessReview', ctx.authorizer, reviewAttributes(user, spec))
  },
}
