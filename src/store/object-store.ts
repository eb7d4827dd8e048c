/** @module object-store: a kind-agnostic versioned object store with compare-and-swap writes. */
import type { KubeObject } from '../types.js'
import { type Arena, ArenaAllocator, type ArenaTenant } from './arena.js'
import type { JournalRow, JournalState, StoreJournal } from './journal.js'
import { StoreError } from './store-error.js'
import { keyOf } from '../util/object-key.js'
import { WatchHub, type StoreEvent, type WatchListener } from './watch-hub.js'

export { StoreError }

/**
 * One stored version of an object. `json` is the object serialized once (kind and apiVersion
 * first); every GET, LIST and watch event reuses those bytes. Treat `obj` as immutable.
 */
export interface StoredObject<T extends KubeObject = KubeObject> {
  /** The parsed object; for a version written with `compact`, parsed from the bytes on each read. */
  readonly obj: T
  readonly rv: number
  readonly json: string
  /** UTF-8 length of `json`: what this version counts against the store's quota. */
  readonly size: number
  /** `json` without the leading kind/apiVersion, as list items are served. */
  itemJSON(): string
  /** `json` as UTF-8 bytes, encoded once and shared by every response. */
  bytes(): Buffer
  /** The list-item form as bytes: views onto `bytes()`, no copy. */
  itemBytes(): Buffer[]
  /** A whole watch event line (`{"type":…,"object":…}\n`), encoded once per type and shared by all watchers. */
  watchLine(type: 'ADDED' | 'MODIFIED' | 'DELETED'): Buffer
}

const openBrace = Buffer.from('{')

/** The storage interface: MemoryStore (with or without a journal for --data-dir) and EtcdStore (--etcd-servers) implement it. */
export interface ObjectStore {
  /**
   * Whether every write settles within the turn of the event loop that made it, waiting for no
   * I/O: true in memory (with or without a journal, which commits in a microtask); false for a
   * store over the network.
   */
  readonly writesSettleInTurn: boolean
  /** The newest resourceVersion handed out (one global counter). */
  currentRV(): number
  get(resource: string, namespace: string, name: string): StoredObject | undefined
  /**
   * All objects of a resource (optionally one namespace), sorted by namespace then name, like etcd
   * keys; with `startKey`, only those whose key (`namespace/name`) is ≥ it (a continued list).
   */
  list(resource: string, namespace?: string, startKey?: string): StoredObject[]
  /**
   * The objects as they were at resourceVersion `rv` (≤ currentRV), sorted like list(); rebuilt
   * from the bounded history, so StoreError('Expired') when `rv` is older than it.
   */
  listAt(resource: string, namespace: string | undefined, rv: number, startKey?: string): StoredObject[]
  /**
   * Stores a new object; stamps metadata.resourceVersion. Like every write, it resolves once the
   * write is durable (at once in memory) and rejects with the StoreError that refused it.
   */
  create(resource: string, obj: KubeObject, opts?: StoreWriteOptions): Promise<StoredObject>
  /**
   * Replaces an object if its current resourceVersion equals `expectedRV` (when given).
   * `deleting` marks a write that only records a deletion in progress (deletionTimestamp,
   * finalizers): it passes a full store, so that deleting can always free space.
   */
  update(resource: string, obj: KubeObject, expectedRV?: number, opts?: StoreWriteOptions & { deleting?: boolean }): Promise<StoredObject>
  /** Removes an object; the DELETED event carries a new resourceVersion. */
  delete(resource: string, namespace: string, name: string, expectedRV?: number): Promise<StoredObject>
  /** Subscribes to changes after `sinceRV`, replaying history; throws StoreError('Expired') when too old. */
  watch(resource: string, namespace: string | undefined, sinceRV: number, listener: WatchListener): () => void
  /** Calls `fn` with the new resourceVersion after every write, of any resource; returns the unsubscribe. */
  onCommit(fn: (rv: number) => void): () => void
  /** Count of objects of a resource (for metrics and tests). */
  count(resource: string): number
  /** Serialized bytes of all current objects: what the quota limits. */
  storedBytes(): number
  /** The size limits writes are held to (see {@link MemoryStoreOptions}). */
  limits(): { quotaBytes: number; maxObjectBytes: number }
  /** Drops everything (state import/reset). */
  clear(): Promise<void>
  /**
   * Captures every current object; calling the returned function puts exactly those back (the
   * watch history then restarts at the current resourceVersion, as after {@link clear}, and
   * resourceVersions keep increasing). What makes a state import all or nothing.
   */
  checkpoint(): Promise<() => Promise<void>>
  /**
   * For a durable store: resolves once every write made so far is durable (rejects when that
   * failed); undefined when all already are, as always in memory. Answers wait for it.
   */
  durable(): Promise<void> | undefined
  /** Releases what the store holds open (a durable store's files); no write may follow. */
  close(): void
  /** For a store over the network: whether its backend answered lately (readiness reports it). Absent: always. */
  healthy?(): boolean
}

/** How a version is kept. */
export interface StoreWriteOptions {
  /**
   * Keep only the serialized bytes once the write's watchers have seen it, and parse on each
   * read: for resources that are written far more than read (Events: five per pod start, a
   * million at 100,000 pods, where the parsed copies alone would take about a gigabyte).
   */
  compact?: boolean
  /**
   * The opposite: keep only the parsed object, and serialize it again when a read asks for its
   * bytes (held weakly, so reads close together share them). For kinds a cluster boots with
   * many of and its own components read through informers (the bootstrap RBAC policy, APF
   * configuration, APIServices): their values are frozen templates every cluster of a process
   * shares, so the parsed object costs little and the bytes would be most of a small cluster.
   */
  parsed?: boolean
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

const linePrefixes: Record<EventType, Buffer> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
}
const lineEnd = Buffer.from('}\n')

/**
 * One stored version. It keeps a single serialized form: the watch event line of the change that
 * made it (`{"type":"MODIFIED","object":…}\n`, as UTF-8), of which GET, LIST and other watch types
 * are views or short concatenations. No JSON string, Buffer copy and per-type lines side by side:
 * at 100,000 pods that is the difference between one copy and four.
 */
class Stored implements StoredObject, ArenaTenant {
  /** The parsed object, until {@link release}. */
  private held: KubeObject | undefined
  /**
   * The bytes while they are kept: a view into an arena (moved when it is compacted) or a buffer
   * of its own; undefined once {@link dropBytes} let them go, when `line` makes them again.
   */
  private kept: Buffer | undefined
  /** Bytes made again after they were dropped, while a response or another read still holds them. */
  private remade: WeakRef<Buffer> | undefined
  /** UTF-8 length of the serialized object: what this version counts against the store's quota. */
  readonly size: number
  /** Written with {@link StoreWriteOptions.parsed}: its bytes go as soon as its watchers have them. */
  parsedOnly = false
  constructor(
    /** Undefined for a version kept as bytes only (a compact write read back from a journal). */
    obj: KubeObject | undefined,
    readonly rv: number,
    line: Buffer,
    private readonly bodyStart: number,
    /** Length of `{"kind":…,"apiVersion":…,` — ASCII, so the same in characters and bytes. */
    private readonly headLength: number,
    private readonly type: EventType,
    /**
     * Where each top-level field's value lies in `line`: [key, start, end, key, start, end, …].
     * The next version copies the bytes of every field it shares with this one.
     */
    private fieldSpans: (string | number)[] | undefined,
    /** The arena and slot of a current version (undefined for others). */
    public arena: Arena | undefined,
    public slot: number,
  ) {
    this.held = obj
    this.kept = line
    this.size = line.length - bodyStart - lineEnd.length
    if (arena) arena.tenants[slot] = this
  }

  /** The whole watch line of this version's change: kept, or serialized again from the parsed object. */
  get line(): Buffer {
    return this.kept ?? this.remade?.deref() ?? this.remake()
  }

  private remake(): Buffer {
    const line = Buffer.from(`{"type":"${this.type}","object":${JSON.stringify(this.held)}}\n`, 'utf8')
    this.remade = new WeakRef(line)
    return line
  }

  get spans(): (string | number)[] | undefined {
    return this.fieldSpans
  }

  relocate(view: Buffer, arena: Arena, slot: number): void {
    this.kept = view
    this.arena = arena
    this.slot = slot
  }

  /**
   * Lets the bytes go and keeps the parsed object (nothing to do for a compact version, which has
   * only its bytes): for a version that stopped being current, which the watch history keeps for
   * a watcher resuming from before it, and for a {@link parsedOnly} one. Its arena must have
   * released it first. Serializing is deterministic, so bytes made again are the same bytes.
   */
  dropBytes(): void {
    if (this.held === undefined) return
    this.kept = undefined
    this.fieldSpans = undefined
    this.arena = undefined
    this.slot = -1
  }

  /** Current again (a checkpoint restored it): bytes dropped since are made again into `alloc`'s arenas. */
  rehouse(alloc: ArenaAllocator): void {
    if (this.kept) {
      this.arena?.retain(this, this.slot)
      return
    }
    if (this.parsedOnly) return
    const line = this.line
    const { view, arena, slot } = alloc.allocate(line.length)
    line.copy(view)
    this.kept = view
    this.arena = arena
    this.slot = slot
    if (arena) arena.tenants[slot] = this
  }

  /** The parsed object while it is held (not after a compact write's release). */
  heldObject(): KubeObject | undefined {
    return this.held
  }

  /** The bytes of `line` from `start` to `end` into `target` at `at`. */
  copySpan(target: Buffer, at: number, start: number, end: number): void {
    this.line.copy(target, at, start, end)
  }

  get obj(): KubeObject {
    return this.held ?? (JSON.parse(this.json) as KubeObject)
  }

  /** Keeps only the bytes from now on (a compact write, once its watchers have seen it). */
  release(): void {
    this.held = undefined
  }

  /** Whether this version was {@link release}d: a compact write. */
  get released(): boolean {
    return this.held === undefined
  }

  get json(): string {
    return this.bytes().toString('utf8')
  }

  itemJSON(): string {
    const json = this.json
    return this.headLength > 0 ? `{${json.slice(this.headLength)}` : json
  }

  bytes(): Buffer {
    const line = this.line
    return line.subarray(this.bodyStart, line.length - lineEnd.length)
  }

  itemBytes(): Buffer[] {
    const b = this.bytes()
    return this.headLength > 0 ? [openBrace, b.subarray(this.headLength)] : [b]
  }

  watchLine(type: EventType): Buffer {
    if (type === this.type) return this.line
    return Buffer.concat([linePrefixes[type], this.bytes(), lineEnd])
  }
}

/**
 * Serializes with kind and apiVersion first, remembering where they end. `type` is the change the
 * version comes from: its watch line is the one kept ready.
 */
export function serialize(obj: KubeObject, rv: number, type: EventType = 'ADDED'): StoredObject {
  return stored(obj, rv, type)
}

/** Set by the test suite: every version's bytes are checked against a plain JSON.stringify. */
const verifyReuse = process.env.KUBEMOCK_VERIFY_SERIALIZATION === '1'

/**
 * Serializes `obj` into its watch line. An update goes one top-level field at a time, so that the
 * fields it shares (by identity) with `prev`, the version it replaces, are copied from prev's
 * bytes rather than serialized again: a status write does not re-serialize the spec, a deletion
 * neither spec nor status. That relies on what the store already requires, that nothing mutates
 * a stored version or the values in it. Output is exactly JSON.stringify(obj).
 */
function stored(obj: KubeObject, rv: number, type: EventType, prev?: Stored, compact = false, alloc?: ArenaAllocator, parsed = false): Stored {
  const prevObj = prev?.heldObject() as Record<string, unknown> | undefined
  // A parsed-only version's bytes are let go once its watchers have them: no arena for them.
  if (parsed) alloc = undefined
  // A create has nothing to copy from and a compact version is rarely written again: one
  // JSON.stringify is cheaper than field by field (Events have a dozen top-level fields).
  const s = prev && prevObj && !compact ? storedByField(obj, rv, type, alloc, prev, prevObj) : storedWhole(obj, rv, type, alloc)
  if (verifyReuse && s.json !== JSON.stringify(obj)) throw new Error(`serialization of ${obj.kind} ${obj.metadata?.name} differs from JSON.stringify`)
  s.parsedOnly = parsed
  return s
}

/**
 * The buffer of a watch line. A version that becomes current takes it from the store's arenas;
 * any other (a DELETED line, a dry run) is short-lived and takes a slice of Node's pool.
 */
function lineBuffer(prefix: Buffer, bodySize: number, alloc: ArenaAllocator | undefined): { line: Buffer; arena: Arena | undefined; slot: number } {
  const size = prefix.length + bodySize + lineEnd.length
  const { view: line, arena, slot } = alloc ? alloc.allocate(size) : { view: Buffer.allocUnsafe(size), arena: undefined, slot: -1 }
  prefix.copy(line, 0)
  lineEnd.copy(line, prefix.length + bodySize)
  return { line, arena, slot }
}

/** `{"kind":"…","apiVersion":"…",` at the start of serialized bytes: what a list item leaves out. */
const headPattern = /^\{"kind":"[^"\\]*","apiVersion":"[^"\\]*",/

/** Length of that head in `json` (ASCII: the same in characters and bytes), 0 when it does not start so. */
function headLength(json: string): number {
  return headPattern.exec(json.length > 300 ? json.slice(0, 300) : json)?.[0].length ?? 0
}

/**
 * A version from bytes already serialized (a journal's row): copied into place, not serialized
 * again. `obj` is their parse, or undefined to keep the bytes only (compact). No field spans, so
 * the next update serializes each field afresh.
 */
function storedFromBytes(json: Buffer, obj: KubeObject | undefined, rv: number, type: EventType, alloc: ArenaAllocator | undefined): Stored {
  const prefix = linePrefixes[type]
  const { line, arena, slot } = lineBuffer(prefix, json.length, alloc)
  json.copy(line, prefix.length)
  return new Stored(obj, rv, line, prefix.length, headLength(json.toString('latin1', 0, Math.min(json.length, 300))), type, undefined, arena, slot)
}

/** A version serialized in one JSON.stringify, without field spans. */
function storedWhole(obj: KubeObject, rv: number, type: EventType, alloc: ArenaAllocator | undefined): Stored {
  const json = JSON.stringify(obj)
  const prefix = linePrefixes[type]
  const { line, arena, slot } = lineBuffer(prefix, Buffer.byteLength(json, 'utf8'), alloc)
  line.write(json, prefix.length, 'utf8')
  return new Stored(obj, rv, line, prefix.length, headLength(json), type, undefined, arena, slot)
}

/** A version serialized field by field, copying the values it shares with `prev`; it keeps its own spans. */
function storedByField(
  obj: KubeObject,
  rv: number,
  type: EventType,
  alloc: ArenaAllocator | undefined,
  prev: Stored,
  prevObj: Record<string, unknown>,
): Stored {
  const prevSpans = prev.spans
  // Per field: its key, the `,"key":` label, and the JSON of its value or where prev holds it.
  const keys: string[] = []
  const labels: string[] = []
  const values: (string | number)[] = []
  let size = 2
  for (const key of Object.keys(obj)) {
    const value = (obj as Record<string, unknown>)[key]
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue
    const label = `${keys.length ? ',' : ''}${JSON.stringify(key)}:`
    keys.push(key)
    labels.push(label)
    size += Buffer.byteLength(label, 'utf8')
    let reuse = -1
    // metadata always differs (resourceVersion), and is small.
    if (prevSpans && key !== 'metadata' && typeof value === 'object' && value !== null && prevObj[key] === value) {
      for (let i = 0; i < prevSpans.length; i += 3) {
        if (prevSpans[i] === key) {
          reuse = i
          break
        }
      }
    }
    if (reuse >= 0) {
      values.push(reuse)
      size += (prevSpans![reuse + 2] as number) - (prevSpans![reuse + 1] as number)
    } else {
      const json = JSON.stringify(value)
      values.push(json)
      size += Buffer.byteLength(json, 'utf8')
    }
  }
  const prefix = linePrefixes[type]
  const { line, arena, slot } = lineBuffer(prefix, size, alloc)
  let at = prefix.length
  line[at++] = 0x7b // {
  const spans: (string | number)[] = []
  let apiVersionEnd = 0
  for (let k = 0; k < keys.length; k++) {
    at += line.write(labels[k], at, 'utf8')
    const value = values[k]
    const start = at
    if (typeof value === 'number') {
      const from = prevSpans![value + 1] as number
      const to = prevSpans![value + 2] as number
      prev.copySpan(line, at, from, to)
      at += to - from
    } else at += line.write(value, at, 'utf8')
    spans.push(keys[k], start, at)
    if (k === 1) apiVersionEnd = at
  }
  line[at] = 0x7d // }
  // `{"kind":…,"apiVersion":…,`: what a list item leaves out.
  const head = keys[0] === 'kind' && keys[1] === 'apiVersion' && keys.length > 2 ? apiVersionEnd - prefix.length + 1 : 0
  return new Stored(obj, rv, line, prefix.length, head, type, spans, arena, slot)
}

/**
 * The keys of one resource in etcd order, kept sorted incrementally: keys created or deleted
 * since the last list wait in two sets and are merged in at the next list (O(n + k log k)), so
 * a list during a stream of creates never re-sorts everything.
 */
class SortedKeys {
  private sorted: string[] = []
  // Made by the first change after a list and dropped by the next list: most resources of a
  // quiet cluster hold neither (300 clusters in a process have ~25 resources with objects each).
  private added: Set<string> | undefined
  private removed: Set<string> | undefined

  add(key: string): void {
    if (!this.removed?.delete(key)) (this.added ??= new Set()).add(key)
  }

  remove(key: string): void {
    if (!this.added?.delete(key)) (this.removed ??= new Set()).add(key)
  }

  clear(): void {
    this.sorted = []
    this.added = undefined
    this.removed = undefined
  }

  /** Every key, sorted. */
  keys(): string[] {
    const { added, removed } = this
    if (added?.size || removed?.size) {
      const kept = removed?.size ? this.sorted.filter((k) => !removed.has(k)) : this.sorted
      const fresh = added?.size ? [...added].sort() : []
      this.sorted = fresh.length ? mergeSorted(kept, fresh) : kept
    }
    this.added = undefined
    this.removed = undefined
    return this.sorted
  }
}

/** The version a deletion leaves for its watchers: the last state, with the deletion's own resourceVersion. */
function deletedVersion(prev: Stored, rv: number): Stored {
  const last = { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: String(rv) } }
  return stored(last, rv, 'DELETED', prev)
}

/** Merges two sorted arrays of distinct strings. */
function mergeSorted(a: string[], b: string[]): string[] {
  const out = new Array<string>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = a[i] < b[j] ? a[i++] : b[j++]
  while (i < a.length) out[k++] = a[i++]
  while (j < b.length) out[k++] = b[j++]
  return out
}

/** Index of the first element ≥ `key` in a sorted array. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

interface Bucket {
  objects: Map<string, Stored>
  keys: SortedKeys
}

/** etcd's default backend quota (--quota-backend-bytes): 2 GiB. */
export const defaultQuotaBytes = 2 * 1024 * 1024 * 1024

/** etcd's default request size limit (--max-request-bytes): 1.5 MiB. */
export const defaultMaxObjectBytes = 1.5 * 1024 * 1024

/** Limits of a {@link MemoryStore}; every field is optional. */
export interface MemoryStoreOptions {
  /** Events the watch history keeps for resumption (default 10,000). */
  historySize?: number
  /** Serialized bytes the history may keep (default 256 MiB): big objects expire sooner, as after a compaction. */
  historyBytes?: number
  startRV?: number
  /** Serialized bytes of current objects the store holds before writes fail with NoSpace (default 2 GiB, etcd's). */
  quotaBytes?: number
  /** Largest serialized object a write may carry; more fails with TooLarge (default 1.5 MiB, etcd's). */
  maxObjectBytes?: number
  /**
   * Where writes are made durable (`--data-dir`): the store starts from what it holds (objects,
   * watch history, resourceVersion) and hands it every write as it applies it; a write is durable
   * once {@link ObjectStore.durable} resolves (the journal commits in groups).
   */
  journal?: StoreJournal
  /** Objects to start from when there is no journal (a cache filled from another store). */
  initial?: JournalState
  /**
   * The arenas to keep versions in; by default the store's own. The stores of one process may
   * share them ({@link processArenas}): 300 small clusters then fill 1 MiB arenas together
   * instead of each its own dozen small ones, part empty (about 25 MB less for 300).
   */
  arenas?: StoreArenas
}

/** The arena allocators of a store: one for versions that get updated, one for compact writes (Events). */
export interface StoreArenas {
  main: ArenaAllocator
  compact: ArenaAllocator
}

let sharedArenas: StoreArenas | undefined
/** The arenas every cluster of this process keeps its versions in. */
export function processArenas(): StoreArenas {
  return (sharedArenas ??= { main: new ArenaAllocator(), compact: new ArenaAllocator() })
}

/** The in-memory implementation. */
export class MemoryStore implements ObjectStore {
  readonly writesSettleInTurn = true
  private rv = 0
  private readonly buckets = new Map<string, Bucket>()
  private total = 0
  private readonly quotaBytes: number
  private readonly maxObjectBytes: number
  private readonly arenas: ArenaAllocator
  /**
   * Compact writes (Events) apart: written once and expiring in write order, they fill arenas
   * densely, while updated kinds leave arenas sparse and get compacted — copying Events along
   * with them again and again.
   */
  private readonly compactArenas: ArenaAllocator
  readonly hub: WatchHub
  private readonly journal: StoreJournal | undefined

  constructor(opts: MemoryStoreOptions = {}) {
    this.arenas = opts.arenas?.main ?? new ArenaAllocator()
    this.compactArenas = opts.arenas?.compact ?? new ArenaAllocator()
    this.journal = opts.journal
    const state = this.journal?.load() ?? opts.initial
    this.rv = state ? state.rv : (opts.startRV ?? 0)
    this.quotaBytes = opts.quotaBytes ?? defaultQuotaBytes
    this.maxObjectBytes = opts.maxObjectBytes ?? defaultMaxObjectBytes
    const journal = this.journal
    // At least one event: a watcher that is up to date must be able to resume (0 would leave no ring slot).
    this.hub = new WatchHub(
      Math.max(1, Math.floor(opts.historySize ?? 10_000)),
      state ? state.compactedRV : this.rv,
      opts.historyBytes ?? 256 * 1024 * 1024,
      journal ? (ev) => journal.forget(ev.rv, ev.prev?.rv, ev.type === 'DELETED') : undefined,
    )
    if (state) this.replay(state)
  }

  /**
   * Rebuilds objects and watch history from a journal's rows, oldest first: rows above the
   * compaction point are the history's events again (with the versions they replaced), the rest
   * the objects as they were when the history began.
   */
  private replay(state: JournalState): void {
    for (const row of state.rows) {
      const b = this.bucket(row.resource)
      const prev = b.objects.get(row.key)
      // Compact versions stay bytes (parsed on read, as when written); the namespace is in the key.
      const obj = row.compact || row.type === 'DELETED' ? undefined : (JSON.parse(row.json.toString('utf8')) as KubeObject)
      const slash = row.key.indexOf('/')
      const namespace = slash < 0 ? '' : row.key.slice(0, slash)
      const event = row.rv > state.compactedRV
      if (prev) {
        this.unlink(prev)
        prev.dropBytes()
        this.total -= prev.size
      }
      if (row.type === 'DELETED') {
        if (prev) {
          b.objects.delete(row.key)
          b.keys.remove(row.key)
        }
        if (event)
          this.hub.publish({
            type: 'DELETED',
            resource: row.resource,
            namespace,
            rv: row.rv,
            stored: storedFromBytes(row.json, undefined, row.rv, 'DELETED', undefined),
            prev,
          })
        continue
      }
      const s = storedFromBytes(row.json, obj, row.rv, row.type, row.compact ? this.compactArenas : this.arenas)
      if (!prev) b.keys.add(row.key)
      b.objects.set(row.key, s)
      this.total += s.size
      if (event) this.hub.publish({ type: row.type, resource: row.resource, namespace, rv: row.rv, stored: s, prev })
    }
  }

  /** Hands a change to the journal before it is applied (no journal: nothing to do); throws when the journal takes no more writes. */
  private record(resource: string, key: string, type: EventType, s: Stored, compact: boolean): void {
    this.journal?.record({ rv: s.rv, resource, key, type, json: s.bytes(), compact })
  }

  /** The current objects as journal rows (what a rebased journal holds). */
  private currentRows(): JournalRow[] {
    const rows: JournalRow[] = []
    for (const [resource, b] of this.buckets)
      for (const [key, v] of b.objects) rows.push({ rv: v.rv, resource, key, type: 'ADDED', json: v.bytes(), compact: v.released })
    return rows.sort((a, b) => a.rv - b.rv)
  }

  durable(): Promise<void> | undefined {
    return this.journal?.durable()
  }

  close(): void {
    this.journal?.close()
  }

  storedBytes(): number {
    return this.total
  }

  /** A version stops being current: its arena may leave its bytes behind. */
  private unlink(s: Stored): void {
    s.arena?.release(s, s.slot)
  }

  /** The arenas holding current versions, of every store sharing them (for tests and metrics). */
  arenaStats(): { arenas: number; liveBytes: number; usedBytes: number } {
    const a = this.arenas.stats()
    const c = this.compactArenas.stats()
    return { arenas: a.arenas + c.arenas, liveBytes: a.liveBytes + c.liveBytes, usedBytes: a.usedBytes + c.usedBytes }
  }

  limits(): { quotaBytes: number; maxObjectBytes: number } {
    return { quotaBytes: this.quotaBytes, maxObjectBytes: this.maxObjectBytes }
  }

  /**
   * The size checks etcd makes before a write: a request over --max-request-bytes fails, and so
   * does one that would grow the database past its quota. Writes that do not grow the total, and
   * deletion marks, always pass (etcd refuses even those until it is compacted and
   * defragmented; here deleting frees space at once).
   */
  private checkSize(key: string, s: StoredObject, prevSize: number, deleting: boolean): void {
    if (s.size > this.maxObjectBytes) throw new StoreError('TooLarge', `${key}: ${s.size} bytes, limit ${this.maxObjectBytes}`)
    const growth = s.size - prevSize
    if (!deleting && growth > 0 && this.total + growth > this.quotaBytes)
      throw new StoreError('NoSpace', `${key}: ${this.total} + ${growth} bytes exceeds the quota of ${this.quotaBytes}`)
  }

  currentRV(): number {
    return this.rv
  }

  private bucket(resource: string): Bucket {
    let b = this.buckets.get(resource)
    if (!b) {
      b = { objects: new Map(), keys: new SortedKeys() }
      this.buckets.set(resource, b)
    }
    return b
  }

  get(resource: string, namespace: string, name: string): StoredObject | undefined {
    return this.buckets.get(resource)?.objects.get(keyOf(namespace, name))
  }

  list(resource: string, namespace?: string, startKey?: string): StoredObject[] {
    const b = this.buckets.get(resource)
    if (!b) return []
    const sorted = b.keys.keys()
    const out: StoredObject[] = []
    // Keys are sorted, so one namespace is one contiguous run, and a start key a binary search.
    const prefix = namespace ? `${namespace}/` : ''
    let i = lowerBound(sorted, startKey !== undefined && startKey > prefix ? startKey : prefix)
    for (; i < sorted.length; i++) {
      const k = sorted[i]
      if (prefix && !k.startsWith(prefix)) break
      out.push(b.objects.get(k)!)
    }
    return out
  }

  listAt(resource: string, namespace: string | undefined, rv: number, startKey?: string): StoredObject[] {
    const later = this.hub.eventsAfter(resource, namespace, rv)
    const current = this.list(resource, namespace, startKey)
    if (!later.length) return current
    // Undo the later changes, newest first: a creation disappears, an update or deletion restores
    // `prev`. Only the keys they touch change, so the rest of the sorted list is kept as it is.
    const changed = new Map<string, StoredObject | undefined>()
    for (let i = later.length - 1; i >= 0; i--) {
      const ev = later[i]
      const key = keyOf(ev.namespace, ev.stored.obj.metadata.name ?? '')
      if (startKey !== undefined && key < startKey) continue
      changed.set(key, ev.type === 'ADDED' ? undefined : ev.prev)
    }
    if (!changed.size) return current
    const restored = [...changed.entries()].filter(([, s]) => s !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const out: StoredObject[] = []
    let j = 0
    for (const s of current) {
      const key = keyOf(s.obj.metadata.namespace ?? '', s.obj.metadata.name ?? '')
      while (j < restored.length && restored[j][0] < key) out.push(restored[j++][1]!)
      if (changed.has(key)) continue
      out.push(s)
    }
    while (j < restored.length) out.push(restored[j++][1]!)
    return out
  }

  count(resource: string): number {
    return this.buckets.get(resource)?.objects.size ?? 0
  }

  async create(resource: string, obj: KubeObject, opts: StoreWriteOptions = {}): Promise<StoredObject> {
    const b = this.bucket(resource)
    const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '')
    if (b.objects.has(key)) throw new StoreError('AlreadyExists', key)
    const rv = this.rv + 1
    obj.metadata.resourceVersion = String(rv)
    const s = stored(obj, rv, 'ADDED', undefined, opts.compact, opts.compact ? this.compactArenas : this.arenas, opts.parsed)
    try {
      this.checkSize(key, s, 0, false)
      this.record(resource, key, 'ADDED', s, opts.compact ?? false)
    } catch (err) {
      this.unlink(s)
      delete obj.metadata.resourceVersion
      throw err
    }
    this.install(resource, b, key, obj.metadata.namespace ?? '', rv, 'ADDED', s, undefined, opts.compact ?? false)
    await this.journal?.durable()
    return s
  }

  async update(resource: string, obj: KubeObject, expectedRV?: number, opts: StoreWriteOptions & { deleting?: boolean } = {}): Promise<StoredObject> {
    const b = this.bucket(resource)
    const ns = obj.metadata.namespace ?? ''
    const key = keyOf(ns, obj.metadata.name ?? '')
    const prev = b.objects.get(key)
    if (!prev) throw new StoreError('NotFound', key)
    if (expectedRV !== undefined && prev.rv !== expectedRV) throw new StoreError('Conflict', key)
    const rv = this.rv + 1
    const before = obj.metadata.resourceVersion
    obj.metadata.resourceVersion = String(rv)
    const s = stored(obj, rv, 'MODIFIED', prev, opts.compact, opts.compact ? this.compactArenas : this.arenas, opts.parsed)
    try {
      this.checkSize(key, s, prev.size, opts.deleting ?? false)
      this.record(resource, key, 'MODIFIED', s, opts.compact ?? false)
    } catch (err) {
      this.unlink(s)
      obj.metadata.resourceVersion = before
      throw err
    }
    this.install(resource, b, key, ns, rv, 'MODIFIED', s, prev, opts.compact ?? false)
    await this.journal?.durable()
    return s
  }

  async delete(resource: string, namespace: string, name: string, expectedRV?: number): Promise<StoredObject> {
    const b = this.bucket(resource)
    const key = keyOf(namespace, name)
    const prev = b.objects.get(key)
    if (!prev) throw new StoreError('NotFound', key)
    if (expectedRV !== undefined && prev.rv !== expectedRV) throw new StoreError('Conflict', key)
    const rv = this.rv + 1
    const s = deletedVersion(prev, rv)
    this.record(resource, key, 'DELETED', s, prev.released)
    this.install(resource, b, key, namespace, rv, 'DELETED', s, prev, false)
    await this.journal?.durable()
    return s
  }

  /**
   * Makes `s` the current version of `key` at `rv` (for DELETED, drops the key; `s` is then the
   * last state the watchers get), frees `prev`, and tells the watchers. Every write, local or
   * committed elsewhere, ends here.
   */
  private install(
    resource: string,
    b: Bucket,
    key: string,
    namespace: string,
    rv: number,
    type: EventType,
    s: Stored,
    prev: Stored | undefined,
    compact: boolean,
  ): void {
    if (prev) {
      this.unlink(prev)
      this.total -= prev.size
    }
    if (type === 'DELETED') {
      b.objects.delete(key)
      b.keys.remove(key)
    } else {
      if (!prev) b.keys.add(key)
      b.objects.set(key, s)
      this.total += s.size
    }
    this.rv = Math.max(this.rv, rv)
    this.hub.publish({ type, resource, namespace, rv, stored: s, prev })
    if (compact) s.release()
    // The watchers have their lines: what the history keeps of a replaced or deleted version,
    // and of a parsed-only one, is its parsed object (made into bytes again for a watcher that
    // resumes from before it). That keeps one serialized copy per object, the current one.
    else if (type === 'DELETED' || s.parsedOnly) s.dropBytes()
    prev?.dropBytes()
  }

  /**
   * Applies a change another store committed at resourceVersion `rv` (newer than any here), as a
   * watch cache applies its backend's events: a create or update when `obj` is given (its
   * resourceVersion is set here), else a deletion of `key`. Undefined when there is nothing to
   * delete. No journal records it and no limit refuses it: the backend already took it.
   */
  applyCommitted(resource: string, key: string, rv: number, obj: KubeObject | undefined, compact = false, parsed = false): StoredObject | undefined {
    const b = this.bucket(resource)
    const prev = b.objects.get(key)
    const slash = key.indexOf('/')
    const namespace = slash < 0 ? '' : key.slice(0, slash)
    if (!obj) {
      this.rv = Math.max(this.rv, rv)
      if (!prev) return undefined
      const s = deletedVersion(prev, rv)
      this.install(resource, b, key, namespace, rv, 'DELETED', s, prev, false)
      return s
    }
    obj.metadata.resourceVersion = String(rv)
    const type = prev ? 'MODIFIED' : 'ADDED'
    const s = stored(obj, rv, type, prev, compact, compact ? this.compactArenas : this.arenas, parsed)
    this.install(resource, b, key, namespace, rv, type, s, prev, compact)
    return s
  }

  watch(resource: string, namespace: string | undefined, sinceRV: number, listener: WatchListener): () => void {
    return this.hub.subscribe(resource, namespace, sinceRV, this.rv, listener)
  }

  onCommit(fn: (rv: number) => void): () => void {
    return this.hub.onCommit(fn)
  }

  async clear(): Promise<void> {
    // Each version leaves its arena (which goes with its last one): the arenas may be other stores' too.
    for (const b of this.buckets.values()) for (const v of b.objects.values()) this.unlink(v)
    this.buckets.clear()
    this.total = 0
    this.hub.reset(this.rv)
    this.journal?.rebase([], this.rv)
  }

  async checkpoint(): Promise<() => Promise<void>> {
    // Stored versions are immutable, so copying the maps (not the objects) is a full copy.
    const saved = [...this.buckets].map(([resource, b]) => [resource, new Map(b.objects)] as const)
    const total = this.total
    return async () => {
      for (const b of this.buckets.values()) for (const v of b.objects.values()) this.unlink(v)
      this.buckets.clear()
      for (const [resource, objects] of saved) {
        for (const v of objects.values()) v.rehouse(this.arenas)
        const keys = new SortedKeys()
        for (const k of objects.keys()) keys.add(k)
        this.buckets.set(resource, { objects, keys })
      }
      this.total = total
      this.hub.reset(this.rv)
      this.journal?.rebase(this.currentRows(), this.rv)
    }
  }
}

export type { StoreEvent, WatchListener }
