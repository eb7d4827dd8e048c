import { describe, expect, it } from 'vitest'
import { forbiddenError, forbiddenMessage } from '../../src/api/forbidden.js'

const bob = { username: 'bob', uid: '', groups: [] }

describe('forbiddenMessage', () => {
  it('words a cluster-scoped resource request with a name as upstream', () => {
    expect(forbiddenMessage({ user: bob, verb: 'impersonate', resourceRequest: true, apiGroup: '', resource: 'users', name: 'jane' })).toBe(
      'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    )
  })
  it('qualifies the resource with its group, keeps the subresource out of the subject and names the namespace', () => {
    expect(
      forbiddenMessage({
        user: bob,
        verb: 'create',
        resourceRequest: true,
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'ns1',
        name: 'web',
      }),
    ).toBe('deployments.apps "web" is forbidden: User "bob" cannot create resource "deployments/scale" in API group "apps" in the namespace "ns1"')
    expect(forbiddenMessage({ user: bob, verb: 'list', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default' })).toBe(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    )
  })
  it('words non-resource requests and appends the reason', () => {
    expect(forbiddenMessage({ user: bob, verb: 'get', resourceRequest: false, path: '/metrics' }, 'no RBAC policy matched')).toBe(
      'forbidden: User "bob" cannot get path "/metrics": no RBAC policy matched',
    )
  })
  it('is a 403 Forbidden Status with upstream details', () => {
    const e = forbiddenError({ user: bob, verb: 'get', resourceRequest: true, apiGroup: 'apps', resource: 'deployments', name: 'x' })
    expect(e.status).toMatchObject({ code: 403, reason: 'Forbidden', details: { name: 'x', group: 'apps', kind: 'deployments' } })
  })
})
