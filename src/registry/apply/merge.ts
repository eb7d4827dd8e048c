/**
 * @module merge: TypedValue.Merge, an applied configuration laid over the live object by the
 * schema: leaves and atomic lists/maps take the config's value, granular maps and structs merge key
 * by key, associative lists item by item (by key or set value) in the config's order, live-only
 * items staying where they were. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/merge.go.
 */
import { pathString } from './field-set.js'
import { fieldAtom, formOf, listItemElement, TypedValueError } from './list-items.js'
import { fieldElement, type PathElement, pathElementString } from './path-element.js'
import { type Atom, DEDUCED, type ListType, type MapType } from './schema.js'
import { isEmptyMap, isMap } from './value.js'

/**
 * `rhs` merged onto `lhs` (either may be undefined, not both). Shares unchanged subtrees with the
 * inputs and mutates neither. Throws TypedValueError for duplicate or unkeyable items in `rhs`.
 */
export function merge(lhs: unknown, rhs: unknown, atom: Atom): unknown {
  return visit(lhs, rhs, atom, [])
}

function visit(lhs: unknown, rhs: unknown, atom: Atom, path: PathElement[]): unknown {
  const fl = formOf(atom, lhs)
  const fr = formOf(atom, rhs)
  // A change of form (untyped field from map to string) is a leaf: the config's value wins.
  const form = rhs === undefined ? fl : lhs === undefined || fl === fr ? fr : 'scalar'
  if (form === 'list') {
    const t = atom.list!
    const l = Array.isArray(lhs) ? lhs : undefined
    const r = Array.isArray(rhs) ? rhs : undefined
    if (t.atomic || (!l?.length && !r?.length)) return rhs !== undefined ? rhs : lhs
    return mergeList(t, l, r, path)
  }
  if (form === 'map') {
    const t = atom.map!
    const l = isMap(lhs) ? lhs : undefined
    const r = isMap(rhs) ? rhs : undefined
    if (t.atomic || ((!l || isEmptyMap(l)) && (!r || isEmptyMap(r)))) return rhs !== undefined ? rhs : lhs
    return mergeMap(t, l, r, path)
  }
  return rhs !== undefined ? rhs : lhs
}

function mergeMap(t: MapType, l: Record<string, unknown> | undefined, r: Record<string, unknown> | undefined, path: PathElement[]): unknown {
  if (!r) return l
  if (!l) return r
  const out: Record<string, unknown> = {}
  // Live keys keep their order; the config's new keys follow.
  for (const key in l) {
    const lv = l[key]
    if (lv === undefined) continue
    const rv = r[key]
    if (rv === undefined) out[key] = lv
    else {
      path.push(fieldElement(key))
      const v = visit(lv, rv, fieldAtom(t, key, DEDUCED), path)
      path.pop()
      if (v !== undefined) out[key] = v
    }
  }
  for (const key in r) {
    if (key in out || r[key] === undefined) continue
    out[key] = r[key]
  }
  return out
}

function index(
  t: ListType,
  list: unknown[] | undefined,
  allowDuplicates: boolean,
  path: PathElement[],
): { pes: PathElement[]; byPE: Map<PathElement, unknown> } {
  const pes: PathElement[] = []
  const byPE = new Map<PathElement, unknown>()
  const where = () => pathString(path)
  list?.forEach((item, i) => {
    const pe = listItemElement(t, item, i, where)
    if (byPE.has(pe)) {
      if (!allowDuplicates) throw new TypedValueError(where(), `duplicate entries for key ${pathElementString(pe)}`)
      // Duplicated live items are not merged with the config's item.
      byPE.set(pe, null)
    } else byPE.set(pe, item)
    pes.push(pe)
  })
  return { pes, byPE }
}

// visitListItems: walks both lists at once; live-only items keep their place, shared and
// config items come in the config's order.
function mergeList(t: ListType, l: unknown[] | undefined, r: unknown[] | undefined, path: PathElement[]): unknown {
  const rhs = index(t, r, false, path)
  const lhs = index(t, l, true, path)
  const shared = rhs.pes.filter((pe) => lhs.byPE.has(pe))
  let next = 0
  const out: unknown[] = []
  const merged = new Set<PathElement>()
  const item = (pe: PathElement, lv: unknown, rv: unknown) => {
    path.push(pe)
    const v = rv === undefined ? lv : visit(lv ?? undefined, rv, t.element, path)
    path.pop()
    if (v !== undefined) out.push(v)
  }
  let li = 0
  let ri = 0
  while (li < lhs.pes.length || ri < rhs.pes.length) {
    if (li < lhs.pes.length && ri < rhs.pes.length) {
      const pe = lhs.pes[li]!
      if (pe === rhs.pes[ri]) {
        merged.add(pe)
        item(pe, lhs.byPE.get(pe), rhs.byPE.get(pe))
        li++
        ri++
        next++
        continue
      }
      if (rhs.byPE.has(pe) && next < shared.length && shared[next] !== pe) {
        // A shared item, but not the one due now: it is emitted when the config reaches it.
        li++
        continue
      }
    }
    if (li < lhs.pes.length) {
      const pe = lhs.pes[li]!
      if (!rhs.byPE.has(pe)) {
        item(pe, l![li], undefined)
        li++
        continue
      }
      if (merged.has(pe)) li++
    }
    if (ri < rhs.pes.length) {
      const pe = rhs.pes[ri]!
      merged.add(pe)
      const lv = lhs.byPE.get(pe)
      item(pe, lv === null ? undefined : lv, rhs.byPE.get(pe))
      ri++
      if (next < shared.length && shared[next] === pe) next++
    }
  }
  return out.length > 0 ? out : undefined
}
