/** @module cors.test: CORS over real sockets — preflight, headers on JSON and on hijacked watch streams, the non-loopback default. */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { withTimeout } from '../helpers/with-timeout.js'

const origin = 'http://localhost:5173'

/**
 * Sends one request and resolves at the response headers (then drops the connection), so it
 * works for never-ending watch streams too. node:http, because fetch may not set Origin.
 */
function head(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: false }, (res) => {
        resolve({ status: res.statusCode!, headers: res.headers })
        res.destroy()
      })
      req.on('error', reject)
      req.end()
    }),
    10_000,
    `${method} ${url}`,
  )
}

describe('CORS on loopback (default: loopback pages)', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock()
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('answers a PATCH preflight with 204 and the Kubernetes headers', async () => {
    const r = await head(`${km.url}/apis/apps/v1/namespaces/default/deployments/web`, 'OPTIONS', {
      Origin: origin,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'content-type,authorization',
    })
    expect(r.status).toBe(204)
    expect(r.headers['access-control-allow-origin']).toBe(origin)
    expect(r.headers['access-control-allow-credentials']).toBe('true')
    expect(r.headers['access-control-allow-methods']).toContain('PATCH')
    expect(String(r.headers['access-control-allow-headers'])).toMatch(/Content-Type.*Authorization.*Impersonate-User/)
    expect(String(r.headers['access-control-expose-headers'])).toContain('Warning')
  })

  it('puts the headers on a JSON response and on a chunked watch stream', async () => {
    const get = await head(`${km.url}/api/v1/namespaces/default/configmaps`, 'GET', { Origin: origin })
    expect(get.status).toBe(200)
    expect(get.headers['access-control-allow-origin']).toBe(origin)
    expect(get.headers['access-control-expose-headers']).toContain('Audit-Id')
    const watch = await head(`${km.url}/api/v1/namespaces/default/configmaps?watch=1`, 'GET', { Origin: origin })
    expect(watch.status).toBe(200)
    expect(watch.headers['transfer-encoding']).toBe('chunked')
    expect(watch.headers['access-control-allow-origin']).toBe(origin)
    expect(watch.headers['access-control-allow-credentials']).toBe('true')
  })
})

describe('CORS on a non-loopback bind', () => {
  let km: Kubemock | undefined
  afterAll(async () => {
    await km?.stop()
  })

  it('allows loopback pages on 0.0.0.0 too, and refuses other origins with 403', async () => {
    km = await startKubemock({ args: ['--host', '0.0.0.0'] })
    const r = await head(`${km.url}/api`, 'GET', { Origin: origin })
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe(origin)
    const pre = await head(`${km.url}/api`, 'OPTIONS', { Origin: 'http://app.example:3000', 'Access-Control-Request-Method': 'GET' })
    expect(pre.status).toBe(403)
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
    await km.stop()
    km = undefined
  })

  it('adds exactly the --cors-origin values', async () => {
    km = await startKubemock({ args: ['--host', '0.0.0.0', '--cors-origin', 'http://app.example:3000'] })
    expect((await head(`${km.url}/api`, 'GET', { Origin: 'http://app.example:3000' })).headers['access-control-allow-origin']).toBe('http://app.example:3000')
    expect((await head(`${km.url}/api`, 'GET', { Origin: 'http://app.example:3001' })).status).toBe(403)
  })
})
