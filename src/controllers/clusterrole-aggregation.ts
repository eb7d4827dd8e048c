/**
 * @module clusterrole-aggregation: fills the rules of ClusterRoles with an aggregationRule from the
 * ClusterRoles their selectors match (pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go):
 * selectors in order, matching roles by name, each rule once.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import type { RoleObject } from '../registry/rbac/rbac-validation.js'
import type { Registry } from '../registry/registry.js'
import { labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const group = 'rbac.authorization.k8s.io'

/** The rules `role` aggregates from `all` (itself left out). Pure. */
export function aggregatedRules(role: RoleObject, all: readonly RoleObject[]): PolicyRule[] {
  const out: PolicyRule[] = []
  const seen = new Set<string>()
  const sorted = [...all].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !labelSelectorMatches(sel, other.metadata.labels)) continue
      for (const r of other.rules ?? []) {
        const key = JSON.stringify(r)
        if (seen.has(key)) continue
        seen.add(key)
        out.push(r)
      }
    }
  }
  return out
}

/** Keeps every aggregated ClusterRole's rules equal to what its selectors gather. */
export function createClusterRoleAggregationController(deps: { registry: Registry; manager: ControllerManager }): Controller {
  const roles = deps.registry.resource<RoleObject>(group, 'clusterroles')
  const cache = deps.manager.informers.for<RoleObject>(group, 'clusterroles')
  const aggregating = () =>
    cache
      .objects()
      .filter((r) => r.aggregationRule)
      .map((r) => r.metadata.name ?? '')
  return {
    name: 'clusterrole-aggregation',
    // Any role's change may change what some aggregated role gathers: requeue those (few) roles.
    watches: [{ group, plural: 'clusterroles', keys: () => aggregating() }],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const role = cache.getObject('', name)
      if (!role?.aggregationRule) return
      const want = aggregatedRules(role, cache.objects())
      if (JSON.stringify(want) === JSON.stringify(role.rules ?? [])) return
      await roles.guaranteedUpdate('', name, (cur) => ({ ...cur, rules: want }))
    },
  }
}
