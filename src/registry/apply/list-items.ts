/**
 * @module list-items: what every typed walker shares: choosing an untyped atom's form by the
 * value (deduceAtom), the path element of an associative-list item, and the error a value that
 * does not fit its schema raises. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/helpers.go.
 */
import { goQuote } from '../../util/go-value.js'
import { keyElement, type PathElement, valueElement } from './path-element.js'
import type { Atom, ListType, MapType } from './schema.js'
import { isMap, type Value } from './value.js'

/** A value that does not fit its schema (typed.ValidationError): `.spec.containers: duplicate entries for key [name="a"]`. */
export class TypedValueError extends Error {
  constructor(
    /** smd's path string of the offending value (`.spec.containers`), empty at the root. */
    readonly path: string,
    /** The error without the path. */
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail)
  }
}

/** The form of `atom` that applies to `v`: deduceAtom, then handleAtom's map-scalar-list order when none fits. */
export function formOf(atom: Atom, v: unknown): 'scalar' | 'list' | 'map' | undefined {
  if (v !== null && v !== undefined) {
    if (typeof v !== 'object') {
      if (atom.scalar) return 'scalar'
    } else if (Array.isArray(v)) {
      if (atom.list) return 'list'
    } else if (atom.map) return 'map'
  }
  return atom.map ? 'map' : atom.scalar ? 'scalar' : atom.list ? 'list' : undefined
}

/** The atom of a map's key: its named field, else the element type (untyped when none is declared). */
export function fieldAtom(t: MapType, key: string, deduced: Atom): Atom {
  return t.fields?.get(key) ?? t.element ?? deduced
}

/**
 * listItemToPathElement for an associative list: `k:{…}` from the key fields (defaults filling
 * omitted keys), or `v:…` for a set. Throws TypedValueError (`element N: …`) for items that
 * cannot be keyed.
 */
export function listItemElement(t: ListType, item: unknown, index: number, path: () => string): PathElement {
  if (t.keys && t.keys.length > 0) {
    if (item === null) throw new TypedValueError(path(), `element ${index}: associative list with keys may not have a null element`)
    if (!isMap(item)) throw new TypedValueError(path(), `element ${index}: associative list with keys may not have non-map elements`)
    const fields: [string, Value][] = []
    const defaults = t.element.map?.defaults
    for (const k of t.keys) {
      const v = item[k]
      if (v !== undefined) fields.push([k, v])
      else {
        const d = defaults?.get(k)
        if (d !== undefined) fields.push([k, d])
      }
    }
    if (fields.length === 0)
      throw new TypedValueError(
        path(),
        `element ${index}: associative list with keys has an element that omits all key fields [${t.keys.map(goQuote).join(' ')}] (and doesn't have default values for any key fields)`,
      )
    if (fields.length > 1) fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return keyElement(fields)
  }
  if (isMap(item)) throw new TypedValueError(path(), `element ${index}: associative list without keys has an element that's a map type`)
  if (Array.isArray(item)) throw new TypedValueError(path(), `element ${index}: not supported: associative list with lists as elements`)
  if (item === null) throw new TypedValueError(path(), `element ${index}: associative list without keys has an element that's an explicit null`)
  return valueElement(item as Value)
}
