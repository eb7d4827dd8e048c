/** @module per-object: values derived once per object, for the store's immutable versions. */

/**
 * `compute` memoized by object identity: the value is kept on the object itself, under a symbol
 * of this memo's own, as a non-enumerable property, so it goes with the object, is invisible to
 * JSON, spreads and key walks, and costs a property read rather than a WeakMap lookup (millions of
 * WeakMap entries also slow every major GC). Objects that cannot take a property (frozen ones)
 * fall back to a WeakMap. Only for objects that never change, such as stored versions and the
 * values inside them; the caller must not mutate what `compute` returns either, as it is shared.
 */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const slot = Symbol('perObject')
  let sealed: WeakMap<K, V> | undefined
  return (key) => {
    const own = (key as Record<symbol, V>)[slot]
    if (own !== undefined || slot in key) return own
    if (!Object.isExtensible(key)) {
      sealed ??= new WeakMap()
      if (sealed.has(key)) return sealed.get(key) as V
      const v = compute(key)
      sealed.set(key, v)
      return v
    }
    const v = compute(key)
    Object.defineProperty(key, slot, { value: v, enumerable: false, writable: false, configurable: false })
    return v
  }
}
