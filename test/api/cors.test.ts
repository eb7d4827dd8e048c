/** @module cors.test: the CORS filter — preflights, headers on real responses, origin rules, the loopback default. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corsAllowHeaders, corsAllowMethods, corsExposeHeaders, isLoopbackOrigin, originMatcher } from '../../src/api/cors.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'

describe('isLoopbackOrigin', () => {
  it('accepts http(s) pages on localhost, *.localhost, 127.0.0.0/8 and [::1] on any port, nothing else', () => {
    for (const o of [
      'http://localhost:5173',
      'https://localhost',
      'http://app.localhost:3000',
      'http://127.0.0.1:8080',
      'http://127.1.2.3',
      'http://[::1]:3000',
      'HTTP://LOCALHOST:1',
    ])
      expect(isLoopbackOrigin(o), o).toBe(true)
    for (const o of [
      'http://evil.example',
      'http://localhost.evil.example',
      'http://127.0.0.1.evil.example',
      'null',
      'file://',
      'ws://localhost:1',
      'http://192.168.1.5:8080',
      'http://[::2]',
    ])
      expect(isLoopbackOrigin(o), o).toBe(false)
  })
})

describe('originMatcher', () => {
  it('matches loopback origins plus exact extra origins, case-insensitively; * matches all; false none', () => {
    const m = originMatcher(['https://App.example/'])
    expect(m('https://app.example')).toBe(true)
    expect(m('http://localhost:3000')).toBe(true)
    expect(m('https://app.example:444')).toBe(false)
    expect(m('https://app.example.evil.example')).toBe(false)
    expect(originMatcher()('http://evil.example')).toBe(false)
    expect(originMatcher(['*'])('null')).toBe(true)
    expect(originMatcher(false)('http://localhost:3000')).toBe(false)
  })
})

describe('the CORS filter in the app', () => {
  let cluster: Cluster
  let app: FastifyInstance
  const origin = 'http://localhost:5173'
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0 })
    app = await buildApp({ cluster, corsOrigins: [origin] })
  })
  afterAll(async () => {
    await app.close()
    cluster.close()
  })

  it('answers a PATCH preflight with 204 and the Kubernetes methods and headers', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/apis/apps/v1/namespaces/default/deployments/web',
      headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type,authorization,impersonate-user' },
    })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect(res.headers['access-control-allow-origin']).toBe(origin)
    expect(res.headers['access-control-allow-credentials']).toBe('true')
    expect(res.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS, PUT, DELETE, PATCH')
    const allowed = String(res.headers['access-control-allow-headers']).split(', ')
    for (const h of ['Content-Type', 'Authorization', 'Impersonate-User', 'Impersonate-Group', 'X-Stream-Protocol-Version', 'Accept'])
      expect(allowed).toContain(h)
    expect(String(res.headers['access-control-expose-headers']).split(', ')).toEqual(expect.arrayContaining(['Date', 'Warning', 'Audit-Id']))
  })

  it('adds requested Impersonate-Extra-* headers to the preflight answer', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/pods',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'impersonate-extra-scopes, x-other' },
    })
    expect(res.headers['access-control-allow-headers']).toBe(`${corsAllowHeaders}, impersonate-extra-scopes`)
  })

  it('puts the CORS headers on ordinary responses, errors included', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default', headers: { origin } })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': corsAllowMethods,
      'access-control-expose-headers': corsExposeHeaders,
    })
    const missing = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods/nope', headers: { origin } })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['access-control-allow-origin']).toBe(origin)
  })

  it('leaves origin-less and same-origin requests alone', async () => {
    const none = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default' })
    expect(none.statusCode).toBe(200)
    expect(none.headers['access-control-allow-origin']).toBeUndefined()
    // inject() sends Host: localhost:80; a page served from there is same-origin.
    const same = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: { origin: 'http://localhost:80', 'content-type': 'application/json' },
      payload: { metadata: { name: 'same-origin' } },
    })
    expect(same.statusCode).toBe(201)
  })

  it('refuses every request from another origin with 403 Forbidden, so a simple cross-site POST has no effect', async () => {
    const evil = 'http://evil.example'
    const post = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: { origin: evil, 'content-type': 'text/plain' },
      payload: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'csrf' } }),
    })
    expect(post.statusCode).toBe(403)
    expect(post.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message:
        'forbidden: origin "http://evil.example" is not allowed to use this server from a browser; start kubemock with --cors-origin http://evil.example to allow it',
    })
    expect(post.headers['access-control-allow-origin']).toBeUndefined()
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'csrf')).toBeUndefined()
    // The control API too: a reset from a foreign page would wipe the cluster.
    await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'keep' } })
    const reset = await app.inject({ method: 'POST', url: '/kubemock/v1/reset', headers: { origin: evil, 'content-type': 'text/plain' } })
    expect(reset.statusCode).toBe(403)
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'keep')).toBeDefined()
    for (const method of ['GET', 'DELETE', 'OPTIONS'] as const) {
      const res = await app.inject({
        method,
        url: '/api/v1/namespaces/default/configmaps/keep',
        headers: { origin: evil, 'access-control-request-method': 'DELETE' },
      })
      expect(res.statusCode, method).toBe(403)
    }
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'keep')).toBeDefined()
  })
})

describe('CORS policies', () => {
  async function withApp(corsOrigins: readonly string[] | false | undefined, fn: (app: FastifyInstance) => Promise<void>) {
    const cluster = await Cluster.open({ speed: 0 })
    const app = await buildApp({ cluster, ...(corsOrigins === undefined ? {} : { corsOrigins }) })
    try {
      await fn(app)
    } finally {
      await app.close()
      cluster.close()
    }
  }

  it('allows loopback pages by default and refuses the rest', () =>
    withApp(undefined, async (app) => {
      const local = await app.inject({ method: 'GET', url: '/api', headers: { origin: 'http://127.0.0.1:3000' } })
      expect(local.statusCode).toBe(200)
      expect(local.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000')
      expect((await app.inject({ method: 'GET', url: '/api', headers: { origin: 'http://evil.example' } })).statusCode).toBe(403)
    }))

  it("'*' allows any origin, with the CORS headers", () =>
    withApp(['*'], async (app) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/namespaces/default/configmaps',
        headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
        payload: { metadata: { name: 'x' } },
      })
      expect(res.statusCode).toBe(201)
      expect(res.headers['access-control-allow-origin']).toBe('http://evil.example')
    }))

  it('false allows no cross-origin page, not even loopback; same-origin still works', () =>
    withApp(false, async (app) => {
      const res = await app.inject({ method: 'GET', url: '/api', headers: { origin: 'http://localhost:3000' } })
      expect(res.statusCode).toBe(403)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect((await app.inject({ method: 'GET', url: '/api', headers: { origin: 'http://localhost:80' } })).statusCode).toBe(200)
    }))
})
