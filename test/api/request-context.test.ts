/** @module request-context.test: what a request path addresses — segments, percent-escapes, namespaces, subresources. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTarget } from '../../src/api/request-context.js'
import { Cluster } from '../../src/cluster.js'

let cluster: Cluster
beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterAll(() => cluster.close())

const parse = (path: string) => parseTarget(cluster.registry, path, (g, v) => (g === '' && v === 'v1') || (g === 'apps' && v === 'v1'))

describe('parseTarget', () => {
  it('resolves namespaced objects and their subresources, and cluster-scoped ones', () => {
    expect(parse('/api/v1/namespaces/default/pods/web-1/log')).toMatchObject({
      type: 'resource',
      namespace: 'default',
      name: 'web-1',
      subresource: 'log',
      watchPrefix: false,
    })
    const proxy = parse('/api/v1/namespaces/default/pods/web-1/proxy/a/b')
    expect(proxy).toMatchObject({ subresource: 'proxy', subpath: 'a/b' })
    expect(parse('/api/v1/nodes/n1')).toMatchObject({ type: 'resource', namespace: '', name: 'n1' })
    expect(parse('/api/v1/namespaces/kube-system')).toMatchObject({ type: 'resource', namespace: '', name: 'kube-system' })
    expect(parse('/apis/apps/v1/watch/namespaces/default/deployments')).toMatchObject({ type: 'resource', namespace: 'default', watchPrefix: true })
  })

  it('decodes percent-escapes per segment and skips empty segments', () => {
    expect(parse('/api/v1/namespaces/default/configmaps/a%3Ab')).toMatchObject({ name: 'a:b' })
    expect(parse('/api/v1/namespaces/default/configmaps/a%2Fb')).toMatchObject({ name: 'a/b', subresource: undefined })
    expect(parse('//api//v1/namespaces/default/pods/')).toMatchObject({ type: 'resource', namespace: 'default', name: undefined })
  })

  it('answers discovery levels, and 400/404 for a bad escape or an unknown resource', () => {
    expect(parse('/api')).toEqual({ type: 'root', core: true })
    expect(parse('/apis/apps')).toEqual({ type: 'group', group: 'apps' })
    expect(parse('/apis/apps/v1')).toEqual({ type: 'groupVersion', group: 'apps', version: 'v1' })
    expect(() => parse('/api/v1/namespaces/default/pods/%E0%A4%A')).toThrow(expect.objectContaining({ code: 400, message: 'invalid path segment: %E0%A4%A' }))
    expect(() => parse('/api/v1/foos')).toThrow(expect.objectContaining({ code: 404 }))
    expect(() => parse('/apis/batch/v1/jobs')).toThrow(expect.objectContaining({ code: 404 }))
  })
})
