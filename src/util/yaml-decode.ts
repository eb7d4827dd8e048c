/** @module yaml-decode: the one way to decode untrusted YAML: bounded aliasing and depth, no warnings on stderr, goyaml's error texts. */
import { isAlias, isCollection, isMap, isPair, isSeq, parseAllDocuments, type Document } from 'yaml'

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
}

/**
 * Decodes every document of a YAML stream to plain values (null for empty documents). Throws
 * {@link YAMLDecodeError} for malformed YAML, nesting deeper than {@link maxDecodeDepth},
 * excessive aliasing, a `%YAML` directive other than 1.1 (goyaml.v2 accepts only 1.1: "found
 * incompatible YAML document"), or an unknown directive. Never writes to stderr (the yaml
 * library's default `warn` would call process.emitWarning).
 */
export function decodeYAMLDocuments(text: string, opts: DecodeYAMLOptions = {}): unknown[] {
  const tooDeep = flowDepthLine(text, maxDecodeDepth)
  if (tooDeep !== undefined) throw new YAMLDecodeError(`${where(tooDeep)}exceeded max depth of ${maxDecodeDepth}`)
  let docs: Document.Parsed[]
  try {
    // logLevel 'silent': warnings are collected on the document and read below, never printed.
    docs = parseAllDocuments(text, { logLevel: 'silent', uniqueKeys: false, prettyErrors: opts.pretty ?? false }) as Document.Parsed[]
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
    if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.1') throw new YAMLDecodeError('found incompatible YAML document')
    checkKeys(doc)
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount })
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
 * The 1-based line where `[`/`{` nesting first passes `max`, outside quoted scalars and comments;
 * undefined when it never does. A cheap guard so that `[[[[…` is refused before the recursive
 * parser sees it.
 */
function flowDepthLine(text: string, max: number): number | undefined {
  let depth = 0
  let line = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    else if (c === 91 || c === 123) {
      if (++depth > max) return line
    } else if (c === 93 || c === 125) depth = Math.max(0, depth - 1)
    else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++
    } else if (c === 34 || c === 39) {
      // A quoted scalar: skip to its closing quote ('' and \" are escapes).
      for (i++; i < text.length; i++) {
        const q = text.charCodeAt(i)
        if (q === 10) line++
        else if (c === 34 && q === 92) i++
        else if (q === c) {
          if (c === 39 && text.charCodeAt(i + 1) === 39) i++
          else break
        }
      }
    }
  }
  return undefined
}

/** Maps the yaml library's failures onto goyaml.v2's words where they differ. */
function translate(err: unknown, pretty = false): YAMLDecodeError {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof RangeError || /Maximum call stack size exceeded/.test(message)) return new YAMLDecodeError(`exceeded max depth of ${maxDecodeDepth}`)
  if (/Excessive alias count/.test(message)) return new YAMLDecodeError('document contains excessive aliasing')
  return new YAMLDecodeError(pretty ? message : message.split('\n')[0])
}
