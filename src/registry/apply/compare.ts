/**
 * @module compare: TypedValue.Compare, the fields `rhs` adds, modifies and removes relative to
 * `lhs`, by the schema (atomic lists and maps compare whole, associative lists item by item).
 * After https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/compare.go.
 */
import { deepEqual } from '../../util/deep-equal.js'
import { addMember, descend, FieldPathSet, insertPath, newNode, pathString, type SetNode } from './field-set.js'
import { fieldAtom, formOf, listItemElement } from './list-items.js'
import { fieldElement, type PathElement } from './path-element.js'
import { type Atom, DEDUCED, type ListType, type MapType } from './schema.js'
import { isEmptyMap, isMap } from './value.js'

/** typed.Comparison: no path is in more than one of the three sets. */
export interface Comparison {
  added: FieldPathSet
  modified: FieldPathSet
  removed: FieldPathSet
}

/** Whether the comparison found no change. */
export function isSame(c: Comparison): boolean {
  return c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty()
}

interface Acc {
  added: SetNode
  modified: SetNode
  removed: SetNode
  path: PathElement[]
}

/**
 * Compares `lhs` (old) with `rhs` (new) under `atom`; `undefined` stands for an absent value.
 * Must not mutate either; throws TypedValueError for unkeyable list items.
 */
export function compare(lhs: unknown, rhs: unknown, atom: Atom): Comparison {
  const acc: Acc = { added: newNode(), modified: newNode(), removed: newNode(), path: [] }
  if (lhs !== undefined || rhs !== undefined) visit(acc, lhs, rhs, atom)
  return { added: new FieldPathSet(acc.added), modified: new FieldPathSet(acc.modified), removed: new FieldPathSet(acc.removed) }
}

// compareWalker.compare for one value pair (at least one present).
function visit(acc: Acc, lhs: unknown, rhs: unknown, atom: Atom): void {
  // A subtree the new object shares with the old one (writers copy only what they change) has no change below.
  if (lhs === rhs) return
  if (lhs === undefined) {
    added(acc, rhs, atom)
    return
  }
  const fl = formOf(atom, lhs)
  const fr = formOf(atom, rhs)
  let inLeaf: boolean
  if (rhs === undefined) inLeaf = handle(acc, fl, lhs, rhs, atom)
  else if (lhs === undefined || fl === fr) inLeaf = handle(acc, fr, lhs, rhs, atom)
  else {
    // The value changed form (an untyped field went from map to string): walk both readings.
    handle(acc, fl, lhs, rhs, atom)
    inLeaf = handle(acc, fr, lhs, rhs, atom)
  }
  if (!inLeaf) {
    if (lhs === undefined) insertPath(acc.added, acc.path)
    else if (rhs === undefined) insertPath(acc.removed, acc.path)
  }
}

// handleAtom; returns whether the value was treated as a leaf (doLeaf ran).
function handle(acc: Acc, form: 'scalar' | 'list' | 'map' | undefined, lhs: unknown, rhs: unknown, atom: Atom): boolean {
  if (form === 'list') {
    const t = atom.list!
    const l = Array.isArray(lhs) ? lhs : undefined
    const r = Array.isArray(rhs) ? rhs : undefined
    // Both empty or null: a leaf, which keeps the empty/null distinction.
    if (t.atomic || (!l?.length && !r?.length)) return leaf(acc, lhs, rhs)
    visitList(acc, t, l, r)
    return false
  }
  if (form === 'map') {
    const t = atom.map!
    const l = isMap(lhs) ? lhs : undefined
    const r = isMap(rhs) ? rhs : undefined
    if (t.atomic || ((!l || isEmptyMap(l)) && (!r || isEmptyMap(r)))) return leaf(acc, lhs, rhs)
    visitMap(acc, t, l, r)
    return false
  }
  return leaf(acc, lhs, rhs)
}

// A value only the new object has: it and everything below it are added (a create's whole object).
// Builds that part of the trie in one pass instead of inserting each path from the root.
function added(acc: Acc, rhs: unknown, atom: Atom): void {
  insertPath(acc.added, acc.path)
  const c = container(rhs, atom)
  if (!c) return
  let node = acc.added
  for (const pe of acc.path) node = descend(node, pe)
  addTree(node, c, acc.path)
}

// The walkable container `v` is under `atom` (a granular, non-empty map or associative list), if any.
function container(v: unknown, atom: Atom): { map: MapType; v: Record<string, unknown> } | { list: ListType; v: unknown[] } | undefined {
  const form = formOf(atom, v)
  if (form === 'map' && isMap(v) && !atom.map!.atomic && !isEmptyMap(v)) return { map: atom.map!, v }
  if (form === 'list' && Array.isArray(v) && !atom.list!.atomic && v.length > 0) return { list: atom.list!, v }
  return undefined
}

function addTree(node: SetNode, c: NonNullable<ReturnType<typeof container>>, path: PathElement[]): void {
  if ('map' in c) {
    for (const key in c.v) {
      const v = c.v[key]
      if (v === undefined) continue
      const pe = fieldElement(key)
      addMember(node, pe)
      const sub = container(v, fieldAtom(c.map, key, DEDUCED))
      if (sub) {
        path.push(pe)
        addTree(descend(node, pe), sub, path)
        path.pop()
      }
    }
    return
  }
  const where = () => pathString(path)
  const pes = c.v.map((item, i) => listItemElement(c.list, item, i, where))
  const seen = new Set<PathElement>()
  const dup = new Set<PathElement>()
  for (const pe of pes) (seen.has(pe) ? dup : seen).add(pe)
  for (let i = 0; i < pes.length; i++) {
    const pe = pes[i]!
    addMember(node, pe)
    if (dup.has(pe)) continue
    const sub = container(c.v[i], c.list.element)
    if (sub) {
      path.push(pe)
      addTree(descend(node, pe), sub, path)
      path.pop()
    }
  }
}

function leaf(acc: Acc, lhs: unknown, rhs: unknown): true {
  if (lhs === undefined) insertPath(acc.added, acc.path)
  else if (rhs === undefined) insertPath(acc.removed, acc.path)
  else if (!deepEqual(lhs, rhs)) insertPath(acc.modified, acc.path)
  return true
}

function visitMap(acc: Acc, t: MapType, l: Record<string, unknown> | undefined, r: Record<string, unknown> | undefined): void {
  if (l)
    for (const key in l) {
      const lv = l[key]
      if (lv === undefined) continue
      descendPair(acc, fieldElement(key), lv, r?.[key], fieldAtom(t, key, DEDUCED))
    }
  if (r)
    for (const key in r) {
      const rv = r[key]
      if (rv === undefined || (l && l[key] !== undefined)) continue
      descendPair(acc, fieldElement(key), undefined, rv, fieldAtom(t, key, DEDUCED))
    }
}

function descendPair(acc: Acc, pe: PathElement, lhs: unknown, rhs: unknown, atom: Atom): void {
  acc.path.push(pe)
  visit(acc, lhs, rhs, atom)
  acc.path.pop()
}

function visitList(acc: Acc, t: ListType, l: unknown[] | undefined, r: unknown[] | undefined): void {
  const where = () => pathString(acc.path)
  // Items by element, in a list for duplicates; `order` holds each element once (lhs first).
  const lValues = new Map<PathElement, unknown[]>()
  const rValues = new Map<PathElement, unknown[]>()
  const order: PathElement[] = []
  if (l)
    for (let i = 0; i < l.length; i++) {
      const pe = listItemElement(t, l[i], i, where)
      const list = lValues.get(pe)
      if (list) list.push(l[i])
      else {
        lValues.set(pe, [l[i]])
        order.push(pe)
      }
    }
  if (r)
    for (let i = 0; i < r.length; i++) {
      const pe = listItemElement(t, r[i], i, where)
      const list = rValues.get(pe)
      if (list) list.push(r[i])
      else {
        rValues.set(pe, [r[i]])
        if (!lValues.has(pe)) order.push(pe)
      }
    }
  for (const pe of order) {
    const ll = lValues.get(pe) ?? []
    const rl = rValues.get(pe) ?? []
    if (ll.length <= 1 && rl.length <= 1) descendPair(acc, pe, ll[0], rl[0], t.element)
    else if (ll.length >= 2 && rl.length >= 2) {
      // Duplicates before and after: compared as an atomic run.
      if (ll.length !== rl.length || ll.some((v, i) => !deepEqual(v, rl[i]))) insertPath(acc.modified, [...acc.path, pe])
    } else if (ll.length >= 2) {
      if (rl.length) descendPair(acc, pe, undefined, rl[0], t.element)
      insertPath(acc.removed, [...acc.path, pe])
    } else {
      if (ll.length) descendPair(acc, pe, ll[0], undefined, t.element)
      insertPath(acc.added, [...acc.path, pe])
    }
  }
}
