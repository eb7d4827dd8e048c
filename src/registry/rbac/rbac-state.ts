/** @module rbac-state: one rule resolver per registry, and the RBAC authorizer over it. */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import type { Registry } from '../registry.js'
import type { RequestUser } from '../resource-definition.js'
import { RBACAuthorizer } from './rbac-authorizer.js'
import { RuleResolver } from './rule-resolver.js'

const resolvers = new WeakMap<Registry, RuleResolver>()

/** The registry's rule resolver, watching its bindings from the first call on. */
export function ruleResolverFor(registry: Registry): RuleResolver {
  let r = resolvers.get(registry)
  if (!r) {
    const key = (plural: string) => registry.resource('rbac.authorization.k8s.io', plural).key
    r = new RuleResolver(registry.store, {
      roles: key('roles'),
      clusterRoles: key('clusterroles'),
      roleBindings: key('rolebindings'),
      clusterRoleBindings: key('clusterrolebindings'),
    })
    resolvers.set(registry, r)
  }
  return r
}

/** `--authorization-mode RBAC` over `registry`'s roles and bindings. */
export function createRBACAuthorizer(registry: Registry): RBACAuthorizer {
  return new RBACAuthorizer(ruleResolverFor(registry))
}

/** The rules `user` holds in `namespace` under RBAC, and the bindings that could not be resolved. */
export function rbacRulesFor(registry: Registry, user: RequestUser, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  return ruleResolverFor(registry).rulesFor(user, namespace)
}

/**
 * Drops the registry's binding index, if it has one: after a state import or its rollback, which
 * replace objects without watch events.
 */
export function invalidateRBACIndex(registry: Registry): void {
  resolvers.get(registry)?.invalidate()
}
