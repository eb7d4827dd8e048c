/** @module per-object: values derived once per object, for the store's immutable versions. */

/**
 * `compute` memoized by object identity (weakly: the cache entry goes with the object). Only for
 * objects that never change, such as stored versions and the values inside them; the caller must
 * not mutate what `compute` returns either, as it is shared.
 */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>()
  return (key) => {
    let v = cache.get(key)
    if (v === undefined && !cache.has(key)) {
      v = compute(key)
      cache.set(key, v)
    }
    return v as V
  }
}
