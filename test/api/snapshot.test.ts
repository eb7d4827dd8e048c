import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, test } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { parse } from 'yaml'

const dump = readFileSync(new URL('../fixtures/scenarios/real-dump.yaml', import.meta.url), 'utf8')
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function setup() {
  const cluster = await Cluster.open({ speed: 0 })
  const app = await buildApp({ cluster })
  cleanup.push(async () => {
    await app.close()
    cluster.close()
  })
  return { cluster, app }
}

describe('snapshot', () => {
  test('GET exports every object as a v1 List with kinds, namespaces and nodes first; YAML on request', async () => {
    const { app, cluster } = await setup()
    const r = await app.inject({ url: '/kubemock/v1/snapshot' })
    const list = r.json()
    expect(list).toMatchObject({ kind: 'List', apiVersion: 'v1' })
    expect(list.items[0].kind).toBe('Namespace')
    expect(list.items.map((o: any) => o.kind)).toContain('Node')
    expect(list.items.every((o: any) => o.kind && o.apiVersion && o.metadata.resourceVersion)).toBe(true)
    expect(list.items.filter((o: any) => o.kind === 'Node')).toHaveLength(cluster.nodes.length)
    const y = await app.inject({ url: '/kubemock/v1/snapshot', headers: { accept: 'application/yaml' } })
    expect(y.headers['content-type']).toMatch(/application\/yaml/)
    expect(parse(y.body).items).toHaveLength(list.items.length)
  })

  test('PUT of a real cluster dump keeps uids, timestamps and status, drops resourceVersion and managedFields', async () => {
    const { app, cluster } = await setup()
    const r = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: dump, headers: { 'content-type': 'application/yaml' } })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ loaded: { Deployment: 1, ConfigMap: 1 }, objects: 2 })
    const d = cluster.registry.resource('apps', 'deployments').read('shop', 'web')!
    expect(d.metadata).toMatchObject({ uid: '6f1c2b8e-1111-4d5e-9c3b-0a1b2c3d4e5f', creationTimestamp: '2025-01-10T09:00:00Z' })
    expect(d.metadata.managedFields).toBeUndefined()
    expect(Number(d.metadata.resourceVersion)).not.toBe(81234)
    expect(d.status).toMatchObject({ availableReplicas: 1 })
    // Only what the dump holds (plus the namespaces it needs): the default nodes are gone.
    expect(cluster.registry.resource('', 'nodes').list(undefined).items).toHaveLength(0)
    expect(cluster.registry.resource('', 'namespaces').getStored('', 'shop')).toBeDefined()
  })

  test('an invalid snapshot is rejected as a whole and changes nothing', async () => {
    const { app, cluster } = await setup()
    const uids = () =>
      cluster.registry
        .resource('', 'nodes')
        .list(undefined)
        .items.map((s) => s.obj.metadata.uid)
    const before = uids()
    const bad = {
      kind: 'List',
      apiVersion: 'v1',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', namespace: 'default' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } },
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      ],
    }
    const r = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: bad })
    expect(r.statusCode).toBe(422)
    expect(r.json().message).toContain('items[1]: Invalid value: "Pod default/p": Pod "p" is invalid: spec.containers: Required value')
    expect(r.json().message).toContain('items[2].kind: Unsupported value: "example.com/v1/Widget"')
    expect(uids()).toEqual(before)
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'ok')).toBeUndefined()
    const garbage = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: 'items: [', headers: { 'content-type': 'application/yaml' } })
    expect(garbage.statusCode).toBe(400)
    expect(garbage.json().message).toMatch(/^invalid snapshot: not JSON or YAML/)
    expect(uids()).toEqual(before)
  })

  test('export → delete → PUT restores the objects with their uids', async () => {
    const { app, cluster } = await setup()
    const cms = cluster.registry.resource('', 'configmaps')
    await cms.create('default', { metadata: { name: 'keep' }, data: { a: '1' } })
    const snap = (await app.inject({ url: '/kubemock/v1/snapshot' })).body
    const uid = cms.read('default', 'keep')!.metadata.uid
    await cms.delete('default', 'keep')
    expect((await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: snap, headers: { 'content-type': 'application/json' } })).statusCode).toBe(
      200,
    )
    expect(cms.read('default', 'keep')).toMatchObject({ metadata: { uid }, data: { a: '1' } })
  })

  test('reset recreates the boot objects afresh and clears faults', async () => {
    const { app, cluster } = await setup()
    await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'extra' } })
    const nodeUID = cluster.registry.resource('', 'nodes').read('', cluster.nodes[0].name)!.metadata.uid
    await app.inject({ method: 'POST', url: '/kubemock/v1/faults', payload: { status: 500 } })
    const r = await app.inject({ method: 'POST', url: '/kubemock/v1/reset' })
    expect(r.statusCode).toBe(200)
    expect(cluster.registry.resource('', 'configmaps').read('default', 'extra')).toBeUndefined()
    const node = cluster.registry.resource('', 'nodes').read('', cluster.nodes[0].name)!
    expect(node.metadata.uid).not.toBe(nodeUID)
    expect(app.kubemock.faults.list()).toEqual([])
  })

  test('PUT answers 400 with a Status to deeply nested, alias-bomb, collection-key and %YAML 9.9 bodies, and changes nothing', async () => {
    const { app, cluster } = await setup()
    const keep = await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'keep' } })
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
    ].join('\n')
    const cases: [string, string, string][] = [
      ['application/yaml', `items:\n- ${'['.repeat(5000)}${']'.repeat(5000)}`, 'invalid snapshot: not JSON or YAML: yaml: line 2: exceeded max depth of 500'],
      ['application/yaml', bomb, 'invalid snapshot: not JSON or YAML: yaml: document contains excessive aliasing'],
      ['application/yaml', `items:\n${'- ? '.repeat(200)}x`, 'invalid snapshot: not JSON or YAML: yaml: invalid map key: []interface {}{…}'],
      ['application/yaml', '%YAML 9.9\n---\nkind: List\nitems: []\n', 'invalid snapshot: not JSON or YAML: yaml: found incompatible YAML document'],
      [
        'application/json',
        `{"kind":"List","items":[{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"},"data":${'['.repeat(20000)}${']'.repeat(20000)}}]}`,
        'invalid snapshot: exceeded max depth of 500',
      ],
    ]
    for (const [type, payload, message] of cases) {
      const r = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload, headers: { 'content-type': type } })
      expect(r.statusCode, message).toBe(400)
      expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 })
    }
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'keep')?.obj.metadata.uid).toBe(keep.obj.metadata.uid)
  })

  test("PUT refuses, before changing anything, an object over the store's size limit or a snapshot bigger than the quota", async () => {
    const { app, cluster } = await setup()
    const keep = await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'keep' } })
    const cm = (name: string, size: number) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'default' },
      data: { v: 'x'.repeat(size) },
    })
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'BIG', value: 'x'.repeat(1_600_000) }] }] },
    }
    const big = await app.inject({
      method: 'PUT',
      url: '/kubemock/v1/snapshot',
      payload: { kind: 'List', items: [cm('a', 10), pod] },
      headers: { 'content-type': 'application/json' },
    })
    expect(big.statusCode).toBe(422)
    expect(big.json().message).toMatch(
      /^ObjectList is invalid: items\[1\]: Too long: .*bytes serialized; the store takes at most 1572864 per object \(etcdserver: request is too large\)$/,
    )
    const small = await Cluster.open({ speed: 0, storageQuotaBytes: 500_000 })
    const smallApp = await buildApp({ cluster: small })
    cleanup.push(async () => {
      await smallApp.close()
      small.close()
    })
    const over = await smallApp.inject({
      method: 'PUT',
      url: '/kubemock/v1/snapshot',
      payload: { kind: 'List', items: [cm('a', 300_000), cm('b', 300_000)] },
      headers: { 'content-type': 'application/json' },
    })
    expect(over.statusCode).toBe(422)
    expect(over.json().message).toMatch(
      /^ObjectList is invalid: items: Too long: \d+ bytes serialized; the storage quota is 500000 \(etcdserver: mvcc: database space exceeded\)$/,
    )
    expect(small.registry.resource('', 'namespaces').getStored('', 'kube-system')).toBeDefined()
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'keep')?.obj.metadata.uid).toBe(keep.obj.metadata.uid)
  })
})

describe('PUT /kubemock/v1/snapshot past the storage quota', () => {
  test('is all or nothing: an import that runs out of space part-way puts every old object back', async () => {
    const cluster = await Cluster.open({ speed: 0, storageQuotaBytes: 250_000 })
    const app = await buildApp({ cluster })
    cleanup.push(async () => {
      await app.close()
      cluster.close()
    })
    // Let the controllers finish what they do at start (default ServiceAccounts, root CA maps, …).
    const settle = async () => {
      for (let i = 0; i < 50; i++) await new Promise((done) => setImmediate(done))
    }
    await settle()
    expect(cluster.store.storedBytes()).toBeLessThan(250_000)
    const before = cluster.store.storedBytes()
    const nodes = cluster.store.count('nodes')
    // The Namespace's annotation and the ConfigMap together pass the quota; each alone does not.
    const items = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big', annotations: { a: 'x'.repeat(200_000) } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'big' }, data: { v: 'y'.repeat(100_000) } },
    ]
    const r = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: { apiVersion: 'v1', kind: 'List', items } })
    expect(r.statusCode).toBeGreaterThanOrEqual(400)
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure' })
    expect(r.json().message).toMatch(/database space exceeded/)
    await settle()
    expect(cluster.store.count('nodes')).toBe(nodes)
    expect(cluster.store.storedBytes()).toBe(before)
    expect(cluster.registry.resource('', 'namespaces').getStored('', 'big')).toBeUndefined()
    // The cluster still works afterwards.
    expect((await app.inject({ url: '/api/v1/namespaces/default' })).statusCode).toBe(200)
  })
})
