/** @module lru: a bounded recency cache. */

/**
 * Approximately least-recently-used: two generations of `generation` entries each. New and hit
 * entries go to the young generation; when it is full it becomes the old one and the previous old
 * generation is dropped whole. So an entry lives at least `generation` and at most
 * 2 × `generation` distinct accesses after its last use. Deleting a Map's oldest entry one at a
 * time (a strict LRU on a Map) makes V8 skip ever more deleted slots to find the next oldest.
 */
export class GenerationalLru<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()

  constructor(private readonly generation: number) {}

  get(key: K): V | undefined {
    const v = this.young.get(key)
    if (v !== undefined) return v
    const o = this.old.get(key)
    if (o !== undefined) {
      this.old.delete(key)
      this.put(key, o)
    }
    return o
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) this.young.set(key, value)
    else {
      this.old.delete(key)
      this.put(key, value)
    }
  }

  private put(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young
      this.young = new Map()
    }
    this.young.set(key, value)
  }
}
