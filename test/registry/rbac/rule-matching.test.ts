/** PolicyRule matching (RuleAllows), coverage (Covers) and the compact form escalation errors print. */
import { describe, expect, it } from 'vitest'
import type { AuthorizationAttributes } from '../../../src/registry/authorization/authorizer.js'
import { compactRules, compactString, missingRules, ruleAllows } from '../../../src/registry/rbac/rule-matching.js'

const user = { username: 'jane', uid: '', groups: [] }
const res = (verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user,
  verb,
  resourceRequest: true,
  apiGroup: '',
  resource,
  ...extra,
})
const path = (verb: string, p: string): AuthorizationAttributes => ({ user, verb, resourceRequest: false, path: p })

describe('ruleAllows', () => {
  it('matches verbs, groups and resources, with * for any', () => {
    const r = { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] }
    expect(ruleAllows(res('get', 'pods'), r)).toBe(true)
    expect(ruleAllows(res('list', 'deployments', { apiGroup: 'apps' }), r)).toBe(true)
    expect(ruleAllows(res('delete', 'pods'), r)).toBe(false)
    expect(ruleAllows(res('get', 'pods', { apiGroup: 'batch' }), r)).toBe(false)
    expect(ruleAllows(res('watch', 'jobs', { apiGroup: 'batch' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true)
  })

  it('matches subresources only by name or */sub', () => {
    expect(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] })).toBe(false)
    expect(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })).toBe(true)
    expect(ruleAllows(res('get', 'deployments', { subresource: 'scale' }), { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] })).toBe(true)
    expect(ruleAllows(res('get', 'deployments', { subresource: 'status' }), { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] })).toBe(false)
  })

  it('limits to resourceNames when given', () => {
    const r = { verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }
    expect(ruleAllows(res('get', 'configmaps', { name: 'cfg' }), r)).toBe(true)
    expect(ruleAllows(res('get', 'configmaps', { name: 'other' }), r)).toBe(false)
    expect(ruleAllows(res('list', 'configmaps'), { ...r, verbs: ['list'] })).toBe(false)
  })

  it('matches non-resource URLs exactly or by a trailing *', () => {
    const r = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] }
    expect(ruleAllows(path('get', '/healthz'), r)).toBe(true)
    expect(ruleAllows(path('get', '/apis/apps/v1'), r)).toBe(true)
    expect(ruleAllows(path('get', '/apis'), r)).toBe(false)
    expect(ruleAllows(path('post', '/healthz'), r)).toBe(false)
    expect(ruleAllows(res('get', 'pods'), r)).toBe(false)
  })
})

describe('missingRules and the compact form', () => {
  it('breaks rules down and keeps what no owner rule covers', () => {
    const owner = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['*'], apiGroups: ['apps'], resources: ['*/scale'] },
    ]
    expect(missingRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])).toEqual([])
    expect(missingRules(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] }])).toEqual([])
    expect(missingRules(owner, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }])).toEqual([
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['secrets'] },
    ])
    // A name-limited owner rule does not cover all names.
    expect(
      missingRules(
        [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }],
        [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
      ),
    ).toHaveLength(1)
    expect(missingRules([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/kubelet'] }])).toEqual([])
  })

  it('merges the verbs of simple rules and prints them as CompactString', () => {
    const compact = compactRules([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], nonResourceURLs: ['/metrics'] },
    ])
    expect(compact.map(compactString)).toEqual([
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "delete"]}',
    ])
  })
})
