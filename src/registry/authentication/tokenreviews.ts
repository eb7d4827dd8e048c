/** @module tokenreviews: authentication.k8s.io/v1 TokenReview (pkg/registry/authentication/tokenreview/storage.go): create-only, never stored. */
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'

/** A TokenReview as sent. */
type TokenReviewBody = KubeObject & { spec?: { token?: string; audiences?: string[] | null } }

/**
 * `POST /apis/authentication.k8s.io/v1/tokenreviews`: authenticates spec.token with the
 * server's bearer-token authenticators, for spec.audiences (default: the API audiences), and
 * answers with status.authenticated, user, audiences and error.
 */
export const tokenReviews: ResourceDefinition<KubeObject> = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  plural: 'tokenreviews',
  singular: 'tokenreview',
  namespaced: false,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const body = obj as TokenReviewBody
    const token = body.spec?.token ?? ''
    if (!token) throw StatusError.badRequest('token is required for TokenReview in authentication')
    const requested = body.spec?.audiences?.length ? body.spec.audiences : undefined
    const result = ctx.registry?.tokenAuthenticator.authenticateToken(token, requested ?? ctx.registry?.serviceAccountTokens.apiAudiences)
    const status: Record<string, unknown> = { user: {} }
    if (result && 'user' in result) {
      const u = result.user
      status.authenticated = true
      status.user = {
        username: u.username,
        ...(u.uid ? { uid: u.uid } : {}),
        groups: u.groups.includes('system:authenticated') ? u.groups : [...u.groups, 'system:authenticated'],
        ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
      }
      status.audiences = result.audiences
    } else if (result) status.error = result.error
    return {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { ...(obj.metadata?.name ? { name: obj.metadata.name } : {}), creationTimestamp: null },
      spec: { token, ...(requested ? { audiences: requested } : {}) },
      status,
    } as unknown as KubeObject
  },
}
