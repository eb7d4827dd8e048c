/** Reconciling the bootstrap policy: missing objects and rules come back, user additions stay, autoupdate=false is respected. */
import { describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../../../src/registry/rbac/bootstrap-policy.js'
import type { BindingObject, RoleObject } from '../../../src/registry/rbac/rbac-validation.js'
import { reconcileBootstrapPolicy, reconciledBinding, reconciledRole } from '../../../src/registry/rbac/reconcile-policy.js'

const want = (name: string) => bootstrapClusterRoles().find((r) => r.metadata.name === name)!

describe('reconciledRole / reconciledBinding', () => {
  it('adds missing rules and labels, keeps extra ones, and leaves autoupdate=false alone', () => {
    const discovery = want('system:discovery')
    const extra = { verbs: ['get'], nonResourceURLs: ['/custom'] }
    const have: RoleObject = { ...structuredClone(discovery), rules: [extra], metadata: { name: 'system:discovery', labels: { mine: 'yes' } } }
    const next = reconciledRole(have, discovery)!
    expect(next.rules?.[0]).toEqual(extra)
    expect(next.rules?.slice(1).map((r) => r.nonResourceURLs?.[0])).toContain('/healthz')
    expect(next.metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults', mine: 'yes' })
    expect(next.metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' })
    expect(reconciledRole(next, discovery)).toBeUndefined()
    expect(
      reconciledRole({ ...have, metadata: { ...have.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } }, discovery),
    ).toBeUndefined()
  })

  it('adds missing subjects and recreates a binding whose roleRef changed', () => {
    const b = bootstrapClusterRoleBindings().find((x) => x.metadata.name === 'system:basic-user')!
    const extra = { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }
    const have: BindingObject = { ...structuredClone(b), subjects: [extra] }
    expect(reconciledBinding(have, b).next?.subjects).toEqual([extra, ...(b.subjects ?? [])])
    expect(reconciledBinding({ ...have, roleRef: { ...b.roleRef, name: 'view' } }, b)).toEqual({ recreate: true })
  })
})

describe('reconcileBootstrapPolicy at start', () => {
  it('puts back a deleted bootstrap role and a removed rule, and is a no-op the second time', async () => {
    const cluster = await Cluster.open({ speed: 0 })
    try {
      const roles = cluster.registry.resource<RoleObject>('rbac.authorization.k8s.io', 'clusterroles')
      expect(roles.getStored('', 'cluster-admin')?.obj.metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults' })
      expect(cluster.registry.find('', 'serviceaccounts')!.getStored('kube-system', 'replicaset-controller')).toBeDefined()
      const nsRoles = cluster.registry.resource('rbac.authorization.k8s.io', 'roles')
      expect(nsRoles.getStored('kube-system', 'extension-apiserver-authentication-reader')).toBeDefined()
      expect(nsRoles.getStored('kube-public', 'system:controller:bootstrap-signer')).toBeDefined()
      await roles.delete('', 'system:basic-user')
      await roles.guaranteedUpdate('', 'system:discovery', (cur) => ({ ...cur, rules: [] }))
      await reconcileBootstrapPolicy(cluster.registry)
      expect(roles.getStored('', 'system:basic-user')).toBeDefined()
      expect((roles.getStored('', 'system:discovery')?.obj as RoleObject | undefined)?.rules?.length).toBeGreaterThan(0)
      const rv = cluster.store.currentRV()
      await reconcileBootstrapPolicy(cluster.registry)
      expect(cluster.store.currentRV()).toBe(rv)
    } finally {
      cluster.close()
    }
  })
})
