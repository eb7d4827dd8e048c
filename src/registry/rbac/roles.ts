/** @module roles: the rbac.authorization.k8s.io/v1 Role definition (pkg/registry/rbac/role/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { type RoleObject, validateRBACName, validateRole } from './rbac-validation.js'

/** Roles print as the default NAME, CREATED AT table: upstream's printers have no handler for them. */
export const roles: ResourceDefinition<RoleObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  validateName: validateRBACName,
  validate: (r) => validateRole(r, true),
}
