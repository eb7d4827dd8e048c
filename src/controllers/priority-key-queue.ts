/** @module priority-key-queue: dirty keys taken highest priority first, then in the order they became dirty. */
import { KeyQueue } from './key-queue.js'

/**
 * A {@link KeyQueue} per priority value: `take` looks at the highest priority first and, within
 * one, at the oldest key (kube-scheduler's activeQ with the PrioritySort plugin: priority, then
 * the time the pod was queued). A key's priority is read once, when it is added. Priorities are
 * few distinct values (0, a handful of classes), so a take costs what KeyQueue's does.
 */
export class PriorityKeyQueue {
  private readonly buckets = new Map<number, KeyQueue>()
  /** The bucket priorities, highest first. */
  private order: number[] = []
  private readonly priorityOf = new Map<string, number>()

  constructor(private readonly priority: (key: string) => number) {}

  get size(): number {
    return this.priorityOf.size
  }

  has(key: string): boolean {
    return this.priorityOf.has(key)
  }

  add(key: string): void {
    if (this.priorityOf.has(key)) return
    const p = this.priority(key)
    this.priorityOf.set(key, p)
    let b = this.buckets.get(p)
    if (!b) {
      b = new KeyQueue()
      this.buckets.set(p, b)
      this.order = [...this.order, p].sort((x, y) => y - x)
    }
    b.add(key)
  }

  delete(key: string): boolean {
    const p = this.priorityOf.get(key)
    if (p === undefined) return false
    this.priorityOf.delete(key)
    this.buckets.get(p)!.delete(key)
    return true
  }

  clear(): void {
    this.buckets.clear()
    this.order = []
    this.priorityOf.clear()
  }

  /** Every key (in no particular order). */
  keys(): IterableIterator<string> {
    return this.priorityOf.keys()
  }

  /** Removes and returns the first key `runnable` accepts: highest priority first, oldest first within one. */
  take(runnable: (key: string) => boolean): string | undefined {
    for (const p of this.order) {
      const b = this.buckets.get(p)!
      if (b.size === 0) continue
      const key = b.take(runnable)
      if (key !== undefined) {
        this.priorityOf.delete(key)
        return key
      }
    }
    return undefined
  }
}
