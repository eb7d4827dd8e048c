/** @module watch-hub: fans store changes out to watchers and keeps a bounded history for resumption. */
import type { StoredObject } from './object-store.js'
import { StoreError } from './store-error.js'

/** One change as the store saw it. `prev` is the version before (MODIFIED/DELETED). */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  resource: string
  namespace: string
  rv: number
  stored: StoredObject
  prev?: StoredObject
}

export type WatchListener = (event: StoreEvent) => void

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
  private ring: (StoreEvent | undefined)[]
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
    this.ring = []
    this.compactedRV = startRV
  }

  publish(ev: StoreEvent): void {
    if (this.size === this.capacity) this.dropOldest()
    else if (this.size === this.ring.length) this.grow()
    this.ring[(this.start + this.size) % this.ring.length] = ev
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

  /**
   * Doubles the ring (up to `capacity`), oldest event first: a cluster that writes little never
   * holds a 10,000-slot array (80 KB each, for every one of 300 clusters in a process).
   */
  private grow(): void {
    const next: (StoreEvent | undefined)[] = new Array(Math.min(this.capacity, Math.max(64, this.ring.length * 2)))
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.start + i) % this.ring.length]
    this.ring = next
    this.start = 0
  }

  private dropOldest(): void {
    const old = this.ring[this.start]!
    this.compactedRV = old.rv
    this.bytes -= old.stored.size
    this.ring[this.start] = undefined
    this.start = (this.start + 1) % this.ring.length
    this.size--
    this.onDrop?.(old)
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
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(this.start + i) % this.ring.length]!
      if (ev.rv <= sinceRV || ev.resource !== resource) continue
      if (namespace && ev.namespace !== namespace) continue
      out.push(ev)
    }
    return out
  }

  subscribe(resource: string, namespace: string | undefined, sinceRV: number, currentRV: number, listener: WatchListener): () => void {
    if (sinceRV < this.compactedRV) {
      throw new StoreError('Expired', `too old resource version: ${sinceRV} (${this.compactedRV})`, this.compactedRV)
    }
    if (sinceRV < currentRV) {
      for (let i = 0; i < this.size; i++) {
        const ev = this.ring[(this.start + i) % this.ring.length]!
        if (ev.rv <= sinceRV || ev.resource !== resource) continue
        if (namespace && ev.namespace !== namespace) continue
        listener(ev)
      }
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
    this.ring = []
    this.start = 0
    this.size = 0
    this.bytes = 0
    this.compactedRV = rv
  }

  watcherCount(): number {
    let n = 0
    for (const s of this.subs.values()) n += s.size
    return n
  }
}
