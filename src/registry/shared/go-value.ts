/** @module go-value: renders values as Go's `%#v` does, for field errors whose bad value is a map or slice. */

/**
 * The text Go's `%#v` prints for the shapes Kubernetes puts into field errors:
 * `map[string]string{"app":"web", "tier":"db"}` (keys sorted, as fmt sorts maps),
 * `[]string{"10.96.0.1"}`, `map[string]string(nil)` for a missing map. Strings are
 * double-quoted, numbers and booleans bare. Other objects fall back to JSON.
 * field.Error.Error() uses %#v for any value that is not a string, number or bool, so
 * errors.ts should render object/array bad values with this function.
 */
export function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`
    return JSON.stringify(value)
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.every(([, v]) => typeof v === 'string')) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`
    }
  }
  return JSON.stringify(value)
}

/** `%#v` of a nil `map[string]string`, which is what an absent labels map prints as. */
export const nilStringMap = 'map[string]string(nil)'
