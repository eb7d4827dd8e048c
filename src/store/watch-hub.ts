/** @module watch-hub: fans store changes out to watchers and keeps a bounded history for resumption. */
import type { StoredObject } from './object-store.js'
import { StoreError } from './store-error.js'

/** One change as the store saw it. `prev` is the version before (MODIFIED/DELETED). */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  resource: string
  namespace: string
  /** The change's resourceVersion: `stored.rv` (the history keeps only the version). */
  rv: number
  stored: StoredObject
  prev?: StoredObject
}

export type WatchListener = (event: StoreEvent) => void

/** An event type as the history's type column holds it. */
const eventTypes: readonly StoreEvent['type'][] = ['ADDED', 'MODIFIED', 'DELETED']
const eventCodes: Record<StoreEvent['type'], number> = { ADDED: 0, MODIFIED: 1, DELETED: 2 }

interface Subscription {
  namespace: string | undefined
  listener: WatchListener
}

/**
 * A ring buffer of the last `capacity` events plus live subscribers per resource. A watch from a
 * resourceVersion older than the ring answers "too old resource version" (410 Expired), as the
 * kube-apiserver watch cache does. The ring also drops its oldest events while the objects they
 * hold add up to more than `maxBytes`, so a loop rewriting a big object cannot pin thousands of
 * old copies (etcd compacts old revisions for the same reason).
 */
export class WatchHub {
  /**
   * The history as columns, slot i of each being one event (the ring starts at `start`; its
   * resourceVersion is its version's): an event object per slot was 72 bytes, and a default
   * cluster's boot leaves ~280 of them in the history of each of 300 clusters in a process.
   * Replays make the event objects again.
   */
  private types = new Uint8Array(0)
  private resources: string[] = []
  private namespaces: string[] = []
  private storeds: (StoredObject | undefined)[] = []
  private prevs: (StoredObject | undefined)[] = []
  private start = 0
  private size = 0
  /** Newest resourceVersion that has fallen out of the ring (or the store's start). */
  private compactedRV: number
  private readonly subs = new Map<string, Set<Subscription>>()
  /** Sum of `stored.size` over the events in the ring. */
  private bytes = 0
  private readonly commitListeners = new Set<(rv: number) => void>()

  constructor(
    private readonly capacity: number,
    startRV: number,
    private readonly maxBytes = Infinity,
    /** Told of every event that leaves the history (a durable store then forgets what it replaced). */
    private readonly onDrop?: (ev: StoreEvent) => void,
  ) {
    this.compactedRV = startRV
  }

  publish(ev: StoreEvent): void {
    if (this.size === this.capacity) this.dropOldest()
    // Grows by half (up to `capacity`): a cluster that writes little never holds a 10,000-slot
    // history (for every one of 300 clusters in a process).
    else if (this.size === this.types.length) this.resize(Math.min(this.capacity, Math.max(64, Math.ceil(this.size * 1.5))))
    const i = (this.start + this.size) % this.types.length
    this.types[i] = eventCodes[ev.type]
    this.resources[i] = ev.resource
    this.namespaces[i] = ev.namespace
    this.storeds[i] = ev.stored
    this.prevs[i] = ev.prev
    this.size++
    this.bytes += ev.stored.size
    // The newest event always stays: a watcher that is up to date must be able to resume.
    while (this.bytes > this.maxBytes && this.size > 1) this.dropOldest()
    for (const fn of this.commitListeners) fn(ev.rv)
    const set = this.subs.get(ev.resource)
    if (!set) return
    for (const s of set) {
      if (s.namespace && s.namespace !== ev.namespace) continue
      try {
        s.listener(ev)
      } catch {
        // A failing watcher must not break the write or other watchers.
      }
    }
  }

  /** The event in slot `i`, made again from the columns. */
  private eventAt(i: number): StoreEvent {
    const ev: StoreEvent = {
      type: eventTypes[this.types[i]!]!,
      resource: this.resources[i]!,
      namespace: this.namespaces[i]!,
      rv: this.storeds[i]!.rv,
      stored: this.storeds[i]!,
    }
    const prev = this.prevs[i]
    if (prev) ev.prev = prev
    return ev
  }

  /** Moves the history, oldest event first, into columns of `length` slots (at least `size`). */
  private resize(length: number): void {
    const types = new Uint8Array(length)
    const resources: string[] = new Array(length)
    const namespaces: string[] = new Array(length)
    const storeds: (StoredObject | undefined)[] = new Array(length)
    const prevs: (StoredObject | undefined)[] = new Array(length)
    for (let n = 0; n < this.size; n++) {
      const i = (this.start + n) % this.types.length
      types[n] = this.types[i]!
      resources[n] = this.resources[i]!
      namespaces[n] = this.namespaces[i]!
      storeds[n] = this.storeds[i]
      prevs[n] = this.prevs[i]
    }
    this.types = types
    this.resources = resources
    this.namespaces = namespaces
    this.storeds = storeds
    this.prevs = prevs
    this.start = 0
  }

  private dropOldest(): void {
    const i = this.start
    const old = this.onDrop ? this.eventAt(i) : undefined
    this.compactedRV = this.storeds[i]!.rv
    this.bytes -= this.storeds[i]!.size
    this.storeds[i] = undefined
    this.prevs[i] = undefined
    this.start = (this.start + 1) % this.types.length
    this.size--
    if (old) this.onDrop?.(old)
  }

  /** Serialized bytes the history holds (for tests and metrics). */
  historyBytes(): number {
    return this.bytes
  }

  /** Calls `fn` with the resourceVersion of every change, of any resource; returns the unsubscribe. */
  onCommit(fn: (rv: number) => void): () => void {
    this.commitListeners.add(fn)
    return () => {
      this.commitListeners.delete(fn)
    }
  }

  /** The oldest resourceVersion a watch may start from. */
  oldestResumableRV(): number {
    return this.compactedRV
  }

  /**
   * The events of `resource` (optionally one namespace) with a resourceVersion above `sinceRV`,
   * oldest first. Throws StoreError('Expired') when `sinceRV` is older than the history kept.
   */
  eventsAfter(resource: string, namespace: string | undefined, sinceRV: number): StoreEvent[] {
    if (sinceRV < this.compactedRV) throw new StoreError('Expired', `too old resource version: ${sinceRV} (${this.compactedRV})`, this.compactedRV)
    const out: StoreEvent[] = []
    this.forEachAfter(resource, namespace, sinceRV, (ev) => out.push(ev))
    return out
  }

  /** Calls `fn` with each event of the history of `resource` (and `namespace`, if given) above `sinceRV`, oldest first. */
  private forEachAfter(resource: string, namespace: string | undefined, sinceRV: number, fn: (ev: StoreEvent) => void): void {
    for (let n = 0; n < this.size; n++) {
      const i = (this.start + n) % this.types.length
      if (this.storeds[i]!.rv <= sinceRV || this.resources[i] !== resource) continue
      if (namespace && this.namespaces[i] !== namespace) continue
      fn(this.eventAt(i))
    }
  }

  subscribe(resource: string, namespace: string | undefined, sinceRV: number, currentRV: number, listener: WatchListener): () => void {
    if (sinceRV < this.compactedRV) {
      throw new StoreError('Expired', `too old resource version: ${sinceRV} (${this.compactedRV})`, this.compactedRV)
    }
    if (sinceRV < currentRV) {
      this.forEachAfter(resource, namespace, sinceRV, listener)
    }
    let set = this.subs.get(resource)
    if (!set) {
      set = new Set()
      this.subs.set(resource, set)
    }
    const sub: Subscription = { namespace, listener }
    set.add(sub)
    return () => {
      set!.delete(sub)
    }
  }

  /** Forgets history (after a state import); existing watchers must re-list. */
  reset(rv: number): void {
    this.size = 0
    this.resize(0)
    this.bytes = 0
    this.compactedRV = rv
  }

  watcherCount(): number {
    let n = 0
    for (const s of this.subs.values()) n += s.size
    return n
  }
}
