import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StatusError } from '../../src/errors.js'
import { MemoryStore, StoreError } from '../../src/store/object-store.js'
import { SqliteJournal } from '../../src/store/sqlite-journal.js'
import type { StoreEvent } from '../../src/store/watch-hub.js'

const cm = (name: string, data: Record<string, string> = {}, ns = 'default') => ({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name, namespace: ns },
  data,
})

const dirs: string[] = []
const stores: MemoryStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubemock-journal-'))
  dirs.push(d)
  return d
}

/** A store over the journal in `dir`; `journal` to inspect it. Closed after the test. */
function open(dir: string, historySize = 100): { store: MemoryStore; journal: SqliteJournal } {
  const journal = new SqliteJournal(dir)
  const store = new MemoryStore({ journal, historySize })
  stores.push(store)
  journals.set(store, journal)
  return { store, journal }
}

const journals = new Map<MemoryStore, SqliteJournal>()

/**
 * Waits until what was written is durable (what a client's answer waits for), then lets go of the
 * database without the store's close: as if the process was killed right after (no checkpoint).
 */
async function abandon(store: MemoryStore): Promise<void> {
  await store.durable()
  stores.splice(stores.indexOf(store), 1)
  journals.get(store)?.abandon()
}

const view = (s: MemoryStore, resource: string) =>
  s.list(resource).map((o) => [o.obj.metadata.name, o.rv, o.json, o.itemJSON(), o.watchLine('MODIFIED').toString()] as const)
const events = (s: MemoryStore, resource: string, since: number) => {
  const seen: Pick<StoreEvent, 'type' | 'rv'>[] = []
  const stop = s.watch(resource, undefined, since, (ev) => seen.push({ type: ev.type, rv: ev.rv }))
  stop()
  return seen
}

describe('SqliteJournal under MemoryStore', () => {
  it('gives back every object, byte for byte, and the resourceVersion after a restart', async () => {
    const dir = tempDir()
    const a = open(dir)
    await a.store.create('configmaps', cm('one', { k: 'v' }))
    const two = await a.store.create('configmaps', cm('two'))
    await a.store.update('configmaps', { ...cm('two', { k: 'w' }) }, two.rv)
    await a.store.create('configmaps', cm('three'))
    await a.store.delete('configmaps', 'default', 'three')
    await a.store.create('events', { kind: 'Event', apiVersion: 'v1', metadata: { name: 'e', namespace: 'default' }, reason: 'Pulled' }, { compact: true })
    const before = view(a.store, 'configmaps')
    const rv = a.store.currentRV()
    await abandon(a.store)

    const b = open(dir)
    expect(view(b.store, 'configmaps')).toEqual(before)
    expect(b.store.currentRV()).toBe(rv)
    expect(b.store.get('events', 'default', 'e')?.obj).toMatchObject({ reason: 'Pulled' })
    expect(view(b.store, 'events')).toEqual(view(a.store, 'events'))
    expect(b.store.storedBytes()).toBe(a.store.storedBytes())
    // resourceVersions keep increasing from where they were.
    expect((await b.store.create('configmaps', cm('four'))).rv).toBe(rv + 1)
  })

  it('resumes watches from before a restart inside the history window, and answers Expired beyond it', async () => {
    const dir = tempDir()
    const a = open(dir, 5)
    for (let i = 0; i < 4; i++) await a.store.create('configmaps', cm(`c${i}`))
    const mid = a.store.currentRV()
    await a.store.update('configmaps', cm('c0', { x: '1' }), undefined)
    await a.store.delete('configmaps', 'default', 'c1')
    const wanted = events(a.store, 'configmaps', mid)
    expect(wanted.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED'])
    await abandon(a.store)

    const b = open(dir, 5)
    expect(events(b.store, 'configmaps', mid)).toEqual(wanted)
    // The event replaced c0's first version; a list at `mid` restores it from the journal.
    expect(b.store.listAt('configmaps', undefined, mid).map((o) => [o.obj.metadata.name, o.rv])).toEqual(
      a.store.listAt('configmaps', undefined, mid).map((o) => [o.obj.metadata.name, o.rv]),
    )
    // Six changes, five kept: the first fell out.
    expect(() => events(b.store, 'configmaps', 0)).toThrow(StoreError)
  })

  it('stays bounded: the current objects plus the history window, however many writes', async () => {
    const dir = tempDir()
    const a = open(dir, 10)
    for (let i = 0; i < 20; i++) await a.store.create('configmaps', cm(`c${i}`))
    for (let round = 0; round < 50; round++) for (let i = 0; i < 20; i++) await a.store.update('configmaps', cm(`c${i}`, { round: String(round) }), undefined)
    for (let i = 0; i < 10; i++) await a.store.delete('configmaps', 'default', `c${i}`)
    await a.store.durable()
    // 10 objects left; the 10 newest events are deletions (their rows, and the versions they
    // replaced): 10 + 10 + 10 rows, plus the leftovers of the last change to leave the window
    // (applied with the next commit) — far below the 1,030 writes.
    expect(a.journal.rowCount()).toBeLessThanOrEqual(31)
    await abandon(a.store)
    const b = open(dir, 10)
    expect(b.store.count('configmaps')).toBe(10)
    expect(b.store.get('configmaps', 'default', 'c15')?.obj.data).toEqual({ round: '49' })
  })

  it('applies nothing when the journal refuses a write', async () => {
    const dir = tempDir()
    const a = open(dir)
    await a.store.create('configmaps', cm('keep'))
    const rv = a.store.currentRV()
    const record = a.journal.record.bind(a.journal)
    a.journal.record = () => {
      throw new StoreError('Internal', 'data directory: disk I/O error')
    }
    await expect(a.store.create('configmaps', cm('lost'))).rejects.toThrow(/disk I\/O error/)
    // At the API that is kube-apiserver's answer to a storage failure: 500 InternalError.
    const status = StatusError.fromStoreError(new StoreError('Internal', 'data directory: disk I/O error'))
    expect([status.code, status.status.reason, status.message]).toEqual([500, 'InternalError', 'Internal error occurred: data directory: disk I/O error'])
    await expect(a.store.update('configmaps', cm('keep', { x: 'y' }), undefined)).rejects.toThrow(StoreError)
    await expect(a.store.delete('configmaps', 'default', 'keep')).rejects.toThrow(StoreError)
    expect(a.store.currentRV()).toBe(rv)
    expect(view(a.store, 'configmaps').map(([n]) => n)).toEqual(['keep'])
    expect(a.store.get('configmaps', 'default', 'keep')?.obj.data).toEqual({})
    a.journal.record = record
    expect((await a.store.create('configmaps', cm('later'))).rv).toBe(rv + 1)
  })

  it('rebases on clear and on a checkpoint restore: a restart sees what the store showed', async () => {
    const dir = tempDir()
    const a = open(dir)
    await a.store.create('configmaps', cm('old'))
    const restore = await a.store.checkpoint()
    await a.store.create('configmaps', cm('new'))
    await restore()
    expect(view(a.store, 'configmaps').map(([n]) => n)).toEqual(['old'])
    const rv = a.store.currentRV()
    await abandon(a.store)
    const b = open(dir)
    expect(view(b.store, 'configmaps').map(([n]) => n)).toEqual(['old'])
    expect(() => events(b.store, 'configmaps', rv - 1)).toThrow(StoreError)
    await b.store.clear()
    const cleared = b.store.currentRV()
    b.store.close()
    stores.splice(stores.indexOf(b.store), 1)
    const c = open(dir)
    expect(c.store.count('configmaps')).toBe(0)
    expect(c.store.currentRV()).toBe(cleared)
  })

  it('refuses a data directory another store holds open, and takes it once that one is gone', async () => {
    const dir = tempDir()
    const a = open(dir)
    await a.store.create('configmaps', cm('one'))
    expect(() => new SqliteJournal(dir)).toThrow(`--data-dir ${dir} is in use by another kubemock process`)
    await abandon(a.store)
    expect(open(dir).store.count('configmaps')).toBe(1)
  })

  it('commits a burst of writes as one group, after the synchronous work, and reports a failed commit to whoever waits', async () => {
    const dir = tempDir()
    const a = open(dir)
    const burst = Array.from({ length: 50 }, (_, i) => a.store.create('configmaps', cm(`c${i}`)))
    // Applied at once, on disk only once the group commits; each write resolves after that.
    expect(a.store.count('configmaps')).toBe(50)
    expect(a.journal.rowCount()).toBe(0)
    const pending = a.store.durable()
    expect(pending).toBeInstanceOf(Promise)
    const done = await Promise.all(burst)
    expect(done.map((s) => s.rv)).toEqual(Array.from({ length: 50 }, (_, i) => done[0].rv + i))
    expect(a.journal.rowCount()).toBe(50)
    await pending
    expect(a.store.durable()).toBeUndefined()

    // A commit that fails: the writes waiting for it are not acknowledged, later writes are refused, reads go on.
    const insert = (a.journal as unknown as { insert: { run: (...args: unknown[]) => unknown } }).insert
    const run = insert.run.bind(insert)
    insert.run = () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })
    }
    const lost = a.store.create('configmaps', cm('lost'))
    await expect(a.store.durable()).rejects.toThrow('data directory: disk I/O error')
    await expect(lost).rejects.toThrow('data directory: disk I/O error')
    await expect(a.store.create('configmaps', cm('refused'))).rejects.toThrow(
      'data directory: disk I/O error; restart kubemock to continue from what was saved',
    )
    expect(a.store.get('configmaps', 'default', 'c1')).toBeDefined()
    expect(a.store.durable()).toBeUndefined()
    insert.run = run
    await abandon(a.store)
    const b = open(dir)
    expect(b.store.count('configmaps')).toBe(50)
    expect(b.store.get('configmaps', 'default', 'lost')).toBeUndefined()
  })

  it('names the directory when it cannot be one: a file in its place, or a file that is not a database', () => {
    const dir = tempDir()
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    expect(() => new SqliteJournal(file)).toThrow(`--data-dir ${file} is not a directory`)
    const bad = join(dir, 'bad')
    mkdirSync(bad)
    writeFileSync(join(bad, 'kubemock.db'), 'not a database, just some text that is long enough to have a header '.repeat(4))
    expect(() => new SqliteJournal(bad)).toThrow(`--data-dir ${bad}: kubemock.db is not a kubemock database (SQLite: file is not a database)`)
  })
})
