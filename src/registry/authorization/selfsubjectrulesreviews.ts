/** @module selfsubjectrulesreviews: authorization.k8s.io/v1 SelfSubjectRulesReview, create-only (pkg/registry/authorization/selfsubjectrulesreview/rest.go); `kubectl auth can-i --list`. */
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'

type RulesReview = KubeObject & { spec?: { namespace?: string } }

/** What may I do in this namespace? The authorizer's rules for the requesting user. */
export const selfSubjectRulesReviews: ResourceDefinition<RulesReview> = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  namespaced: false,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const review = obj as RulesReview
    if (!ctx.user) throw StatusError.badRequest('no user present on request')
    const namespace = review.spec?.namespace ?? ''
    if (!namespace) throw StatusError.badRequest('no namespace on request')
    const rules = ctx.authorizer.rulesFor?.(ctx.user, namespace) ?? { resourceRules: [], nonResourceRules: [], incomplete: true, errors: [] }
    return {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { ...review.metadata, creationTimestamp: null } as unknown as KubeObject['metadata'],
      spec: review.spec ?? {},
      status: {
        resourceRules: rules.resourceRules,
        nonResourceRules: rules.nonResourceRules,
        incomplete: rules.incomplete,
        ...(rules.errors.length ? { evaluationError: rules.errors.length === 1 ? rules.errors[0] : `[${rules.errors.join(', ')}]` } : {}),
      },
    } as KubeObject
  },
}
