import { describe, expect, test } from 'vitest'
import { RequestJournal, isLongRunning, requestInfo } from '../../src/api/journal.js'

describe('requestInfo (RequestInfoFactory rules)', () => {
  test.each([
    ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', resource: 'pods', namespace: 'default', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=1', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=false', { verb: 'list' }],
    ['GET', '/api/v1/watch/namespaces/default/pods', '', { verb: 'watch', resource: 'pods', namespace: 'default' }],
    ['GET', '/api/v1/namespaces/default/pods', 'fieldSelector=metadata.name%3Dx&watch=true', { verb: 'watch', name: 'x' }],
    ['GET', '/api/v1/namespaces/default/pods/x', '', { verb: 'get', name: 'x', subresource: '' }],
    ['PUT', '/api/v1/namespaces/default/pods/x/status', '', { verb: 'update', resource: 'pods', subresource: 'status' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments', '', { verb: 'deletecollection', apiGroup: 'apps', resource: 'deployments' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments/d', '', { verb: 'delete', name: 'd' }],
    ['PATCH', '/api/v1/nodes/n1', '', { verb: 'patch', resource: 'nodes', name: 'n1', namespace: '' }],
    ['GET', '/api/v1/namespaces/kube-system', '', { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: 'kube-system' }],
    ['PUT', '/api/v1/namespaces/x/finalize', '', { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' }],
    ['POST', '/api/v1/namespaces/default/pods', '', { verb: 'create', resource: 'pods' }],
  ])('%s %s?%s', (method, path, query, want) => {
    const info = requestInfo(method, path, query)
    expect(info.isResourceRequest).toBe(true)
    expect(info).toMatchObject(want)
  })

  test('non-resource paths keep the lower-case method as verb', () => {
    expect(requestInfo('GET', '/version', '')).toMatchObject({ isResourceRequest: false, verb: 'get', resource: '' })
    expect(requestInfo('GET', '/apis/apps', '')).toMatchObject({ isResourceRequest: false })
  })
})

describe('isLongRunning (BasicLongRunningRequestCheck)', () => {
  test('watches, proxies and the streaming subresources are long-running; everything else is not', () => {
    const lr = (method: string, url: string) => {
      const [path, q = ''] = url.split('?')
      return isLongRunning(requestInfo(method, path, q))
    }
    expect(lr('GET', '/api/v1/pods?watch=True')).toBe(true)
    expect(lr('GET', '/api/v1/pods?watch=')).toBe(true)
    expect(lr('GET', '/api/v1/pods?watch=false')).toBe(false)
    expect(lr('GET', '/api/v1/watch/namespaces/default/pods')).toBe(true)
    expect(lr('GET', '/api/v1/proxy/namespaces/default/pods/p')).toBe(true)
    for (const sub of ['log', 'exec', 'attach', 'portforward', 'proxy']) expect(lr('GET', `/api/v1/namespaces/default/pods/p/${sub}`), sub).toBe(true)
    expect(lr('GET', '/api/v1/namespaces/default/pods/log')).toBe(false)
    expect(lr('PUT', '/api/v1/namespaces/default/pods/p/status')).toBe(false)
    expect(lr('GET', '/version')).toBe(false)
  })
})

describe('RequestJournal', () => {
  function filled(n: number, capacity = 5): RequestJournal {
    const j = new RequestJournal(capacity)
    for (let i = 0; i < n; i++)
      j.finish(
        j.start('GET', `/api/v1/namespaces/ns${i % 2}/pods/p${i}?pretty=1&x=a&x=b`, i % 2 ? 'kubectl/v1.32.4 (linux/amd64)' : 'node-fetch'),
        i === 3 ? 404 : 200,
      )
    return j
  }

  test('keeps only the newest entries, oldest first, with decoded fields', () => {
    const items = filled(8).list()
    expect(items.map((r) => r.name)).toEqual(['p3', 'p4', 'p5', 'p6', 'p7'])
    expect(items[0]).toMatchObject({
      verb: 'get',
      resource: 'pods',
      namespace: 'ns1',
      method: 'GET',
      path: '/api/v1/namespaces/ns1/pods/p3',
      query: { pretty: '1', x: ['a', 'b'] },
      status: 404,
    })
    expect(items[0].durationMs).toBeGreaterThanOrEqual(0)
  })

  test('filters combine; since takes an id or a time; limit keeps the newest', () => {
    const j = filled(5, 10)
    expect(j.list({ userAgent: 'KUBECTL' }).map((r) => r.name)).toEqual(['p1', 'p3'])
    expect(j.list({ status: '4xx' }).map((r) => r.name)).toEqual(['p3'])
    expect(j.list({ status: 200, namespace: 'ns0' }).map((r) => r.name)).toEqual(['p0', 'p2', 'p4'])
    expect(j.list({ since: 3 }).map((r) => r.name)).toEqual(['p3', 'p4'])
    expect(j.list({ limit: 2 }).map((r) => r.name)).toEqual(['p3', 'p4'])
    expect(j.list({ resource: 'pods/status' })).toEqual([])
    expect(j.list({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([])
    expect(() => j.list({ since: 'yesterday' })).toThrow(/since/)
    j.clear()
    expect(j.list()).toEqual([])
  })
})
