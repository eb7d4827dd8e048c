/**
 * @module reconcile-schema: ReconcileFieldSetWithSchema, a manager's set brought in line with a
 * schema that changed since it was recorded (a CRD update): a list, map or struct that became
 * atomic is owned as one field from then on. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/reconcile_schema.go.
 */
import { FieldPathSet, insertPath, newNode, type SetNode } from './field-set.js'
import type { PathElement } from './path-element.js'
import { type Atom, DEDUCED } from './schema.js'

/** `set` reconciled with `atom`, or undefined when it already fits (the common case). */
export function reconcileFieldSetWithSchema(set: FieldPathSet, atom: Atom): FieldPathSet | undefined {
  const collapse: PathElement[][] = []
  walk(set.root, atom, false, [], collapse)
  if (collapse.length === 0) return undefined
  const paths = newNode()
  for (const p of collapse) insertPath(paths, p)
  const atoms = new FieldPathSet(paths)
  // Everything at and below each collapsed path goes; the path itself comes back as the atomic leaf.
  return set.recursiveDifference(atoms).union(atoms)
}

function walk(n: SetNode | undefined, atom: Atom, isAtomic: boolean, path: PathElement[], collapse: PathElement[][]): void {
  // handleAtom without a value: a map reading first, then a list (scalars have nothing below).
  if (atom.map) {
    const t = atom.map
    // Deduced maps (preserve-unknown-fields without properties) carry no atomic/granular tags.
    if (!t.fields && t.element === DEDUCED) return
    if (!isAtomic && t.atomic) {
      if (n && (n.members?.size || n.children?.size)) collapse.push([...path])
      return
    }
    if (!n) return
    visit(n, path, collapse, (pe) => {
      if (!pe.startsWith('f:')) return t.element
      return t.fields?.get(pe.slice(2)) ?? t.element
    })
    return
  }
  if (atom.list) {
    const t = atom.list
    if (!isAtomic && t.atomic) {
      collapse.push([...path])
      return
    }
    if (n) visit(n, path, collapse, () => t.element)
  }
}

function visit(n: SetNode, path: PathElement[], collapse: PathElement[][], typeOf: (pe: PathElement) => Atom | undefined): void {
  const each = (pe: PathElement, isMember: boolean) => {
    const a = typeOf(pe)
    if (!a) return
    const child = n.children?.get(pe)
    path.push(pe)
    walk(child, a, isMember && !child, path, collapse)
    path.pop()
  }
  for (const pe of n.children?.keys() ?? []) if (!n.members?.has(pe)) each(pe, false)
  for (const pe of n.members ?? []) each(pe, true)
}
