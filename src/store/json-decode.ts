/** @module json-decode: JSON parsing that reports duplicate keys and Go-worded syntax errors, as kube-apiserver's decoder does. */

// kube-apiserver decodes bodies with sigs.k8s.io/json (a fork of Go's encoding/json): in Strict/Warn mode it
// records `duplicate field "<path>"` (vendor/sigs.k8s.io/json/internal/golang/encoding/json/decode.go), and
// syntax errors carry Go's scanner texts (src/encoding/json/scanner.go), e.g.
// `invalid character 'x' looking for beginning of value`. JSON.parse keeps the last duplicate silently and
// words errors differently, so this module adds both on top of it.

import { maxDecodeDepth } from '../util/yaml-decode.js'

/** A JSON syntax error worded like Go's encoding/json SyntaxError; `offset` is the index of the bad char. */
export class JSONSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
    this.name = 'JSONSyntaxError'
  }
}

/**
 * Deepest nesting a JSON body may have. Go's scanner stops at 10000 (encoding/json scanner.go
 * maxNestingDepth, checked by pushParseState for every `{` and `[`); kubemock's decoding and the
 * code after it recurse over values, so it stops where the YAML decoder does, with Go's wording.
 */
export const maxJSONDepth = maxDecodeDepth

/** Upstream stops collecting strict errors after 100 (kubernetes_patch.go saveStrictError). */
const maxDuplicates = 100

/**
 * Parses `text`. Returns the value (last duplicate wins, as in Go) and the duplicate keys as paths
 * (`metadata.name`, `spec.containers[0].name`, `[1].path` for a top-level array), de-duplicated, in
 * document order, at most 100. Throws JSONSyntaxError with Go's message on malformed input
 * (`unexpected end of JSON input` for empty or truncated input, `invalid character '{' exceeded max
 * depth` past {@link maxJSONDepth}, unless a syntax error comes first, as Go's scanner reports).
 *
 * Cost: one native JSON.parse plus a key-counting pass that uses indexOf to skip strings; the
 * path-tracking scan only runs when the key counts show a duplicate exists.
 */
export function parseJSONWithDuplicates(text: string): { value: unknown; duplicates: string[] } {
  const deep = tooDeepAt(text, maxJSONDepth)
  if (deep >= 0) {
    // Go scans in order: a syntax error before the bracket that is one too deep wins. The prefix
    // is at most maxJSONDepth deep, so the recursive re-scan stays within the stack.
    const earlier = goSyntaxError(text.slice(0, deep))
    if (earlier.offset < deep) throw earlier
    throw new JSONSyntaxError(`invalid character ${quoteChar(text, deep)} exceeded max depth`, deep)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw goSyntaxError(text)
  }
  if (typeof value !== 'object' || value === null) return { value, duplicates: [] }
  if (countTextKeys(text) === countValueKeys(value)) return { value, duplicates: [] }
  return { value, duplicates: findDuplicates(text) }
}

/** Go's `json: ` strict-error strings for the duplicates: `duplicate field "metadata.name"`. */
export function duplicateFieldMessages(duplicates: string[]): string[] {
  return duplicates.map((p) => `duplicate field ${JSON.stringify(p)}`)
}

/**
 * The 400 text kube-apiserver sends when a create/update body is not JSON at all
 * (handlers/rest.go transformDecodeError + summarizeData):
 * `the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: <go message> (<first 30 bytes>)`.
 */
export function unrecognizedBodyMessage(kind: string, err: Error, body: string): string {
  return `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${err.message} (${summarizeData(body, 30)})`
}

/** summarizeData: bodies starting with "{" are shown as text, others as hex; cut at `max` bytes. */
export function summarizeData(body: string, max: number): string {
  const bytes = Buffer.from(body, 'utf8')
  if (bytes.length === 0) return '<empty>'
  const cut = bytes.length > max ? bytes.subarray(0, max) : bytes
  const more = bytes.length > max ? ' ...' : ''
  return (bytes[0] === 0x7b ? cut.toString('utf8') : cut.toString('hex')) + more
}

const QUOTE = 34
const BACKSLASH = 92

/** Index of the quote closing the string that opens at `i` (text[i] === '"'). */
function stringEnd(text: string, i: number): number {
  let j = i
  for (;;) {
    j = text.indexOf('"', j + 1)
    if (j < 0) return text.length
    let k = j - 1
    while (text.charCodeAt(k) === BACKSLASH) k--
    if ((j - 1 - k) % 2 === 0) return j
  }
}

/** Index of the first `{` or `[` (outside strings) that opens level `max + 1`, or -1. Iterative: any depth. */
function tooDeepAt(text: string, max: number): number {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = stringEnd(text, i)
    else if (c === 123 || c === 91) {
      if (++depth > max) return i
    } else if (c === 125 || c === 93) depth--
  }
  return -1
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}

/** Number of object keys in valid JSON text: strings whose next non-space char is ':'. */
function countTextKeys(text: string): number {
  let n = 0
  let i = text.indexOf('"')
  while (i >= 0) {
    const end = stringEnd(text, i)
    let k = end + 1
    while (isWs(text.charCodeAt(k))) k++
    if (text.charCodeAt(k) === 58) n++
    i = text.indexOf('"', k)
  }
  return n
}

function countValueKeys(v: unknown): number {
  if (Array.isArray(v)) {
    let n = 0
    for (const x of v) if (typeof x === 'object' && x !== null) n += countValueKeys(x)
    return n
  }
  let n = 0
  for (const k in v as Record<string, unknown>) {
    n++
    const x = (v as Record<string, unknown>)[k]
    if (typeof x === 'object' && x !== null) n += countValueKeys(x)
  }
  return n
}

/** Path-tracking scan over text already known to be valid JSON. */
function findDuplicates(text: string): string[] {
  const out: string[] = []
  let i = 0
  const skipWs = (): void => {
    while (isWs(text.charCodeAt(i))) i++
  }
  const value = (path: string): void => {
    skipWs()
    const c = text.charCodeAt(i)
    if (c === 123) {
      i++
      const keys = new Set<string>()
      // Keys of this object already reported: a path is unique per object, so no global set (and no
      // comparison of long path strings) is needed.
      const reported = new Set<string>()
      skipWs()
      if (text.charCodeAt(i) === 125) {
        i++
        return
      }
      for (;;) {
        skipWs()
        const end = stringEnd(text, i)
        const rawKey = text.slice(i + 1, end)
        const key = rawKey.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : rawKey
        i = end + 1
        skipWs()
        i++ // ':'
        const p = path ? `${path}.${key}` : key
        if (keys.has(key)) {
          if (!reported.has(key) && out.length < maxDuplicates) {
            reported.add(key)
            out.push(p)
          }
        } else keys.add(key)
        value(p)
        skipWs()
        if (text.charCodeAt(i++) === 125) return
      }
    } else if (c === 91) {
      i++
      skipWs()
      if (text.charCodeAt(i) === 93) {
        i++
        return
      }
      for (let idx = 0; ; idx++) {
        value(`${path}[${idx}]`)
        skipWs()
        if (text.charCodeAt(i++) === 93) return
      }
    } else if (c === QUOTE) {
      i = stringEnd(text, i) + 1
    } else {
      // number or literal: run to the next delimiter
      while (i < text.length) {
        const d = text.charCodeAt(i)
        if (d === 44 || d === 125 || d === 93 || isWs(d)) break
        i++
      }
    }
  }
  value('')
  return out
}

/** strconv.Quote of a single byte, in single quotes, as scanner.go's quoteChar renders it. */
function quoteChar(text: string, i: number): string {
  const cp = text.codePointAt(i) ?? 0
  // Go quotes the first byte of the UTF-8 sequence, read as a Latin-1 rune
  const b = cp < 0x80 ? cp : Buffer.from(String.fromCodePoint(cp), 'utf8')[0]
  if (b === 0x27) return `'\\''`
  if (b === 0x22) return `'"'`
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 92: '\\\\' }
  if (named[b]) return `'${named[b]}'`
  if (b < 0x20 || b === 0x7f) return `'\\x${b.toString(16).padStart(2, '0')}'`
  if ((b >= 0x80 && b < 0xa0) || b === 0xad) return `'\\u00${b.toString(16).padStart(2, '0')}'`
  return `'${String.fromCharCode(b)}'`
}

class Fail {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/** Re-scans malformed text with Go's scanner rules and returns the first error, worded as Go words it. */
export function goSyntaxError(text: string): JSONSyntaxError {
  let i = 0
  const n = text.length
  const eof = (): never => {
    throw new Fail('unexpected end of JSON input', n)
  }
  const bad = (ctx: string): never => {
    throw new Fail(`invalid character ${quoteChar(text, i)} ${ctx}`, i)
  }
  const ws = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++
  }
  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      i++
      if (i >= n) eof()
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting '${word[k]}')`)
    }
    i++
  }
  const digit = (): boolean => i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57
  const number = (): void => {
    if (text[i] === '-') {
      i++
      if (i >= n) eof()
      if (!digit()) bad('in numeric literal')
    }
    if (text[i] === '0') i++
    else while (digit()) i++
    if (text[i] === '.') {
      i++
      if (i >= n) eof()
      if (!digit()) bad('after decimal point in numeric literal')
      while (digit()) i++
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (i >= n) eof()
      if (text[i] === '+' || text[i] === '-') {
        i++
        if (i >= n) eof()
      }
      if (!digit()) bad('in exponent of numeric literal')
      while (digit()) i++
    }
  }
  const string = (): void => {
    i++
    for (;;) {
      if (i >= n) eof()
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        i++
        return
      }
      if (c === BACKSLASH) {
        i++
        if (i >= n) eof()
        const e = text[i]
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++
            if (i >= n) eof()
            if (!/[0-9a-fA-F]/.test(text[i])) bad('in \\u hexadecimal character escape')
          }
        } else if (!'"\\/bfnrt'.includes(e)) bad('in string escape code')
        i++
        continue
      }
      if (c < 0x20) bad('in string literal')
      i++
    }
  }
  const value = (): void => {
    ws()
    if (i >= n) eof()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (i >= n) eof()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        if (text[i] !== '"') bad('looking for beginning of object key string')
        string()
        ws()
        if (i >= n) eof()
        if (text[i] !== ':') bad('after object key')
        i++
        value()
        ws()
        if (i >= n) eof()
        if (text[i] === '}') {
          i++
          return
        }
        if (text[i] !== ',') bad('after object key:value pair')
        i++
        ws()
        if (i >= n) eof()
      }
    } else if (c === '[') {
      i++
      ws()
      if (i >= n) eof()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (i >= n) eof()
        if (text[i] === ']') {
          i++
          return
        }
        if (text[i] !== ',') bad('after array element')
        i++
      }
    } else if (c === '"') string()
    else if (c === '-' || (c >= '0' && c <= '9')) number()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else bad('looking for beginning of value')
  }
  try {
    value()
    ws()
    if (i < n) bad('after top-level value')
  } catch (e) {
    if (e instanceof Fail) return new JSONSyntaxError(e.message, e.offset)
    throw e
  }
  // JSON.parse rejected something Go accepts (should not happen); keep a Go-looking message
  return new JSONSyntaxError('unexpected end of JSON input', n)
}
