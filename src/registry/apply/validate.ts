/**
 * @module validate: TypedValue.Validate for an applied configuration, which upstream checks
 * strictly before merging (typed.AsTyped without AllowDuplicates): scalar kinds, maps and lists
 * where the schema says so, keyable and unique associative-list items, and no field a struct
 * does not declare (`field not declared in schema`, before any field validation). After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/validate.go.
 */
import { goQuote } from '../../util/go-value.js'
import { pathString } from './field-set.js'
import { fieldAtom, formOf, listItemElement, TypedValueError } from './list-items.js'
import { fieldElement, indexElement, type PathElement, pathElementString } from './path-element.js'
import { type Atom, DEDUCED } from './schema.js'
import { isMap } from './value.js'

/** Throws TypedValueError (`.spec.replicas: expected numeric (int or float), got string`) when `v` does not fit `atom`. */
export function validateTyped(v: unknown, atom: Atom): void {
  walk(v, atom, [])
}

// Go's %T of a decoded JSON value.
function goType(v: unknown): string {
  if (typeof v === 'string') return 'string'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64'
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'
}

// Go's %v of a value.Value holding `v` (a pointer to a struct around it).
function goValue(v: unknown): string {
  const inner = (x: unknown): string =>
    Array.isArray(x)
      ? `[${x.map(inner).join(' ')}]`
      : isMap(x)
        ? `map[${Object.keys(x)
            .sort()
            .map((k) => `${k}:${inner(x[k])}`)
            .join(' ')}]`
        : x === null
          ? '<nil>'
          : String(x)
  return `&{${inner(v)}}`
}

// Go's %#v of the same value.Value: validateScalar prints a non-string this way
// (`&value.valueUnstructured{Value:3}`), elements of lists and maps as interface{} values.
function goValueSharp(v: unknown): string {
  const inner = (x: unknown): string =>
    typeof x === 'string'
      ? goQuote(x)
      : x === null || x === undefined
        ? 'interface {}(nil)'
        : Array.isArray(x)
          ? `[]interface {}{${x.map(inner).join(', ')}}`
          : isMap(x)
            ? `map[string]interface {}{${Object.keys(x)
                .sort()
                .map((k) => `${goQuote(k)}:${inner(x[k])}`)
                .join(', ')}}`
            : String(x)
  return `&value.valueUnstructured{Value:${inner(v)}}`
}

function walk(v: unknown, atom: Atom, path: PathElement[]): void {
  if (v === null || v === undefined) return
  const where = () => pathString(path)
  const form = formOf(atom, v)
  if (form === 'scalar') {
    // validateScalar: each kind prints the bad value its own way (%T, %#v, %v).
    const t = atom.scalar!
    if (t === 'untyped' && typeof v === 'object') throw new TypedValueError(where(), `expected any scalar, got ${goValue(v)}`)
    if (t === 'numeric' && typeof v !== 'number') throw new TypedValueError(where(), `expected numeric (int or float), got ${goType(v)}`)
    if (t === 'string' && typeof v !== 'string') throw new TypedValueError(where(), `expected string, got ${goValueSharp(v)}`)
    if (t === 'boolean' && typeof v !== 'boolean') throw new TypedValueError(where(), `expected boolean, got ${goValue(v)}`)
    return
  }
  if (form === 'list') {
    if (!Array.isArray(v)) throw new TypedValueError(where(), `expected list, got ${goValue(v)}`)
    const t = atom.list!
    const seen = new Set<PathElement>()
    for (let i = 0; i < v.length; i++) {
      if (t.atomic) {
        // visitListItems: items of a non-associative list are reported by index.
        path.push(indexElement(i))
        walk(v[i], t.element, path)
        path.pop()
        continue
      }
      const pe = listItemElement(t, v[i], i, where)
      if (seen.has(pe)) throw new TypedValueError(where(), `duplicate entries for key ${pathElementString(pe)}`)
      seen.add(pe)
      path.push(pe)
      walk(v[i], t.element, path)
      path.pop()
    }
    return
  }
  if (form === 'map') {
    if (!isMap(v)) throw new TypedValueError(where(), `expected map, got ${goValue(v)}`)
    const t = atom.map!
    for (const key in v) {
      path.push(fieldElement(key))
      if (t.fields && t.element === undefined && !t.fields.has(key)) throw new TypedValueError(where(), 'field not declared in schema')
      walk(v[key], fieldAtom(t, key, DEDUCED), path)
      path.pop()
    }
  }
}
