/**
 * @module etcd-store: objects kept in etcd (`--etcd-servers`), read through an in-process watch
 * cache as kube-apiserver's cacher does.
 *
 * Keys follow kube-apiserver's layout (`/registry/pods/NS/NAME`, `/registry/minions/NAME`, …, as
 * the caller declares per resource), values are the objects' JSON without resourceVersion, and a
 * version's resourceVersion is the etcd revision that wrote it (mod_revision). Writes are etcd
 * transactions comparing mod_revision, so processes sharing one etcd never overwrite each other's
 * changes; each resolves once the cache has applied its revision (read-your-writes). Reads, lists
 * and watches come from the cache, fed by one etcd watch from the revision it was listed at.
 */
import { ConsecutiveBreaker, circuitBreaker, handleAll, noop } from 'cockatiel'
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3'
import { MemoryStore, serialize, type StoreWriteOptions, type ObjectStore, type StoredObject, type WatchListener } from './object-store.js'
import type { JournalRow } from './journal.js'
import { StoreError } from './store-error.js'
import { objectKey, splitKey } from '../util/object-key.js'
import type { KubeObject } from '../types.js'

/** How one resource is laid out in etcd. */
export interface EtcdResource {
  /** The store's name for the resource (ResourceStore.key). */
  resource: string
  /** The key prefix without the leading `/registry/` and trailing slash: `pods`, `services/specs`, `minions`. */
  prefix: string
  /** Kept as bytes only once watchers saw a version (see StoreWriteOptions.compact). */
  compact?: boolean
  /** Kept as the parsed object only (see StoreWriteOptions.parsed). */
  parsed?: boolean
}

export interface EtcdStoreOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[]
  resources: EtcdResource[]
  /** Events the cache keeps for resuming watches (default 10,000). */
  historySize?: number
  /**
   * How long a write keeps trying while etcd does not answer before it fails with
   * StoreError('Timeout') (kube-apiserver's --request-timeout, default 60 s).
   */
  timeoutMs?: number
  /**
   * Objects a state import or reset leaves in place (`resource`, `namespace/name`): what the
   * processes sharing the etcd coordinate through, which none of them may lose mid-way.
   */
  keepOnClear?: (resource: string, key: string) => boolean
}

/** Operations per etcd transaction (etcd's --max-txn-ops default is 128). */
const txnOps = 100

/** The root of every key, as kube-apiserver's --etcd-prefix default. */
export const registryRoot = '/registry/'

const retryPauseMs = 200

/** Network-level failures: etcd may come back, so the operation is tried again until the deadline. */
function retryable(err: unknown): boolean {
  const name = (err as Error)?.constructor?.name ?? ''
  // BrokenCircuitError: the client stopped calling a host that failed; it half-opens again later.
  return (
    /Unavailable|DeadlineExceeded|Cancelled|ClientRuntime|Unknown|Internal|Aborted|BrokenCircuit/.test(name) ||
    /connect|ECONNREFUSED|No connection|UNAVAILABLE|circuit breaker/.test(String(err))
  )
}

/** etcd's own refusals that kube-apiserver passes through (ErrRequestTooLarge, ErrNoSpace). */
function refusal(err: unknown, key: string): StoreError | undefined {
  const text = String((err as Error)?.message ?? err)
  if (/request is too large/.test(text)) return new StoreError('TooLarge', `${key}: ${text}`)
  if (/database space exceeded/.test(text)) return new StoreError('NoSpace', `${key}: ${text}`)
  return undefined
}

export class EtcdStore implements ObjectStore {
  readonly writesSettleInTurn = false
  private readonly client: Etcd3
  private cache!: MemoryStore
  private watcher: Watcher | undefined
  private readonly byResource = new Map<string, EtcdResource>()
  /** Prefixes longest first, so `services/specs` is not taken for `services`. */
  private readonly prefixes: [string, EtcdResource][]
  private readonly timeoutMs: number
  private readonly keepOnClear: EtcdStoreOptions['keepOnClear']
  private readonly historySize: number
  /** Writes waiting for the cache to reach their revision. */
  private readonly waiters: { rv: number; resolve: () => void }[] = []
  private closed = false
  /** Whether the last operation reached etcd (for readiness). */
  private reachable = true

  private constructor(opts: EtcdStoreOptions) {
    this.client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: 2000,
      // withRetries tries again itself until the deadline; a host that failed is skipped for only
      // half a second (the client's default of 5 s would outlast etcd's own restart).
      faultHandling: { global: noop, host: () => circuitBreaker(handleAll, { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }) },
    })
    for (const r of opts.resources) this.byResource.set(r.resource, r)
    this.keepOnClear = opts.keepOnClear
    this.prefixes = opts.resources.map((r) => [`${registryRoot}${r.prefix}/`, r] as [string, EtcdResource]).sort((a, b) => b[0].length - a[0].length)
    this.timeoutMs = opts.timeoutMs ?? 60_000
    this.historySize = opts.historySize ?? 10_000
  }

  /** Connects, lists everything under /registry/ into the cache and starts following changes. */
  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const s = new EtcdStore(opts)
    try {
      await s.withRetries('/registry/', async () => {
        const { rows, rv } = await s.listAll()
        s.cache = new MemoryStore({ historySize: s.historySize, initial: { rows, rv, compactedRV: rv } })
      })
      await s.follow(s.cache.currentRV())
    } catch (err) {
      s.client.close()
      throw err instanceof StoreError ? err : new StoreError('Internal', `etcd at ${opts.endpoints.join(',')}: ${(err as Error).message}`)
    }
    return s
  }

  /** Every object under /registry/ as cache rows (resourceVersion set from mod_revision), and the header revision. */
  private async listAll(): Promise<{ rows: JournalRow[]; rv: number }> {
    const res = await this.client.getAll().prefix(registryRoot).exec()
    const rows: JournalRow[] = []
    for (const kv of res.kvs) {
      const where = this.locate(kv.key.toString('utf8'))
      if (!where) continue
      const rv = Number(kv.mod_revision)
      const obj = this.decode(kv, rv)
      rows.push({
        rv,
        resource: where.res.resource,
        key: where.key,
        type: 'ADDED',
        json: Buffer.from(JSON.stringify(obj)),
        compact: where.res.compact ?? false,
      })
    }
    rows.sort((a, b) => a.rv - b.rv)
    return { rows, rv: Number(res.header.revision) }
  }

  /** The resource and `namespace/name` (or `name`) of an etcd key, or undefined for keys of others. */
  private locate(etcdKey: string): { res: EtcdResource; key: string } | undefined {
    for (const [prefix, res] of this.prefixes) if (etcdKey.startsWith(prefix)) return { res, key: etcdKey.slice(prefix.length) }
    return undefined
  }

  private etcdKey(resource: string, namespace: string, name: string): string {
    const r = this.byResource.get(resource)
    if (!r) throw new StoreError('BadRequest', `no etcd layout is declared for ${resource}`)
    return `${registryRoot}${r.prefix}/${namespace ? `${namespace}/` : ''}${name}`
  }

  private decode(kv: IKeyValue, rv: number): KubeObject {
    const obj = JSON.parse(kv.value.toString('utf8')) as KubeObject
    obj.metadata = { ...obj.metadata, resourceVersion: String(rv) }
    return obj
  }

  /** Follows etcd from `fromRV` (exclusive) into the cache; a watch etcd ends (compaction) lists again. */
  private async follow(fromRV: number): Promise<void> {
    let w: Watcher
    try {
      w = await this.client
        .watch()
        .prefix(registryRoot)
        .startRevision(String(fromRV + 1))
        .create()
    } catch (err) {
      // etcd compacted past fromRV before the watch was made.
      if (/compacted/.test(String((err as Error).message))) return this.relist()
      throw err
    }
    this.watcher = w
    w.on('data', (res) => {
      for (const ev of res.events ?? []) {
        const where = this.locate(ev.kv.key.toString('utf8'))
        const rv = Number(ev.kv.mod_revision)
        if (!where) continue
        if (ev.type === 'Delete') this.cache.applyCommitted(where.res.resource, where.key, rv, undefined)
        else this.cache.applyCommitted(where.res.resource, where.key, rv, this.decode(ev.kv, rv), where.res.compact, where.res.parsed)
      }
      this.reachable = true
      this.release()
    })
    w.on('connected', () => {
      this.reachable = true
    })
    w.on('disconnected', () => {
      this.reachable = false
    })
    // etcd ended the watch for good (its revision compacted while the stream was away).
    w.on('error', () => {
      if (this.closed || this.watcher !== w) return
      this.watcher = undefined
      void this.relist()
    })
  }

  /**
   * After the watch was lost for good (its revision compacted while etcd was away): lists again
   * and applies the differences, as a reflector's relist does, then follows from there.
   */
  private async relist(): Promise<void> {
    await this.withRetries(registryRoot, async () => {
      const { rows, rv } = await this.listAll()
      const seen = new Set<string>()
      for (const row of rows) {
        seen.add(`${row.resource}\u0000${row.key}`)
        const cur = this.cache.get(row.resource, ...splitKey(row.key))
        // Each version keeps the revision etcd wrote it at: the next compare-and-swap compares that.
        if (!cur || cur.rv < row.rv)
          this.cache.applyCommitted(
            row.resource,
            row.key,
            row.rv,
            JSON.parse(row.json.toString('utf8')),
            row.compact,
            this.byResource.get(row.resource)?.parsed,
          )
      }
      for (const r of this.byResource.values())
        for (const s of this.cache.list(r.resource)) {
          const key = objectKey(s.obj)
          // Gone at some revision up to the listing's: the listing's stands for it.
          if (!seen.has(`${r.resource}\u0000${key}`)) this.cache.applyCommitted(r.resource, key, rv, undefined)
        }
      await this.follow(rv)
    })
    this.release()
  }

  /** Resolves the writes whose revision the cache has reached. */
  private release(): void {
    const at = this.cache.currentRV()
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].rv <= at) {
        this.waiters[i].resolve()
        this.waiters.splice(i, 1)
      }
    }
  }

  /** Resolves once the cache holds revision `rv`. */
  private applied(rv: number): Promise<void> {
    if (this.cache.currentRV() >= rv) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ rv, resolve }))
  }

  /**
   * Runs `op` until it succeeds, etcd refuses it for good, or the deadline passes: then
   * StoreError('Timeout'), as kube-apiserver's request times out while etcd is away.
   */
  private async withRetries<R>(key: string, op: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + this.timeoutMs
    for (;;) {
      try {
        const r = await op()
        this.reachable = true
        return r
      } catch (err) {
        if (err instanceof StoreError) throw err
        const refused = refusal(err, key)
        if (refused) throw refused
        if (!retryable(err) || this.closed) throw new StoreError('Internal', `etcd: ${(err as Error).message}`)
        this.reachable = false
        if (Date.now() + retryPauseMs >= deadline)
          throw new StoreError('Timeout', `${key}: etcd did not answer within ${this.timeoutMs} ms: ${(err as Error).message}`)
        await new Promise((r) => setTimeout(r, retryPauseMs))
      }
    }
  }

  /**
   * The value of `/kubemock/<name>`, outside /registry/ (objects, resets and state imports never
   * touch it): the one there, else `make()`'s, written only if no other process wrote one first
   * (a create-if-absent transaction), so every process sharing the etcd gets the same value.
   */
  async sharedValue(name: string, make: () => Promise<string>): Promise<string> {
    const key = `/kubemock/${name}`
    const existing = await this.withRetries(key, () => this.client.get(key).string())
    if (existing !== null) return existing
    const value = await make()
    const res = await this.withRetries(key, () =>
      this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value)).else(this.client.get(key)).commit(),
    )
    return res.succeeded ? value : (res.responses[0]?.response_range?.kvs[0]?.value.toString('utf8') ?? value)
  }

  /** Whether etcd answered the last call (readiness reports it). */
  healthy(): boolean {
    return this.reachable
  }

  currentRV(): number {
    return this.cache.currentRV()
  }

  get(resource: string, namespace: string, name: string): StoredObject | undefined {
    return this.cache.get(resource, namespace, name)
  }

  list(resource: string, namespace?: string, startKey?: string): StoredObject[] {
    return this.cache.list(resource, namespace, startKey)
  }

  listAt(resource: string, namespace: string | undefined, rv: number, startKey?: string): StoredObject[] {
    return this.cache.listAt(resource, namespace, rv, startKey)
  }

  /** What etcd stores: the object without resourceVersion (kube-apiserver's PrepareObjectForStorage). */
  private value(obj: KubeObject): string {
    const { resourceVersion: _rv, ...metadata } = obj.metadata
    return JSON.stringify({ ...obj, metadata })
  }

  private checkSize(key: string, value: string): void {
    const { maxObjectBytes } = this.limits()
    const size = Buffer.byteLength(value)
    if (size > maxObjectBytes) throw new StoreError('TooLarge', `${key}: ${size} bytes, limit ${maxObjectBytes}`)
  }

  async create(resource: string, obj: KubeObject, _opts?: StoreWriteOptions): Promise<StoredObject> {
    const ns = obj.metadata.namespace ?? ''
    const name = obj.metadata.name ?? ''
    const key = this.etcdKey(resource, ns, name)
    const value = this.value(obj)
    this.checkSize(key, value)
    const res = await this.withRetries(key, () => this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value)).commit())
    if (!res.succeeded) throw new StoreError('AlreadyExists', key)
    const rv = Number(res.header.revision)
    obj.metadata.resourceVersion = String(rv)
    await this.applied(rv)
    return serialize(obj, rv, 'ADDED')
  }

  async update(resource: string, obj: KubeObject, expectedRV?: number, _opts?: StoreWriteOptions & { deleting?: boolean }): Promise<StoredObject> {
    const ns = obj.metadata.namespace ?? ''
    const key = this.etcdKey(resource, ns, obj.metadata.name ?? '')
    const value = this.value(obj)
    this.checkSize(key, value)
    const txn = () =>
      (expectedRV === undefined ? this.client.if(key, 'Create', '>', 0) : this.client.if(key, 'Mod', '==', expectedRV))
        .then(this.client.put(key).value(value))
        .else(this.client.get(key))
        .commit()
    const res = await this.withRetries(key, txn)
    if (!res.succeeded) await this.refused(res.responses, key)
    const rv = Number(res.header.revision)
    obj.metadata.resourceVersion = String(rv)
    await this.applied(rv)
    return serialize(obj, rv, 'MODIFIED')
  }

  async delete(resource: string, namespace: string, name: string, expectedRV?: number): Promise<StoredObject> {
    const key = this.etcdKey(resource, namespace, name)
    const before = this.cache.get(resource, namespace, name)
    const txn = () =>
      (expectedRV === undefined ? this.client.if(key, 'Create', '>', 0) : this.client.if(key, 'Mod', '==', expectedRV))
        .then(this.client.delete().key(key))
        .else(this.client.get(key))
        .commit()
    const res = await this.withRetries(key, txn)
    if (!res.succeeded) await this.refused(res.responses, key)
    const rv = Number(res.header.revision)
    await this.applied(rv)
    const last = before?.obj ?? ({ metadata: { namespace: namespace || undefined, name } } as KubeObject)
    return serialize({ ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } }, rv, 'DELETED')
  }

  /**
   * A compare that failed: NotFound when the key is gone, else Conflict, once the cache holds the
   * version that won (so a retry reads it, as GuaranteedUpdate retries with the current object).
   */
  private async refused(responses: { response_range?: { kvs?: IKeyValue[] } | null }[] | undefined, key: string): Promise<never> {
    const kv = responses?.[0]?.response_range?.kvs?.[0]
    if (!kv) throw new StoreError('NotFound', key)
    await this.applied(Number(kv.mod_revision))
    throw new StoreError('Conflict', key)
  }

  watch(resource: string, namespace: string | undefined, sinceRV: number, listener: WatchListener): () => void {
    return this.cache.watch(resource, namespace, sinceRV, listener)
  }

  onCommit(fn: (rv: number) => void): () => void {
    return this.cache.onCommit(fn)
  }

  count(resource: string): number {
    return this.cache.count(resource)
  }

  storedBytes(): number {
    return this.cache.storedBytes()
  }

  limits(): { quotaBytes: number; maxObjectBytes: number } {
    return this.cache.limits()
  }

  /**
   * Deletes every object but those {@link EtcdStoreOptions.keepOnClear} keeps, in transactions of
   * 100 keys. Every process's cache sees the deletions through its watch, so its watchers get
   * DELETED events (those of the process that clears are ended with 410 first, by the caller).
   * Other processes may see a part-cleared state for as long as the transactions take.
   */
  async clear(): Promise<void> {
    const keys = (await this.withRetries(registryRoot, () => this.client.getAll().prefix(registryRoot).keys())).filter((k) => !this.kept(k))
    await this.inTransactions(keys, (k) => this.client.delete().key(k))
  }

  /** Captures every object {@link clear} would delete, as etcd holds it; the function returned clears and writes them back. */
  async checkpoint(): Promise<() => Promise<void>> {
    const res = await this.withRetries(registryRoot, () => this.client.getAll().prefix(registryRoot).exec())
    const saved = res.kvs.filter((kv) => !this.kept(kv.key.toString('utf8')))
    return async () => {
      await this.clear()
      await this.inTransactions(saved, (kv) => this.client.put(kv.key).value(kv.value))
    }
  }

  private kept(etcdKey: string): boolean {
    const where = this.locate(etcdKey)
    return !where || (this.keepOnClear?.(where.res.resource, where.key) ?? false)
  }

  /** Runs one operation per item, `txnOps` to a transaction, and waits until the cache holds the last. */
  private async inTransactions<T>(items: T[], op: (item: T) => Parameters<ReturnType<Etcd3['if']>['then']>[0]): Promise<void> {
    let rv = 0
    for (let i = 0; i < items.length; i += txnOps) {
      const batch = items.slice(i, i + txnOps)
      const res = await this.withRetries(registryRoot, () =>
        // etcd3's builder starts a transaction with a comparison: this one always holds.
        this.client
          .if(registryRoot, 'Version', '>', -1)
          .then(...batch.map(op))
          .commit(),
      )
      rv = Number(res.header.revision)
    }
    if (rv) await this.applied(rv)
  }

  durable(): Promise<void> | undefined {
    return undefined
  }

  /** Compacts etcd's history up to `rv` (kube-apiserver's compactor does so every 5 minutes). */
  async compact(rv: number): Promise<void> {
    await this.client.kv.compact({ revision: String(rv), physical: false })
  }

  close(): void {
    this.closed = true
    void this.watcher?.cancel().catch(() => {})
    for (const w of this.waiters.splice(0)) w.resolve()
    this.client.close()
  }
}
