import { describe, expect, it } from 'vitest'
import { MemoryStore, StoreError } from '../../src/store/object-store.js'
import type { StoreEvent } from '../../src/store/watch-hub.js'

const cm = (ns: string, name: string, data: Record<string, string> = {}) => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: ns }, data })

describe('MemoryStore', () => {
  it('keeps a compact write as bytes once its watchers saw the object, and parses it on each read', async () => {
    const s = new MemoryStore()
    const seen: unknown[] = []
    s.watch('events', undefined, 0, (ev) => seen.push(ev.stored.obj))
    const input = cm('default', 'e', { reason: 'Pulled' })
    const created = await s.create('events', input, { compact: true })
    // The watcher got the written object itself, during the write.
    expect(seen[0]).toBe(input)
    const read = s.get('events', 'default', 'e')!.obj
    expect(read).not.toBe(input)
    expect(read).toEqual({ ...input, metadata: { ...input.metadata, resourceVersion: String(created.rv) } })
    // Each read is a private parse: mutating one cannot reach the store.
    ;(read.data as Record<string, string>).reason = 'changed'
    expect((s.get('events', 'default', 'e')!.obj.data as Record<string, string>).reason).toBe('Pulled')
    const updated = await s.update('events', { ...read, data: { reason: 'Started' } }, created.rv, { compact: true })
    expect(s.get('events', 'default', 'e')!.obj).toEqual(JSON.parse(updated.json))
    expect(s.list('events').map((x) => (x.obj.data as Record<string, string>).reason)).toEqual(['Started'])
    // Non-compact writes keep the parsed object.
    const kept = cm('default', 'k')
    await s.create('configmaps', kept)
    expect(s.get('configmaps', 'default', 'k')!.obj).toBe(kept)
  })

  it('stamps one global resourceVersion across resources and serializes once', async () => {
    const s = new MemoryStore()
    const a = await s.create('configmaps', cm('default', 'a'))
    const b = await s.create('secrets', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'b', namespace: 'default' } })
    expect(a.rv).toBe(1)
    expect(b.rv).toBe(2)
    expect(JSON.parse(a.json).metadata.resourceVersion).toBe('1')
    expect(a.itemJSON()).toBe('{"metadata":{"name":"a","namespace":"default","resourceVersion":"1"},"data":{}}')
  })

  it('lists sorted by namespace then name, and one namespace alone', async () => {
    const s = new MemoryStore()
    for (const [ns, n] of [
      ['b', 'z'],
      ['a', 'y'],
      ['b', 'a'],
      ['ab', 'q'],
    ])
      await s.create('configmaps', cm(ns, n))
    expect(s.list('configmaps').map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`)).toEqual(['a/y', 'ab/q', 'b/a', 'b/z'])
    expect(s.list('configmaps', 'b').map((x) => x.obj.metadata.name)).toEqual(['a', 'z'])
    expect(s.list('configmaps', 'a').map((x) => x.obj.metadata.name)).toEqual(['y'])
  })

  it('rejects duplicates and stale compare-and-swap writes', async () => {
    const s = new MemoryStore()
    const a = await s.create('configmaps', cm('default', 'a'))
    await expect(s.create('configmaps', cm('default', 'a'))).rejects.toThrowError(StoreError)
    await s.update('configmaps', cm('default', 'a', { k: 'v' }), a.rv)
    await expect(s.update('configmaps', cm('default', 'a', { k: 'w' }), a.rv)).rejects.toThrow(expect.objectContaining({ code: 'Conflict' }))
    await expect(s.delete('configmaps', 'default', 'a', a.rv)).rejects.toThrow(expect.objectContaining({ code: 'Conflict' }))
  })

  it('replays history after a resourceVersion and then streams live events', async () => {
    const s = new MemoryStore()
    const a = await s.create('configmaps', cm('default', 'a'))
    await s.update('configmaps', cm('default', 'a', { x: '1' }))
    await s.create('configmaps', cm('other', 'b'))
    const seen: StoreEvent[] = []
    s.watch('configmaps', 'default', a.rv, (e) => seen.push(e))
    await s.delete('configmaps', 'default', 'a')
    expect(seen.map((e) => [e.type, e.rv])).toEqual([
      ['MODIFIED', 2],
      ['DELETED', 4],
    ])
    // The DELETED event carries the last state with the deletion's own resourceVersion.
    expect(JSON.parse(seen[1].stored.json).metadata.resourceVersion).toBe('4')
    expect(JSON.parse(seen[1].stored.json).data).toEqual({ x: '1' })
  })

  it('answers Expired for a resourceVersion that fell out of the history window', async () => {
    const s = new MemoryStore({ historySize: 3 })
    for (let i = 0; i < 5; i++) await s.create('configmaps', cm('default', `c${i}`))
    expect(() => s.watch('configmaps', undefined, 1, () => {})).toThrow('too old resource version: 1 (2)')
    const seen: number[] = []
    s.watch('configmaps', undefined, 2, (e) => seen.push(e.rv))
    expect(seen).toEqual([3, 4, 5])
  })

  it('counts the serialized bytes of current objects: creates, updates and deletes move the total', async () => {
    const s = new MemoryStore()
    const a = await s.create('configmaps', cm('default', 'a', { k: 'é' }))
    expect(a.size).toBe(Buffer.byteLength(a.json))
    expect(a.size).toBe(a.json.length + 1) // é is two UTF-8 bytes
    const b = await s.create('configmaps', cm('default', 'b'))
    expect(s.storedBytes()).toBe(a.size + b.size)
    const a2 = await s.update('configmaps', cm('default', 'a', { k: 'longer value' }))
    expect(s.storedBytes()).toBe(a2.size + b.size)
    await s.delete('configmaps', 'default', 'b')
    expect(s.storedBytes()).toBe(a2.size)
    await s.clear()
    expect(s.storedBytes()).toBe(0)
  })

  it('refuses writes that would pass the quota (NoSpace) but lets shrinking writes, deletion marks and deletes through', async () => {
    const probe = await new MemoryStore().create('configmaps', cm('default', 'a', { v: 'x'.repeat(100) }))
    const s = new MemoryStore({ quotaBytes: probe.size * 2 + 10 })
    await s.create('configmaps', cm('default', 'a', { v: 'x'.repeat(100) }))
    await s.create('configmaps', cm('default', 'b', { v: 'x'.repeat(100) }))
    const rvBefore = s.currentRV()
    const big = cm('default', 'c', { v: 'x'.repeat(100) })
    await expect(s.create('configmaps', big)).rejects.toThrow(expect.objectContaining({ code: 'NoSpace' }))
    expect(big.metadata).not.toHaveProperty('resourceVersion')
    await expect(s.update('configmaps', cm('default', 'a', { v: 'x'.repeat(120) }))).rejects.toThrow(expect.objectContaining({ code: 'NoSpace' }))
    // Nothing was stored and no resourceVersion was used up by the failed writes.
    expect(s.currentRV()).toBe(rvBefore)
    expect(s.get('configmaps', 'default', 'c')).toBeUndefined()
    expect(s.get('configmaps', 'default', 'a')!.obj.data).toEqual({ v: 'x'.repeat(100) })
    await s.update('configmaps', cm('default', 'a', { v: 'x'.repeat(50) }))
    await s.update(
      'configmaps',
      {
        ...cm('default', 'b', { v: 'x'.repeat(100) }),
        metadata: { name: 'b', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['f'] },
      },
      undefined,
      { deleting: true },
    )
    await s.delete('configmaps', 'default', 'b')
    expect((await s.create('configmaps', big)).obj.metadata.name).toBe('c')
  })

  it('refuses an object whose serialized form is over the request limit (TooLarge), whatever the quota', async () => {
    const s = new MemoryStore({ maxObjectBytes: 1000 })
    await expect(s.create('configmaps', cm('default', 'a', { v: 'x'.repeat(1000) }))).rejects.toThrow(expect.objectContaining({ code: 'TooLarge' }))
    await s.create('configmaps', cm('default', 'a'))
    await expect(s.update('configmaps', cm('default', 'a', { v: 'x'.repeat(1000) }), undefined, { deleting: true })).rejects.toThrow(
      expect.objectContaining({ code: 'TooLarge' }),
    )
    expect((await new MemoryStore().create('configmaps', cm('default', 'a', { v: 'x'.repeat(1.5 * 1024 * 1024 - 200) }))).size).toBeLessThanOrEqual(
      1.5 * 1024 * 1024,
    )
    await expect(new MemoryStore().create('configmaps', cm('default', 'a', { v: 'x'.repeat(1.5 * 1024 * 1024) }))).rejects.toThrow(
      expect.objectContaining({ code: 'TooLarge' }),
    )
  })

  it('drops the oldest history while it holds more bytes than historyBytes, so old copies are not pinned', async () => {
    const s = new MemoryStore({ historyBytes: 5000 })
    const first = await s.create('configmaps', cm('default', 'a', { v: 'x'.repeat(1000) }))
    for (let i = 0; i < 20; i++) await s.update('configmaps', cm('default', 'a', { v: String(i).repeat(1000) }))
    expect(s.hub.historyBytes()).toBeLessThanOrEqual(5000)
    expect(() => s.watch('configmaps', undefined, first.rv, () => {})).toThrow(expect.objectContaining({ code: 'Expired' }))
    const seen: number[] = []
    s.watch('configmaps', undefined, s.currentRV() - 1, (e) => seen.push(e.rv))
    expect(seen).toEqual([s.currentRV()])
  })

  it('keeps one serialized form per version: the watch line of its change, of which the object bytes are a view', async () => {
    const s = new MemoryStore()
    const small = await s.create('configmaps', cm('default', 's'))
    expect(small.watchLine('ADDED')).toBe(small.watchLine('ADDED'))
    expect(small.watchLine('ADDED').toString()).toBe(`{"type":"ADDED","object":${small.json}}\n`)
    expect(small.bytes().buffer).toBe(small.watchLine('ADDED').buffer)
    // Other event types (a replay, a selector that stops matching) are built on demand.
    expect(small.watchLine('MODIFIED').toString()).toBe(`{"type":"MODIFIED","object":${small.json}}\n`)
    const big = await s.update('configmaps', cm('default', 's', { v: 'x'.repeat(100_000) }))
    const json = big.json
    expect(big.size).toBe(Buffer.byteLength(json))
    expect(big.bytes().toString()).toBe(json)
    expect(big.watchLine('MODIFIED')).toBe(big.watchLine('MODIFIED'))
    expect(big.watchLine('DELETED').toString()).toBe(`{"type":"DELETED","object":${json}}\n`)
    expect(Buffer.concat(big.itemBytes()).toString()).toBe(big.itemJSON())
    expect(JSON.parse(big.itemJSON())).not.toHaveProperty('kind')
  })

  it('keeps bytes for current versions only: a replaced or deleted version is its parsed object, serialized again for a watcher resuming from before it', async () => {
    const s = new MemoryStore()
    const lines: string[] = []
    const sent: Buffer[] = []
    s.watch('configmaps', undefined, 0, (ev) => {
      sent.push(ev.stored.watchLine(ev.type))
      lines.push(ev.stored.watchLine(ev.type).toString())
    })
    const v1 = await s.create('configmaps', cm('default', 'a', { v: 'x'.repeat(500) }))
    const v2 = await s.update('configmaps', { ...v1.obj, metadata: { ...v1.obj.metadata }, data: { v: 'y'.repeat(500) } })
    await s.create('configmaps', cm('default', 'b', { v: 'z'.repeat(500) }))
    await s.delete('configmaps', 'default', 'b')
    // The arenas hold a's current version alone, and the replaced one let its bytes go.
    expect(s.arenaStats().liveBytes).toBe(v2.watchLine('MODIFIED').length)
    expect(v2.watchLine('MODIFIED')).toBe(sent[1])
    expect(v1.watchLine('ADDED')).not.toBe(sent[0])
    expect(v1.watchLine('ADDED').equals(sent[0])).toBe(true)
    // A watcher from the start gets the same four lines as the one that was there.
    const replayed: string[] = []
    s.watch('configmaps', undefined, 0, (ev) => replayed.push(ev.stored.watchLine(ev.type).toString()))
    expect(replayed).toEqual(lines)
    expect(replayed.map((l) => JSON.parse(l).type)).toEqual(['ADDED', 'MODIFIED', 'ADDED', 'DELETED'])
    expect(v1.json).toBe(JSON.stringify(v1.obj))
    // The state at v1 lists v1's bytes.
    expect(s.listAt('configmaps', undefined, v1.rv).map((x) => x.json)).toEqual([JSON.stringify(v1.obj)])
  })

  it('keeps a parsed-only write without bytes, serializing it on each read (weakly held for the next)', async () => {
    const s = new MemoryStore()
    const lines: string[] = []
    s.watch('clusterroles', undefined, 0, (ev) => lines.push(ev.stored.watchLine(ev.type).toString()))
    const rules = Object.freeze([Object.freeze({ verbs: ['get'], resources: ['pods'], apiGroups: [''] })])
    const role = { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r' }, rules }
    const v1 = await s.create('clusterroles', role, { parsed: true })
    expect(s.arenaStats().liveBytes).toBe(0)
    expect(s.get('clusterroles', '', 'r')!.obj).toBe(role)
    expect(v1.json).toBe(JSON.stringify(role))
    expect(v1.size).toBe(Buffer.byteLength(JSON.stringify(role)))
    expect(s.storedBytes()).toBe(v1.size)
    expect(lines).toEqual([`{"type":"ADDED","object":${JSON.stringify(role)}}\n`])
    // An update of it is parsed-only too, and its watchers get its line.
    const v2 = await s.update(
      'clusterroles',
      { ...role, metadata: { ...v1.obj.metadata }, rules: [...rules, { verbs: ['list'], resources: ['pods'], apiGroups: [''] }] },
      v1.rv,
      { parsed: true },
    )
    expect(s.arenaStats().liveBytes).toBe(0)
    expect(lines[1]).toBe(`{"type":"MODIFIED","object":${JSON.stringify(v2.obj)}}\n`)
    expect(JSON.parse(Buffer.concat(v2.itemBytes()).toString())).toEqual({ metadata: v2.obj.metadata, rules: v2.obj.rules })
  })

  it('puts back what a checkpoint held with bytes in the arenas again, also the versions replaced since', async () => {
    const s = new MemoryStore()
    const a1 = await s.create('configmaps', cm('default', 'a', { v: '1' }))
    const b1 = await s.create('configmaps', cm('default', 'b', { v: '1' }))
    const restore = await s.checkpoint()
    await s.update('configmaps', { ...a1.obj, metadata: { ...a1.obj.metadata }, data: { v: '2' } })
    await s.clear()
    await restore()
    expect(s.list('configmaps').map((x) => x.json)).toEqual([JSON.stringify(a1.obj), JSON.stringify(b1.obj)])
    expect(s.arenaStats().liveBytes).toBe(a1.watchLine('ADDED').length + b1.watchLine('ADDED').length)
    expect(s.storedBytes()).toBe(a1.size + b1.size)
    // The next write of a copies from its bytes again.
    const a2 = await s.update('configmaps', { ...a1.obj, metadata: { ...a1.obj.metadata }, data: { v: '3' } })
    expect(a2.json).toBe(JSON.stringify(a2.obj))
  })

  it('serializes a write that shares fields with the version it replaces to exactly JSON.stringify, copying the shared ones', async () => {
    const s = new MemoryStore()
    const spec = { containers: [{ name: 'c', image: 'nginx', args: ['ü', '"quoted"'] }] }
    const v1 = await s.create('pods', { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'default' }, spec, status: { phase: 'Pending' } })
    // A status write that keeps spec (by identity), then a deletion that keeps both.
    const v2 = await s.update('pods', { ...v1.obj, metadata: { ...v1.obj.metadata }, status: { phase: 'Running', message: 'é' } })
    expect(v2.json).toBe(JSON.stringify(v2.obj))
    const v3 = await s.update('pods', { ...v2.obj, metadata: { ...v2.obj.metadata }, status: { phase: 'Running', message: 'ü' } })
    expect(v3.json).toBe(JSON.stringify(v3.obj))
    expect(JSON.parse(v2.itemJSON())).toEqual({ metadata: v2.obj.metadata, spec, status: v2.obj.status })
    const gone = await s.delete('pods', 'default', 'p')
    expect(gone.json).toBe(JSON.stringify({ ...v3.obj, metadata: { ...v3.obj.metadata, resourceVersion: String(gone.rv) } }))
    expect(gone.watchLine('DELETED').toString()).toBe(`{"type":"DELETED","object":${gone.json}}\n`)
  })

  it('catches, in the test suite, a writer that mutated a shared field of a stored version', async () => {
    // vitest.config.ts sets KUBEMOCK_VERIFY_SERIALIZATION=1: copied bytes are checked.
    expect(process.env.KUBEMOCK_VERIFY_SERIALIZATION).toBe('1')
    const s = new MemoryStore()
    const v1 = await s.create('configmaps', cm('default', 'a', { k: 'v' }))
    // The first update is serialized field by field (a create is serialized whole); the next copies `data` from it.
    const v2 = await s.update('configmaps', { ...v1.obj, metadata: { ...v1.obj.metadata } })
    ;(v2.obj.data as Record<string, string>).k = 'mutated'
    await expect(s.update('configmaps', { ...v2.obj, metadata: { ...v2.obj.metadata } })).rejects.toThrow(/differs from JSON.stringify/)
  })

  it('lists in key order through creates and deletes without re-sorting, from a start key on', async () => {
    const s = new MemoryStore()
    const names = ['m', 'c', 'x', 'a', 'q']
    for (const n of names) await s.create('configmaps', cm('default', n))
    const keys = (ns?: string, start?: string) => s.list('configmaps', ns, start).map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`)
    expect(keys()).toEqual(['default/a', 'default/c', 'default/m', 'default/q', 'default/x'])
    await s.delete('configmaps', 'default', 'c')
    await s.create('configmaps', cm('default', 'c'))
    await s.create('configmaps', cm('default', 'b'))
    await s.delete('configmaps', 'default', 'b')
    await s.create('configmaps', cm('a-ns', 'z'))
    await s.create('configmaps', cm('default', 'd'))
    expect(keys()).toEqual(['a-ns/z', 'default/a', 'default/c', 'default/d', 'default/m', 'default/q', 'default/x'])
    expect(keys('default', 'default/d')).toEqual(['default/d', 'default/m', 'default/q', 'default/x'])
    expect(keys('default', 'default/d\u0000')).toEqual(['default/m', 'default/q', 'default/x'])
    expect(keys('a-ns', 'default/d')).toEqual([])
    expect(keys(undefined, 'b')).toEqual(['default/a', 'default/c', 'default/d', 'default/m', 'default/q', 'default/x'])
    const rv = s.currentRV()
    await s.delete('configmaps', 'default', 'm')
    await s.create('configmaps', cm('default', 'e'))
    expect(s.listAt('configmaps', 'default', rv, 'default/d').map((x) => x.obj.metadata.name)).toEqual(['d', 'm', 'q', 'x'])
    expect(s.listAt('configmaps', undefined, rv).map((x) => x.obj.metadata.name)).toEqual(['z', 'a', 'c', 'd', 'm', 'q', 'x'])
  })

  it('lists exactly what a sort of the live keys gives, after any sequence of creates and deletes (seeded)', async () => {
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const s = new MemoryStore({ historySize: 100_000 })
    const live = new Set<string>()
    for (let step = 0; step < 3000; step++) {
      const ns = `ns${rand(3)}`
      const name = `o${rand(40)}`
      const key = `${ns}/${name}`
      if (live.has(key)) {
        await s.delete('configmaps', ns, name)
        live.delete(key)
      } else {
        await s.create('configmaps', cm(ns, name))
        live.add(key)
      }
      if (rand(10) === 0) {
        const want = [...live].sort()
        expect(s.list('configmaps').map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`)).toEqual(want)
        const start = `ns1/o${rand(40)}`
        expect(s.list('configmaps', 'ns1', start).map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`)).toEqual(
          want.filter((k) => k.startsWith('ns1/') && k >= start),
        )
      }
    }
  })

  it('rebuilds the state at an older resourceVersion from the history, and refuses one older than it', async () => {
    const s = new MemoryStore({ historySize: 4 })
    await s.create('configmaps', cm('default', 'a', { v: '1' })) // 1
    await s.create('configmaps', cm('default', 'b')) // 2
    await s.create('secrets', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', namespace: 'default' } }) // 3
    await s.update('configmaps', cm('default', 'a', { v: '2' })) // 4
    await s.delete('configmaps', 'default', 'b') // 5
    await s.create('configmaps', cm('other', 'c')) // 6
    const at = (rv: number, ns?: string) => s.listAt('configmaps', ns, rv).map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}@${x.rv}`)
    expect(at(6)).toEqual(['default/a@4', 'other/c@6'])
    expect(at(5)).toEqual(['default/a@4'])
    expect(at(3)).toEqual(['default/a@1', 'default/b@2'])
    expect(at(3, 'other')).toEqual([])
    expect(s.listAt('configmaps', undefined, 3)[0].obj.data).toEqual({ v: '1' })
    // The ring keeps 4 events (3..6): rv 2 can no longer be rebuilt.
    expect(() => s.listAt('configmaps', undefined, 1)).toThrowError(/too old resource version: 1 \(2\)/)
  })
})

describe('MemoryStore history size', () => {
  it('keeps at least the newest event, whatever historySize says', async () => {
    const s = new MemoryStore({ historySize: 0 })
    await s.create('configmaps', cm('default', 'a'))
    const b = await s.create('configmaps', cm('default', 'b'))
    const seen: number[] = []
    s.watch('configmaps', undefined, b.rv - 1, (e) => seen.push(e.rv))
    expect(seen).toEqual([b.rv])
  })
})
