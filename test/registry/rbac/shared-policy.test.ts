/** The bootstrap policy and the image catalogue are shared by every cluster of a process (issue 15): writes stay in their cluster. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import type { BindingObject, RoleObject } from '../../../src/registry/rbac/rbac-validation.js'

const group = 'rbac.authorization.k8s.io'

describe('sharing between clusters of one process', () => {
  let one: Cluster
  let two: Cluster
  beforeAll(async () => {
    one = await Cluster.open({ speed: 0 })
    two = await Cluster.open({ speed: 0 })
  })
  afterAll(() => {
    one.close()
    two.close()
  })
  const role = (c: Cluster, name: string) =>
    c.registry.resource<RoleObject>(group, 'clusterroles').getStored('', name)!.obj as RoleObject & { rules?: PolicyRule[] }
  const binding = (c: Cluster, name: string) => c.registry.resource<BindingObject>(group, 'clusterrolebindings').getStored('', name)!.obj

  it('stores the same frozen rules and subjects in both clusters, with metadata of their own', () => {
    expect(role(one, 'system:discovery').rules).toBe(role(two, 'system:discovery').rules)
    expect(Object.isFrozen(role(one, 'system:discovery').rules)).toBe(true)
    expect(Object.isFrozen(role(one, 'system:discovery').rules![0].verbs)).toBe(true)
    expect(binding(one, 'system:basic-user').subjects).toBe(binding(two, 'system:basic-user').subjects)
    expect(role(one, 'system:discovery').metadata).not.toBe(role(two, 'system:discovery').metadata)
    expect(role(one, 'system:discovery').metadata.uid).not.toBe(role(two, 'system:discovery').metadata.uid)
  })

  it('a write to a bootstrap ClusterRole or ClusterRoleBinding in one cluster is not seen in the other', async () => {
    const extra = { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }
    const roles = one.registry.resource<RoleObject>(group, 'clusterroles')
    await roles.guaranteedUpdate('', 'system:discovery', (r) => ({
      ...r,
      metadata: { ...r.metadata, labels: { ...r.metadata.labels, mine: 'yes' } },
      rules: [...(r.rules ?? []), extra],
    }))
    const bindings = one.registry.resource<BindingObject>(group, 'clusterrolebindings')
    const jane = { apiGroup: group, kind: 'User', name: 'jane' }
    await bindings.guaranteedUpdate('', 'system:basic-user', (b) => ({ ...b, subjects: [...(b.subjects ?? []), jane] }))

    expect(role(one, 'system:discovery').rules).toContainEqual(extra)
    expect(role(one, 'system:discovery').metadata.labels).toMatchObject({ mine: 'yes' })
    expect(role(two, 'system:discovery').rules).not.toContainEqual(extra)
    expect(role(two, 'system:discovery').metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults' })
    expect(binding(one, 'system:basic-user').subjects).toContainEqual(jane)
    expect(binding(two, 'system:basic-user').subjects).not.toContainEqual(jane)
    // A cluster opened afterwards starts from the untouched policy.
    const three = await Cluster.open({ speed: 0 })
    try {
      expect(role(three, 'system:discovery').rules).not.toContainEqual(extra)
      expect(binding(three, 'system:basic-user').subjects).not.toContainEqual(jane)
    } finally {
      three.close()
    }
  })

  it('a change in place to a shared value throws instead of reaching every cluster', () => {
    const rules = role(two, 'system:discovery').rules!
    expect(() => rules.push({ verbs: ['get'], nonResourceURLs: ['/x'] })).toThrow(TypeError)
    expect(() => {
      ;(rules[0].verbs as string[])[0] = 'delete'
    }).toThrow(TypeError)
    expect((role(one, 'system:discovery').rules![0].verbs as string[])[0]).not.toBe('delete')
  })

  it('an image failed in one cluster still pulls in the other (the catalogue is copied on the first change)', () => {
    expect(one.images.pull('nginx:1.27').ok).toBe(true)
    const repo = one.images.repository('nginx:1.27')!
    const tags = { ...repo.tags }
    delete tags['1.27']
    one.images.set({ repository: repo.repository, tags, behaviour: repo.behaviour })
    expect(one.images.pull('nginx:1.27').ok).toBe(false)
    expect(two.images.pull('nginx:1.27').ok).toBe(true)
    expect(two.images.repository('nginx:1.27')!.tags['1.27']).toBeGreaterThan(0)
  })
})
