/** @module clusterrolebindings: the rbac.authorization.k8s.io/v1 ClusterRoleBinding definition (pkg/registry/rbac/clusterrolebinding/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { bindingColumns, bindingRow } from './binding-columns.js'
import { type BindingObject, defaultBinding, validateBinding, validateBindingUpdate, validateRBACName } from './rbac-validation.js'

/** A ClusterRoleBinding: roleRef (immutable) to a ClusterRole, and subjects (service accounts name their namespace). */
export const clusterRoleBindings: ResourceDefinition<BindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  validateName: validateRBACName,
  applyDefaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: (b, old) => validateBindingUpdate(b, old, false),
  columns: bindingColumns(
    'clusterRoleBinding',
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  ),
  row: bindingRow,
}
