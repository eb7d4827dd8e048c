import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseTokenFile, TokenAuthenticator } from '../../src/api/auth.js'
import { isUiPath } from '../../src/api/ui.js'
import { useTestApp } from '../helpers/test-app.js'

// dist/ui/ is built by `npm run build` (npm test's pretest).
const built = new URL('../../dist/ui/', import.meta.url)

describe('web view files at /kubemock/ui/', () => {
  const t = useTestApp({ app: { auth: new TokenAuthenticator(parseTokenFile('s3cret')) } })
  beforeAll(() => {
    if (!existsSync(new URL('index.html', built))) throw new Error('dist/ui/ is missing: run `npm run build`')
  })

  it('serves index.html without a token, with its content type, ETag, no-cache and a CSP', async () => {
    const r = await t.app.inject({ url: '/kubemock/ui/' })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(r.headers['cache-control']).toBe('no-cache')
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['content-security-policy']).toContain("default-src 'self'")
    expect(r.body).toBe(readFileSync(new URL('index.html', built), 'utf8'))
    const again = await t.app.inject({ url: '/kubemock/ui/', headers: { 'if-none-match': String(r.headers.etag) } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })

  it('serves app.js and app.css with their types; HEAD too', async () => {
    const js = await t.app.inject({ url: '/kubemock/ui/app.js' })
    expect(js.statusCode).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    const css = await t.app.inject({ method: 'HEAD', url: '/kubemock/ui/app.css' })
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('redirects /kubemock/ui to /kubemock/ui/ (keeping the query)', async () => {
    const r = await t.app.inject({ url: '/kubemock/ui?namespace=kube-system' })
    expect(r.statusCode).toBe(301)
    expect(r.headers.location).toBe('/kubemock/ui/?namespace=kube-system')
  })

  it('answers an unknown file, or a path outside the folder, with the API 404 Status', async () => {
    for (const url of ['/kubemock/ui/nope.js', '/kubemock/ui/..%2F..%2Fpackage.json', '/kubemock/ui/a/b', '/kubemock/ui/toString']) {
      const r = await t.app.inject({ url })
      expect(r.statusCode, url).toBe(404)
      expect(r.json(), url).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      })
    }
  })

  it('keeps the token required for the API and the control API the page calls', async () => {
    expect((await t.app.inject({ url: '/api/v1/nodes' })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/kubemock/v1/clock' })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/kubemock/v1/clock', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/kubemock/uix' })).statusCode).toBe(401)
  })

  it('isUiPath: the prefix and what is under it, nothing else', () => {
    expect(isUiPath('/kubemock/ui')).toBe(true)
    expect(isUiPath('/kubemock/ui/app.js')).toBe(true)
    expect(isUiPath('/kubemock/uix')).toBe(false)
    expect(isUiPath('/kubemock/v1/clock')).toBe(false)
  })
})
