/**
 * A small scale run in the suite (issue 9): 200 nodes, a 2,000-replica Deployment, manual clock.
 * It asserts convergence and that the API answers while the controllers are busy; the big
 * figures (5,000 nodes, 100,000 pods) live in `npm run bench:scale`, not in timed tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { Cluster } from '../src/cluster.js'

describe('scale: 200 nodes, 2,000 pods', () => {
  let cluster: Cluster
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0, nodes: 200 })
    app = await buildApp({ cluster })
    url = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await app.close()
    cluster.close()
  })

  it('answers a GET while the controllers work, and converges to 2,000 Running pods spread over the nodes', async () => {
    const created = await fetch(`${url}/apis/apps/v1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'big' },
        spec: {
          replicas: 2000,
          selector: { matchLabels: { app: 'big' } },
          template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        },
      }),
    })
    expect(created.status).toBe(201)
    // Requests are served between the controllers' turns: these GETs come back while work is queued.
    let answeredWhileBusy = 0
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${url}/api/v1/namespaces/default`)
      expect(r.status).toBe(200)
      if (cluster.controllers.pending() > 0) answeredWhileBusy++
    }
    expect(answeredWhileBusy).toBeGreaterThan(0)

    let ready = 0
    for (let step = 0; step < 120 && ready < 2000; step++) {
      await cluster.clock.advance(1000)
      const d = JSON.parse(await (await fetch(`${url}/apis/apps/v1/namespaces/default/deployments/big`)).text())
      ready = d.status?.readyReplicas ?? 0
    }
    expect(ready).toBe(2000)
    const pods = cluster.registry
      .resource('', 'pods')
      .list('default')
      .items.map((s) => s.obj as unknown as { spec: { nodeName?: string }; status: { phase?: string } })
    expect(pods).toHaveLength(2000)
    expect(pods.every((p) => p.status.phase === 'Running')).toBe(true)
    const perNode = new Map<string, number>()
    for (const p of pods) perNode.set(p.spec.nodeName ?? '', (perNode.get(p.spec.nodeName ?? '') ?? 0) + 1)
    // All 200 workers share the pods evenly (the control-plane node is tainted).
    expect(perNode.size).toBe(200)
    expect(Math.max(...perNode.values()) - Math.min(...perNode.values())).toBeLessThanOrEqual(2)
  }, 120_000)
})
