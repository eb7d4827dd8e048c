/** The clusterrole-aggregation controller: admin, edit and view gather the aggregate-to-* roles, transitively. */
import { describe, expect, it } from 'vitest'
import { aggregatedRules } from '../../src/controllers/clusterrole-aggregation.js'
import type { RoleObject } from '../../src/registry/rbac/rbac-validation.js'
import { advanceUntil } from '../helpers/advance-until.js'
import { useTestApp } from '../helpers/test-app.js'

const role = (name: string, labels: Record<string, string>, rules: RoleObject['rules'], selector?: Record<string, string>): RoleObject => ({
  metadata: { name, labels },
  rules,
  ...(selector ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: selector }] } } : {}),
})

describe('aggregatedRules', () => {
  it('takes the rules of matching roles by name, each once, never its own', () => {
    const r1 = { verbs: ['get'], apiGroups: [''], resources: ['pods'] }
    const r2 = { verbs: ['list'], apiGroups: [''], resources: ['pods'] }
    const agg = role('agg', { x: 'true' }, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], { x: 'true' })
    const all = [agg, role('b', { x: 'true' }, [r2, r1]), role('a', { x: 'true' }, [r1]), role('c', {}, [r2])]
    expect(aggregatedRules(agg, all)).toEqual([r1, r2])
  })
})

describe('clusterrole-aggregation controller', () => {
  const t = useTestApp()
  it('fills admin, edit and view from the bootstrap aggregate-to-* roles, and follows a new one', async () => {
    const roles = t.cluster.registry.resource<RoleObject>('rbac.authorization.k8s.io', 'clusterroles')
    const rulesOf = (name: string) => (roles.getStored('', name)?.obj as RoleObject | undefined)?.rules ?? []
    await advanceUntil(t.cluster.clock, () => rulesOf('admin').length > 0)
    const view = rulesOf('system:aggregate-to-view')
    expect(rulesOf('view')).toEqual(view)
    // edit = aggregate-to-edit + view (view carries the aggregate-to-edit label), admin = edit's + aggregate-to-admin.
    expect(rulesOf('edit')).toEqual([...rulesOf('system:aggregate-to-edit'), ...view])
    expect(rulesOf('admin')).toEqual(expect.arrayContaining([...rulesOf('system:aggregate-to-admin'), ...rulesOf('edit')]))
    const crd = { verbs: ['get', 'list', 'watch'], apiGroups: ['example.com'], resources: ['widgets'] }
    await roles.create('', role('widgets-view', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [crd]))
    await advanceUntil(t.cluster.clock, () => rulesOf('admin').some((r) => r.resources?.includes('widgets')))
    expect(rulesOf('view')).toContainEqual(crd)
  })
})
