/**
 * @module remove-items: TypedValue.RemoveItems and ExtractItems (a value without, or with only,
 * the given fields and items) and Set.EnsureNamedFieldsAreMembers, which pruning needs. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/remove.go and
 * fieldpath/set.go.
 */
import { FieldPathSet, newNode, pathString, type SetNode } from './field-set.js'
import { fieldAtom, formOf, listItemElement } from './list-items.js'
import { fieldElement, type PathElement } from './path-element.js'
import { type Atom, DEDUCED } from './schema.js'
import { isEmptyMap, isMap } from './value.js'

/** `v` without the fields and items in `set` (and what lies below them). Mutates nothing; undefined when nothing is left. */
export function removeItems(v: unknown, set: FieldPathSet, atom: Atom): unknown {
  return walk(v, set.root, atom, false, [])
}

/** Only the fields and items of `v` in `set`, with what lies below them. Mutates nothing. */
export function extractItems(v: unknown, set: FieldPathSet, atom: Atom): unknown {
  return walk(v, set.root, atom, true, [])
}

function walk(v: unknown, n: SetNode, atom: Atom, extract: boolean, path: PathElement[]): unknown {
  const form = formOf(atom, v)
  if (form === 'list') {
    if (!Array.isArray(v)) return undefined
    if (v.length === 0 || atom.list!.atomic) return extract ? v : undefined
    const t = atom.list!
    const out: unknown[] = []
    const where = () => pathString(path)
    v.forEach((item, i) => {
      const pe = listItemElement(t, item, i, where)
      const exact = n.members?.has(pe) ?? false
      const sub = n.children?.get(pe)
      if (!extract && exact) return
      let kept = item
      if (sub) {
        path.push(pe)
        kept = walk(item, sub, t.element, extract, path)
        path.pop()
      }
      if ((!extract || exact || sub) && kept !== undefined) out.push(kept)
    })
    return out.length > 0 ? out : undefined
  }
  if (form === 'map') {
    if (!isMap(v)) return undefined
    const t = atom.map!
    if (isEmptyMap(v) || t.atomic) return extract ? v : undefined
    const out: Record<string, unknown> = {}
    let any = false
    for (const key in v) {
      const val = v[key]
      if (val === undefined) continue
      const pe = fieldElement(key)
      const a = fieldAtom(t, key, DEDUCED)
      const sub = n.children?.get(pe)
      if (n.members?.has(pe)) {
        if (extract) {
          // Upstream extracts a member field by walking it with the whole set, which keeps nothing below unless listed again.
          const kept = walk(val, n, a, extract, path)
          if (kept !== undefined) {
            out[key] = kept
            any = true
          }
        }
        continue
      }
      let kept: unknown = val
      if (sub) {
        path.push(pe)
        kept = walk(val, sub, a, extract, path)
        path.pop()
      } else if (extract) continue
      // A field left with nothing goes, where upstream leaves a null the typed conversion drops.
      if (kept === undefined) continue
      out[key] = kept
      any = true
    }
    return any ? out : undefined
  }
  return v
}

/**
 * Set.EnsureNamedFieldsAreMembers: `set` plus, as members, every struct field that has children
 * in it (`.spec` when `.spec.replicas` is in the set), which pruning compares at.
 */
export function ensureNamedFieldsAreMembers(set: FieldPathSet, atom: Atom): FieldPathSet {
  return new FieldPathSet(ensure(set.root, atom))
}

function ensure(n: SetNode, atom: Atom): SetNode {
  if (!n.children) return n
  const out = newNode()
  if (n.members) out.members = new Set(n.members)
  out.children = new Map()
  for (const [pe, child] of n.children) {
    let a: Atom = DEDUCED
    if (pe.startsWith('f:') && atom.map) {
      const name = pe.slice(2)
      a = fieldAtom(atom.map, name, DEDUCED)
      if (atom.map.fields?.has(name)) (out.members ??= new Set()).add(pe)
    } else if (pe.startsWith('k:') && atom.list) a = atom.list.element
    out.children.set(pe, ensure(child, a))
  }
  return out
}
