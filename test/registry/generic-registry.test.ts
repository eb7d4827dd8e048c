import { describe, expect, it, vi } from 'vitest'
import type { StatusError } from '../../src/errors.js'
import { Registry } from '../../src/registry/registry.js'
import type { ResourceDefinition } from '../../src/registry/resource-definition.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

const namespaces: ResourceDefinition = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false }
const widgets: ResourceDefinition = {
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
  namespaced: true,
  hasGeneration: true,
  subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  selectableFields: (o) => ({ 'spec.color': String((o.spec as { color?: string } | undefined)?.color ?? '') }),
  fieldLabelAliases: { 'spec.colour': 'spec.color' },
  validate: (o) =>
    ((o.spec as { size?: number } | undefined)?.size ?? 0) < 0
      ? [{ type: 'FieldValueInvalid', field: 'spec.size', badValue: (o.spec as { size: number }).size, detail: 'must be greater than or equal to 0' }]
      : [],
  gracePeriod: (o, requested) => requested ?? (o.spec as { grace?: number } | undefined)?.grace ?? 0,
}

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions: [namespaces, widgets] })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return { clock, registry, w: registry.resource('example.com', 'widgets') }
}

const widget = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
})

describe('generic registry', () => {
  it('lists and watches without selectors through one shared predicate, and with them through their own', async () => {
    const { registry, w } = await setup()
    const all = w.predicate()
    expect(w.predicate('', '')).toBe(all)
    expect(registry.resource('', 'namespaces').predicate()).toBe(all)
    expect(all.empty && all.matches(widget('a'))).toBe(true)
    expect(Object.isFrozen(all) && Object.isFrozen(all.labels) && Object.isFrozen(all.fields)).toBe(true)
    const red = w.predicate('app=red', 'spec.colour=red')
    expect(red).not.toBe(all)
    expect(red.fields[0]!.field).toBe('spec.color')
    expect(red.matches(widget('a', { color: 'red' }, { app: 'red' }))).toBe(true)
    expect(red.matches(widget('a', { color: 'blue' }, { app: 'red' }))).toBe(false)
    await w.create('default', widget('a', {}, { app: 'red' }))
    expect(w.list('default', {}).items.length).toBe(1)
  })

  it('a shallow update shares what it does not replace, leaves the stored version intact and skips no-op writes', async () => {
    const { w } = await setup()
    const first = await w.create('default', widget('a', { color: 'red', parts: [{ n: 1 }] }, { app: 'x' }))
    const before = first.json
    const next = await w.guaranteedUpdate(
      'default',
      'a',
      (o) => {
        expect(o.spec).toBe(first.obj.spec)
        expect(o.metadata).not.toBe(first.obj.metadata)
        o.status = { phase: 'Ready' }
        return o
      },
      { subresource: 'status', shallow: true },
    )
    expect(next.rv).toBeGreaterThan(first.rv)
    expect(next.obj.status).toEqual({ phase: 'Ready' })
    expect(next.obj.spec).toBe(first.obj.spec)
    // The old version is what it was: its bytes and its parsed object.
    expect(first.json).toBe(before)
    expect(JSON.stringify(first.obj)).toBe(before)
    expect(first.obj.metadata.resourceVersion).toBe(String(first.rv))
    expect((await w.guaranteedUpdate('default', 'a', (o) => o, { subresource: 'status', shallow: true })).rv).toBe(next.rv)
  })

  it('a write that lost the race (Conflict from the store) is re-applied to the current object, as GuaranteedUpdate retries', async () => {
    const { registry, w } = await setup()
    const first = await w.create('default', widget('a', { color: 'red' }))
    // Another writer (another process over etcd) commits between this update's read and its write.
    const store = registry.store
    const update = store.update.bind(store)
    let raced = false
    vi.spyOn(store, 'update').mockImplementation(async (key, obj, rv, opts) => {
      if (!raced) {
        raced = true
        const other = structuredClone(first.obj)
        other.metadata.labels = { by: 'other' }
        await update(key, other, first.rv)
      }
      return update(key, obj, rv, opts)
    })
    let calls = 0
    const next = await w.guaranteedUpdate(
      'default',
      'a',
      (o) => {
        calls++
        o.status = { phase: 'Ready' }
        return o
      },
      { subresource: 'status' },
    )
    expect(calls).toBe(2)
    expect(next.obj.status).toEqual({ phase: 'Ready' })
    expect(next.obj.metadata.labels).toEqual({ by: 'other' })
    // A resourceVersion the caller pins still fails with the Conflict.
    const stale = String(next.rv - 1)
    await expect(w.guaranteedUpdate('default', 'a', (o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: stale } }))).rejects.toMatchObject({
      code: 409,
    })
  })

  it('draws a taken generateName again, 8 attempts in all, then answers AlreadyExists (RetryGenerateName)', async () => {
    const { w } = await setup()
    const random = vi.spyOn(Math, 'random')
    try {
      random.mockReturnValue(0)
      expect((await w.create('default', { metadata: { generateName: 'w-' } })).obj.metadata.name).toBe('w-bbbbb')
      // The first draw collides; the second (a different value) is free.
      random.mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(0.5)
      expect((await w.create('default', { metadata: { generateName: 'w-' } })).obj.metadata.name).toBe('w-rrrrr')
      random.mockReturnValue(0)
      let err: StatusError | undefined
      try {
        await w.create('default', { metadata: { generateName: 'w-' } })
      } catch (e) {
        err = e as StatusError
      }
      expect(err?.status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'widgets.example.com "w-bbbbb" already exists' })
      expect(random).toHaveBeenCalledTimes(5 + 10 + 8 * 5)
      // A fixed name is never redrawn.
      await expect(w.create('default', { metadata: { name: 'w-bbbbb' } })).rejects.toThrow(/already exists/)
    } finally {
      random.mockRestore()
    }
  })

  it('sets system metadata on create and ignores client values', async () => {
    const { w } = await setup()
    const s = await w.create('default', { metadata: { name: 'a', uid: 'mine', creationTimestamp: '2000-01-01T00:00:00Z' }, spec: {} })
    expect(s.obj.metadata.uid).not.toBe('mine')
    expect(s.obj.metadata.creationTimestamp).toBe('2026-11-27T10:00:00Z')
    expect(s.obj.metadata.generation).toBe(1)
    expect(s.obj.metadata.namespace).toBe('default')
    expect(s.obj.kind).toBe('Widget')
    expect(s.obj.apiVersion).toBe('example.com/v1')
  })

  it('generates names with a 5-character suffix from the Kubernetes alphabet', async () => {
    const { w } = await setup()
    const s = await w.create('default', { metadata: { generateName: 'web-' }, spec: {} })
    expect(s.obj.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  it('rejects duplicates, missing namespaces and invalid objects with the real texts', async () => {
    const { w } = await setup()
    await w.create('default', widget('a'))
    await expect(w.create('default', widget('a'))).rejects.toThrow('widgets.example.com "a" already exists')
    await expect(w.create('nope', widget('b'))).rejects.toThrow('namespaces "nope" not found')
    try {
      await w.create('default', widget('c', { size: -1 }))
      expect.unreachable()
    } catch (err) {
      expect((err as StatusError).status).toMatchObject({
        code: 422,
        reason: 'Invalid',
        message: 'Widget.example.com "c" is invalid: spec.size: Invalid value: -1: must be greater than or equal to 0',
      })
    }
  })

  it('bumps generation on spec changes only, keeps status on main updates, and skips no-op writes', async () => {
    const { w } = await setup()
    const a = await w.create('default', widget('a', { size: 1 }))
    const same = await w.update('default', 'a', { metadata: { name: 'a' }, spec: { size: 1 } })
    expect(same.rv).toBe(a.rv)
    const labelled = await w.update('default', 'a', { metadata: { name: 'a', labels: { x: 'y' } }, spec: { size: 1 } })
    expect(labelled.obj.metadata.generation).toBe(1)
    const st = await w.update('default', 'a', { metadata: { name: 'a' }, spec: { size: 99 }, status: { ready: true } }, { subresource: 'status' })
    expect(st.obj.status).toEqual({ ready: true })
    expect((st.obj.spec as { size: number }).size).toBe(1)
    const resized = await w.update('default', 'a', { metadata: { name: 'a' }, spec: { size: 2 }, status: { ready: false } })
    expect(resized.obj.metadata.generation).toBe(2)
    expect(resized.obj.status).toEqual({ ready: true })
  })

  it('answers a stale resourceVersion with the real Conflict text', async () => {
    const { w } = await setup()
    const a = await w.create('default', widget('a'))
    await w.update('default', 'a', widget('a', { size: 3 }))
    await expect(w.update('default', 'a', { ...widget('a', { size: 4 }), metadata: { name: 'a', resourceVersion: String(a.rv) } })).rejects.toThrow(
      'Operation cannot be fulfilled on widgets.example.com "a": the object has been modified; please apply your changes to the latest version and try again',
    )
  })

  it('deletes gracefully, holds finalized objects, and removes them when finalizers clear', async () => {
    const { w, clock } = await setup()
    await w.create('default', widget('g', { grace: 30 }))
    const res = await w.delete('default', 'g')
    expect(res.outcome).toBe('pending')
    expect(res.stored.obj.metadata.deletionTimestamp).toBe(new Date(clock.now() + 30_000).toISOString().replace('.000', ''))
    expect((await w.delete('default', 'g', { gracePeriodSeconds: 0 })).outcome).toBe('deleted')

    await w.create('default', { metadata: { name: 'f', finalizers: ['example.com/hold'] }, spec: {} })
    expect((await w.delete('default', 'f')).outcome).toBe('pending')
    await expect(w.update('default', 'f', { metadata: { name: 'f', finalizers: ['example.com/hold', 'new'] }, spec: {} })).rejects.toThrow('no new finalizers')
    await w.update('default', 'f', { metadata: { name: 'f', finalizers: [] }, spec: {} })
    expect(w.getStored('default', 'f')).toBeUndefined()
  })

  it('checks delete preconditions', async () => {
    const { w } = await setup()
    await w.create('default', widget('p'))
    await expect(w.delete('default', 'p', { preconditions: { uid: 'other' } })).rejects.toThrow(
      /Precondition failed: UID in precondition: other, UID in object meta: /,
    )
  })

  it('lists with selectors and paginates with continue tokens', async () => {
    const { w } = await setup()
    for (let i = 0; i < 5; i++) await w.create('default', widget(`w${i}`, { color: i % 2 ? 'red' : 'blue' }, { app: i < 3 ? 'x' : 'y' }))
    expect(w.list('default', { labelSelector: 'app=x' }).items.map((s) => s.obj.metadata.name)).toEqual(['w0', 'w1', 'w2'])
    expect(w.list('default', { fieldSelector: 'spec.color=red' }).items.map((s) => s.obj.metadata.name)).toEqual(['w1', 'w3'])
    expect(() => w.list('default', { fieldSelector: 'spec.size=1' })).toThrow('field label not supported: spec.size')
    // A legacy label the definition's field-label conversion renames (pods: spec.host → spec.nodeName).
    expect(w.list('default', { fieldSelector: 'spec.colour=red' }).items.map((s) => s.obj.metadata.name)).toEqual(['w1', 'w3'])
    const p1 = w.list('default', { limit: 2 })
    expect(p1.items.map((s) => s.obj.metadata.name)).toEqual(['w0', 'w1'])
    expect(p1.remainingItemCount).toBe(3)
    const p2 = w.list('default', { limit: 2, continue: p1.continue })
    expect(p2.items.map((s) => s.obj.metadata.name)).toEqual(['w2', 'w3'])
    const p3 = w.list('default', { limit: 2, continue: p2.continue })
    expect(p3.items.map((s) => s.obj.metadata.name)).toEqual(['w4'])
    expect(p3.continue).toBeUndefined()
  })

  it('watches: initial ADDED without a resourceVersion, selector transitions as ADDED/DELETED', async () => {
    const { w } = await setup()
    await w.create('default', widget('a', {}, { app: 'x' }))
    const seen: string[] = []
    const { stop } = w.watch('default', { labelSelector: 'app=x' }, (e) => seen.push(`${e.type}:${e.stored.obj.metadata.name}`))
    await w.create('default', widget('b', {}, { app: 'y' }))
    await w.update('default', 'b', widget('b', {}, { app: 'x' }))
    await w.update('default', 'a', widget('a', {}, { app: 'z' }))
    stop()
    await w.delete('default', 'b')
    expect(seen).toEqual(['ADDED:a', 'ADDED:b', 'DELETED:a'])
  })

  it('rejects a list at a resourceVersion newer than the store', async () => {
    const { w } = await setup()
    expect(() => w.list('default', { resourceVersion: '999' })).toThrow(/Too large resource version: 999, current: \d+/)
  })

  describe('list resourceVersion semantics', () => {
    async function history(historySize = 10_000) {
      const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
      const registry = new Registry({ store: new MemoryStore({ historySize }), clock, definitions: [namespaces, widgets] })
      await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
      const w = registry.resource('example.com', 'widgets')
      const a = await w.create('default', widget('a', { size: 1 }))
      const before = w.currentRV()
      await w.create('default', widget('b'))
      await w.update('default', 'a', { ...a.obj, spec: { size: 2 } })
      return { w, before, clock }
    }
    const status = (f: () => unknown) => {
      try {
        f()
      } catch (err) {
        return (err as StatusError).status
      }
      throw new Error('expected a failure')
    }

    it('Exact lists the state at that resourceVersion, with it as the list resourceVersion', async () => {
      const { w, before } = await history()
      const res = w.list('default', { resourceVersion: String(before), resourceVersionMatch: 'Exact' })
      expect(res.resourceVersion).toBe(before)
      expect(res.items.map((s) => [s.obj.metadata.name, (s.obj.spec as { size?: number }).size])).toEqual([['a', 1]])
      const now = w.list('default', { resourceVersion: String(before), resourceVersionMatch: 'NotOlderThan' })
      expect(now.resourceVersion).toBe(w.currentRV())
      expect(now.items.map((s) => s.obj.metadata.name)).toEqual(['a', 'b'])
    })

    it('a paged list at resourceVersion N (no match) is served exactly at N, and its continue token stays there', async () => {
      const { w, before } = await history()
      await w.create('default', widget('0-first'))
      const page1 = w.list('default', { resourceVersion: String(before), limit: 1 })
      expect(page1.items.map((s) => s.obj.metadata.name)).toEqual(['a'])
      expect(page1.resourceVersion).toBe(before)
      expect(page1.continue).toBeUndefined()
      const fresh = w.list('default', { limit: 2 })
      await w.create('default', widget('c'))
      const page2 = w.list('default', { continue: fresh.continue, limit: 5 })
      expect(page2.items.map((s) => s.obj.metadata.name)).toEqual(['b'])
      expect(page2.resourceVersion).toBe(fresh.resourceVersion)
    })

    it("older than the history is 410 Expired; newer than the store is etcd's future-revision error", async () => {
      const { w } = await history(2)
      expect(status(() => w.list('default', { resourceVersion: '1', resourceVersionMatch: 'Exact' }))).toMatchObject({
        code: 410,
        reason: 'Expired',
        message: 'The resourceVersion for the provided list is too old.',
      })
      const future = status(() => w.list('default', { resourceVersion: '999', resourceVersionMatch: 'Exact' }))
      expect(future).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'etcdserver: mvcc: required revision is a future revision',
        code: 500,
      })
    })

    it('a continue token reads its state after the history moved on, until etcd would have compacted it; then 410 with a token to go on', async () => {
      const { w, clock } = await history(2)
      const first = w.list('default', { limit: 1 })
      for (const n of ['x', 'y', 'z']) await w.create('default', widget(n))
      const kept = w.list('default', { continue: first.continue, limit: 10 })
      expect(kept.items.map((s) => s.obj.metadata.name)).toEqual(['b'])
      expect(kept.resourceVersion).toBe(first.resourceVersion)
      await clock.advance(5 * 60_000)
      const err = status(() => w.list('default', { continue: first.continue, limit: 1 }))
      expect(err).toMatchObject({ code: 410, reason: 'Expired' })
      expect(err.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./)
      const next = w.list('default', { continue: String(err.metadata.continue), limit: 10 })
      expect(next.items.map((s) => s.obj.metadata.name)).toEqual(['b', 'x', 'y', 'z'])
      expect(next.resourceVersion).toBe(w.currentRV())
    })

    it('NotOlderThan in the future is 504 Timeout with a retry hint from the cache, none from a paged etcd list', async () => {
      const { w } = await history()
      const cached = status(() => w.list('default', { resourceVersion: '999', resourceVersionMatch: 'NotOlderThan' }))
      expect(cached).toMatchObject({
        code: 504,
        reason: 'Timeout',
        message: `Timeout: Too large resource version: 999, current: ${w.currentRV()}`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
      })
      const paged = status(() => w.list('default', { resourceVersion: '999', resourceVersionMatch: 'NotOlderThan', limit: 1 }))
      expect(paged.details).toEqual({ causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] })
      expect(status(() => w.list('default', { resourceVersion: '3', continue: 'x' })).message).toBe(
        'specifying resource version is not allowed when using continue',
      )
    })
  })

  it('a watch from a resourceVersion not reached yet waits for it and sends only newer events', async () => {
    const { w } = await setup()
    const future = w.currentRV() + 2
    const seen: string[] = []
    const { stop } = w.watch('default', { resourceVersion: String(future) }, (ev) => seen.push(`${ev.type} ${ev.stored.obj.metadata.name} ${ev.stored.rv}`))
    await w.create('default', widget('one'))
    await w.create('default', widget('two'))
    await w.create('default', widget('three'))
    stop()
    expect(seen).toEqual([`ADDED three ${future + 1}`])
  })

  it('waitUntilFresh resolves on the write that reaches the resourceVersion, or after the timeout', async () => {
    const { w } = await setup()
    const target = w.currentRV() + 1
    let done = false
    const p = w.waitUntilFresh(target, 60_000).then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false)
    await w.create('default', widget('x'))
    await p
    expect(done).toBe(true)
    const t0 = Date.now()
    await w.waitUntilFresh(w.currentRV() + 5, 50)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45)
  })
})
