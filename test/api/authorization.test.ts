/** The authorization filter under `--authorization-mode RBAC`: Forbidden texts, grants through bindings, the journal's decisions. */
import { beforeAll, describe, expect, it } from 'vitest'
import { TokenAuthenticator } from '../../src/api/auth.js'
import { authorizerForModes } from '../../src/registry/authorization/modes.js'
import { createRBACAuthorizer } from '../../src/registry/rbac/rbac-state.js'
import { useTestApp } from '../helpers/test-app.js'

const auth = new TokenAuthenticator([
  { token: 'admin', user: 'kubemock-admin', uid: '1', groups: ['system:masters'] },
  { token: 'jane', user: 'jane', uid: '2', groups: ['devs'] },
  { token: 'bob', user: 'bob', uid: '3', groups: ['ops'] },
])

/**
 * A test app under `--authorization-mode RBAC` with the tokens above (call inside a describe), and
 * `as(token, method, url, body?)`, which injects a JSON request as that token's user.
 */
function useRBACApp() {
  const t = useTestApp({ app: { auth } })
  beforeAll(() => {
    t.cluster.registry.authorizer = authorizerForModes(['RBAC'], () => createRBACAuthorizer(t.cluster.registry))
  })
  const as = (token: string, method: string, url: string, body?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    })
  return { t, as }
}

describe('authorization filter (RBAC)', () => {
  const { t, as } = useRBACApp()

  it('refuses a user without bindings with the exact Status', async () => {
    const res = await as('jane', 'GET', '/api/v1/namespaces/default/pods')
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    })
    const named = await as('jane', 'GET', '/apis/apps/v1/namespaces/default/deployments/web')
    expect(named.json().message).toBe(
      'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "default"',
    )
    expect(named.json().details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' })
    const cluster = await as('jane', 'GET', '/api/v1/nodes?watch=true')
    expect(cluster.json().message).toBe('nodes is forbidden: User "jane" cannot watch resource "nodes" in API group "" at the cluster scope')
    const sub = await as('jane', 'GET', '/api/v1/namespaces/default/pods/p/log')
    expect(sub.json().message).toBe('pods "p" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"')
    const path = await as('jane', 'GET', '/metrics')
    expect(path.json().message).toBe('forbidden: User "jane" cannot get path "/metrics"')
  })

  it('lets everyone authenticated discover the API and read the public info', async () => {
    for (const url of ['/api', '/apis', '/version', '/healthz', '/openapi/v2', '/api/v1']) expect((await as('jane', 'GET', url)).statusCode, url).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/version' })).statusCode).toBe(200)
  })

  it('grants through a Role and RoleBinding, and through a ClusterRoleBinding to a group', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    }
    expect((await as('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', role)).statusCode).toBe(201)
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-reads' },
      roleRef: { kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'User', name: 'jane' }],
    }
    const created = await as('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', rb)
    expect(created.statusCode).toBe(201)
    expect(created.json().roleRef.apiGroup).toBe('rbac.authorization.k8s.io')
    expect(created.json().subjects[0].apiGroup).toBe('rbac.authorization.k8s.io')
    expect((await as('jane', 'GET', '/api/v1/namespaces/default/pods')).statusCode).toBe(200)
    expect((await as('jane', 'GET', '/api/v1/namespaces/kube-system/pods')).statusCode).toBe(403)
    expect((await as('jane', 'DELETE', '/api/v1/namespaces/default/pods/x')).statusCode).toBe(403)

    expect((await as('bob', 'GET', '/api/v1/nodes')).statusCode).toBe(403)
    const crb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'ops-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'Group', name: 'ops' }],
    }
    expect((await as('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', crb)).statusCode).toBe(201)
    expect((await as('bob', 'GET', '/api/v1/nodes')).statusCode).toBe(200)
    expect((await as('bob', 'GET', '/api/v1/namespaces/default/secrets')).statusCode).toBe(403)
  })

  it('records user, groups and the decision in the request journal', async () => {
    await as('jane', 'GET', '/api/v1/namespaces/default/pods')
    await as('jane', 'GET', '/api/v1/namespaces/default/secrets')
    const rows = t.app.kubemock.journal.list({ limit: 2 })
    expect(rows.map((r) => [r.user, r.groups, r.decision, r.reason, r.status])).toEqual([
      ['jane', ['devs', 'system:authenticated'], 'allow', 'RBAC: allowed by RoleBinding "jane-reads/default" of Role "pod-reader" to User "jane"', 200],
      ['jane', ['devs', 'system:authenticated'], 'forbid', '', 403],
    ])
  })

  it('names a missing role in the reason', async () => {
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'dangling' },
      roleRef: { kind: 'Role', name: 'nope' },
      subjects: [{ kind: 'Group', name: 'ops' }],
    }
    expect((await as('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', rb)).statusCode).toBe(201)
    const res = await as('bob', 'GET', '/api/v1/namespaces/default/secrets')
    expect(res.json().message).toBe(
      'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "nope" not found',
    )
  })
})

describe('authorization after the state is replaced', () => {
  const { t, as } = useRBACApp()

  it('forgets the bindings a reset removed, and keeps the bootstrap policy', async () => {
    const rb = { metadata: { name: 'jane-dns' }, roleRef: { kind: 'ClusterRole', name: 'system:kube-dns' }, subjects: [{ kind: 'User', name: 'jane' }] }
    expect((await as('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', rb)).statusCode).toBe(201)
    expect((await as('jane', 'GET', '/api/v1/namespaces/default/services')).statusCode).toBe(200)
    await t.cluster.reset()
    expect((await as('jane', 'GET', '/api')).statusCode).toBe(200)
    expect((await as('jane', 'GET', '/api/v1/namespaces/default/services')).statusCode).toBe(403)
  })
})

describe('access reviews', () => {
  const { as } = useRBACApp()
  const post = (token: string, url: string, body: unknown) => as(token, 'POST', url, body)
  const ssar = (resourceAttributes: Record<string, string>) => ({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes },
  })

  it('answers SelfSubjectAccessReviews for the caller, and is never stored', async () => {
    const denied = await post(
      'jane',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      ssar({ verb: 'create', resource: 'pods', namespace: 'default' }),
    )
    expect(denied.statusCode).toBe(201)
    expect(denied.json()).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { verb: 'create', resource: 'pods', namespace: 'default' } },
      status: { allowed: false },
    })
    const allowed = await post(
      'admin',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      ssar({ verb: 'create', resource: 'pods', namespace: 'default' }),
    )
    expect(allowed.json().status).toEqual({ allowed: true })
    expect((await post('jane', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} })).json().message).toBe(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    )
  })

  it('answers SubjectAccessReviews about another user with the granting binding as reason', async () => {
    const sar = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'someone', groups: ['system:authenticated'], nonResourceAttributes: { verb: 'get', path: '/healthz' } },
    }
    const res = await post('admin', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar)
    expect(res.json().status).toEqual({
      allowed: true,
      // The first binding by name whose role has the rule: system:discovery lists /healthz too.
      reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    })
    expect((await post('jane', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar)).statusCode).toBe(403)
    const noUser = await post('admin', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { resourceAttributes: { verb: 'get' } } })
    expect(noUser.json().message).toBe(
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    )
  })

  it('answers LocalSubjectAccessReviews in their own namespace only', async () => {
    const lsar = (ns: string) => ({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: 'kube-system' },
      spec: {
        user: 'system:kube-controller-manager',
        resourceAttributes: { namespace: ns, verb: 'get', resource: 'configmaps', name: 'extension-apiserver-authentication' },
      },
    })
    const res = await post('admin', '/apis/authorization.k8s.io/v1/namespaces/kube-system/localsubjectaccessreviews', lsar('kube-system'))
    expect(res.statusCode).toBe(201)
    expect(res.json().status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager"',
    })
    const bad = await post('admin', '/apis/authorization.k8s.io/v1/namespaces/kube-system/localsubjectaccessreviews', lsar('default'))
    expect(bad.json().message).toBe(
      'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "default": must match metadata.namespace',
    )
  })

  it('lists the caller’s rules in a namespace (SelfSubjectRulesReview)', async () => {
    const res = await post('jane', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: 'default' } })
    expect(res.statusCode).toBe(201)
    const status = res.json().status
    expect(status.incomplete).toBe(false)
    expect(status.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    })
    expect(status.nonResourceRules).toContainEqual({ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] })
    expect((await post('jane', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: {} })).json().message).toBe('no namespace on request')
  })
})
