/** @module metrics-api.test: metrics.k8s.io/v1beta1 over HTTP (shapes, 404 texts, selectors, Table, discovery) and the usage control endpoints. */
import { describe, expect, it } from 'vitest'
import { controlHelpers } from '../../src/api/control.js'
import { metricsSourceFor } from '../../src/sim/usage/metrics-source.js'
import { useTestApp } from '../helpers/test-app.js'

const base = '/apis/metrics.k8s.io/v1beta1'
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'

describe('metrics.k8s.io over HTTP', () => {
  const t = useTestApp()
  const get = (url: string, accept?: string) => t.app.inject({ method: 'GET', url, headers: accept ? { accept } : {} })
  const put = (url: string, payload: unknown) => t.app.inject({ method: 'PUT', url, payload: payload as object })
  const pod = (name: string, labels: Record<string, string>, extra: object = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ...extra }] },
  })

  it('a pod shows once metrics-server would have scraped it twice, in its shapes', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', payload: pod('web', { app: 'web' }) })
    await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', payload: pod('db', { app: 'db' }) })
    await t.cluster.clock.advance(5000)
    expect((await get('/api/v1/namespaces/default/pods/web')).json().status.phase).toBe('Running')
    const early = await get(`${base}/namespaces/default/pods/web`)
    expect(early.statusCode).toBe(404)
    expect(early.json().message).toBe('podmetrics.metrics.k8s.io "default/web" not found')
    await t.cluster.clock.advance(31_000)
    const one = (await get(`${base}/namespaces/default/pods/web`)).json()
    expect(one).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    })
    expect(one.window).toMatch(/^1[01](\.\d{1,3})?s$/)
    expect(one.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Date.parse(one.timestamp)).toBeLessThanOrEqual(t.cluster.clock.now())
    expect(one.containers).toHaveLength(1)
    expect(one.containers[0].name).toBe('nginx')
    expect(one.containers[0].usage.cpu).toMatch(/^(0|\d+n|\d+u|\d+m)$/)
    expect(one.containers[0].usage.memory).toMatch(/^\d+Ki$/)
  })

  it('lists by namespace, label and field selector; 404 texts as metrics-server', async () => {
    const names = async (url: string) => (await get(url)).json().items.map((i: { metadata: { name: string } }) => i.metadata.name)
    expect(await names(`${base}/namespaces/default/pods`)).toEqual(['db', 'web'])
    expect(await names(`${base}/namespaces/default/pods?labelSelector=app%3Dweb`)).toEqual(['web'])
    expect(await names(`${base}/namespaces/default/pods?fieldSelector=metadata.name%3Ddb`)).toEqual(['db'])
    const all = await names(`${base}/pods`)
    expect(all).toContain('web')
    expect(all.some((n: string) => n.startsWith('coredns-'))).toBe(true)
    expect(all.some((n: string) => n.startsWith('metrics-server-'))).toBe(true)
    const missing = await get(`${base}/namespaces/default/pods/nope`)
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toBe('pods "nope" not found')
    expect((await get(`${base}/nodes/nope`)).json().message).toBe('nodes "nope" not found')
    expect((await t.app.inject({ method: 'DELETE', url: `${base}/namespaces/default/pods/web` })).statusCode).toBe(405)
    const watch = await get(`${base}/pods?watch=1`)
    expect([watch.statusCode, watch.json().message]).toEqual([405, 'watch is not supported on resources of kind "pods.metrics.k8s.io"'])
  })

  it('node usage is its system share plus its pods', async () => {
    const list = (await get(`${base}/nodes`)).json()
    expect(list.kind).toBe('NodeMetricsList')
    expect(list.metadata).toEqual({})
    expect(list.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([
      'kubemock-control-plane',
      'kubemock-worker',
      'kubemock-worker2',
      'kubemock-worker3',
    ])
    const node = (await get('/api/v1/namespaces/default/pods/web')).json().spec.nodeName
    const nm = (await get(`${base}/nodes/${node}`)).json()
    expect(nm).toMatchObject({ kind: 'NodeMetrics', metadata: { name: node } })
    const bytes = (m: string) => Number(m.replace(/Ki$/, '')) * 1024
    // A kind worker: ~20-35m and ~120-150Mi besides its pods.
    expect(bytes(nm.usage.memory)).toBeGreaterThan(120 * 2 ** 20)
    expect(bytes(nm.usage.memory)).toBeLessThan(300 * 2 ** 20)
  })

  it("prints metrics-server's table: Name, cpu, memory, Window", async () => {
    const table = (await get(`${base}/namespaces/default/pods`, tableAccept)).json()
    expect(table.kind).toBe('Table')
    expect(table.columnDefinitions.map((c: { name: string; format: string }) => `${c.name}/${c.format}`)).toEqual([
      'Name/name',
      'cpu/quantity',
      'memory/quantity',
      'Window/duration',
    ])
    expect(table.rows.map((r: { cells: unknown[] }) => r.cells[0])).toEqual(['db', 'web'])
  })

  it('serves discovery for the group as metrics-server registers it', async () => {
    const rl = (await get(`${base}`)).json()
    expect(rl.resources).toEqual([
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ])
    const groups = (await get('/apis')).json().groups.map((g: { name: string }) => g.name)
    expect(groups.at(-1)).toBe('metrics.k8s.io')
  })

  it('the control API sets usage per pod and per selector, exactly as metrics then report it', async () => {
    const r = await put('/kubemock/v1/namespaces/default/pods/web/usage', { cpu: '500m', memory: '200Mi' })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toEqual({ namespace: 'default', pod: 'web', usage: { cpu: '500m', memory: '200Mi' } })
    expect((await get(`${base}/namespaces/default/pods/web`)).json().containers[0].usage).toEqual({ cpu: '500m', memory: '200Mi' })
    const sel = await put('/kubemock/v1/namespaces/default/usage?labelSelector=app%3Ddb', { containers: [{ name: 'nginx', cpu: '1' }] })
    expect(sel.json()).toEqual({ namespace: 'default', labelSelector: 'app=db', usage: { containers: [{ name: 'nginx', cpu: '1' }] } })
    expect((await get(`${base}/namespaces/default/pods/db`)).json().containers[0].usage.cpu).toBe('1')
    // Future pods of the selector too.
    await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', payload: pod('db2', { app: 'db' }) })
    await t.cluster.clock.advance(40_000)
    expect((await get(`${base}/namespaces/default/pods/db2`)).json().containers[0].usage.cpu).toBe('1')
    expect((await t.app.inject({ method: 'DELETE', url: '/kubemock/v1/namespaces/default/pods/web/usage' })).json()).toEqual({
      namespace: 'default',
      pod: 'web',
      removed: true,
    })
    expect((await get(`${base}/namespaces/default/pods/web`)).json().containers[0].usage.cpu).not.toBe('500m')
    expect((await t.app.inject({ method: 'DELETE', url: '/kubemock/v1/namespaces/default/usage?labelSelector=app%3Ddb' })).json().removed).toBe(true)
    expect((await get(`${base}/namespaces/default/pods/db`)).json().containers[0].usage.cpu).not.toBe('1')
  })

  it('refuses bad usage requests with Status errors', async () => {
    const bad = async (url: string, body: unknown) => {
      const r = await put(url, body)
      return [r.statusCode, r.json().message]
    }
    expect(await bad('/kubemock/v1/namespaces/default/pods/nope/usage', { cpu: '1' })).toEqual([404, 'pods "nope" not found'])
    expect(await bad('/kubemock/v1/namespaces/nope/usage', { cpu: '1' })).toEqual([404, 'namespaces "nope" not found'])
    expect((await bad('/kubemock/v1/namespaces/default/pods/web/usage', { cpu: 'x' }))[0]).toBe(422)
    expect(await bad('/kubemock/v1/namespaces/default/pods/web/usage', { containers: [{ name: 'other', cpu: '1' }] })).toEqual([
      422,
      'Usage "web" is invalid: containers[0].name: Not found: "other"',
    ])
    expect((await bad('/kubemock/v1/namespaces/default/usage?labelSelector=a%3D%3D%3Db', { cpu: '1' }))[0]).toBe(400)
    const notJSON = await t.app.inject({
      method: 'PUT',
      url: '/kubemock/v1/namespaces/default/pods/web/usage',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    })
    expect(notJSON.statusCode).toBe(400)
  })

  it('the library helpers set and clear the same overrides, which metricsSourceFor (the HPA) reads', async () => {
    const h = controlHelpers(t.app.kubemock, t.cluster)
    expect(h.setPodUsage('default', 'web', { cpu: '750m' })).toEqual({ namespace: 'default', pod: 'web', usage: { cpu: '750m' } })
    expect(metricsSourceFor(t.cluster.registry).pod('default', 'web')?.containers[0].cpuNanoCores).toBe(750_000_000)
    expect(h.clearPodUsage('default', 'web')).toEqual({ namespace: 'default', pod: 'web', removed: true })
    h.setNamespaceUsage('default', '', { memory: '1Gi' })
    const all = metricsSourceFor(t.cluster.registry).pods('default')
    expect(all.length).toBeGreaterThan(1)
    for (const p of all) expect(p.containers[0].memoryBytes).toBe(2 ** 30)
    expect(h.clearNamespaceUsage('default')).toEqual({ namespace: 'default', removed: true })
    expect(() => h.setPodUsage('default', 'nope', {})).toThrow('pods "nope" not found')
  })
})
