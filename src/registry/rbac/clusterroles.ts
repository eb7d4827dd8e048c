/** @module clusterroles: the rbac.authorization.k8s.io/v1 ClusterRole definition (pkg/registry/rbac/clusterrole/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { type RoleObject, validateRBACName, validateRole } from './rbac-validation.js'

/** Cluster-scoped; NAME, CREATED AT as roles. Aggregated rules are filled by the clusterrole-aggregation controller. */
export const clusterRoles: ResourceDefinition<RoleObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  validateName: validateRBACName,
  validate: (r) => validateRole(r, false),
}
