/** @module field-path: field.Path's Child/Key/Index rendering for schema paths (`properties[spec].items`). */

/** `base.name` (field.Path.Child): the shared field-error helper. */
export { childPath as child } from '../../shared/field-errors.js'
/** `base[key]` (field.Path.Key, also Index). */
export const key = (base: string, k: string | number): string => `${base}[${k}]`

/** A JSON object (not an array, not null): the one check every schema walk here makes. */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A JSON object or undefined: schema children that are not objects are ignored as the Go types would not decode them. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return isObj(v) ? v : undefined
}

/** The schema objects of a list-valued keyword (allOf, anyOf, oneOf). */
export function asList(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isObj) : []
}

/** The named sub-schemas of a map-valued keyword (properties). */
export function asMap(v: unknown): [string, Record<string, unknown>][] {
  return isObj(v) ? (Object.entries(v).filter(([, s]) => isObj(s)) as [string, Record<string, unknown>][]) : []
}

/**
 * Go's %#v of a JSON value inside interface{} (how field.Duplicate prints a map key or a compound
 * set element): `map[string]interface {}{"port":80, "protocol":"TCP"}`, keys sorted.
 */
export function goInterfaceSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)'
  if (Array.isArray(v)) return `[]interface {}{${v.map(goInterfaceSyntax).join(', ')}}`
  if (isObj(v))
    return `map[string]interface {}{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goInterfaceSyntax(v[k])}`)
      .join(', ')}}`
  return JSON.stringify(v)
}

/** A bad value that field.Error prints with %#v as Go holds JSON: objects and arrays pre-rendered. */
export const goValue = (v: unknown): unknown => (typeof v === 'object' && v !== null ? { goString: goInterfaceSyntax(v) } : v)
