import { describe, expect, it } from 'vitest'
import { MemoryStore, StoreError } from '../../src/store/object-store.js'
import type { StoreEvent } from '../../src/store/watch-hub.js'

const cm = (ns: string, name: string, data: Record<string, string> = {}) => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: ns }, data })

describe('MemoryStore', () => {
  it('stamps one global resourceVersion across resources and serializes once', () => {
    const s = new MemoryStore()
    const a = s.create('configmaps', cm('default', 'a'))
    const b = s.create('secrets', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'b', namespace: 'default' } })
    expect(a.rv).toBe(1)
    expect(b.rv).toBe(2)
    expect(JSON.parse(a.json).metadata.resourceVersion).toBe('1')
    expect(a.itemJSON()).toBe('{"metadata":{"name":"a","namespace":"default","resourceVersion":"1"},"data":{}}')
  })

  it('lists sorted by namespace then name, and one namespace alone', () => {
    const s = new MemoryStore()
    for (const [ns, n] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['ab', 'q']]) s.create('configmaps', cm(ns, n))
    expect(s.list('configmaps').map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`)).toEqual(['a/y', 'ab/q', 'b/a', 'b/z'])
    expect(s.list('configmaps', 'b').map((x) => x.obj.metadata.name)).toEqual(['a', 'z'])
    expect(s.list('configmaps', 'a').map((x) => x.obj.metadata.name)).toEqual(['y'])
  })

  it('rejects duplicates and stale compare-and-swap writes', () => {
    const s = new MemoryStore()
    const a = s.create('configmaps', cm('default', 'a'))
    expect(() => s.create('configmaps', cm('default', 'a'))).toThrowError(StoreError)
    s.update('configmaps', cm('default', 'a', { k: 'v' }), a.rv)
    expect(() => s.update('configmaps', cm('default', 'a', { k: 'w' }), a.rv)).toThrow(expect.objectContaining({ code: 'Conflict' }))
    expect(() => s.delete('configmaps', 'default', 'a', a.rv)).toThrow(expect.objectContaining({ code: 'Conflict' }))
  })

  it('replays history after a resourceVersion and then streams live events', () => {
    const s = new MemoryStore()
    const a = s.create('configmaps', cm('default', 'a'))
    s.update('configmaps', cm('default', 'a', { x: '1' }))
    s.create('configmaps', cm('other', 'b'))
    const seen: StoreEvent[] = []
    s.watch('configmaps', 'default', a.rv, (e) => seen.push(e))
    s.delete('configmaps', 'default', 'a')
    expect(seen.map((e) => [e.type, e.rv])).toEqual([
      ['MODIFIED', 2],
      ['DELETED', 4],
    ])
    // The DELETED event carries the last state with the deletion's own resourceVersion.
    expect(JSON.parse(seen[1].stored.json).metadata.resourceVersion).toBe('4')
    expect(JSON.parse(seen[1].stored.json).data).toEqual({ x: '1' })
  })

  it('answers Expired for a resourceVersion that fell out of the history window', () => {
    const s = new MemoryStore({ historySize: 3 })
    for (let i = 0; i < 5; i++) s.create('configmaps', cm('default', `c${i}`))
    expect(() => s.watch('configmaps', undefined, 1, () => {})).toThrow('too old resource version: 1 (2)')
    const seen: number[] = []
    s.watch('configmaps', undefined, 2, (e) => seen.push(e.rv))
    expect(seen).toEqual([3, 4, 5])
  })

  it('rebuilds the state at an older resourceVersion from the history, and refuses one older than it', () => {
    const s = new MemoryStore({ historySize: 4 })
    s.create('configmaps', cm('default', 'a', { v: '1' })) // 1
    s.create('configmaps', cm('default', 'b')) // 2
    s.create('secrets', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', namespace: 'default' } }) // 3
    s.update('configmaps', cm('default', 'a', { v: '2' })) // 4
    s.delete('configmaps', 'default', 'b') // 5
    s.create('configmaps', cm('other', 'c')) // 6
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
