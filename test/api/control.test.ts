import { get, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { jsonOf } from '../helpers/json-body.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function setup() {
  const cluster = await Cluster.open({ speed: 0 })
  const app = await buildApp({ cluster })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address() as { port: number }
  cleanup.push(async () => {
    await app.close()
    cluster.close()
  })
  return { cluster, app, base: `http://127.0.0.1:${addr.port}` }
}

/** Opens a chunked watch; `done` resolves with everything received once the server ends it. */
function openWatch(url: string): Promise<{ res: IncomingMessage; done: Promise<string> }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      const done = new Promise<string>((r) => res.on('end', () => r(body)))
      resolve({ res, done })
    }).on('error', reject)
  })
}

const post = (base: string, path: string, body: unknown, method = 'POST') =>
  fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('faults over HTTP', () => {
  test('a status fault answers its Status once, is listed with hits, and removable by id', async () => {
    const { base } = await setup()
    const created = await post(base, '/kubemock/v1/faults', { verb: 'list', resource: 'pods', status: 503, retryAfterSeconds: 2, count: 1 })
    expect(created.status).toBe(201)
    const fault = await jsonOf(created)
    const first = await fetch(`${base}/api/v1/namespaces/default/pods`)
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('2')
    expect(await jsonOf(first)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503, details: { retryAfterSeconds: 2 } })
    expect((await fetch(`${base}/api/v1/namespaces/default/pods`)).status).toBe(200)
    expect((await jsonOf(fetch(`${base}/kubemock/v1/faults`))).items).toEqual([expect.objectContaining({ id: fault.id, remaining: 0, hits: 1 })])
    expect((await fetch(`${base}/kubemock/v1/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(200)
    const gone = await fetch(`${base}/kubemock/v1/faults/${fault.id}`, { method: 'DELETE' })
    expect(gone.status).toBe(404)
    expect((await jsonOf(gone)).message).toBe(`fault "${fault.id}" not found`)
  })

  test('latency delays matching requests only', async () => {
    const { base } = await setup()
    await post(base, '/kubemock/v1/faults', { resource: 'configmaps', latencyMs: 300 })
    let t = performance.now()
    expect((await fetch(`${base}/api/v1/namespaces/default/configmaps`)).status).toBe(200)
    expect(performance.now() - t).toBeGreaterThanOrEqual(290)
    t = performance.now()
    await fetch(`${base}/api/v1/namespaces/default/services`)
    expect(performance.now() - t).toBeLessThan(290)
  })

  test('dropWatch cuts open matching watches and new ones; others keep streaming', async () => {
    const { base } = await setup()
    const pods = await openWatch(`${base}/api/v1/namespaces/default/pods?watch=1`)
    const cms = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=1`)
    const f = await jsonOf(post(base, '/kubemock/v1/faults', { resource: 'pods', dropWatch: true, count: 2 }))
    await pods.done
    expect(await jsonOf(fetch(`${base}/kubemock/v1/faults/${f.id}`))).toMatchObject({ hits: 1, remaining: 1 })
    const again = await openWatch(`${base}/api/v1/namespaces/default/pods?watch=1`)
    expect(again.res.statusCode).toBe(200)
    expect(await again.done).toBe('')
    expect(cms.res.complete).toBe(false)
    cms.res.destroy()
  })

  test('replacing the state ends open watches with 410 Expired so clients re-list', async () => {
    const { base } = await setup()
    const w = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0`)
    const snap = await (await fetch(`${base}/kubemock/v1/snapshot`)).text()
    expect((await post(base, '/kubemock/v1/snapshot', snap, 'PUT')).status).toBe(200)
    const lines = (await w.done)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.at(-1)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })
    const old = await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1`)
    expect(await old.text()).toMatch(/"code":410/)
  })
})

describe('other control endpoints', () => {
  test('crash calls the kubelet hook for an existing container; unknown pods and containers are errors', async () => {
    const { base, cluster } = await setup()
    await cluster.registry.resource('', 'pods').create('default', { metadata: { name: 'web' }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } })
    const exit = vi.fn()
    cluster.sim.exitContainer = exit
    const ok = await post(base, '/kubemock/v1/namespaces/default/pods/web/crash', { exitCode: 137 })
    expect(await jsonOf(ok)).toEqual({ namespace: 'default', pod: 'web', container: 'nginx', exitCode: 137 })
    expect(exit).toHaveBeenCalledWith('default', 'web', 'nginx', 137, undefined)
    const missing = await post(base, '/kubemock/v1/namespaces/default/pods/nope/crash', {})
    expect(missing.status).toBe(404)
    expect((await jsonOf(missing)).message).toBe('pods "nope" not found')
    const badContainer = await post(base, '/kubemock/v1/namespaces/default/pods/web/crash', { container: 'x' })
    expect((await jsonOf(badContainer)).message).toBe('container x is not valid for pod web')
    const badCode = await post(base, '/kubemock/v1/namespaces/default/pods/web/crash', { exitCode: 300 })
    expect(badCode.status).toBe(422)
    expect((await jsonOf(badCode)).message).toBe('CrashRequest is invalid: exitCode: Invalid value: 300: must be <= 255')
    expect(exit).toHaveBeenCalledTimes(1)
  })

  test('images/fail makes a tag unpullable and restore brings it back', async () => {
    const { base, cluster } = await setup()
    expect(cluster.images.pull('nginx:1.16.0').ok).toBe(true)
    await post(base, '/kubemock/v1/images/fail', { image: 'nginx:1.16.0' })
    const failed = cluster.images.pull('nginx:1.16.0')
    expect(failed.ok).toBe(false)
    expect(cluster.images.pull('nginx:1.15.12').ok).toBe(true)
    await post(base, '/kubemock/v1/images/fail', { image: 'myorg/app:2' })
    expect(cluster.images.pull('myorg/app:2').ok).toBe(false)
    await post(base, '/kubemock/v1/images/restore', { image: 'nginx:1.16.0' })
    expect(cluster.images.pull('nginx:1.16.0')).toMatchObject({ ok: true, sizeBytes: 51_030_575 })
    await post(base, '/kubemock/v1/reset', {})
    expect(cluster.images.pull('myorg/app:2').ok).toBe(true)
  })

  test('bad control requests name the field and change nothing', async () => {
    const { base, cluster } = await setup()
    const now = cluster.clock.now()
    const r = await post(base, '/kubemock/v1/clock/advance', { seconds: -5 })
    expect(r.status).toBe(422)
    expect((await jsonOf(r)).message).toBe('ClockAdvance is invalid: seconds: Invalid value: -5: must be >= 0')
    expect((await post(base, '/kubemock/v1/clock/advance', '{"seconds":')).status).toBe(400)
    expect(cluster.clock.now()).toBe(now)
    expect((await post(base, '/kubemock/v1/faults', { status: 500, count: -1 })).status).toBe(422)
    expect((await jsonOf(fetch(`${base}/kubemock/v1/faults`))).items).toEqual([])
    const q = await fetch(`${base}/kubemock/v1/requests?limit=ten`)
    expect((await jsonOf(q)).message).toBe('invalid control request: limit: must be a non-negative integer, got "ten"')
  })

  test('the journal records API calls (not control calls) with user agent and status', async () => {
    const { base } = await setup()
    await fetch(`${base}/api/v1/namespaces/default/configmaps/missing`, { headers: { 'user-agent': 'contract-test/1.0' } })
    await fetch(`${base}/api/v1/nodes?limit=2`)
    const all = (await jsonOf(fetch(`${base}/kubemock/v1/requests`))).items
    expect(all.every((r: any) => !r.path.startsWith('/kubemock/'))).toBe(true)
    const mine = (await jsonOf(fetch(`${base}/kubemock/v1/requests?userAgent=contract-test`))).items
    expect(mine).toEqual([
      expect.objectContaining({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'missing', status: 404, userAgent: 'contract-test/1.0' }),
    ])
    const lists = (await jsonOf(fetch(`${base}/kubemock/v1/requests?verb=list&resource=nodes`))).items
    expect(lists).toEqual([expect.objectContaining({ query: { limit: '2' }, status: 200 })])
    await fetch(`${base}/kubemock/v1/requests`, { method: 'DELETE' })
    expect((await jsonOf(fetch(`${base}/kubemock/v1/requests`))).items).toEqual([])
  })
})

describe('activity log over HTTP', () => {
  test('GET /kubemock/v1/activity lists what the activity did, and reset empties it', async () => {
    const { parseScenario } = await import('../../src/sim/scenario.js')
    const scenario = parseScenario(`kind: Scenario
activity: { seed: 3, everySeconds: 10, jitterSeconds: 0, actions: [{ kind: job, namespaces: [default] }] }
`)
    const cluster = await Cluster.open({ speed: 0, scenario })
    const app = await buildApp({ cluster })
    cleanup.push(async () => {
      await app.close()
      cluster.close()
    })
    const before = (await app.inject({ url: '/kubemock/v1/activity' })).json()
    expect(before).toEqual({ kind: 'ActivityLog', running: true, items: [] })
    await cluster.clock.advance(20_000)
    const after = (await app.inject({ url: '/kubemock/v1/activity' })).json()
    expect(after.items.map((i: any) => [i.n, i.kind, i.target, i.detail])).toEqual([
      [1, 'job', 'Job default/activity-job-1', 'created; completes after 30s'],
      [2, 'job', 'Job default/activity-job-2', 'created; completes after 30s'],
    ])
    expect(after.items[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    expect((await app.inject({ method: 'POST', url: '/kubemock/v1/reset' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/kubemock/v1/activity' })).json().items).toEqual([])
  })

  test('a cluster without activity answers an empty log', async () => {
    const { app } = await setup()
    expect((await app.inject({ url: '/kubemock/v1/activity' })).json()).toEqual({ kind: 'ActivityLog', running: false, items: [] })
  })
})
