/** @module core-extra-resources.test: componentstatuses (computed, get/list only) and the legacy bindings resource over HTTP. */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/test-app.js'

describe('componentstatuses and bindings over HTTP', () => {
  const t = useTestApp()

  it('lists three healthy components with the deprecation warning, gets one, refuses writes', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/componentstatuses' })
    expect(list.statusCode).toBe(200)
    expect(list.headers.warning).toBe('299 - "v1 ComponentStatus is deprecated in v1.19+"')
    const body = list.json()
    expect(body.kind).toBe('ComponentStatusList')
    expect(body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['controller-manager', 'scheduler', 'etcd-0'])
    // List items carry no kind/apiVersion, as a typed list encodes them.
    expect(body.items[2]).toEqual({ metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] })
    const one = await t.app.inject({ method: 'GET', url: '/api/v1/componentstatuses/scheduler' })
    expect(one.json()).toMatchObject({ kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'scheduler' } })
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/componentstatuses/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toBe('componentstatuses "nope" not found')
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/componentstatuses/scheduler' })
    expect(del.statusCode).toBe(405)
    const post = await t.app.inject({ method: 'POST', url: '/api/v1/componentstatuses', payload: { metadata: { name: 'x' } } })
    expect(post.statusCode).toBe(405)
  })

  it('binds a pod through POST /api/v1/namespaces/NS/bindings', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me' }, spec: { schedulerName: 'none', containers: [{ name: 'c', image: 'nginx' }] } }
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', payload: pod })).statusCode).toBe(201)
    const node = t.cluster.registry.resource('', 'nodes').list(undefined).items[0].obj.metadata.name
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: node } }
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/bindings', payload: binding })
    expect(r.statusCode).toBe(201)
    expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 })
    const got = await t.app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods/bind-me' })
    expect(got.json().spec.nodeName).toBe(node)
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/bindings', payload: binding })
    expect(again.statusCode).toBe(409)
    expect(again.json().message).toBe(`Operation cannot be fulfilled on pods/binding "bind-me": pod bind-me is already assigned to node "${node}"`)
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/namespaces/default/bindings' })
    expect(list.statusCode).toBe(405)
    const noTarget = await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/bindings', payload: { ...binding, target: {} } })
    expect(noTarget.statusCode).toBe(422)
  })
})
