/** @module serviceaccounts: the core/v1 ServiceAccount definition (printServiceAccount). */
import type { ObjectReference, LocalObjectReference } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'

/** A ServiceAccount as stored. */
export type ServiceAccountObject = KubeObject & {
  secrets?: ObjectReference[]
  imagePullSecrets?: LocalObjectReference[]
  automountServiceAccountToken?: boolean
}

/** ServiceAccounts: NAME SECRETS AGE; the token subresource issues TokenRequests. */
export const serviceAccounts: ResourceDefinition<ServiceAccountObject> = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  subresources: [{ name: 'token', verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } }],

  columns: [
    nameColumn,
    {
      name: 'Secrets',
      type: 'integer',
      description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    },
    ageColumn,
  ],
  row: (sa, now) => [sa.metadata.name ?? '', (sa.secrets ?? []).length, translateTimestampSince(sa.metadata.creationTimestamp as string | undefined, now)],
}
