/**
 * @module compare: TypedValue.Compare, the fields `rhs` adds, modifies and removes relative to
 * `lhs`, by the schema (atomic lists and maps compare whole, associative lists item by item).
 * After https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/compare.go.
 */
import { FieldPathSet, insertPath, newNode, pathString, type SetNode } from './field-set.js'
import { fieldAtom, formOf, listItemElement } from './list-items.js'
import { fieldElement, type PathElement } from './path-element.js'
import { type Atom, DEDUCED, type ListType, type MapType } from './schema.js'
import { isEmptyMap, isMap, valueEquals } from './value.js'

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

function leaf(acc: Acc, lhs: unknown, rhs: unknown): true {
  if (lhs === undefined) insertPath(acc.added, acc.path)
  else if (rhs === undefined) insertPath(acc.removed, acc.path)
  else if (!valueEquals(lhs, rhs)) insertPath(acc.modified, acc.path)
  return true
}

function visitMap(acc: Acc, t: MapType, l: Record<string, unknown> | undefined, r: Record<string, unknown> | undefined): void {
  if (l)
    for (const key in l) {
      const lv = l[key]
      if (lv === undefined) continue
      descend(acc, fieldElement(key), lv, r?.[key], fieldAtom(t, key, DEDUCED))
    }
  if (r)
    for (const key in r) {
      const rv = r[key]
      if (rv === undefined || (l && l[key] !== undefined)) continue
      descend(acc, fieldElement(key), undefined, rv, fieldAtom(t, key, DEDUCED))
    }
}

function descend(acc: Acc, pe: PathElement, lhs: unknown, rhs: unknown, atom: Atom): void {
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
  l?.forEach((item, i) => {
    const pe = listItemElement(t, item, i, where)
    const list = lValues.get(pe)
    if (list) list.push(item)
    else {
      lValues.set(pe, [item])
      order.push(pe)
    }
  })
  r?.forEach((item, i) => {
    const pe = listItemElement(t, item, i, where)
    const list = rValues.get(pe)
    if (list) list.push(item)
    else {
      rValues.set(pe, [item])
      if (!lValues.has(pe)) order.push(pe)
    }
  })
  for (const pe of order) {
    const ll = lValues.get(pe) ?? []
    const rl = rValues.get(pe) ?? []
    if (ll.length <= 1 && rl.length <= 1) descend(acc, pe, ll[0], rl[0], t.element)
    else if (ll.length >= 2 && rl.length >= 2) {
      // Duplicates before and after: compared as an atomic run.
      if (ll.length !== rl.length || ll.some((v, i) => !valueEquals(v, rl[i]))) insertPath(acc.modified, [...acc.path, pe])
    } else if (ll.length >= 2) {
      if (rl.length) descend(acc, pe, undefined, rl[0], t.element)
      insertPath(acc.removed, [...acc.path, pe])
    } else {
      if (ll.length) descend(acc, pe, ll[0], undefined, t.element)
      insertPath(acc.added, [...acc.path, pe])
    }
  }
}
