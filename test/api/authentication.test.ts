/** @module authentication.test: the authenticator union through app.inject — static tokens, service-account JWTs, anonymous, TokenRequest, TokenReview, SelfSubjectReview, impersonation. */
import { describe, expect, it } from 'vitest'
import { parseTokenFile, TokenAuthenticator } from '../../src/api/auth.js'
import type { AuthorizationAttributes, Authorizer } from '../../src/registry/authorization/authorizer.js'
import { alwaysAllow } from '../../src/registry/authorization/authorizer.js'
import { advanceUntil } from '../helpers/advance-until.js'
import { useTestApp } from '../helpers/test-app.js'

const json = { 'content-type': 'application/json' }
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

describe('authentication through the app', () => {
  const t = useTestApp({ app: { auth: new TokenAuthenticator(parseTokenFile('admin-token,admin,1,"system:masters"\nbob-token,bob,2,"devs"')) } })

  const whoami = async (headers: Record<string, string>, version = 'v1') => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/apis/authentication.k8s.io/${version}/selfsubjectreviews`,
      headers: { ...json, ...headers },
      payload: JSON.stringify({ apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' }),
    })
    return { code: res.statusCode, body: res.json() }
  }
  const tokenRequest = (name: string, spec: Record<string, unknown>, ns = 'default') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`,
      headers: { ...json, ...bearer('admin-token') },
      payload: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }),
    })
  const createSA = (name: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/serviceaccounts',
      headers: { ...json, ...bearer('admin-token') },
      payload: JSON.stringify({ metadata: { name } }),
    })

  it('SelfSubjectReview answers with the static-token user plus system:authenticated, at v1 and v1beta1', async () => {
    const r = await whoami(bearer('bob-token'))
    expect(r.code).toBe(201)
    expect(r.body).toMatchObject({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: { userInfo: { username: 'bob', uid: '2', groups: ['devs', 'system:authenticated'] } },
    })
    const beta = await whoami(bearer('bob-token'), 'v1beta1')
    expect(beta.body.apiVersion).toBe('authentication.k8s.io/v1beta1')
    expect(beta.body.status.userInfo.username).toBe('bob')
  })

  it('a request without credentials is 401 off the open paths; a bad token is 401 everywhere', async () => {
    expect((await whoami({})).code).toBe(401)
    expect((await whoami(bearer('nope'))).code).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
  })

  it('under another authorizer an anonymous request goes on as system:anonymous in system:unauthenticated', async () => {
    const seen: AuthorizationAttributes[] = []
    t.cluster.registry.authorizer = {
      authorize: (a) => {
        seen.push(a)
        return { decision: 'Allow', reason: '' }
      },
    }
    try {
      const r = await whoami({})
      expect(r.body.status.userInfo).toEqual({ username: 'system:anonymous', groups: ['system:unauthenticated'] })
      // The impersonation filter asks nothing for a request without impersonation headers; the
      // authorization filter asks about the request itself, for system:anonymous.
      expect(seen.map((a) => `${a.user.username} ${a.verb} ${a.resource}`)).toEqual(['system:anonymous create selfsubjectreviews'])
    } finally {
      t.cluster.registry.authorizer = alwaysAllow
    }
  })

  it('TokenRequest issues an RS256 JWT with upstream claims on the simulated clock, which authenticates as the service account', async () => {
    await createSA('builder')
    const res = await tokenRequest('builder', { expirationSeconds: 900 })
    expect(res.statusCode).toBe(201)
    const tr = res.json()
    expect(tr).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'builder', namespace: 'default' } })
    expect(tr.spec).toEqual({ audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 900, boundObjectRef: null })
    const claims = claimsOf(tr.status.token)
    const now = Math.floor(t.cluster.clock.now() / 1000)
    expect(claims.iat).toBe(now)
    expect(claims.exp).toBe(now + 900)
    expect(Date.parse(tr.status.expirationTimestamp) / 1000).toBe(now + 900)
    expect(claims.sub).toBe('system:serviceaccount:default:builder')
    const me = await whoami(bearer(tr.status.token))
    expect(me.body.status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
    })
    // Past exp (plus go-jose's minute of leeway) the token is refused.
    await t.cluster.clock.advance(900_000 + 61_000)
    expect((await whoami(bearer(tr.status.token))).code).toBe(401)
  })

  it('a token for a recreated service account (another uid) is refused, and TokenReview says why', async () => {
    await createSA('ephemeral')
    const token = (await tokenRequest('ephemeral', {})).json().status.token
    await t.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/serviceaccounts/ephemeral', headers: bearer('admin-token') })
    await createSA('ephemeral')
    const review = await t.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/tokenreviews',
      headers: { ...json, ...bearer('admin-token') },
      payload: JSON.stringify({ spec: { token } }),
    })
    expect(review.statusCode).toBe(201)
    expect(review.json().status.authenticated).toBeUndefined()
    expect(review.json().status.error).toMatch(/^service account UID \(.+\) does not match claim \(.+\)$/)
  })

  it('TokenRequest validation and bound objects answer with upstream Status errors', async () => {
    const short = await tokenRequest('default', { expirationSeconds: 60 })
    expect(short.statusCode).toBe(422)
    expect(short.json().message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    )
    const missing = await tokenRequest('nobody', {})
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toBe('serviceaccounts "nobody" not found')
    const pod = await tokenRequest('default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'ghost' } })
    expect(pod.json().message).toBe('pods "ghost" not found')
    const kind = await tokenRequest('default', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } })
    expect(kind.statusCode).toBe(400)
    expect(kind.json().message).toBe('cannot bind token to object of type /v1, Kind=ConfigMap')
    const secret = await t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/secrets',
      headers: { ...json, ...bearer('admin-token') },
      payload: JSON.stringify({ metadata: { name: 'holder' } }),
    })
    const uid = secret.json().metadata.uid
    const wrongUID = await tokenRequest('default', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'holder', uid: 'other' } })
    expect(wrongUID.statusCode).toBe(409)
    const bound = await tokenRequest('default', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'holder', uid } })
    expect(claimsOf(bound.json().status.token)['kubernetes.io'].secret).toEqual({ name: 'holder', uid })
    const token = bound.json().status.token
    expect((await whoami(bearer(token))).code).toBe(201)
    await t.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/secrets/holder', headers: bearer('admin-token') })
    expect((await whoami(bearer(token))).code).toBe(401)
  })

  it('the tokens controller fills a service-account-token Secret with a legacy token that authenticates while the Secret lives', async () => {
    await createSA('legacy')
    const sa = t.cluster.registry.resource('', 'serviceaccounts').get('default', 'legacy').obj
    const secrets = t.cluster.registry.resource('', 'secrets')
    await secrets.create('default', {
      metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
      type: 'kubernetes.io/service-account-token',
    } as never)
    const data = () => (secrets.getStored('default', 'legacy-token')?.obj as { data?: Record<string, string> } | undefined)?.data
    await advanceUntil(t.cluster.clock, () => !!data()?.token)
    const stored = secrets.get('default', 'legacy-token').obj
    expect(stored.metadata.annotations?.['kubernetes.io/service-account.uid']).toBe(sa.metadata.uid)
    expect(Buffer.from(data()!.namespace, 'base64').toString()).toBe('default')
    expect(Buffer.from(data()!['ca.crt'], 'base64').toString()).toContain('BEGIN CERTIFICATE')
    const token = Buffer.from(data()!.token, 'base64').toString()
    expect(claimsOf(token)).toMatchObject({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:default:legacy' })
    expect((await whoami(bearer(token))).body.status.userInfo).toMatchObject({ username: 'system:serviceaccount:default:legacy', uid: sa.metadata.uid })
    // The ServiceAccount goes: the controller deletes its token Secret, and the token stops working.
    await t.cluster.registry.resource('', 'serviceaccounts').delete('default', 'legacy')
    await advanceUntil(t.cluster.clock, () => !secrets.getStored('default', 'legacy-token'))
    expect((await whoami(bearer(token))).code).toBe(401)
  })

  it('TokenReview needs a token and is create-only', async () => {
    const empty = await t.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/tokenreviews',
      headers: { ...json, ...bearer('admin-token') },
      payload: JSON.stringify({ spec: {} }),
    })
    expect(empty.statusCode).toBe(400)
    expect(empty.json().message).toBe('token is required for TokenReview in authentication')
    const list = await t.app.inject({ method: 'GET', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: bearer('admin-token') })
    expect(list.statusCode).toBe(405)
  })
})

describe('impersonation', () => {
  const t = useTestApp({ app: { auth: new TokenAuthenticator(parseTokenFile('admin-token,admin,1,"system:masters"\nbob-token,bob,2,"devs"')) } })
  /** Lets system:masters do anything and bob nothing. */
  // Only system:masters may impersonate; everything else is allowed (the authorization filter asks too).
  const mastersOnly: Authorizer = {
    authorize: (a) => ({ decision: a.verb !== 'impersonate' || a.user.groups.includes('system:masters') ? 'Allow' : 'NoOpinion', reason: '' }),
  }

  const whoami = async (headers: Record<string, string | string[]>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers: { ...json, ...headers },
      payload: '{}',
    })
    return { code: res.statusCode, body: res.json() }
  }

  it('acts as the impersonated user, groups, uid and extra, with system:authenticated added', async () => {
    const r = await whoami({
      ...bearer('admin-token'),
      'impersonate-user': 'jane',
      'impersonate-group': 'devs',
      'impersonate-uid': 'u-7',
      'impersonate-extra-Scopes%2Fview': 'a',
    })
    expect(r.code).toBe(201)
    // (Repeated headers are one value each over real HTTP: the e2e test sends two --as-group.)
    expect(r.body.status.userInfo).toEqual({ username: 'jane', uid: 'u-7', groups: ['devs', 'system:authenticated'], extra: { 'scopes/view': ['a'] } })
    const sa = await whoami({ ...bearer('admin-token'), 'impersonate-user': 'system:serviceaccount:ns1:robot' })
    expect(sa.body.status.userInfo.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'])
    const anon = await whoami({ ...bearer('admin-token'), 'impersonate-user': 'system:anonymous' })
    expect(anon.body.status.userInfo.groups).toEqual(['system:unauthenticated'])
  })

  it('asks the authorizer for verb impersonate and refuses with upstream texts', async () => {
    t.cluster.registry.authorizer = mastersOnly
    try {
      const user = await whoami({ ...bearer('bob-token'), 'impersonate-user': 'jane' })
      expect(user.code).toBe(403)
      expect(user.body).toMatchObject({
        reason: 'Forbidden',
        message: 'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
        details: { name: 'jane', kind: 'users' },
      })
      const sa = await whoami({ ...bearer('bob-token'), 'impersonate-user': 'system:serviceaccount:ns1:robot' })
      expect(sa.body.message).toBe(
        'serviceaccounts "robot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns1"',
      )
      const extra = await whoami({ ...bearer('admin-token'), 'impersonate-user': 'jane', 'impersonate-extra-scopes': 'x' })
      expect(extra.code).toBe(201)
      t.cluster.registry.authorizer = { authorize: (a) => ({ decision: a.resource === 'userextras' ? 'Deny' : 'Allow', reason: '' }) }
      const denied = await whoami({ ...bearer('admin-token'), 'impersonate-user': 'jane', 'impersonate-extra-scopes': 'x' })
      expect(denied.body.message).toBe(
        'userextras.authentication.k8s.io "x" is forbidden: User "admin" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
      )
    } finally {
      t.cluster.registry.authorizer = alwaysAllow
    }
  })

  it('groups without a user are upstream’s plain-text 500 (responsewriters.InternalError), not a Status', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/selfsubjectreviews?y=1&z=2',
      headers: { ...bearer('admin-token'), 'impersonate-group': '<devs>', 'content-type': 'application/json' },
      payload: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    })
    // http.Error's escaping of &, < and > reaches the URI and the group names alike.
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.body).toBe(
      'Internal Server Error: "/apis/authentication.k8s.io/v1/selfsubjectreviews?y=1&amp;z=2": requested [{Group  &lt;devs&gt;    }] without impersonating a user\n',
    )
  })
})

describe('without an authenticator configured', () => {
  const t = useTestApp()
  it('a request without credentials is the administrator, a service-account token its account', async () => {
    const anon = await t.app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers: json, payload: '{}' })
    expect(anon.json().status.userInfo).toEqual({ username: 'kubemock-admin', groups: ['system:masters', 'system:authenticated'] })
    const tr = await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/serviceaccounts/default/token', headers: json, payload: '{}' })
    expect(tr.statusCode).toBe(201)
    const me = await t.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers: { ...json, ...bearer(tr.json().status.token) },
      payload: '{}',
    })
    expect(me.json().status.userInfo.username).toBe('system:serviceaccount:default:default')
  })
})
