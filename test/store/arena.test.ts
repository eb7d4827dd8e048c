import { describe, expect, it } from 'vitest'
import { type Arena, ArenaAllocator, type ArenaTenant } from '../../src/store/arena.js'
import { MemoryStore } from '../../src/store/object-store.js'

class Tenant implements ArenaTenant {
  constructor(
    public line: Buffer,
    public arena: Arena,
    public slot: number,
  ) {}
  relocate(view: Buffer, arena: Arena, slot: number): void {
    this.line = view
    this.arena = arena
    this.slot = slot
  }
}

function put(alloc: ArenaAllocator, text: string): Tenant {
  const { view, arena, slot } = alloc.allocate(text.length)
  view.write(text)
  const t = new Tenant(view, arena!, slot)
  arena!.tenants[slot] = t
  return t
}

describe('ArenaAllocator', () => {
  it('packs allocations into one buffer and gives big ones a buffer of their own', () => {
    const alloc = new ArenaAllocator(1024, 256)
    const a = put(alloc, 'a'.repeat(100))
    const b = put(alloc, 'b'.repeat(100))
    expect(a.line.buffer).toBe(b.line.buffer)
    expect(alloc.allocate(300).arena).toBeUndefined()
    expect(alloc.stats()).toEqual({ arenas: 1, liveBytes: 200, usedBytes: 200 })
  })

  it('copies the current tenants out of an arena that is less than half live, keeping their bytes', () => {
    const alloc = new ArenaAllocator(1024, 256)
    const tenants = Array.from({ length: 10 }, (_, i) => put(alloc, String(i).repeat(100)))
    const first = tenants[0].arena
    const before = tenants[9].line
    // Eight of ten stop being current: the arena is 20 % live.
    for (const t of tenants.slice(0, 8)) t.arena.release(t, t.slot)
    // Filling the active arena seals it and evacuates the sparse one.
    put(alloc, 'x'.repeat(100))
    expect(tenants[8].arena).not.toBe(first)
    expect(tenants[8].line.toString()).toBe('8'.repeat(100))
    expect(tenants[9].line.toString()).toBe('9'.repeat(100))
    // A view taken before the move (an in-flight response) still reads the same bytes, from the old buffer.
    expect(before.buffer).toBe(first.buf.buffer)
    expect(before.toString()).toBe('9'.repeat(100))
    expect(tenants[9].line.buffer).not.toBe(first.buf.buffer)
    // The old arena no longer keeps its tenants alive.
    expect(first.tenants).toEqual([])
    expect(alloc.stats().liveBytes).toBe(300)
  })

  /** Ten 100-byte versions in one 1000-byte arena, the first `released` no longer current, then one more written. */
  function tenThenRelease(released: number) {
    const alloc = new ArenaAllocator(1000, 256)
    const tenants = Array.from({ length: 10 }, (_, i) => put(alloc, String(i).repeat(100)))
    const first = tenants[0].arena
    for (const t of tenants.slice(0, released)) t.arena.release(t, t.slot)
    put(alloc, 'x'.repeat(100))
    return { alloc, kept: tenants.slice(released), first }
  }

  it('copies out of an arena that is less than three quarters live', () => {
    // Three of ten stop being current: the arena is 70 % live, which a half-live rule would keep.
    const { alloc, kept, first } = tenThenRelease(3)
    expect(kept[0].arena).not.toBe(first)
    expect(kept.map((t) => t.line.toString())).toEqual(kept.map((_, i) => String(i + 3).repeat(100)))
    expect(alloc.stats()).toEqual({ arenas: 1, liveBytes: 800, usedBytes: 800 })
  })

  it('leaves an arena that is more than three quarters live', () => {
    // Two of ten stop being current: 80 % live stays where it is.
    const { alloc, kept, first } = tenThenRelease(2)
    expect(kept[0].arena).toBe(first)
    expect(alloc.stats()).toEqual({ arenas: 2, liveBytes: 900, usedBytes: 1100 })
  })

  it('gives a request its whole size even when the versions moved out of sparse arenas filled the new one', () => {
    const alloc = new ArenaAllocator(1024, 1024)
    const tenants = Array.from({ length: 4 }, (_, i) => put(alloc, String(i).repeat(200)))
    // Three of four stop being current: the arena is a quarter live.
    for (const t of tenants.slice(0, 3)) t.arena.release(t, t.slot)
    // 800 + 900 do not fit: the rotation moves the live 200 bytes into a new 1024-byte arena first.
    const { view, arena } = alloc.allocate(900)
    expect(view.length).toBe(900)
    expect(arena!.used).toBeLessThanOrEqual(arena!.buf.length)
    expect(tenants[3].line.toString()).toBe('3'.repeat(200))
  })

  it('lets a sealed arena go as soon as its last current version does', () => {
    const alloc = new ArenaAllocator(1024, 256)
    const tenants = Array.from({ length: 12 }, (_, i) => put(alloc, String(i % 10).repeat(100)))
    // Ten fill the first arena; the eleventh sealed it.
    expect(alloc.stats().arenas).toBe(2)
    for (const t of tenants.slice(0, 10)) t.arena.release(t, t.slot)
    expect(alloc.stats()).toEqual({ arenas: 1, liveBytes: 200, usedBytes: 200 })
  })

  it('grows by a quarter, so a small store leaves little of its arenas empty', () => {
    const alloc = new ArenaAllocator()
    let used = 0
    for (let i = 0; i < 500; i++) {
      put(alloc, 'v'.repeat(200 + (i % 7) * 100))
      used += 200 + (i % 7) * 100
    }
    // 250 KB of versions: doubling from 64 KiB took 448 KiB.
    expect(used).toBe(249_400)
    expect(alloc.capacity()).toBeLessThan(used * 1.3)
    expect(alloc.stats().usedBytes).toBe(used)
  })

  it('reaches 1 MiB arenas once the store holds a few megabytes', () => {
    const alloc = new ArenaAllocator()
    for (let i = 0; i < 8000; i++) put(alloc, 'x'.repeat(1000))
    const { view } = alloc.allocate(1000)
    expect(view.buffer.byteLength).toBe(1 << 20)
  })

  it('lets stores share arenas: clearing one leaves the versions of the other', async () => {
    const arenas = { main: new ArenaAllocator(1 << 14, 1 << 12), compact: new ArenaAllocator(1 << 14, 1 << 12) }
    const a = new MemoryStore({ arenas })
    const b = new MemoryStore({ arenas })
    const cm = (name: string, v: string) => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default' }, data: { v } })
    for (let i = 0; i < 100; i++) {
      await a.create('configmaps', cm(`a-${i}`, 'x'.repeat(200)))
      await b.create('configmaps', cm(`b-${i}`, 'y'.repeat(200)))
    }
    // One set of arenas for both: the stats are of both stores.
    expect(a.arenaStats()).toEqual(b.arenaStats())
    const both = a.arenaStats().liveBytes
    await a.clear()
    expect(a.list('configmaps')).toEqual([])
    expect(b.list('configmaps').map((v) => JSON.parse(v.json).data.v)).toEqual(Array(100).fill('y'.repeat(200)))
    expect(b.arenaStats().liveBytes).toBeLessThan(both * 0.6)
    // Writes after the clear go on filling the shared arenas; every version reads back.
    for (let i = 0; i < 100; i++) await b.update('configmaps', cm(`b-${i}`, 'z'.repeat(300)))
    for (const v of b.list('configmaps')) expect(JSON.parse(v.json)).toEqual(v.obj)
  })

  it('keeps a store consistent through many writes: every current version reads back its object', async () => {
    const s = new MemoryStore({ historySize: 50 })
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 300; i++) {
        const name = `cm-${i}`
        const data = { v: `${round}-${'p'.repeat((i * 37) % 900)}` }
        const obj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default' }, data }
        if (round === 0) await s.create('configmaps', obj)
        else if ((i + round) % 7 === 0) await s.delete('configmaps', 'default', name)
        else if (s.get('configmaps', 'default', name)) await s.update('configmaps', obj)
        else await s.create('configmaps', obj)
      }
    }
    const items = s.list('configmaps')
    for (const v of items) expect(JSON.parse(v.json)).toEqual(v.obj)
    const stats = s.arenaStats()
    expect(stats.liveBytes).toBeLessThanOrEqual(stats.usedBytes)
    // Compaction keeps the arenas within about twice the current versions (plus the active one).
    expect(stats.usedBytes).toBeLessThan(2 * stats.liveBytes + 2 * (1 << 20))
  })
})
