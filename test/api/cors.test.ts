/** @module cors.test: the CORS filter — preflights, headers on real responses, origin rules, the loopback default. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corsAllowHeaders, corsAllowMethods, corsExposeHeaders, defaultCorsOrigins, originMatcher } from '../../src/api/cors.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'

describe('defaultCorsOrigins', () => {
  it('allows any origin on loopback, none elsewhere, and the configured list when given', () => {
    expect(defaultCorsOrigins('127.0.0.1')).toEqual(['*'])
    expect(defaultCorsOrigins('localhost')).toEqual(['*'])
    expect(defaultCorsOrigins('::1')).toEqual(['*'])
    expect(defaultCorsOrigins('0.0.0.0')).toEqual([])
    expect(defaultCorsOrigins('192.168.1.5')).toEqual([])
    expect(defaultCorsOrigins('0.0.0.0', ['http://app.example:3000'])).toEqual(['http://app.example:3000'])
    expect(defaultCorsOrigins('127.0.0.1', ['http://a'])).toEqual(['http://a'])
  })
})

describe('originMatcher', () => {
  it('matches exact origins only, case-insensitively; * matches all', () => {
    const m = originMatcher(['http://localhost:3000', 'https://App.example/'])
    expect(m('http://localhost:3000')).toBe(true)
    expect(m('https://app.example')).toBe(true)
    expect(m('http://localhost:30000')).toBe(false)
    expect(m('http://localhost:3000.evil.example')).toBe(false)
    expect(originMatcher(['*'])('null')).toBe(true)
  })
})

describe('the CORS filter in the app', () => {
  let cluster: Cluster
  let app: FastifyInstance
  const origin = 'http://localhost:5173'
  beforeAll(async () => {
    cluster = new Cluster({ speed: 0 })
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
    for (const h of ['Content-Type', 'Authorization', 'Impersonate-User', 'Impersonate-Group', 'X-Stream-Protocol-Version', 'Accept']) expect(allowed).toContain(h)
    expect(String(res.headers['access-control-expose-headers']).split(', ')).toEqual(expect.arrayContaining(['Date', 'Warning', 'Audit-Id']))
  })

  it('adds requested Impersonate-Extra-* headers to the preflight answer', async () => {
    const res = await app.inject({
      method: 'OPTIONS', url: '/api/v1/pods',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'impersonate-extra-scopes, x-other' },
    })
    expect(res.headers['access-control-allow-headers']).toBe(`${corsAllowHeaders}, impersonate-extra-scopes`)
  })

  it('puts the CORS headers on ordinary responses, errors included', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default', headers: { origin } })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers).toMatchObject({ 'access-control-allow-origin': origin, 'access-control-allow-methods': corsAllowMethods, 'access-control-expose-headers': corsExposeHeaders })
    const missing = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods/nope', headers: { origin } })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['access-control-allow-origin']).toBe(origin)
  })

  it('leaves other origins and origin-less requests alone', async () => {
    const other = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default', headers: { origin: 'http://evil.example' } })
    expect(other.statusCode).toBe(200)
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    const none = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default' })
    expect(none.headers['access-control-allow-origin']).toBeUndefined()
    // Not a preflight we answer: the request goes on to the router (no OPTIONS routes → 404 Status).
    const pre = await app.inject({ method: 'OPTIONS', url: '/api/v1/pods', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } })
    expect(pre.statusCode).toBe(404)
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('CORS off', () => {
  it('installs nothing for an empty origin list', async () => {
    const cluster = new Cluster({ speed: 0 })
    const app = await buildApp({ cluster, corsOrigins: [] })
    try {
      const res = await app.inject({ method: 'GET', url: '/api', headers: { origin: 'http://localhost:3000' } })
      expect(res.statusCode).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    } finally {
      await app.close()
      cluster.close()
    }
  })
})
