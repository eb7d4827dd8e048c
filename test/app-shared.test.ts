/** @module app-shared.test: buildSharedApp — one app, one set of routes, several clusters each on its own port, never seeing each other. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TokenAuthenticator } from '../src/api/auth.js'
import { buildSharedApp } from '../src/app.js'
import { Cluster } from '../src/cluster.js'

const json = { 'content-type': 'application/json' }

describe('one app serving three clusters', () => {
  const clusters: Cluster[] = []
  let app: FastifyInstance
  const ports: number[] = []
  const url = (i: number, path: string) => `http://127.0.0.1:${ports[i]}${path}`
  const bearer = (i: number) => ({ authorization: `Bearer token-${i}` })

  beforeAll(async () => {
    // A control-plane node and i + 1 workers: each cluster has a node count of its own.
    for (let i = 0; i < 3; i++) clusters.push(await Cluster.open({ speed: 0, nodes: i + 1 }))
    app = await buildSharedApp({
      clusters: clusters.map((cluster, i) => ({
        cluster,
        // The third cluster asks for no token: authentication is per cluster.
        ...(i < 2 ? { auth: new TokenAuthenticator([{ token: `token-${i}`, user: `user-${i}`, uid: String(i), groups: ['system:masters'] }]) } : {}),
      })),
    })
    for (const scope of app.kubemockClusters) {
      const server = scope.server!
      await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port: 0 }, done))
      ports.push((server.address() as { port: number }).port)
    }
  })
  afterAll(async () => {
    await app?.close()
    for (const c of clusters) c.close()
  })

  it('answers each port from its own cluster: nodes, writes and the journal stay apart', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url(i, '/api/v1/nodes'), { headers: i < 2 ? bearer(i) : {} })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(i + 2)
    }
    const created = await fetch(url(1, '/api/v1/namespaces'), {
      method: 'POST',
      headers: { ...json, ...bearer(1) },
      body: JSON.stringify({ metadata: { name: 'only-in-two' } }),
    })
    expect(created.status).toBe(201)
    expect((await fetch(url(1, '/api/v1/namespaces/only-in-two'), { headers: bearer(1) })).status).toBe(200)
    const elsewhere = await fetch(url(2, '/api/v1/namespaces/only-in-two'))
    expect(elsewhere.status).toBe(404)
    expect(((await elsewhere.json()) as { message: string }).message).toBe('namespaces "only-in-two" not found')
    const journal = async (i: number) =>
      ((await (await fetch(url(i, '/kubemock/v1/requests?verb=create'), { headers: i < 2 ? bearer(i) : {} })).json()) as { items: { resource?: string }[] })
        .items
    expect((await journal(1)).map((r) => r.resource)).toEqual(['namespaces'])
    expect(await journal(0)).toEqual([])
  })

  it("checks each cluster's own tokens", async () => {
    expect((await fetch(url(0, '/api/v1/nodes'), { headers: bearer(1) })).status).toBe(401)
    expect((await fetch(url(1, '/api/v1/nodes'), { headers: bearer(0) })).status).toBe(401)
    const review = await fetch(url(1, '/apis/authentication.k8s.io/v1/selfsubjectreviews'), {
      method: 'POST',
      headers: { ...json, ...bearer(1) },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    })
    expect(((await review.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username).toBe('user-1')
  })

  it('moves the clock of the cluster the control request is sent to only', async () => {
    const before = clusters.map((c) => c.clock.now())
    const res = await fetch(url(2, '/kubemock/v1/clock/advance'), { method: 'POST', headers: json, body: '{"seconds":60}' })
    expect(res.status).toBe(200)
    expect(clusters.map((c, i) => c.clock.now() - before[i])).toEqual([0, 0, 60_000])
  })

  it('answers /readyz and HEAD on every port', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url(i, '/readyz'))
      expect(await res.text()).toBe('ok')
      expect((await fetch(url(i, '/version'), { method: 'HEAD' })).status).toBe(200)
    }
  })

  it("streams a WebSocket watch from the port's cluster", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ports[2]}/api/v1/nodes?watch=true`)
    const names: string[] = []
    await new Promise<void>((done, fail) => {
      ws.on('message', (data) => {
        names.push((JSON.parse(String(data)) as { object: { metadata: { name: string } } }).object.metadata.name)
        if (names.length === 4) done()
      })
      ws.on('error', fail)
    })
    ws.close()
    expect(names).toEqual(['kubemock-control-plane', 'kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
  })

  it("serves a cluster's in-process requests (pods calling the API) from that cluster", async () => {
    const res = await clusters[1].registry.apiServerTransport!({ method: 'GET', path: '/api/v1/nodes', headers: bearer(1) })
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body) as { items: unknown[] }).items).toHaveLength(3)
    const third = await clusters[2].registry.apiServerTransport!({ method: 'GET', path: '/api/v1/nodes', headers: {} })
    expect((JSON.parse(third.body) as { items: unknown[] }).items).toHaveLength(4)
  })

  it('serves a cluster added while it runs, and closing it ends its watches but no other cluster', async () => {
    const extra = await Cluster.open({ speed: 0, nodes: 4 })
    try {
      const scope = app.kubemockAddCluster({ cluster: extra })
      const server = scope.server!
      await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port: 0 }, done))
      const port = (server.address() as { port: number }).port
      const nodes = await fetch(`http://127.0.0.1:${port}/api/v1/nodes`)
      expect(((await nodes.json()) as { items: unknown[] }).items).toHaveLength(5)
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/nodes?watch=true`)
      await new Promise((done) => ws.once('message', done))
      const ended = new Promise((done) => ws.once('close', done))
      await scope.close()
      await ended
      await expect(fetch(`http://127.0.0.1:${port}/version`)).rejects.toThrow()
      expect(app.kubemockClusters).toHaveLength(3)
      expect((await fetch(url(2, '/readyz'))).status).toBe(200)
    } finally {
      extra.close()
    }
  })
})
