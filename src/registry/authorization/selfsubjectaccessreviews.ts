/** @module selfsubjectaccessreviews: authorization.k8s.io/v1 SelfSubjectAccessReview, create-only (pkg/registry/authorization/selfsubjectaccessreview/rest.go); `kubectl auth can-i`. */
import { StatusError } from '../../errors.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { type AccessReview, answerReview, reviewAttributes, throwIfInvalid, validateAttributesChoice } from './review-attributes.js'

/** Can I do this? Answered for the requesting user. */
export const selfSubjectAccessReviews: ResourceDefinition<AccessReview> = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const review = obj as AccessReview
    const spec = review.spec ?? {}
    throwIfInvalid('SelfSubjectAccessReview', validateAttributesChoice(spec))
    if (!ctx.user) throw StatusError.badRequest('no user present on request')
    return answerReview(review, 'SelfSubjectAccessReview', ctx.authorizer, reviewAttributes(ctx.user, spec))
  },
}
