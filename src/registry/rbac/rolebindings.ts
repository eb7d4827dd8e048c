/** @module rolebindings: the rbac.authorization.k8s.io/v1 RoleBinding definition (pkg/registry/rbac/rolebinding/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { bindingColumns, bindingRow } from './binding-columns.js'
import { type BindingObject, defaultBinding, validateBinding, validateBindingUpdate, validateRBACName } from './rbac-validation.js'

/** A RoleBinding: roleRef (immutable) to a Role of its namespace or a ClusterRole, and subjects. */
export const roleBindings: ResourceDefinition<BindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  validateName: validateRBACName,
  applyDefaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: (b, old) => validateBindingUpdate(b, old, true),
  columns: bindingColumns(
    'roleBinding',
    'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  ),
  row: bindingRow,
}
