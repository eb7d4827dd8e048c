/**
 * @module namespace-policy: the bootstrap Roles and RoleBindings of kube-system and kube-public
 * (bootstrappolicy/namespace_policy.go; testdata/namespace-roles.yaml and namespace-role-bindings.yaml).
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import { autoUpdateAnnotation, bootstrapLabel } from './bootstrap-policy.js'
import { eventsRule, read, rule } from './policy-rule-builder.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'

const meta = (name: string, namespace: string) => ({ name, namespace, labels: { ...bootstrapLabel }, annotations: { [autoUpdateAnnotation]: 'true' } })
const role = (namespace: string, name: string, rules: PolicyRule[]): RoleObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: meta(name, namespace),
  rules,
})
const binding = (namespace: string, name: string, roleName: string, users: string[], serviceAccounts: string[]): BindingObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: meta(name, namespace),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
  subjects: [
    ...users.map((n) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: n })),
    ...serviceAccounts.map((n) => ({ kind: 'ServiceAccount', name: n, namespace: 'kube-system' })),
  ],
})
const leaderLocking = [
  rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']),
  rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leasecandidates']),
]

/** NamespaceRoles(), namespace by namespace. */
export function bootstrapNamespaceRoles(): RoleObject[] {
  return [
    role('kube-public', 'system:controller:bootstrap-signer', [
      rule(read, [''], ['configmaps']),
      rule(['update'], [''], ['configmaps'], ['cluster-info']),
      eventsRule(),
    ]),
    role('kube-system', 'extension-apiserver-authentication-reader', [rule(read, [''], ['configmaps'], ['extension-apiserver-authentication'])]),
    role('kube-system', 'system::leader-locking-kube-controller-manager', leaderLocking),
    role('kube-system', 'system::leader-locking-kube-scheduler', leaderLocking),
    role('kube-system', 'system:controller:bootstrap-signer', [rule(read, [''], ['secrets'])]),
    role('kube-system', 'system:controller:cloud-provider', [rule(['create', 'get', 'list', 'watch'], [''], ['configmaps'])]),
    role('kube-system', 'system:controller:token-cleaner', [rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']), eventsRule()]),
  ]
}

/** NamespaceRoleBindings(). */
export function bootstrapNamespaceRoleBindings(): BindingObject[] {
  return [
    binding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [], ['bootstrap-signer']),
    binding(
      'kube-system',
      'system::extension-apiserver-authentication-reader',
      'extension-apiserver-authentication-reader',
      ['system:kube-controller-manager', 'system:kube-scheduler'],
      [],
    ),
    binding(
      'kube-system',
      'system::leader-locking-kube-controller-manager',
      'system::leader-locking-kube-controller-manager',
      ['system:kube-controller-manager'],
      ['kube-controller-manager'],
    ),
    binding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', ['system:kube-scheduler'], ['kube-scheduler']),
    binding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [], ['bootstrap-signer']),
    binding('kube-system', 'system:controller:cloud-provider', 'system:controller:cloud-provider', [], ['cloud-provider']),
    binding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', [], ['token-cleaner']),
  ]
}
