/** @module ui/store: the page's objects by resource, changed in batches applied once per animation frame. No DOM here. */
import type { KubeObject, ReflectorSink, WatchEvent } from './watch.js'

/** What changed in one flush: the resources touched and, for pods and nodes, the node names whose box must be redrawn. */
export interface Change {
  resources: Set<string>
  nodes: Set<string>
}

/** Options for {@link Store}. */
export interface StoreOptions {
  /** Runs `fn` before the next paint (the page: requestAnimationFrame; tests: a manual queue). */
  schedule: (fn: () => void) => void
  /** Shrinks an object before it is kept (pods at 50,000: only what the views draw). Default: keep it whole. */
  project?: (resource: string, obj: KubeObject) => KubeObject
  /** Keeps at most this many objects of a resource, dropping the oldest first (Events). */
  limits?: Record<string, number>
}

type Op = { kind: 'replace'; resource: string; items: KubeObject[] } | { kind: 'event'; resource: string; event: WatchEvent }

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name
}

/**
 * Objects by resource and key, plus pods by node name. Changes are queued and applied together in
 * one flush per frame, however many watch events arrive in between; listeners run once per flush
 * with what changed, so a burst of 10,000 events costs one redraw.
 */
export class Store implements ReflectorSink {
  private readonly byResource = new Map<string, Map<string, KubeObject>>()
  private readonly podsByNode = new Map<string, Set<string>>()
  private queue: Op[] = []
  private scheduled = false
  private readonly listeners = new Set<(c: Change) => void>()
  /** Flushes so far (for tests and the status line). */
  flushes = 0

  constructor(private readonly opts: StoreOptions) {}

  replace(resource: string, items: KubeObject[]): void {
    this.enqueue({ kind: 'replace', resource, items })
  }

  apply(resource: string, event: WatchEvent): void {
    this.enqueue({ kind: 'event', resource, event })
  }

  /** Calls `fn` after each flush; returns the function that removes it. */
  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** The objects of `resource` (live map: do not change it). */
  all(resource: string): ReadonlyMap<string, KubeObject> {
    return this.byResource.get(resource) ?? new Map()
  }

  get(resource: string, key: string): KubeObject | undefined {
    return this.byResource.get(resource)?.get(key)
  }

  /** Keys of the pods bound to `node` ('' = not scheduled yet). */
  podKeysOn(node: string): ReadonlySet<string> {
    return this.podsByNode.get(node) ?? new Set()
  }

  /** Changes queued and not applied yet. */
  get pending(): number {
    return this.queue.length
  }

  /** Applies every queued change now and tells the listeners (the scheduled flush calls this). */
  flush(): void {
    this.scheduled = false
    const ops = this.queue
    if (!ops.length) return
    this.queue = []
    const change: Change = { resources: new Set(), nodes: new Set() }
    for (const op of ops) {
      change.resources.add(op.resource)
      if (op.kind === 'replace') this.doReplace(op.resource, op.items, change)
      else this.doEvent(op.resource, op.event, change)
    }
    this.flushes++
    for (const fn of this.listeners) fn(change)
  }

  private enqueue(op: Op): void {
    this.queue.push(op)
    if (this.scheduled) return
    this.scheduled = true
    this.opts.schedule(() => this.flush())
  }

  private map(resource: string): Map<string, KubeObject> {
    let m = this.byResource.get(resource)
    if (!m) this.byResource.set(resource, (m = new Map()))
    return m
  }

  private doReplace(resource: string, items: KubeObject[], change: Change): void {
    const m = this.map(resource)
    for (const [key, old] of m) this.remove(resource, m, key, old, change)
    for (const item of items) this.put(resource, m, item, change)
  }

  private doEvent(resource: string, e: WatchEvent, change: Change): void {
    const m = this.map(resource)
    const key = keyOf(e.object)
    if (e.type === 'DELETED') {
      const old = m.get(key)
      if (old) this.remove(resource, m, key, old, change)
      return
    }
    this.put(resource, m, e.object, change)
  }

  private put(resource: string, m: Map<string, KubeObject>, raw: KubeObject, change: Change): void {
    const obj = this.opts.project ? this.opts.project(resource, raw) : raw
    const key = keyOf(obj)
    const old = m.get(key)
    if (old) {
      this.remove(resource, m, key, old, change)
    }
    m.set(key, obj)
    if (resource === 'pods') {
      const node = obj.spec?.nodeName ?? ''
      let set = this.podsByNode.get(node)
      if (!set) this.podsByNode.set(node, (set = new Set()))
      set.add(key)
      change.nodes.add(node)
    } else if (resource === 'nodes') change.nodes.add(key)
    const limit = this.opts.limits?.[resource]
    if (limit !== undefined && m.size > limit) {
      // Map keeps insertion order and put() re-inserts: the first key is the least recently changed.
      const first = m.keys().next().value as string
      this.remove(resource, m, first, m.get(first)!, change)
    }
  }

  private remove(resource: string, m: Map<string, KubeObject>, key: string, old: KubeObject, change: Change): void {
    m.delete(key)
    if (resource === 'pods') {
      const node = old.spec?.nodeName ?? ''
      const set = this.podsByNode.get(node)
      set?.delete(key)
      if (set?.size === 0) this.podsByNode.delete(node)
      change.nodes.add(node)
    } else if (resource === 'nodes') change.nodes.add(key)
  }
}
