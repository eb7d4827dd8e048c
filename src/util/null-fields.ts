/** @module null-fields: JSON nulls inside a decoded object, removed the way Go's decoder turns them into zero values. */

/**
 * Removes, in place, every `null` inside `value`: object members (Go decodes a null field to its
 * zero value, which an omitempty field then omits) and list items (a zero-value item; kubemock
 * drops it, so validation reports the list without it, never a crash on a null element).
 * Iterative, so any depth is safe. Returns `value`.
 */
export function dropNullFields<T>(value: T): T {
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (Array.isArray(v)) {
      // One compacting pass (splice per null would be quadratic on long lists). A list without
      // nulls is not written to: it may be a stored version's, or shared and frozen (the
      // bootstrap policy's rules, which `snapshot()` hands out and `restore()` takes back).
      let w = 0
      for (let r = 0; r < v.length; r++) {
        const item = v[r]
        if (item === null) continue
        if (typeof item === 'object') stack.push(item)
        if (w !== r) v[w] = item
        w++
      }
      if (w !== v.length) v.length = w
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      for (const k of Object.keys(o)) {
        if (o[k] === null) delete o[k]
        else if (typeof o[k] === 'object') stack.push(o[k])
      }
    }
  }
  return value
}
