/** @module etcd-store.test: EtcdStore against a real etcd — key layout, revisions, compare-and-swap, two stores on one etcd, etcd going away and coming back. */
import { Etcd3 } from 'etcd3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EtcdStore, type EtcdResource } from '../../src/store/etcd-store.js'
import type { KubeObject } from '../../src/types.js'
import { startEtcd, type RunningEtcd } from '../helpers/etcd.js'

const layout: EtcdResource[] = [
  { resource: 'configmaps', prefix: 'configmaps' },
  { resource: 'services', prefix: 'services/specs' },
  { resource: 'endpoints', prefix: 'services/endpoints' },
  { resource: 'nodes', prefix: 'minions' },
]
const cm = (name: string, data: Record<string, string> = {}): KubeObject =>
  ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default' }, data }) as KubeObject

let etcd: RunningEtcd
let raw: Etcd3
const stores: EtcdStore[] = []
async function open(timeoutMs = 3000): Promise<EtcdStore> {
  const s = await EtcdStore.open({ endpoints: [etcd.url], resources: layout, timeoutMs })
  stores.push(s)
  return s
}

beforeAll(async () => {
  etcd = await startEtcd()
  raw = new Etcd3({ hosts: etcd.url })
})
afterAll(async () => {
  for (const s of stores) s.close()
  raw?.close()
  await etcd?.stop()
})

describe('EtcdStore', () => {
  it("keeps objects under kube-apiserver's keys, without resourceVersion, which is the mod_revision", async () => {
    const s = await open()
    const created = await s.create('configmaps', cm('a', { k: 'v' }))
    const kv = (await raw.get('/registry/configmaps/default/a').exec()).kvs[0]
    expect(Number(kv.mod_revision)).toBe(created.rv)
    const value = JSON.parse(kv.value.toString())
    expect(value).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } })
    expect(s.get('configmaps', 'default', 'a')?.obj.metadata.resourceVersion).toBe(String(created.rv))
    await s.create('nodes', { kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' } } as KubeObject)
    await s.create('services', { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'default' } } as KubeObject)
    const keys = (await raw.getAll().prefix('/registry/').keys()).sort()
    expect(keys).toEqual(['/registry/configmaps/default/a', '/registry/minions/n1', '/registry/services/specs/default/web'])
  })

  it('refuses a stale compare-and-swap with Conflict, a second create with AlreadyExists, a missing key with NotFound', async () => {
    const s = await open()
    const v1 = await s.create('configmaps', cm('cas'))
    const v2 = await s.update('configmaps', cm('cas', { x: '1' }), v1.rv)
    expect(v2.rv).toBeGreaterThan(v1.rv)
    await expect(s.update('configmaps', cm('cas', { x: '2' }), v1.rv)).rejects.toMatchObject({ code: 'Conflict' })
    await expect(s.create('configmaps', cm('cas'))).rejects.toMatchObject({ code: 'AlreadyExists' })
    await expect(s.delete('configmaps', 'default', 'nope')).rejects.toMatchObject({ code: 'NotFound' })
    const gone = await s.delete('configmaps', 'default', 'cas', v2.rv)
    expect(gone.obj.data).toEqual({ x: '1' })
    expect(s.get('configmaps', 'default', 'cas')).toBeUndefined()
  })

  it("sees another store's writes in its cache and watches, and their compare-and-swap races", async () => {
    const a = await open()
    const b = await open()
    const seen: string[] = []
    const stop = a.watch('configmaps', 'default', a.currentRV(), (ev) => seen.push(`${ev.type} ${ev.stored.obj.metadata.name} ${ev.rv}`))
    const made = await b.create('configmaps', cm('shared'))
    await expect.poll(() => a.get('configmaps', 'default', 'shared')?.rv).toBe(made.rv)
    // a reads the version b wrote; b changes it again first, so a's write loses.
    const fromA = a.get('configmaps', 'default', 'shared')!
    const newer = await b.update('configmaps', cm('shared', { by: 'b' }), made.rv)
    await expect(a.update('configmaps', cm('shared', { by: 'a' }), fromA.rv)).rejects.toMatchObject({ code: 'Conflict' })
    // After the Conflict, a's cache holds the winner, so a retry reads it.
    expect(a.get('configmaps', 'default', 'shared')?.rv).toBe(newer.rv)
    await expect.poll(() => seen).toEqual([`ADDED shared ${made.rv}`, `MODIFIED shared ${newer.rv}`])
    stop()
  })

  it('starts from what etcd holds, with resourceVersions that keep increasing', async () => {
    const a = await open()
    const before = await a.create('configmaps', cm('kept', { n: '1' }))
    const b = await open()
    expect(b.get('configmaps', 'default', 'kept')?.obj.data).toEqual({ n: '1' })
    expect(b.currentRV()).toBeGreaterThanOrEqual(before.rv)
    const next = await b.create('configmaps', cm('later'))
    expect(next.rv).toBeGreaterThan(before.rv)
  })

  it('fails a write with Timeout while etcd is away, and works again when it is back', async () => {
    const s = await open(1500)
    await etcd.kill()
    const t0 = Date.now()
    const err = await s.create('configmaps', cm('while-away')).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'Timeout' })
    expect(Date.now() - t0).toBeLessThan(6000)
    expect(s.healthy()).toBe(false)
    // Reads are served from the cache meanwhile.
    expect(s.get('configmaps', 'default', 'a')).toBeDefined()
    await etcd.restart()
    const back = await s.create('configmaps', cm('after'))
    expect(s.get('configmaps', 'default', 'after')?.rv).toBe(back.rv)
    expect(s.healthy()).toBe(true)
  }, 30_000)
})

describe('EtcdStore after a compaction', () => {
  it('lists again when its watch resumes below what etcd compacted, and applies what it missed', async () => {
    const a = await open()
    const b = await open()
    const seen = await a.create('configmaps', cm('gone-later'))
    // a stops following; meanwhile b writes and deletes, and etcd is compacted past a's revision.
    const inner = a as unknown as { watcher?: { cancel(): Promise<void> }; follow(rv: number): Promise<void> }
    await inner.watcher?.cancel()
    const from = a.currentRV()
    const added = await b.create('configmaps', cm('while-away', { n: '1' }))
    await b.delete('configmaps', 'default', 'gone-later', seen.rv)
    await b.compact(added.rv + 1)
    await inner.follow(from)
    await expect.poll(() => a.get('configmaps', 'default', 'while-away')?.obj.data, { timeout: 10_000 }).toEqual({ n: '1' })
    expect(a.get('configmaps', 'default', 'gone-later')).toBeUndefined()
    // And it follows again: a later write through b arrives.
    const later = await b.create('configmaps', cm('later-still'))
    await expect.poll(() => a.get('configmaps', 'default', 'later-still')?.rv, { timeout: 10_000 }).toBe(later.rv)
  }, 30_000)
})
