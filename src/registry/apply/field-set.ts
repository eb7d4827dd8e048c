/**
 * @module field-set: smd's fieldpath.Set as an immutable trie keyed by serialized path elements,
 * with the set algebra, the fieldsV1 form of metadata.managedFields and smd's path strings. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/fieldpath/set.go and
 * serialize.go.
 */
import { comparePathElements, type PathElement, parsePathElement, pathElementString } from './path-element.js'
import type { FieldSet } from './updater.js'

/**
 * One level of a set: `members` are the elements that are in the set themselves, `children` the
 * elements with members below them (an element may be both). Invariant: no empty member set, no
 * child without members somewhere below. Nodes reachable from a FieldPathSet are never mutated.
 */
export interface SetNode {
  members: Set<PathElement> | undefined
  children: Map<PathElement, SetNode> | undefined
}

const EMPTY: SetNode = { members: undefined, children: undefined }

/** A fresh, empty node for the walkers that build sets (mutable until wrapped in a FieldPathSet). */
export function newNode(): SetNode {
  return { members: undefined, children: undefined }
}

/** Adds `pe` as a member of `node` (builders only). */
export function addMember(node: SetNode, pe: PathElement): void {
  ;(node.members ??= new Set()).add(pe)
}

/** The child node of `node` at `pe`, created when absent (builders only; an empty child must get members). */
export function descend(node: SetNode, pe: PathElement): SetNode {
  const children = (node.children ??= new Map())
  let child = children.get(pe)
  if (!child) children.set(pe, (child = newNode()))
  return child
}

/** Adds `path` (parents are not added, as fieldpath.Set.Insert); a zero-length path is ignored. */
export function insertPath(node: SetNode, path: readonly PathElement[]): void {
  if (path.length === 0) return
  let n = node
  for (let i = 0; i < path.length - 1; i++) n = descend(n, path[i]!)
  addMember(n, path[path.length - 1]!)
}

function nodeEmpty(n: SetNode): boolean {
  return !n.members?.size && !n.children?.size
}

function unionNodes(a: SetNode, b: SetNode): SetNode {
  if (nodeEmpty(a)) return b
  if (nodeEmpty(b)) return a
  let members = a.members
  if (b.members?.size) {
    if (!members?.size) members = b.members
    else {
      members = new Set(members)
      for (const pe of b.members) members.add(pe)
    }
  }
  let children = a.children
  if (b.children?.size) {
    if (!children?.size) children = b.children
    else {
      children = new Map(children)
      for (const [pe, bc] of b.children) {
        const ac = children.get(pe)
        children.set(pe, ac ? unionNodes(ac, bc) : bc)
      }
    }
  }
  return { members, children }
}

function intersectNodes(a: SetNode, b: SetNode): SetNode {
  let members: Set<PathElement> | undefined
  if (a.members?.size && b.members?.size) {
    const [small, big] = a.members.size <= b.members.size ? [a.members, b.members] : [b.members, a.members]
    for (const pe of small) if (big.has(pe)) (members ??= new Set()).add(pe)
  }
  let children: Map<PathElement, SetNode> | undefined
  if (a.children?.size && b.children?.size) {
    for (const [pe, ac] of a.children) {
      const bc = b.children.get(pe)
      if (!bc) continue
      const r = intersectNodes(ac, bc)
      if (!nodeEmpty(r)) (children ??= new Map()).set(pe, r)
    }
  }
  return members || children ? { members, children } : EMPTY
}

// Set.Difference: members minus members; children minus the other's children only, so a member
// of `b` does not remove `a`'s children below it (upstream's "parent - child = parent").
function differenceNodes(a: SetNode, b: SetNode): SetNode {
  if (nodeEmpty(b) || nodeEmpty(a)) return a
  let members = a.members
  if (members?.size && b.members?.size) {
    let out: Set<PathElement> | undefined
    for (const pe of members) if (!b.members.has(pe)) (out ??= new Set()).add(pe)
    members = out
  }
  let children = a.children
  if (children?.size && b.children?.size) {
    let out: Map<PathElement, SetNode> | undefined
    for (const [pe, ac] of children) {
      const bc = b.children.get(pe)
      const r = bc ? differenceNodes(ac, bc) : ac
      if (!nodeEmpty(r)) (out ??= new Map()).set(pe, r)
    }
    children = out
  }
  return members?.size || children?.size ? { members, children } : EMPTY
}

// Set.RecursiveDifference: also drops every child whose element is a member of `b`.
function recursiveDifferenceNodes(a: SetNode, b: SetNode): SetNode {
  if (nodeEmpty(b) || nodeEmpty(a)) return a
  let members: Set<PathElement> | undefined
  for (const pe of a.members ?? []) if (!b.members?.has(pe)) (members ??= new Set()).add(pe)
  let children: Map<PathElement, SetNode> | undefined
  for (const [pe, ac] of a.children ?? []) {
    if (b.members?.has(pe)) continue
    const bc = b.children?.get(pe)
    const r = bc ? recursiveDifferenceNodes(ac, bc) : ac
    if (!nodeEmpty(r)) (children ??= new Map()).set(pe, r)
  }
  return members || children ? { members, children } : EMPTY
}

function equalNodes(a: SetNode, b: SetNode): boolean {
  if (a === b) return true
  if ((a.members?.size ?? 0) !== (b.members?.size ?? 0) || (a.children?.size ?? 0) !== (b.children?.size ?? 0)) return false
  for (const pe of a.members ?? []) if (!b.members!.has(pe)) return false
  for (const [pe, ac] of a.children ?? []) {
    const bc = b.children!.get(pe)
    if (!bc || !equalNodes(ac, bc)) return false
  }
  return true
}

function sortedKeys(n: SetNode): PathElement[] {
  let keys: PathElement[]
  if (!n.children) keys = [...n.members!]
  else if (!n.members) keys = [...n.children.keys()]
  else {
    keys = [...n.children.keys()]
    for (const pe of n.members) if (!n.children.has(pe)) keys.push(pe)
  }
  return keys.sort(comparePathElements)
}

const LEAF: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>

// emitContentsV1: members and children merged in element order, `.` first when the node is a
// member too. The result is frozen: it is cached and shared (see FieldPathSet.toFieldsV1).
function emit(n: SetNode, includeSelf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (includeSelf) out['.'] = LEAF
  if (n.members || n.children)
    for (const pe of sortedKeys(n)) {
      const child = n.children?.get(pe)
      out[pe] = child ? emit(child, n.members?.has(pe) ?? false) : LEAF
    }
  return Object.freeze(out)
}

// Sets by the (frozen, so unchanging) fieldsV1 objects they wrote or were read from: a write that
// reads back the very managedFields the previous one stored costs a lookup. Held weakly both ways:
// a stored object keeps its fieldsV1, not the trie decoded from it, which a garbage collection
// may take (a default cluster's ~250 objects held ~90 KB of tries for writes that rarely come);
// a write after that decodes the fieldsV1 again.
const byFieldsV1 = new WeakMap<object, WeakRef<FieldPathSet>>()

// readIterV1: returns the node of the object's children (undefined if none) and whether the
// object also marks its own element as a member (`.`, or no children at all).
function read(json: unknown, where: string): { node: SetNode | undefined; isMember: boolean } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: expected an object, got ${JSON.stringify(json)}`)
  let node: SetNode | undefined
  let isMember = false
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === '.') {
      isMember = true
      continue
    }
    const pe = parsePathElement(key)
    if (pe === undefined) continue
    const sub = read(value, `${where}${key}/`)
    if (sub.isMember) addMember((node ??= newNode()), pe)
    if (sub.node) {
      const children = ((node ??= newNode()).children ??= new Map())
      const prev = children.get(pe)
      children.set(pe, prev ? unionNodes(prev, sub.node) : sub.node)
    }
  }
  return { node, isMember: isMember || node === undefined }
}

function iterate(n: SetNode, prefix: PathElement[], f: (path: PathElement[]) => void): void {
  if (n.members) for (const pe of [...n.members].sort(comparePathElements)) f([...prefix, pe])
  if (n.children)
    for (const pe of [...n.children.keys()].sort(comparePathElements)) {
      prefix.push(pe)
      iterate(n.children.get(pe)!, prefix, f)
      prefix.pop()
    }
}

/** A path as smd prints it: `.spec.containers[name="nginx"].image`. */
export function pathString(path: readonly PathElement[]): string {
  let s = ''
  for (const pe of path) s += pathElementString(pe)
  return s
}

/** fieldpath.Set: an immutable set of field paths. */
export class FieldPathSet implements FieldSet {
  /** The empty set. */
  static readonly empty = new FieldPathSet(EMPTY)

  /** Wraps a trie; the caller hands it over and must not mutate it afterwards. */
  constructor(readonly root: SetNode) {}

  /** The set of the given paths (each a list of serialized path elements). */
  static of(paths: readonly (readonly PathElement[])[]): FieldPathSet {
    const root = newNode()
    for (const p of paths) insertPath(root, p)
    return new FieldPathSet(root)
  }

  private fieldsV1: Record<string, unknown> | undefined

  /** The fieldsV1 JSON, computed once per set and deeply frozen: callers share it and must not mutate it. */
  toFieldsV1(): Record<string, unknown> {
    if (!this.fieldsV1) {
      this.fieldsV1 = emit(this.root, false)
      byFieldsV1.set(this.fieldsV1, new WeakRef(this))
    }
    return this.fieldsV1
  }

  isEmpty(): boolean {
    return nodeEmpty(this.root)
  }

  /** Whether the path (as a list of serialized elements) is a member. */
  hasPath(path: readonly PathElement[]): boolean {
    if (path.length === 0) return false
    let n: SetNode | undefined = this.root
    for (let i = 0; i < path.length - 1; i++) {
      n = n.children?.get(path[i]!)
      if (!n) return false
    }
    return n.members?.has(path[path.length - 1]!) ?? false
  }

  /** Whether the path in smd's string form is a member; field names holding dots are matched against the set. */
  has(path: string): boolean {
    return matchPathString(this.root, path, 0)
  }

  union(other: FieldSet): FieldPathSet {
    return new FieldPathSet(unionNodes(this.root, rootOf(other)))
  }

  difference(other: FieldSet): FieldPathSet {
    return new FieldPathSet(differenceNodes(this.root, rootOf(other)))
  }

  /** The members not in `other`, and none of the children below a member of `other`. */
  recursiveDifference(other: FieldSet): FieldPathSet {
    return new FieldPathSet(recursiveDifferenceNodes(this.root, rootOf(other)))
  }

  intersection(other: FieldSet): FieldPathSet {
    return new FieldPathSet(intersectNodes(this.root, rootOf(other)))
  }

  equals(other: FieldSet): boolean {
    return equalNodes(this.root, rootOf(other))
  }

  /** The subset below `pe`, without the prefix (Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldPathSet {
    const child = this.root.children?.get(pe)
    return child ? new FieldPathSet(child) : FieldPathSet.empty
  }

  /** Every member path as element lists, in upstream's Iterate order (each level's members, then its children). */
  pathList(): PathElement[][] {
    const out: PathElement[][] = []
    iterate(this.root, [], (p) => out.push(p))
    return out
  }

  /** Every member path in smd's string form, in upstream's Iterate order (as conflicts list them). */
  paths(): string[] {
    return this.pathList().map(pathString)
  }

  /** One path per line, as Set.String. */
  toString(): string {
    return this.paths().join('\n')
  }
}

function rootOf(s: FieldSet): SetNode {
  if (s instanceof FieldPathSet) return s.root
  return fieldSetFromFieldsV1(s.toFieldsV1()).root
}

/**
 * The set a metadata.managedFields entry's `fieldsV1` holds. Keys of unknown kinds are dropped as
 * upstream does; `k:`/`v:` keys are read into canonical form. Throws on malformed input.
 */
export function fieldSetFromFieldsV1(json: unknown): FieldPathSet {
  const known = typeof json === 'object' && json !== null ? byFieldsV1.get(json)?.deref() : undefined
  if (known) return known
  const { node } = read(json, 'fieldsV1/')
  const set = node ? new FieldPathSet(node) : FieldPathSet.empty
  if (node && Object.isFrozen(json)) byFieldsV1.set(json as object, new WeakRef(set))
  return set
}

// --- path strings -------------------------------------------------------------------------------

// The escapes of Go's strconv.Quote (see util/go-value.ts goQuote) that JSON does not have;
// `\\\\` is matched too so that an escaped backslash is not read as the start of one.
const goOnlyEscape = /\\(?:\\|a|v|x([0-9a-f]{2})|U([0-9a-f]{8}))/g
function jsonEscape(m: string, x: string | undefined, u: string | undefined): string {
  if (m === '\\a') return '\\u0007'
  if (m === '\\v') return '\\u000b'
  if (x) return `\\u00${x}`
  if (u) return JSON.stringify(String.fromCodePoint(parseInt(u, 16))).slice(1, -1)
  return m
}

// A Go-quoted string or a scalar literal at s[i..]; returns the JSON value and the end.
function readLiteral(s: string, i: number): { value: unknown; end: number } | undefined {
  if (s[i] === '"') {
    let j = i + 1
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1
    if (j >= s.length) return undefined
    try {
      return { value: JSON.parse(s.slice(i, j + 1).replace(goOnlyEscape, jsonEscape)), end: j + 1 }
    } catch {
      return undefined
    }
  }
  const m = /^(null|true|false|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(s.slice(i))
  return m ? { value: JSON.parse(m[1]!), end: i + m[1]!.length } : undefined
}

// The element of a `[...]` segment at s[i] === '[', and where it ends.
function readBracket(s: string, i: number): { pe: PathElement; end: number } | undefined {
  const idx = /^\[(\d+)\]/.exec(s.slice(i))
  if (idx) return { pe: `i:${idx[1]}`, end: i + idx[0].length }
  if (s[i + 1] === '=') {
    const lit = readLiteral(s, i + 2)
    if (!lit || s[lit.end] !== ']') return undefined
    return { pe: parsePathElement(`v:${JSON.stringify(lit.value)}`)!, end: lit.end + 1 }
  }
  const fields: Record<string, unknown> = {}
  let j = i + 1
  for (;;) {
    const eq = s.indexOf('=', j)
    if (eq < 0) return undefined
    const lit = readLiteral(s, eq + 1)
    if (!lit) return undefined
    fields[s.slice(j, eq)] = lit.value
    if (s[lit.end] === ']') return { pe: parsePathElement(`k:${JSON.stringify(fields)}`)!, end: lit.end + 1 }
    if (s[lit.end] !== ',') return undefined
    j = lit.end + 1
  }
}

function matchPathString(n: SetNode, s: string, i: number): boolean {
  if (i >= s.length) return false
  const step = (pe: PathElement, end: number): boolean => {
    if (end >= s.length) return n.members?.has(pe) ?? false
    const child = n.children?.get(pe)
    return child ? matchPathString(child, s, end) : false
  }
  if (s[i] === '.') {
    // A field name may itself hold dots (label keys): try each place the name could end.
    for (let end = i + 1; end <= s.length; end++) {
      if (end < s.length && s[end] !== '.' && s[end] !== '[') continue
      if (end === i + 1) continue
      if (step(`f:${s.slice(i + 1, end)}`, end)) return true
    }
    return false
  }
  if (s[i] === '[') {
    const b = readBracket(s, i)
    return b ? step(b.pe, b.end) : false
  }
  return false
}
