/** @module auth.test: the bearer-token filter — header and WebSocket subprotocol parsing, open paths, 401 body, token files. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultTokenUser, parseTokenFile, selectWebSocketProtocol, TokenAuthenticator, webSocketToken } from '../../src/api/auth.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'

const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url')

describe('parseTokenFile', () => {
  it('takes bare tokens and kube-apiserver CSV lines, skipping blanks and comments', () => {
    const users = parseTokenFile('# tokens\nplain\n\nsecret,alice,uid-1\nteam,bob,uid-2,"dev,ops"\n')
    expect(users).toEqual([
      { token: 'plain', ...defaultTokenUser },
      { token: 'secret', user: 'alice', uid: 'uid-1', groups: [] },
      { token: 'team', user: 'bob', uid: 'uid-2', groups: ['dev', 'ops'] },
    ])
  })

  it("rejects two-column lines with kube-apiserver's message", () => {
    expect(() => parseTokenFile('tok,alice\n', '/etc/tokens.csv')).toThrow(
      "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2",
    )
  })

  it('skips records whose token is empty, as kube-apiserver does', () => {
    expect(parseTokenFile(',alice,1\nt,bob,2').map((u) => u.user)).toEqual(['bob'])
  })
})

describe('webSocketToken', () => {
  it('decodes the token and keeps the other protocols', () => {
    expect(webSocketToken(`base64url.bearer.authorization.k8s.io.${b64url('s3cret')}, base64.binary.k8s.io`)).toEqual({
      token: 's3cret',
      rest: ['base64.binary.k8s.io'],
    })
  })

  it('reads protocols spread over several header values', () => {
    expect(webSocketToken(['v4.channel.k8s.io', `base64url.bearer.authorization.k8s.io.${b64url('t')}`])).toEqual({ token: 't', rest: ['v4.channel.k8s.io'] })
  })

  it("uses kube-apiserver's error texts", () => {
    const t = `base64url.bearer.authorization.k8s.io.${b64url('t')}`
    expect(webSocketToken(`${t}, ${t}, x`)).toEqual({ error: 'multiple base64.bearer.authorization tokens specified' })
    expect(webSocketToken(t)).toEqual({ error: 'missing additional subprotocol' })
    // Padding and the standard alphabet are not base64url-without-padding.
    expect(webSocketToken('base64url.bearer.authorization.k8s.io.dA==, x')).toEqual({ error: 'invalid base64.bearer.authorization token encoding' })
    expect(webSocketToken('base64url.bearer.authorization.k8s.io.a+b/, x')).toEqual({ error: 'invalid base64.bearer.authorization token encoding' })
    expect(webSocketToken(`base64url.bearer.authorization.k8s.io.${Buffer.from([0xff, 0xfe]).toString('base64url')}, x`)).toEqual({
      error: 'invalid base64.bearer.authorization token',
    })
  })

  it('returns no token when none is offered', () => {
    expect(webSocketToken('base64.binary.k8s.io')).toEqual({ rest: ['base64.binary.k8s.io'] })
    expect(webSocketToken(undefined)).toEqual({ rest: [] })
  })
})

describe('selectWebSocketProtocol', () => {
  it('echoes the single protocol left after the token one', () => {
    expect(selectWebSocketProtocol(new Set(['base64url.bearer.authorization.k8s.io.dA', 'base64.binary.k8s.io']))).toBe('base64.binary.k8s.io')
    expect(selectWebSocketProtocol(new Set(['a', 'b']))).toBe(false)
  })
})

describe('TokenAuthenticator.authenticate', () => {
  const auth = new TokenAuthenticator(parseTokenFile('good\nalice-token,alice,42'))

  it('accepts a known Bearer token, case-insensitive scheme, and names its user', () => {
    expect(auth.authenticate({ authorization: 'Bearer alice-token' }, false)).toMatchObject({ ok: true, user: { user: 'alice', uid: '42' } })
    expect(auth.authenticate({ authorization: 'bearer good' }, false)).toMatchObject({ ok: true, user: { user: 'kubemock-admin' } })
  })

  it('treats a missing or non-bearer header as anonymous and a wrong token as a failure', () => {
    expect(auth.authenticate({}, false)).toEqual({ ok: false, anonymous: true })
    expect(auth.authenticate({ authorization: 'Basic Zm9vOmJhcg==' }, false)).toEqual({ ok: false, anonymous: true })
    expect(auth.authenticate({ authorization: 'Bearer nope' }, false)).toEqual({ ok: false, anonymous: false, error: 'invalid bearer token' })
  })

  it('looks at the subprotocol only for WebSocket requests and strips it on success', () => {
    const headers: Record<string, string> = { 'sec-websocket-protocol': `base64url.bearer.authorization.k8s.io.${b64url('good')}, base64.binary.k8s.io` }
    expect(auth.authenticate({ ...headers }, false)).toEqual({ ok: false, anonymous: true })
    expect(auth.authenticate(headers, true)).toMatchObject({ ok: true })
    expect(headers['sec-websocket-protocol']).toBe('base64.binary.k8s.io')
  })

  it('refuses an empty token list', () => {
    expect(() => new TokenAuthenticator([])).toThrow('no tokens configured')
  })
})

describe('the auth filter in the app', () => {
  let cluster: Cluster
  let app: FastifyInstance
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0 })
    app = await buildApp({ cluster, auth: new TokenAuthenticator(parseTokenFile('good')), corsOrigins: ['*'] })
  })
  afterAll(async () => {
    await app.close()
    cluster.close()
  })

  it('answers requests without a token with the 401 Unauthorized Status', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json()).toEqual(unauthorized)
  })

  it('serves requests with a valid token', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods', headers: { authorization: 'Bearer good' } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ kind: 'PodList' })
  })

  it('rejects a wrong token with 401, and so do writes', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: { authorization: 'Bearer bad', 'content-type': 'application/json' },
      payload: '{"metadata":{"name":"x"}}',
    })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual(unauthorized)
    const get = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/configmaps/x', headers: { authorization: 'Bearer good' } })
    expect(get.statusCode).toBe(404)
  })

  it('keeps /healthz, /livez, /readyz and /version open to anonymous requests', async () => {
    for (const url of ['/healthz', '/livez', '/readyz', '/version', '/readyz?verbose']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
    }
    expect((await app.inject({ method: 'GET', url: '/api' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/kubemock/v1/clock' })).statusCode).toBe(401)
  })

  it('answers 401 on an open path when the token is wrong (only credential-less requests are anonymous)', async () => {
    const res = await app.inject({ method: 'GET', url: '/version', headers: { authorization: 'Bearer bad' } })
    expect(res.statusCode).toBe(401)
  })

  it('unknown paths still need a token (401, not 404)', async () => {
    expect((await app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(401)
  })

  it('lets a CORS preflight through without credentials (CORS runs first)', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/namespaces/default/pods',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'PATCH' },
    })
    expect(res.statusCode).toBe(204)
  })

  it('rejects a WebSocket watch with a wrong subprotocol token before upgrading', async () => {
    const ws = app as unknown as { injectWS(path: string, ctx: object): Promise<unknown> }
    await expect(
      ws.injectWS('/api/v1/namespaces/default/configmaps?watch=1', {
        headers: { origin: 'http://localhost', 'sec-websocket-protocol': `base64url.bearer.authorization.k8s.io.${b64url('bad')}, base64.binary.k8s.io` },
      }),
    ).rejects.toThrow('Unexpected server response: 401')
  })
})

describe('without authentication', () => {
  it('serves everything anonymously, whatever the Authorization header says', async () => {
    const cluster = await Cluster.open({ speed: 0 })
    const app = await buildApp({ cluster })
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces' })).statusCode).toBe(200)
      expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: 'Bearer anything' } })).statusCode).toBe(200)
    } finally {
      await app.close()
      cluster.close()
    }
  })
})
