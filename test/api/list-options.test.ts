/** @module list-options.test: ListOptions validation, boolean query flags and trailing-slash paths through the real app (inject). */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'

let cluster: Cluster
let app: FastifyInstance
/** A listening server: inject() cannot follow a hijacked, streamed watch to its end. */
let url: string
beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
  url = await app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(async () => {
  await app.close()
  cluster.close()
})

/** A watch over real HTTP, given up after `ms`: the body so far and whether the server ended it. */
async function watchFor(path: string, ms: number): Promise<{ status: number; body: string; ended: boolean }> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), ms)
  const res = await fetch(`${url}${path}`, { signal: ac.signal })
  let body = ''
  const dec = new TextDecoder()
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) body += dec.decode(chunk)
    return { status: res.status, body, ended: true }
  } catch {
    return { status: res.status, body, ended: false }
  } finally {
    clearTimeout(timer)
  }
}

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url })
  return { code: r.statusCode, body: r.body, json: () => JSON.parse(r.body) as Record<string, unknown>, headers: r.headers }
}

describe('resourceVersionMatch on lists', () => {
  it("answers ValidateListOptions' 422s with upstream's texts", async () => {
    const cases: [string, string][] = [
      ['resourceVersionMatch=Exact', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['resourceVersionMatch=Exact&resourceVersion=0', 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
      ['resourceVersionMatch=Latest&resourceVersion=5', 'resourceVersionMatch: Unsupported value: "Latest": supported values: "Exact", "NotOlderThan", ""'],
      [
        'resourceVersionMatch=NotOlderThan&resourceVersion=5&continue=abc',
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided',
      ],
      ['sendInitialEvents=true', 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ]
    for (const [q, msg] of cases) {
      const r = await get(`/api/v1/namespaces/default/configmaps?${q}`)
      expect(r.code, q).toBe(422)
      expect(r.json(), q).toMatchObject({
        reason: 'Invalid',
        message: `ListOptions.meta.k8s.io "" is invalid: ${msg}`,
        details: { group: 'meta.k8s.io', kind: 'ListOptions' },
      })
      expect((r.json().details as Record<string, unknown>).name, 'an empty name is omitted, as metav1.StatusDetails does').toBeUndefined()
    }
    const two = await get('/api/v1/configmaps?resourceVersionMatch=Foo&continue=x')
    expect(two.json().message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided, resourceVersionMatch: Unsupported value: "Foo": supported values: "Exact", "NotOlderThan", ""]',
    )
  })

  it('serves Exact from the history and sends Retry-After with a too-new NotOlderThan', async () => {
    const list0 = (await get('/api/v1/namespaces/default/configmaps')).json()
    const before = (list0.metadata as { resourceVersion: string }).resourceVersion
    const names = (l: Record<string, unknown>) => (l.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)
    await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { metadata: { name: 'later' } } })
    const exact = (await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`)).json()
    expect((exact.metadata as { resourceVersion: string }).resourceVersion).toBe(before)
    expect(names(exact)).toEqual(names(list0))
    // The newest state has moved on (our configmap, and whatever the controllers wrote meanwhile).
    expect(names((await get('/api/v1/namespaces/default/configmaps')).json())).toEqual(expect.arrayContaining([...names(list0), 'later']))
    const t0 = Date.now()
    const tooNew = await get('/api/v1/namespaces/default/configmaps?resourceVersion=99999999&resourceVersionMatch=NotOlderThan')
    expect(tooNew.code).toBe(504)
    expect(tooNew.headers['retry-after']).toBe('1')
    expect(Date.now() - t0, 'the watch cache waits 3 s for the resourceVersion first').toBeGreaterThanOrEqual(2900)
  })

  it('a NotOlderThan list a little ahead of the store is answered once a write reaches it', async () => {
    const current = Number(((await get('/api/v1/namespaces/default/configmaps')).json().metadata as { resourceVersion: string }).resourceVersion)
    const pending = fetch(`${url}/api/v1/namespaces/default/configmaps?resourceVersion=${current + 1}&resourceVersionMatch=NotOlderThan`)
    await new Promise((r) => setTimeout(r, 200))
    await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { metadata: { name: 'catch-up' } } })
    const res = await pending
    expect(res.status).toBe(200)
    const body = (await res.json()) as { metadata: { resourceVersion: string } }
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThanOrEqual(current + 1)
  })

  it('forbids resourceVersionMatch on a watch unless sendInitialEvents is given', async () => {
    const r = await get('/api/v1/configmaps?watch=1&resourceVersion=1&resourceVersionMatch=Exact')
    expect(r.code).toBe(422)
    expect(r.json().message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    )
  })
})

describe('boolean flags as the Python client sends them', () => {
  it('watch=True, watch= and watch=maybe watch; watch=false, watch=FALSE and watch=0 list', async () => {
    for (const v of ['True', 'true', '1', 't', '', 'maybe']) {
      // A negative timeoutSeconds ends the watch right after the initial events (Go's timer fires at once).
      const r = await watchFor(`/api/v1/namespaces?watch=${v}&timeoutSeconds=-1`, 5000)
      expect(r, v).toMatchObject({ status: 200, ended: true })
      expect(r.body.split('\n')[0], v).toMatch(/^\{"type":"ADDED","object":\{"kind":"Namespace"/)
    }
    for (const v of ['false', 'FALSE', 'False', '0']) {
      expect((await get(`/api/v1/namespaces?watch=${v}`)).json().kind, v).toBe('NamespaceList')
    }
  })

  it("reports bad integers with strconv's text", async () => {
    expect((await get('/api/v1/pods?limit=abc')).json()).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'strconv.ParseInt: parsing "abc": invalid syntax',
    })
    expect((await get('/api/v1/pods?watch=1&timeoutSeconds=x')).json()).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "x": invalid syntax' })
    expect((await get('/api/v1/pods?timeoutSeconds=x')).json(), 'a list converts timeoutSeconds too').toMatchObject({
      code: 400,
      message: 'strconv.ParseInt: parsing "x": invalid syntax',
    })
    // With a body, DeleteOptions come from it alone: the query is not parsed at all.
    await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { metadata: { name: 'del-body' } } })
    const withBody = await app.inject({
      method: 'DELETE',
      url: '/api/v1/namespaces/default/configmaps/del-body?gracePeriodSeconds=x',
      payload: { gracePeriodSeconds: 0 },
    })
    expect(withBody.statusCode).toBe(200)
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/configmaps/kube-root-ca.crt?gracePeriodSeconds=x' })
    expect(JSON.parse(del.body)).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "x": invalid syntax' })
  })

  it('checks ?timeout= on short requests only', async () => {
    expect((await get('/api/v1/pods?timeout=x')).json()).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'invalid timeout specified in the request URL - time: invalid duration "x"',
    })
    expect((await get('/version?timeout=1')).json()).toMatchObject({
      code: 400,
      message: 'invalid timeout specified in the request URL - time: missing unit in duration "1"',
    })
    expect((await get('/api/v1/pods?timeout=32s')).code).toBe(200)
    expect(await watchFor('/api/v1/pods?watch=1&timeoutSeconds=-1&timeout=x', 5000)).toMatchObject({ status: 200, ended: true })
    // Long-running subresources are not given a deadline either: this fails on the pod, not the timeout.
    expect((await get('/api/v1/namespaces/default/pods/nope/log?timeout=x')).json()).toMatchObject({ code: 404, message: 'pods "nope" not found' })
  })
})

describe('trailing slashes as kube-apiserver routes them', () => {
  it('answers /version/, /api/, /apis/, group and resource paths with a slash; not /healthz/', async () => {
    expect((await get('/version/')).json().gitVersion).toBe(cluster.version.gitVersion)
    expect((await get('/api/')).json().kind).toBe('APIVersions')
    expect((await get('/apis/')).json().kind).toBe('APIGroupList')
    expect((await get('/api/v1/')).json().kind).toBe('APIResourceList')
    expect((await get('/apis/apps/')).json().kind).toBe('APIGroup')
    expect((await get('/apis/apps/v1/')).json().kind).toBe('APIResourceList')
    expect((await get('/api/v1/namespaces/default/configmaps/')).json().kind).toBe('ConfigMapList')
    expect((await get('/api/v1/namespaces/default/configmaps/kube-root-ca.crt/')).json().kind).toBe('ConfigMap')
    expect((await get('/healthz/')).code).toBe(404)
    for (const p of ['/healthz/ping', '/livez/ping', '/readyz/ping', '/healthz/etcd']) expect((await get(p)).body, p).toBe('ok')
  })
})

describe('watch timeouts', () => {
  it("ends after timeoutSeconds, and a timeout beyond Node's 24.8-day timer limit keeps the watch open", async () => {
    const t0 = Date.now()
    expect(await watchFor('/api/v1/namespaces?watch=1&timeoutSeconds=1', 5000)).toMatchObject({ status: 200, ended: true })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
    // 3,000,000 s = 34.7 days: a plain setTimeout would overflow to 1 ms and end the stream at once.
    const long = await watchFor('/api/v1/namespaces?watch=1&timeoutSeconds=3000000', 1000)
    expect(long).toMatchObject({ status: 200, ended: false })
    expect(long.body).toContain('"type":"ADDED"')
  })
})
