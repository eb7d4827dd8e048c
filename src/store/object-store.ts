/** @module object-store: a kind-agnostic versioned object store with compare-and-swap writes. */
import type { KubeObject } from '../types.js'
import { StoreError } from './store-error.js'
import { WatchHub, type StoreEvent, type WatchListener } from './watch-hub.js'

export { StoreError }

/**
 * One stored version of an object. `json` is the object serialized once (kind and apiVersion
 * first); every GET, LIST and watch event reuses those bytes. Treat `obj` as immutable.
 */
export interface StoredObject<T extends KubeObject = KubeObject> {
  readonly obj: T
  readonly rv: number
  readonly json: string
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

/** The storage interface; a durable or distributed backend can implement it later. */
export interface ObjectStore {
  /** The newest resourceVersion handed out (one global counter). */
  currentRV(): number
  get(resource: string, namespace: string, name: string): StoredObject | undefined
  /** All objects of a resource (optionally one namespace), sorted by namespace then name, like etcd keys. */
  list(resource: string, namespace?: string): StoredObject[]
  /**
   * The objects as they were at resourceVersion `rv` (≤ currentRV), sorted like list(); rebuilt
   * from the bounded history, so StoreError('Expired') when `rv` is older than it.
   */
  listAt(resource: string, namespace: string | undefined, rv: number): StoredObject[]
  /** Stores a new object; stamps metadata.resourceVersion. */
  create(resource: string, obj: KubeObject): StoredObject
  /** Replaces an object if its current resourceVersion equals `expectedRV` (when given). */
  update(resource: string, obj: KubeObject, expectedRV?: number): StoredObject
  /** Removes an object; the DELETED event carries a new resourceVersion. */
  delete(resource: string, namespace: string, name: string, expectedRV?: number): StoredObject
  /** Subscribes to changes after `sinceRV`, replaying history; throws StoreError('Expired') when too old. */
  watch(resource: string, namespace: string | undefined, sinceRV: number, listener: WatchListener): () => void
  /** Calls `fn` with the new resourceVersion after every write, of any resource; returns the unsubscribe. */
  onCommit(fn: (rv: number) => void): () => void
  /** Count of objects of a resource (for metrics and tests). */
  count(resource: string): number
  /** Drops everything (state import/reset). */
  clear(): void
}

class Stored implements StoredObject {
  private item: string | undefined
  private buf: Buffer | undefined
  private lines: Partial<Record<'ADDED' | 'MODIFIED' | 'DELETED', Buffer>> | undefined
  constructor(
    readonly obj: KubeObject,
    readonly rv: number,
    readonly json: string,
    /** Length of `{"kind":…,"apiVersion":…,` — ASCII, so the same in characters and bytes. */
    private readonly headLength: number,
  ) {}

  itemJSON(): string {
    if (this.item === undefined) this.item = this.headLength > 0 ? '{' + this.json.slice(this.headLength) : this.json
    return this.item
  }

  bytes(): Buffer {
    if (this.buf === undefined) this.buf = Buffer.from(this.json, 'utf8')
    return this.buf
  }

  itemBytes(): Buffer[] {
    const b = this.bytes()
    return this.headLength > 0 ? [openBrace, b.subarray(this.headLength)] : [b]
  }

  watchLine(type: 'ADDED' | 'MODIFIED' | 'DELETED'): Buffer {
    this.lines ??= {}
    let line = this.lines[type]
    if (!line) {
      line = Buffer.from(`{"type":"${type}","object":${this.json}}\n`, 'utf8')
      this.lines[type] = line
    }
    return line
  }
}

/** Serializes with kind and apiVersion first, remembering where they end. */
export function serialize(obj: KubeObject, rv: number): Stored {
  const json = JSON.stringify(obj)
  let head = 0
  if (obj.kind !== undefined && obj.apiVersion !== undefined) {
    const prefix = `{"kind":${JSON.stringify(obj.kind)},"apiVersion":${JSON.stringify(obj.apiVersion)},`
    if (json.startsWith(prefix)) head = prefix.length
  }
  return new Stored(obj, rv, json, head)
}

interface Bucket {
  objects: Map<string, Stored>
  sorted: string[] | undefined
}

function keyOf(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name
}

/** The in-memory implementation. */
export class MemoryStore implements ObjectStore {
  private rv = 0
  private readonly buckets = new Map<string, Bucket>()
  readonly hub: WatchHub

  constructor(opts: { historySize?: number; startRV?: number } = {}) {
    this.rv = opts.startRV ?? 0
    this.hub = new WatchHub(opts.historySize ?? 10_000, this.rv)
  }

  currentRV(): number {
    return this.rv
  }

  private bucket(resource: string): Bucket {
    let b = this.buckets.get(resource)
    if (!b) {
      b = { objects: new Map(), sorted: undefined }
      this.buckets.set(resource, b)
    }
    return b
  }

  get(resource: string, namespace: string, name: string): StoredObject | undefined {
    return this.buckets.get(resource)?.objects.get(keyOf(namespace, name))
  }

  list(resource: string, namespace?: string): StoredObject[] {
    const b = this.buckets.get(resource)
    if (!b) return []
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort()
    const out: StoredObject[] = []
    if (namespace) {
      const prefix = namespace + '/'
      // Keys are sorted, so one namespace is one contiguous run.
      let lo = 0
      let hi = b.sorted.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (b.sorted[mid] < prefix) lo = mid + 1
        else hi = mid
      }
      for (let i = lo; i < b.sorted.length && b.sorted[i].startsWith(prefix); i++) out.push(b.objects.get(b.sorted[i])!)
      return out
    }
    for (const k of b.sorted) out.push(b.objects.get(k)!)
    return out
  }

  listAt(resource: string, namespace: string | undefined, rv: number): StoredObject[] {
    const later = this.hub.eventsAfter(resource, namespace, rv)
    const current = this.list(resource, namespace)
    if (!later.length) return current
    const state = new Map<string, StoredObject>()
    for (const s of current) state.set(keyOf(s.obj.metadata.namespace ?? '', s.obj.metadata.name ?? ''), s)
    // Undo the later changes, newest first: a creation disappears, an update or deletion restores `prev`.
    for (let i = later.length - 1; i >= 0; i--) {
      const ev = later[i]
      const key = keyOf(ev.namespace, ev.stored.obj.metadata.name ?? '')
      if (ev.type === 'ADDED') state.delete(key)
      else if (ev.prev) state.set(key, ev.prev)
    }
    return [...state.keys()].sort().map((k) => state.get(k)!)
  }

  count(resource: string): number {
    return this.buckets.get(resource)?.objects.size ?? 0
  }

  create(resource: string, obj: KubeObject): StoredObject {
    const b = this.bucket(resource)
    const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '')
    if (b.objects.has(key)) throw new StoreError('AlreadyExists', key)
    const rv = ++this.rv
    obj.metadata.resourceVersion = String(rv)
    const s = serialize(obj, rv)
    b.objects.set(key, s)
    b.sorted = undefined
    this.hub.publish({ type: 'ADDED', resource, namespace: obj.metadata.namespace ?? '', rv, stored: s })
    return s
  }

  update(resource: string, obj: KubeObject, expectedRV?: number): StoredObject {
    const b = this.bucket(resource)
    const ns = obj.metadata.namespace ?? ''
    const key = keyOf(ns, obj.metadata.name ?? '')
    const prev = b.objects.get(key)
    if (!prev) throw new StoreError('NotFound', key)
    if (expectedRV !== undefined && prev.rv !== expectedRV) throw new StoreError('Conflict', key)
    const rv = ++this.rv
    obj.metadata.resourceVersion = String(rv)
    const s = serialize(obj, rv)
    b.objects.set(key, s)
    this.hub.publish({ type: 'MODIFIED', resource, namespace: ns, rv, stored: s, prev })
    return s
  }

  delete(resource: string, namespace: string, name: string, expectedRV?: number): StoredObject {
    const b = this.bucket(resource)
    const key = keyOf(namespace, name)
    const prev = b.objects.get(key)
    if (!prev) throw new StoreError('NotFound', key)
    if (expectedRV !== undefined && prev.rv !== expectedRV) throw new StoreError('Conflict', key)
    b.objects.delete(key)
    b.sorted = undefined
    const rv = ++this.rv
    // The DELETED event carries the last state with the deletion's own resourceVersion.
    const last = { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: String(rv) } }
    const s = serialize(last, rv)
    this.hub.publish({ type: 'DELETED', resource, namespace, rv, stored: s, prev })
    return s
  }

  watch(resource: string, namespace: string | undefined, sinceRV: number, listener: WatchListener): () => void {
    return this.hub.subscribe(resource, namespace, sinceRV, this.rv, listener)
  }

  onCommit(fn: (rv: number) => void): () => void {
    return this.hub.onCommit(fn)
  }

  clear(): void {
    this.buckets.clear()
    this.hub.reset(this.rv)
  }
}

export type { StoreEvent, WatchListener }
