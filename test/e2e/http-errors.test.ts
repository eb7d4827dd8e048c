/** @module http-errors.test: raw HTTP error paths (400/404/405/413/415), health endpoints and cache headers. */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

interface Reply {
  status: number
  headers: Headers
  text: string
  json?: Record<string, unknown>
}

describe('HTTP errors and health', () => {
  let km: Kubemock
  const seen: { what: string; cacheControl: string | null }[] = []

  /** fetch that records Cache-Control for the final all-responses check and parses JSON bodies. */
  async function call(what: string, path: string, init: RequestInit = {}): Promise<Reply> {
    const res = await fetch(`${km.url}${path}`, init)
    const text = await res.text()
    seen.push({ what, cacheControl: res.headers.get('cache-control') })
    let json: Record<string, unknown> | undefined
    if (res.headers.get('content-type')?.startsWith('application/json')) json = JSON.parse(text)
    return { status: res.status, headers: res.headers, text, json }
  }

  const cmPath = '/api/v1/namespaces/default/configmaps'
  const post = (body: string, contentType = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'Content-Type': contentType }, body })

  beforeAll(async () => {
    km = await startKubemock()
  })
  afterAll(async () => {
    await km?.stop()
  })

  it.each(['/healthz', '/livez', '/readyz'])('%s answers ok', async (path) => {
    const r = await call(path, path)
    expect(r.status).toBe(200)
    expect(r.text).toBe('ok')
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('malformed JSON is a 400 BadRequest Status', async () => {
    const r = await call('malformed', cmPath, post('{"apiVersion":"v1","kind":"ConfigMap","metadata":'))
    expect(r.status).toBe(400)
    expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400 })
    expect(typeof r.json?.message).toBe('string')
  })

  it('an unknown resource is a 404 NotFound Status', async () => {
    const r = await call('unknown resource', '/api/v1/namespaces/default/frobnicators')
    expect(r.status).toBe(404)
    expect(r.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'the server could not find the requested resource',
    })
  })

  it('an unknown object is a 404 with the resource-qualified message', async () => {
    const r = await call('unknown object', '/apis/apps/v1/namespaces/default/deployments/ghost')
    expect(r.status).toBe(404)
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'deployments.apps "ghost" not found',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
    })
  })

  it('a verb the route does not support is a 405 MethodNotAllowed Status', async () => {
    // PUT on a collection: go-restful has no such route; apiserver renders it as a Status
    // (apiserver/pkg/server/handler.go serviceErrorHandler → NewGenericServerResponse).
    const r = await call('wrong method', cmPath, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(r.status).toBe(405)
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'MethodNotAllowed', code: 405 })
  })

  it('a body over 3 MiB is a 413 RequestEntityTooLarge Status', async () => {
    // apiserver handlers/rest.go limitedReadBody: MaxRequestBodyBytes = 3 MiB.
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 16) } })
    const r = await rawPost(cmPath, big)
    expect(r.status).toBe(413)
    expect(r.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'RequestEntityTooLarge',
      code: 413,
      message: 'Request entity too large: limit is 3145728',
    })
    seen.push({ what: 'too large', cacheControl: r.cacheControl })
    const get = await call('after too large', `${cmPath}/big`)
    expect(get.status).toBe(404)
  })

  it('an unsupported Content-Type is a 415 UnsupportedMediaType Status', async () => {
    const r = await call('bad media type', cmPath, post('name: x', 'text/plain'))
    expect(r.status).toBe(415)
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'UnsupportedMediaType', code: 415 })
    // negotiation/errors.go errUnsupportedMediaType.
    expect(String(r.json?.message)).toMatch(/^the body of the request was in an unknown format - accepted media types include: application\/json/)
  })

  it('PATCH with a non-patch Content-Type is a 415 listing the patch types', async () => {
    await call('create for patch', cmPath, post(JSON.stringify({ metadata: { name: 'patchme' } })))
    const r = await call('bad patch type', `${cmPath}/patchme`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(r.status).toBe(415)
    expect(r.json).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 })
    expect(String(r.json?.message)).toContain('application/merge-patch+json')
    expect(String(r.json?.message)).toContain('application/strategic-merge-patch+json')
  })

  it('successful API responses are JSON with the same cache headers', async () => {
    const v = await call('version', '/version')
    expect(v.status).toBe(200)
    expect(v.json).toMatchObject({ major: '1', minor: '32' })
    expect(String(v.json?.gitVersion)).toMatch(/^v1\.32\.\d+$/)
    const list = await call('list', cmPath)
    expect(list.status).toBe(200)
    expect(list.json).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' })
  })

  it('every response carried Cache-Control: no-cache, private', () => {
    // protocol-core.md §0.1: without it the kubectl dispatcher caches /version (and 404s).
    expect(seen.length).toBeGreaterThanOrEqual(10)
    expect(seen.filter((s) => s.cacheControl !== 'no-cache, private')).toEqual([])
  })

  /**
   * POST through node:http rather than fetch: the server may answer 413 before it has read the
   * whole body and then drop the connection, which fetch reports as a network error (EPIPE)
   * instead of handing us the response it already received.
   */
  function rawPost(path: string, body: string): Promise<{ status: number; json?: Record<string, unknown>; cacheControl: string | null }> {
    return new Promise((resolve, reject) => {
      let answered = false
      const req = request(
        `${km.url}${path}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          answered = true
          let text = ''
          res
            .setEncoding('utf8')
            .on('data', (d: string) => {
              text += d
            })
            .on('end', () => {
              resolve({
                status: res.statusCode ?? 0,
                json: res.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : undefined,
                cacheControl: (res.headers['cache-control'] as string | undefined) ?? null,
              })
            })
        },
      )
      // EPIPE/ECONNRESET are expected once the server has answered early; the response (if any)
      // still arrives. If the socket closes with no response at all, that is the failure.
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e)
      })
      req.on('close', () => {
        if (!answered) reject(new Error('connection closed without a response'))
      })
      req.end(body)
    })
  }
})
