/**
 * @module sqlite-journal: the {@link StoreJournal} of `--data-dir`, one SQLite database in WAL mode
 * (better-sqlite3, synchronous: a write is on disk before the request that made it is answered).
 */
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import type { JournalRow, JournalState, StoreJournal } from './journal.js'
import { StoreError } from './store-error.js'

/** The database file inside the data directory. */
export const databaseFile = 'kubemock.db'

const types = ['ADDED', 'MODIFIED', 'DELETED'] as const
type Database = BetterSqlite3.Database
type Statement = BetterSqlite3.Statement

/**
 * Loads better-sqlite3 on first use (a native module: only `--data-dir` needs it, and it is an
 * optional dependency, so a machine where it did not build still runs everything else).
 */
function openDatabase(file: string): Database {
  let Driver: typeof BetterSqlite3
  try {
    Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
  } catch (err) {
    throw new Error(
      `--data-dir needs the better-sqlite3 package, which could not be loaded (${(err as Error).message.split('\n')[0]}); ` +
        'reinstall with `npm ci` on a machine with a C++ compiler, make and python3 (or access to its prebuilt binaries)',
    )
  }
  // No waiting on a lock: a directory another process holds is refused at once (below).
  return new Driver(file, { timeout: 0 })
}

/**
 * SQLite's own failures as the store reports them: a full disk is etcd's "database space
 * exceeded"; anything else an internal error (the write was not applied either way).
 */
function storeError(err: unknown): StoreError {
  const code = (err as { code?: string }).code ?? ''
  if (code === 'SQLITE_FULL') return new StoreError('NoSpace', `data directory is full: ${(err as Error).message}`)
  return new StoreError('Internal', `data directory: ${(err as Error).message}`)
}

/**
 * Rows are versions keyed by resourceVersion, as etcd's revisions: a change adds one; a change
 * leaving the watch history deletes the version it replaced (and a deletion's own row), so the
 * table holds the current objects plus the history window, and stays that size. `meta` keeps the
 * compaction point and the newest resourceVersion (rows alone lose it when everything is deleted).
 * Commits are synchronous=NORMAL: in WAL mode a committed transaction survives the process being
 * killed; a power cut may lose the last ones (FULL would fsync every write). Changes are committed
 * in groups, in a microtask after the synchronous work that recorded them: a commit per write
 * was half the CPU of a 10,000-pod rollout.
 */
export class SqliteJournal implements StoreJournal {
  private readonly db: Database
  private readonly insert: Statement
  private readonly remove: Statement
  private readonly setMeta: Statement
  private readonly commit: (rows: JournalRow[]) => void
  /** Forgotten changes not yet applied: [replacedRV or -1, own rv when a deletion or -1]. */
  private forgotten: number[] = []
  private compactedRV = 0
  /** Changes recorded but not committed yet. */
  private queued: JournalRow[] = []
  /** Settles when the queued changes are committed (created on demand by durable()). */
  private waiting: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined
  private scheduled = false
  /** The error of a failed commit: no write is taken after it. */
  private failed: StoreError | undefined
  /** Values written into `meta` with every commit. */
  private readonly savedValues = new Map<string, () => number>()

  constructor(readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true })
    } catch (err) {
      const code = (err as { code?: string }).code
      throw new Error(code === 'EEXIST' || code === 'ENOTDIR' ? `--data-dir ${dir} is not a directory` : `--data-dir ${dir}: ${(err as Error).message}`)
    }
    this.db = openDatabase(join(dir, databaseFile))
    // One process per data directory: the first to write holds the lock until it exits (the
    // operating system drops it when a process is killed). Set before WAL, so no shared-memory file.
    try {
      this.db.pragma('locking_mode = EXCLUSIVE')
      this.db.pragma('journal_mode = WAL')
      this.db.exec('BEGIN IMMEDIATE; COMMIT')
    } catch (err) {
      this.db.close()
      const code = (err as { code?: string }).code
      if (code === 'SQLITE_BUSY') throw new Error(`--data-dir ${dir} is in use by another kubemock process`)
      if (code === 'SQLITE_NOTADB') throw new Error(`--data-dir ${dir}: ${databaseFile} is not a kubemock database (SQLite: ${(err as Error).message})`)
      throw new Error(`--data-dir ${dir}: ${(err as Error).message}`)
    }
    this.db.pragma('synchronous = NORMAL')
    // Fold the WAL into the database every 10,000 pages (40 MB) rather than SQLite's 1,000: a
    // version written and superseded between two checkpoints is copied once, and each write
    // costs about a fifth less (35 against 42 µs for 3.5 KB rows here).
    this.db.pragma('wal_autocheckpoint = 10000')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS versions (
        rv INTEGER PRIMARY KEY,
        resource TEXT NOT NULL,
        key TEXT NOT NULL,
        type INTEGER NOT NULL,
        compact INTEGER NOT NULL,
        json BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    `)
    this.insert = this.db.prepare('INSERT INTO versions (rv, resource, key, type, compact, json) VALUES (?, ?, ?, ?, ?, ?)')
    this.remove = this.db.prepare('DELETE FROM versions WHERE rv = ?')
    this.setMeta = this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
    this.commit = this.db.transaction((rows: JournalRow[]) => {
      for (const row of rows) this.insert.run(row.rv, row.resource, row.key, types.indexOf(row.type), row.compact ? 1 : 0, row.json)
      // After the inserts: a forgotten version may be one of this very group.
      this.applyForgotten()
      for (const [name, value] of this.savedValues) this.setMeta.run(`saved:${name}`, value())
    })
  }

  load(): JournalState {
    const meta = new Map((this.db.prepare('SELECT name, value FROM meta').all() as { name: string; value: number }[]).map((m) => [m.name, m.value]))
    const rows = (this.db.prepare('SELECT rv, resource, key, type, compact, json FROM versions ORDER BY rv').all() as RawRow[]).map(
      (r): JournalRow => ({ rv: r.rv, resource: r.resource, key: r.key, type: types[r.type], compact: r.compact === 1, json: r.json }),
    )
    this.compactedRV = meta.get('compacted') ?? 0
    const newest = rows.length ? rows[rows.length - 1].rv : 0
    return { rows, rv: Math.max(newest, meta.get('rv') ?? 0, this.compactedRV), compactedRV: this.compactedRV }
  }

  savedValue(name: string): number | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE name = ?').get(`saved:${name}`) as { value: number } | undefined)?.value
  }

  saveWithCommits(name: string, value: () => number): void {
    this.savedValues.set(name, value)
  }

  record(row: JournalRow): void {
    if (this.failed) throw new StoreError('Internal', `${this.failed.message}; restart kubemock to continue from what was saved`)
    // The row is written at commit: the store's version (and its bytes) never changes meanwhile.
    this.queued.push(row)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(() => this.flush())
    }
  }

  durable(): Promise<void> | undefined {
    // After a failed commit nothing is queued (record refuses): reads answer as before.
    if (!this.queued.length) return undefined
    if (!this.waiting) {
      let resolve!: () => void
      let reject!: (err: unknown) => void
      const promise = new Promise<void>((res, rej) => {
        resolve = res
        reject = rej
      })
      this.waiting = { promise, resolve, reject }
    }
    return this.waiting.promise
  }

  /** Commits the queued changes in one transaction and settles whoever waits for them. */
  private flush(): void {
    this.scheduled = false
    const rows = this.queued
    const waiting = this.waiting
    this.queued = []
    this.waiting = undefined
    if (!rows.length || this.failed || !this.db.open) {
      waiting?.resolve()
      return
    }
    try {
      this.commit(rows)
    } catch (err) {
      this.failed = storeError(err)
      waiting?.reject(this.failed)
      return
    }
    waiting?.resolve()
  }

  forget(rv: number, replacedRV: number | undefined, deleted: boolean): void {
    this.forgotten.push(replacedRV ?? -1, deleted ? rv : -1)
    this.compactedRV = rv
  }

  /** Inside a transaction: deletes what forgotten changes left unneeded, and moves the compaction point. */
  private applyForgotten(): void {
    if (!this.forgotten.length) return
    for (const rv of this.forgotten) if (rv >= 0) this.remove.run(rv)
    this.forgotten = []
    this.setMeta.run('compacted', this.compactedRV)
  }

  rebase(rows: JournalRow[], rv: number): void {
    // The queued changes are in `rows` already (or gone with what they changed).
    this.queued = []
    try {
      this.db.transaction(() => {
        this.db.exec('DELETE FROM versions')
        for (const row of rows) this.insert.run(row.rv, row.resource, row.key, types.indexOf(row.type), row.compact ? 1 : 0, row.json)
        this.forgotten = []
        this.compactedRV = rv
        this.setMeta.run('compacted', rv)
        this.setMeta.run('rv', rv)
      })()
    } catch (err) {
      this.failed = storeError(err)
      this.waiting?.reject(this.failed)
      this.waiting = undefined
      throw this.failed
    }
    this.waiting?.resolve()
    this.waiting = undefined
  }

  /** Rows the database holds (for tests: the history window plus the current objects). */
  rowCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n
  }

  /** Closes the database without committing what is queued: what a killed process leaves (for tests). */
  abandon(): void {
    this.queued = []
    this.db.close()
  }

  close(): void {
    if (!this.db.open) return
    try {
      this.flush()
      this.db.transaction(() => this.applyForgotten())()
      // Fold the WAL into the database file, so a closed data directory is one file.
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      this.db.close()
    }
  }
}

interface RawRow {
  rv: number
  resource: string
  key: string
  type: number
  compact: number
  json: Buffer
}
