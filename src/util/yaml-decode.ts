/** @module yaml-decode: the one way to decode untrusted YAML: bounded aliasing and depth, no warnings on stderr, goyaml's error texts. */
import type { Document } from 'yaml'
import { yamlLibrary } from './lazy-libraries.js'

/**
 * Deepest nesting a decoded document may have. goyaml.v2 (what kube-apiserver's
 * sigs.k8s.io/yaml uses) stops at 10000 flow levels or indents; this YAML library's recursive
 * composer runs out of stack below 1000 flow levels, and the rest of the server recurses over
 * objects too, so kubemock stops at 500 (no Kubernetes object comes near), with the same wording.
 */
export const maxDecodeDepth = 500

/**
 * Alias expansions allowed per document (the yaml library's `maxAliasCount`). goyaml.v2 refuses
 * a document whose decoding is mostly alias expansion ("document contains excessive aliasing").
 */
export const maxAliasCount = 100

/** A YAML document that cannot be decoded; `message` is goyaml.v2's text without the `yaml: ` prefix. */
export class YAMLDecodeError extends Error {}

/** Options for {@link decodeYAMLDocuments}. */
export interface DecodeYAMLOptions {
  /** Keep the yaml library's full error text (position and a source excerpt), for files a person edits. */
  pretty?: boolean
  /**
   * Also accept `%YAML 1.2` (kubemock's own files, which the API decoder never sees); without it
   * only 1.1 passes, as in goyaml.v2. Other versions are refused either way.
   */
  yaml12?: boolean
}

/**
 * Decodes every document of a YAML stream to plain values (null for empty documents). Throws
 * {@link YAMLDecodeError} for malformed YAML, nesting deeper than {@link maxDecodeDepth},
 * excessive aliasing, a `%YAML` directive other than 1.1 (goyaml.v2 accepts only 1.1: "found
 * incompatible YAML document"), or an unknown directive. Never writes to stderr (the yaml
 * library's default `warn` would call process.emitWarning).
 */
export function decodeYAMLDocuments(text: string, opts: DecodeYAMLOptions = {}): unknown[] {
  // The yaml library recurses once per level; near the stack limit V8 can even abort the whole
  // process (a regexp compiled that deep fails with a fatal "RegExpCompiler Allocation failed"),
  // so anything that might nest too deep is refused before the library sees it.
  const tooDeep = deepLine(text, maxDecodeDepth)
  if (tooDeep !== undefined) throw new YAMLDecodeError(`${where(tooDeep)}exceeded max depth of ${maxDecodeDepth}`)
  let docs: Document.Parsed[]
  try {
    // logLevel 'silent': warnings are collected on the document and read below, never printed.
    docs = yamlLibrary().parseAllDocuments(text, { logLevel: 'silent', uniqueKeys: false, prettyErrors: opts.pretty ?? false }) as Document.Parsed[]
  } catch (err) {
    throw translate(err, opts.pretty)
  }
  if (!Array.isArray(docs)) docs = [docs as Document.Parsed]
  const values: unknown[] = []
  for (const doc of docs) {
    if (doc.errors.length) throw translate(doc.errors[0], opts.pretty)
    for (const w of doc.warnings) {
      if (w.code !== 'BAD_DIRECTIVE') continue
      throw new YAMLDecodeError(/^Unknown directive/.test(w.message) ? 'found unknown directive name' : 'found incompatible YAML document')
    }
    const version = doc.directives?.yaml.explicit ? doc.directives.yaml.version : undefined
    if (version !== undefined && version !== '1.1' && !(opts.yaml12 && version === '1.2')) throw new YAMLDecodeError('found incompatible YAML document')
    checkKeys(doc)
    // Aliases repeat their target where they stand, so the value can be far deeper than the text.
    if (nodeDepth(doc.contents, doc, new Map(), 0) > maxDecodeDepth) throw new YAMLDecodeError(`exceeded max depth of ${maxDecodeDepth}`)
    let value: unknown
    try {
      // goyaml.v2 decodes `!!binary` to a string of the bytes; the yaml library to a Uint8Array,
      // which JSON has no form for (and the object code cannot handle).
      value = doc.toJS({ maxAliasCount, reviver: (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v) })
    } catch (err) {
      throw translate(err)
    }
    if (depthExceeds(value, maxDecodeDepth)) throw new YAMLDecodeError(`exceeded max depth of ${maxDecodeDepth}`)
    values.push(value ?? null)
  }
  return values
}

/** Decodes a single-document YAML body (the first document of the stream; null when empty). Throws like {@link decodeYAMLDocuments}. */
export function decodeYAML(text: string): unknown {
  return decodeYAMLDocuments(text)[0] ?? null
}

/**
 * True when `value` nests deeper than `max` arrays/objects. Iterative, so it is safe on values
 * deep enough to overflow the stack of recursive code (JSON.parse builds those happily).
 */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length) {
    const [v, d] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (d + 1 > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1])
  }
  return false
}

/**
 * Refuses mappings and sequences used as keys (`? [a]: b`, `- ? - ? …`), walking the tree
 * iteratively. JSON cannot have them (goyaml.v2: "invalid map key"), and the yaml library
 * stringifies such keys at every level of nesting, which takes seconds for a few hundred bytes.
 */
function checkKeys(doc: Document.Parsed): void {
  const { isAlias, isCollection, isMap, isPair, isSeq } = yamlLibrary()
  const stack: unknown[] = [doc.contents]
  while (stack.length) {
    const node = stack.pop()
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          const key = isAlias(item.key) ? item.key.resolve(doc) : item.key
          if (isCollection(key)) throw new YAMLDecodeError(`invalid map key: ${isSeq(key) ? '[]interface {}' : 'map[interface {}]interface {}'}{…}`)
          stack.push(item.value)
        } else stack.push(item)
      }
    }
  }
}

/** goyaml's position prefix: `line N: ` for any line but the first. */
function where(line: number): string {
  return line > 1 ? `line ${line}: ` : ''
}

/**
 * The 1-based line where the document might nest deeper than `max`, or undefined. An upper
 * bound, cheap and iterative: open `[`/`{` levels, plus the block levels opened by deeper
 * indentation, plus the compact nesting on the line (`- - ? x`, `- key: …`). Quoted scalars,
 * comments and block scalars (`|`, `>`) do not count. Real manifests stay far below it.
 */
function deepLine(text: string, max: number): number | undefined {
  let flow = 0
  const indents: number[] = []
  let line = 1
  let i = 0
  /** Indentation of the line that opened a block scalar; more-indented lines are its text. */
  let scalarParent = -1
  while (i < text.length) {
    // One line: its indentation first (block context only).
    let col = 0
    while (text.charCodeAt(i + col) === 32) col++
    const first = text.charCodeAt(i + col)
    const blank = Number.isNaN(first) || first === 10 || first === 13 || first === 35
    if (scalarParent >= 0) {
      if (blank || col > scalarParent) {
        const end = text.indexOf('\n', i)
        if (end < 0) break
        i = end + 1
        line++
        continue
      }
      scalarParent = -1
    }
    if (flow === 0 && !blank) {
      while (indents.length && indents[indents.length - 1] >= col) indents.pop()
      indents.push(col)
    }
    // Block nesting on one line: a leading run of `- `/`? `/`: ` (compact forms), then at most
    // one `key: `. In flow context only brackets nest, so `{"a": 1, "b": 2}` counts 1.
    let indicators = 0
    let leading = true
    let keyed = false
    let commentAt = -1
    let j = i + col
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j)
      if (c === 10) break
      if (c === 32 || c === 9) continue
      const next = text.charCodeAt(j + 1)
      const spaced = Number.isNaN(next) || next === 32 || next === 10 || next === 13 || next === 9
      if ((c === 45 || c === 63 || c === 58) && spaced && flow === 0) {
        if (leading) indicators++
        else if (c === 58 && !keyed) {
          indicators++
          keyed = true
        }
        continue
      }
      if (leading && (c === 33 || c === 38) && flow === 0) {
        // A tag or anchor (`- !t - &a - x`) belongs to the node that follows: still leading.
        while (j + 1 < text.length && !/[\s]/.test(text[j + 1])) j++
        continue
      }
      leading = false
      if (c === 91 || c === 123) {
        flow++
      } else if (c === 93 || c === 125) {
        if (flow > 0) flow--
      } else if (c === 35 && (j === i || text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) {
        commentAt = j
        while (j + 1 < text.length && text.charCodeAt(j + 1) !== 10) j++
      } else if (c === 34 || c === 39) {
        // A quoted scalar: skip to its closing quote ('' and \" are escapes), counting lines.
        for (j++; j < text.length; j++) {
          const q = text.charCodeAt(j)
          if (q === 10) line++
          else if (c === 34 && q === 92) j++
          else if (q === c) {
            if (c === 39 && text.charCodeAt(j + 1) === 39) j++
            else break
          }
        }
      }
      if (flow + Math.max(0, indents.length - 1) + indicators > max) return line
    }
    if (flow + Math.max(0, indents.length - 1) + indicators > max) return line
    // The header test runs on the text before any comment: an anchored `(#.*)?$` would rescan the
    // rest of the line from every `|`, quadratic on a long line of ` |#`.
    if (flow === 0 && blockScalarHeader.test(text.slice(i + col, commentAt < 0 ? j : commentAt))) scalarParent = col
    i = j + 1
    line++
  }
  return undefined
}

/** A line (its comment cut off) ending in a block scalar header (`key: |`, `- >-`, `|2`). */
const blockScalarHeader = /(^|[\s:-])[|>][-+0-9]*\s*$/

/**
 * How deep a node's value will nest once aliases are expanded (1 per sequence or mapping level).
 * Recursion follows the parsed tree, whose depth {@link deepLine} already bounded; an alias
 * counts its target's depth, computed once (`memo`); a cycle counts as too deep.
 */
function nodeDepth(node: unknown, doc: Document.Parsed, memo: Map<unknown, number>, level: number): number {
  const { isAlias, isMap, isPair, isSeq } = yamlLibrary()
  if (isAlias(node)) {
    const target = node.resolve(doc)
    if (target === undefined) return 0
    const known = memo.get(target)
    if (known !== undefined) return known
    memo.set(target, Infinity)
    const d = nodeDepth(target, doc, memo, level)
    memo.set(target, d)
    return d
  }
  if (!isMap(node) && !isSeq(node)) return 0
  if (level > maxDecodeDepth) return Infinity
  let deepest = 0
  for (const item of node.items as unknown[]) {
    const d = isPair(item)
      ? Math.max(nodeDepth(item.key, doc, memo, level + 1), nodeDepth(item.value, doc, memo, level + 1))
      : nodeDepth(item, doc, memo, level + 1)
    if (d > deepest) deepest = d
    if (deepest > maxDecodeDepth) break
  }
  return deepest + 1
}

/** Maps the yaml library's failures onto goyaml.v2's words where they differ. */
function translate(err: unknown, pretty = false): YAMLDecodeError {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof RangeError || /Maximum call stack size exceeded/.test(message)) return new YAMLDecodeError(`exceeded max depth of ${maxDecodeDepth}`)
  if (/Excessive alias count/.test(message)) return new YAMLDecodeError('document contains excessive aliasing')
  return new YAMLDecodeError(pretty ? message : message.split('\n')[0])
}
