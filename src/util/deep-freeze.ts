/** @module deep-freeze: freezes a JSON value and everything in it, so it can be shared read-only. */

/**
 * Freezes `value` and every object and array reachable from it, in place, and returns it. A value
 * shared by every cluster of a process (a bootstrap policy template) is frozen so that a write
 * meant for one cluster's copy fails loudly instead of showing up in all of them.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  for (const v of Object.values(value as object)) deepFreeze(v)
  return Object.freeze(value)
}
