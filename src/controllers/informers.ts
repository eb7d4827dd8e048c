/**
 * @module informers: shared informer caches, as client-go's SharedIndexInformer — one watch per
 * resource, the objects kept in memory with indexes, read by every controller instead of the store.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { Registry } from '../registry/registry.js'
import type { StoredObject } from '../store/object-store.js'
import type { KubeObject } from '../types.js'
import { objectKey } from '../util/object-key.js'
import { perObject } from '../util/per-object.js'

/** The index values of one object (an object may sit under several values, or none). */
export type IndexFunc = (obj: KubeObject) => string[]

/** One change the cache applied: `prev` is the version it held before (MODIFIED, DELETED). */
export interface InformerEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  stored: StoredObject
  prev?: StoredObject
}

/** Called after the cache and its indexes took a change in. */
export type InformerHandler = (ev: InformerEvent) => void

/** Index names every informer keeps. */
export const indexes = {
  /** The controller owner's UID (`ownerReferences[controller=true].uid`); orphans under `orphan/<namespace>`. */
  controller: 'controller',
  /** One value per label, `key=value`. */
  label: 'label',
} as const

/** The index value of orphans (no controller owner) in one namespace. */
export function orphanIndexValue(namespace: string): string {
  return `orphan/${namespace}`
}

const noValues: string[] = []
/** The label index's values (`key=value`) per labels object (stored versions are immutable). */
const labelValues = perObject((labels: Record<string, string>): string[] => {
  const out: string[] = []
  for (const k in labels) out.push(`${k}=${labels[k]}`)
  return out
})

/** Whether two index value lists are the same, in order. */
function sameValues(a: string[], b: string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const builtinIndexes: Record<string, IndexFunc> = {
  [indexes.controller]: (o) => {
    const ref = o.metadata.ownerReferences?.find((r) => r.controller)
    return [ref?.uid ? ref.uid : orphanIndexValue(o.metadata.namespace ?? '')]
  },
  [indexes.label]: (o) => {
    const labels = o.metadata.labels
    // Versions written with a shallow draft share their labels object: its values are built once.
    return labels ? labelValues(labels) : noValues
  },
}

type Bucket = Map<string, StoredObject>

interface Index {
  fn: IndexFunc
  /**
   * Filed on the first query, then kept up to date: an index nobody asks (the label index of
   * most resources, in most clusters) costs nothing. 300 clusters in one process hold ~60
   * informers each.
   */
  built: boolean
  byValue: Map<string, Bucket>
  /** The values each key is filed under now, to unfile it on change. */
  valuesOf: Map<string, string[]>
}

const empty: StoredObject[] = []
/** The maps of an index not built yet: shared and always empty (nothing files into an unbuilt index). */
const unbuilt = new Map<never, never>()

/**
 * The cache of one resource. Reads never touch the store: `get`, `list` by namespace and
 * `byIndex` are map lookups, `select` narrows by the label index before it matches. Treat the
 * objects as immutable (they are the store's own versions, shared, not copies). Events reach
 * handlers after the cache took them in, in the order the store made them.
 */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, StoredObject>()
  /**
   * Namespaced resources only (a cluster-scoped one's single bucket would be `items` again), and
   * made by the first object: 300 clusters in one process hold ~60 informers each, most of them
   * of resources with no object.
   */
  private byNamespace: Map<string, Bucket> | undefined
  /** Indexes added with {@link addIndex}, and the built-in ones once asked (made on first use). */
  private indexMap: Map<string, Index> | undefined
  /**
   * Replaced by `concat`, never changed in place, so it is exactly as long as it is: a pushed-to
   * (or spread) array keeps ~17 slots, for ~60 informers of each of 300 clusters in a process.
   */
  private handlers: readonly InformerHandler[] = []
  private stopWatch: (() => void) | undefined
  private readonly namespaced: boolean

  constructor(readonly resource: ResourceStore<T>) {
    this.namespaced = resource.def.namespaced
  }

  /** Whether the cache is filled and following the store. */
  get running(): boolean {
    return this.stopWatch !== undefined
  }

  /** Adds a named index (a no-op when one of that name exists); it covers what the cache holds already. */
  addIndex(name: string, fn: IndexFunc): this {
    if (this.indexMap?.has(name) || Object.hasOwn(builtinIndexes, name)) return this
    ;(this.indexMap ??= new Map()).set(name, { fn, built: false, byValue: unbuilt, valuesOf: unbuilt })
    return this
  }

  /** The named index, filed from the cache on its first use. */
  private index(name: string): Index | undefined {
    let index = this.indexMap?.get(name)
    if (!index && Object.hasOwn(builtinIndexes, name))
      (this.indexMap ??= new Map()).set(name, (index = { fn: builtinIndexes[name], built: false, byValue: unbuilt, valuesOf: unbuilt }))
    if (index && !index.built) {
      index.built = true
      index.byValue = new Map()
      index.valuesOf = new Map()
      for (const [key, s] of this.items) this.file(index, key, s)
    }
    return index
  }

  /** Registers a handler for every later change; returns the unregister function. */
  addHandler(fn: InformerHandler): () => void {
    this.handlers = this.handlers.concat([fn])
    return () => {
      const i = this.handlers.indexOf(fn)
      if (i >= 0) this.handlers = this.handlers.slice(0, i).concat(this.handlers.slice(i + 1))
    }
  }

  /** Fills the cache from a list and follows the store's watch from that list's resourceVersion (ListAndWatch). */
  start(): void {
    if (this.stopWatch) return
    this.clear()
    const listed = this.resource.list(undefined)
    for (const s of listed.items) this.put(s)
    this.stopWatch = this.resource.watch(undefined, { resourceVersion: String(listed.resourceVersion) }, (ev) => this.apply(ev.type, ev.stored)).stop
  }

  /** Stops following the store and forgets every object. */
  stop(): void {
    this.stopWatch?.()
    this.stopWatch = undefined
    this.clear()
  }

  private clear(): void {
    this.items.clear()
    this.byNamespace = undefined
    for (const index of this.indexMap?.values() ?? []) {
      index.byValue.clear()
      index.valuesOf.clear()
    }
  }

  private apply(type: InformerEvent['type'], stored: StoredObject): void {
    const key = objectKey(stored.obj)
    const prev = this.items.get(key)
    if (type === 'DELETED') this.remove(key, prev)
    else this.put(stored, key, prev)
    const ev: InformerEvent = { type: type === 'ADDED' && prev ? 'MODIFIED' : type, stored, prev }
    for (const h of this.handlers) h(ev)
  }

  private put(s: StoredObject, key = objectKey(s.obj), prev = this.items.get(key)): void {
    this.items.set(key, s)
    if (this.namespaced) {
      const ns = s.obj.metadata.namespace ?? ''
      const byNamespace = (this.byNamespace ??= new Map())
      let bucket = byNamespace.get(ns)
      if (!bucket) byNamespace.set(ns, (bucket = new Map()))
      bucket.set(key, s)
    }
    if (!this.indexMap) return
    for (const index of this.indexMap.values()) {
      if (!index.built) continue
      if (!prev) {
        this.file(index, key, s)
        continue
      }
      // Most updates (status writes) keep every index value: swap the version in place.
      const values = index.fn(s.obj)
      const old = index.valuesOf.get(key) ?? noValues
      if (sameValues(old, values)) {
        for (const v of values) index.byValue.get(v)!.set(key, s)
        continue
      }
      this.unfile(index, key)
      this.file(index, key, s, values)
    }
  }

  private remove(key: string, prev: StoredObject | undefined): void {
    if (!prev) return
    this.items.delete(key)
    if (this.byNamespace) {
      const ns = prev.obj.metadata.namespace ?? ''
      const bucket = this.byNamespace.get(ns)
      bucket?.delete(key)
      if (bucket?.size === 0) this.byNamespace.delete(ns)
    }
    for (const index of this.indexMap?.values() ?? []) if (index.built) this.unfile(index, key)
  }

  private file(index: Index, key: string, s: StoredObject, values = index.fn(s.obj)): void {
    if (!values.length) return
    index.valuesOf.set(key, values)
    for (const v of values) {
      let b = index.byValue.get(v)
      if (!b) index.byValue.set(v, (b = new Map()))
      b.set(key, s)
    }
  }

  private unfile(index: Index, key: string): void {
    const values = index.valuesOf.get(key)
    if (!values) return
    index.valuesOf.delete(key)
    for (const v of values) {
      const b = index.byValue.get(v)
      b?.delete(key)
      if (b?.size === 0) index.byValue.delete(v)
    }
  }

  /** The cached version of one object. */
  get(namespace: string, name: string): StoredObject | undefined {
    return this.items.get(namespace && this.resource.def.namespaced ? `${namespace}/${name}` : name)
  }

  /** The cached object itself (immutable: copy before changing it). */
  getObject(namespace: string, name: string): T | undefined {
    return this.get(namespace, name)?.obj as T | undefined
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): StoredObject[] {
    if (namespace === undefined) return [...this.items.values()]
    const b = this.bucket(namespace)
    return b ? [...b.values()] : empty
  }

  /** The objects of one namespace by key; for a cluster-scoped resource, all of them under "". */
  private bucket(namespace: string): Bucket | undefined {
    if (!this.namespaced) return namespace === '' ? this.items : undefined
    return this.byNamespace?.get(namespace)
  }

  /** Objects of one namespace (or all), as objects. */
  objects(namespace?: string): T[] {
    return this.list(namespace).map((s) => s.obj as T)
  }

  /** How many objects are cached (in one namespace). */
  count(namespace?: string): number {
    return namespace === undefined ? this.items.size : (this.bucket(namespace)?.size ?? 0)
  }

  /** The objects filed under `value` in the named index. */
  byIndex(name: string, value: string): StoredObject[] {
    const index = this.index(name)
    if (!index) throw new Error(`informer for ${this.resource.key} has no index "${name}"`)
    const b = index.byValue.get(value)
    return b ? [...b.values()] : empty
  }

  /** How many objects are filed under `value` in the named index. */
  indexCount(name: string, value: string): number {
    return this.index(name)?.byValue.get(value)?.size ?? 0
  }

  /** Objects controlled by the owner with this UID. */
  controlledBy(uid: string): T[] {
    return this.byIndex(indexes.controller, uid).map((s) => s.obj as T)
  }

  /**
   * Objects in a namespace matching `matches`; when `matchLabels` is given, only the objects
   * carrying its smallest label bucket are looked at (the label index), not the whole namespace.
   */
  select(namespace: string, matches: (obj: T) => boolean, matchLabels?: LabelSelector['matchLabels']): T[] {
    let candidates: Iterable<StoredObject> | undefined
    let best = Infinity
    for (const k in matchLabels ?? {}) {
      const b = this.index(indexes.label)!.byValue.get(`${k}=${matchLabels![k]}`)
      if (!b) return []
      if (b.size < best) {
        best = b.size
        candidates = b.values()
      }
    }
    const out: T[] = []
    for (const s of candidates ?? this.bucket(namespace)?.values() ?? empty) {
      if ((s.obj.metadata.namespace ?? '') !== namespace) continue
      if (matches(s.obj as T)) out.push(s.obj as T)
    }
    return out
  }
}

/** One informer per resource, shared by every controller (client-go's SharedInformerFactory). */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>()
  private started = false

  constructor(private readonly registry: Registry) {}

  /** The shared informer of group + plural (created on first use; started if the factory runs). */
  for<T extends KubeObject = KubeObject>(group: string, plural: string): Informer<T> {
    const key = `${group}/${plural}`
    let inf = this.informers.get(key)
    if (!inf) {
      inf = new Informer(this.registry.resource(group, plural))
      this.informers.set(key, inf)
      if (this.started) inf.start()
    }
    return inf as unknown as Informer<T>
  }

  /**
   * Stops and forgets the informers of resources the registry no longer serves, or serves through
   * another store now (a CRD update replaces its definition): a later {@link for} builds a fresh one.
   */
  prune(): void {
    for (const [key, inf] of this.informers) {
      const slash = key.indexOf('/')
      if (this.registry.find(key.slice(0, slash), key.slice(slash + 1)) === inf.resource) continue
      inf.stop()
      this.informers.delete(key)
    }
  }

  /** Fills and starts every informer created so far, and those created later. */
  start(): void {
    this.started = true
    for (const inf of this.informers.values()) inf.start()
  }

  /** Stops every informer and empties it (a later start relists). */
  stop(): void {
    this.started = false
    for (const inf of this.informers.values()) inf.stop()
  }
}

/** The pods index by `spec.nodeName` ('' for unbound pods): what the kubelet and node controllers look pods up by. */
export const nodeNameIndex = 'spec.nodeName'

/** The shared pods informer, with its {@link nodeNameIndex}. */
export function podInformer(f: InformerFactory): Informer {
  return f.for('', 'pods').addIndex(nodeNameIndex, (o) => [(o as { spec?: { nodeName?: string } }).spec?.nodeName ?? ''])
}
