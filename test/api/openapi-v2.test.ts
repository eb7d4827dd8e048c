/** @module openapi-v2.test: GET /openapi/v2 negotiation, ETag / If-None-Match and gzip, through app.inject(). */
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { negotiateOpenAPIv2 } from '../../src/api/openapi-v2.js'
import { gnosticDocumentType } from '../../src/openapi/gnostic-document.js'
import { useTestApp } from '../helpers/test-app.js'

const protobufAccept = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'

describe('negotiateOpenAPIv2 (kube-openapi handler + goautoneg)', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/*', 'json'],
    [protobufAccept, 'protobuf'],
    ['application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
    [`application/json;q=0.5, ${protobufAccept}`, 'protobuf'],
    [`*/*, ${protobufAccept}`, 'protobuf'],
    ['text/html, application/json;q=0.1', 'json'],
    ['text/html', undefined],
    ['application/yaml', undefined],
    ['nonsense', undefined],
  ] as const)('Accept %j -> %s', (accept, want) => {
    expect(negotiateOpenAPIv2(accept)).toBe(want)
  })
})

describe('GET /openapi/v2', () => {
  const t = useTestApp()

  it('serves the Swagger 2.0 JSON with the SHA-512 ETag and Vary: Accept', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi/v2?timeout=32s', headers: { accept: 'application/json' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers.vary).toContain('Accept')
    expect(res.headers.etag).toMatch(/^"[0-9A-F]{128}"$/)
    expect(res.headers['last-modified']).toMatch(/GMT$/)
    const doc = res.json() as { swagger: string; info: { version: string }; paths: Record<string, unknown>; definitions: Record<string, unknown> }
    expect(doc.swagger).toBe('2.0')
    expect(doc.info.version).toBe(t.cluster.version.gitVersion)
    expect(doc.paths).toHaveProperty(['/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch', 'operationId'], 'patchAppsV1NamespacedDeployment')
    expect(doc.definitions).toHaveProperty('io.k8s.api.batch.v1.CronJob')
  })

  it("serves the gnostic protobuf to client-go's Accept, with the same ETag", async () => {
    const json = await t.app.inject({ method: 'GET', url: '/openapi/v2' })
    const res = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: protobufAccept } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf')
    expect(res.headers.etag).toBe(json.headers.etag)
    const type = await gnosticDocumentType()
    const doc = type.toObject(type.decode(res.rawPayload)) as { swagger: string; paths: { path: { name: string }[] } }
    expect(doc.swagger).toBe('2.0')
    expect(doc.paths.path.map((p) => p.name)).toEqual(Object.keys((json.json() as { paths: object }).paths))
  })

  it('answers If-None-Match with the current ETag by 304 without a body, and a stale one by 200', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: protobufAccept } })
    const etag = first.headers.etag as string
    const again = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: protobufAccept, 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.headers.etag).toBe(etag)
    expect(again.rawPayload.length).toBe(0)
    expect((await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-none-match': `"x", W/${etag}` } })).statusCode).toBe(304)
    expect((await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-none-match': '"stale"' } })).statusCode).toBe(200)
  })

  it('honours If-Modified-Since when there is no If-None-Match', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/openapi/v2' })
    const lastModified = first.headers['last-modified'] as string
    expect((await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-modified-since': lastModified } })).statusCode).toBe(304)
    expect((await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-modified-since': 'Thu, 01 Jan 2015 00:00:00 GMT' } })).statusCode).toBe(200)
  })

  it('gzips for clients that accept it (gziphandler), the body unchanged', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: protobufAccept } })
    const zipped = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: protobufAccept, 'accept-encoding': 'gzip' } })
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers.vary).toBe('Accept, Accept-Encoding')
    expect(gunzipSync(zipped.rawPayload).equals(plain.rawPayload)).toBe(true)
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3)
  })

  it('answers an unsupported Accept with 406 and serves no swagger-2.0.0.pb-v1 (removed upstream)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'text/html' } })
    expect(res.statusCode).toBe(406)
    expect(res.body).toBe('')
    expect((await t.app.inject({ method: 'GET', url: '/swagger-2.0.0.pb-v1' })).statusCode).toBe(404)
  })
})
