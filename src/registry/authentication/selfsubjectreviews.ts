/** @module selfsubjectreviews: authentication.k8s.io SelfSubjectReview (`kubectl auth whoami`): who the request's user is, at v1 and v1beta1. */
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'

/**
 * `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: answers with the authenticated
 * user's name, uid, groups and extra (pkg/registry/authentication/selfsubjectreview/rest.go);
 * v1beta1 (what kubectl before 1.28 asks) answers the same.
 */
export const selfSubjectReviews: ResourceDefinition<KubeObject> = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  namespaced: false,
  verbs: ['create'],
  servedVersions: [
    {
      version: 'v1beta1',
      fromStorage: (o) => ({ ...o, apiVersion: 'authentication.k8s.io/v1beta1' }),
      toStorage: (o) => ({ ...o, apiVersion: 'authentication.k8s.io/v1' }),
    },
  ],
  async restCreate(ctx) {
    const u = ctx.user ?? { username: '', uid: '', groups: [] }
    return {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: new Date(Math.floor(ctx.nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z') },
      status: {
        userInfo: {
          username: u.username,
          ...(u.uid ? { uid: u.uid } : {}),
          groups: u.groups,
          ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
        },
      },
    } as unknown as KubeObject
  },
}
