/** @module key-queue: a controller's dirty keys, in the order they became dirty. */

/**
 * A set of keys kept in FIFO order, with O(1) add, has and delete, and a take that finds the
 * oldest key a predicate accepts. A plain Set consumed from its front leaves deleted slots that
 * every later scan walks again until V8 rehashes it (most of a busy kubelet queue's time at
 * 20,000 pods); here consumed slots are skipped once. A key the predicate refuses (running,
 * cooling down) moves to the back, so the next take does not look at it again first.
 */
export class KeyQueue {
  /** key → absolute index of its live slot in `order`. */
  private readonly slots = new Map<string, number>()
  private order: string[] = []
  /** Absolute index of order[0]. */
  private base = 0
  private head = 0

  get size(): number {
    return this.slots.size
  }

  has(key: string): boolean {
    return this.slots.has(key)
  }

  add(key: string): void {
    if (this.slots.has(key)) return
    this.slots.set(key, this.base + this.order.length)
    this.order.push(key)
  }

  delete(key: string): boolean {
    return this.slots.delete(key)
  }

  clear(): void {
    this.slots.clear()
    this.order = []
    this.base = 0
    this.head = 0
  }

  /** Every key (in no particular order). */
  keys(): IterableIterator<string> {
    return this.slots.keys()
  }

  /** Removes and returns the oldest key `runnable` accepts; undefined when it accepts none. */
  take(runnable: (key: string) => boolean): string | undefined {
    const end = this.order.length
    let found: string | undefined
    for (let i = this.head; i < end; i++) {
      const key = this.order[i]
      const live = this.slots.get(key) === this.base + i
      if (live && runnable(key)) {
        this.slots.delete(key)
        found = key
      } else if (live) {
        // Refused: to the back of the line.
        this.slots.set(key, this.base + this.order.length)
        this.order.push(key)
      }
      // Slots before the head are consumed, stale or moved back.
      if (i === this.head) this.head++
      if (found !== undefined) break
    }
    this.compact()
    return found
  }

  private compact(): void {
    if (this.head === this.order.length) {
      this.base += this.head
      this.order = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head)
      this.base += this.head
      this.head = 0
    }
  }
}
