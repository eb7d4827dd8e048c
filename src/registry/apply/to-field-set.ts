/**
 * @module to-field-set: TypedValue.ToFieldSet, the set of every field a value sets: scalars,
 * atomic lists and maps, list items, map keys, null and empty-object fields. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/tofieldset.go.
 */
import { addMember, FieldPathSet, newNode, pathString, type SetNode } from './field-set.js'
import { fieldAtom, formOf, listItemElement } from './list-items.js'
import { fieldElement, type PathElement } from './path-element.js'
import { type Atom, DEDUCED, type ListType, type MapType } from './schema.js'
import { isEmptyMap, isMap } from './value.js'

/** The field set of `v` under `atom`. Must not mutate `v`; throws TypedValueError for unkeyable list items. */
export function toFieldSet(v: unknown, atom: Atom): FieldPathSet {
  const root = newNode()
  fill(root, v, atom, [])
  return new FieldPathSet(root)
}

// Adds the members and children below the value `v` (whose own element the caller handles) to `node`.
function fill(node: SetNode, v: unknown, atom: Atom, path: PathElement[]): void {
  const form = formOf(atom, v)
  if (form === 'map' && isMap(v) && !atom.map!.atomic) fillMap(node, v, atom.map!, path)
  else if (form === 'list' && Array.isArray(v) && !atom.list!.atomic) fillList(node, v, atom.list!, path)
}

// Whether the value itself is a member wherever it appears: scalars and atomic lists and maps.
function isLeaf(v: unknown, atom: Atom): boolean {
  const form = formOf(atom, v)
  return form === 'scalar' || (form === 'list' && atom.list!.atomic) || (form === 'map' && atom.map!.atomic)
}

function child(node: SetNode, pe: PathElement, v: unknown, atom: Atom, path: PathElement[]): void {
  const sub = newNode()
  path.push(pe)
  fill(sub, v, atom, path)
  path.pop()
  if (sub.members || sub.children) (node.children ??= new Map()).set(pe, sub)
}

function fillMap(node: SetNode, m: Record<string, unknown>, t: MapType, path: PathElement[]): void {
  for (const key in m) {
    const v = m[key]
    if (v === undefined) continue
    const a = fieldAtom(t, key, DEDUCED)
    const pe = fieldElement(key)
    child(node, pe, v, a, path)
    // visitMapItems: null and empty-object values, keys that are not struct fields, and leaves are members.
    if (v === null || isEmptyMap(v) || !t.fields?.has(key) || isLeaf(v, a)) addMember(node, pe)
  }
}

function fillList(node: SetNode, list: unknown[], t: ListType, path: PathElement[]): void {
  const where = () => pathString(path)
  const pes = list.map((item, i) => listItemElement(t, item, i, where))
  // Items whose key repeats are members only: their contents cannot be told apart.
  let duplicates: Set<PathElement> | undefined
  if (pes.length > 1) {
    const seen = new Set<PathElement>()
    for (const pe of pes) {
      if (seen.has(pe)) (duplicates ??= new Set()).add(pe)
      else seen.add(pe)
    }
  }
  for (let i = 0; i < list.length; i++) {
    const pe = pes[i]!
    addMember(node, pe)
    if (!duplicates?.has(pe)) child(node, pe, list[i], t.element, path)
  }
}
