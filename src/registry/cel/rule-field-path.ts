/**
 * @module rule-field-path: a validation rule's `fieldPath` (`.spec.list['key.x']`), checked against
 * the schema and normalized, as ValidFieldPath in apiextensions-apiserver's schema/cel/validation.go.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
 */
import type { CelSchema } from './cel-value.js'

function schemaOf(v: unknown): CelSchema | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as CelSchema) : undefined
}

const escapes: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' }

/** Splits into `.`, `[`, `]` and the text between them (a single-quoted string is one token). */
function tokens(path: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < path.length) {
    const c = path[i]
    if (c === '.' || c === '[' || c === ']') {
      out.push(c)
      i++
      continue
    }
    let j = i
    if (c === "'") {
      j = i + 1
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++
      j = Math.min(j + 1, path.length)
    } else while (j < path.length && !'.[]'.includes(path[j])) j++
    out.push(path.slice(i, j))
    i = j
  }
  return out
}

/**
 * The normalized path (`spec.list[key]`: properties as children, map keys in brackets) that a
 * failure is reported at, or an error text (`does not refer to a valid field`).
 */
export function normalizeRuleFieldPath(path: string, schema: CelSchema): { path: string } | { error: string } {
  let s: CelSchema | undefined = schema
  let out = ''
  const append = (name: string): string | undefined => {
    if (s?.properties !== undefined) {
      const props = schemaOf(s.properties) ?? {}
      if (!Object.hasOwn(props, name)) return 'does not refer to a valid field'
      out += out ? `.${name}` : name
      s = schemaOf(props[name])
    } else if (s?.additionalProperties !== undefined) {
      out += `[${name}]`
      s = schemaOf(s.additionalProperties)
    } else return 'does not refer to a valid field'
    return undefined
  }
  const ts = tokens(path)
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]
    if (t === '[') {
      const lit = ts[++i]
      if (lit === undefined) return { error: 'unexpected end of JSON path' }
      if (lit.length < 2 || lit[0] !== "'" || lit[lit.length - 1] !== "'") return { error: `expected single quoted string but got ${lit}` }
      let bad = ''
      const name = lit.slice(1, -1).replace(/\\./g, (m) => {
        if (escapes[m[1]] === undefined) bad ||= m
        return escapes[m[1]] ?? ''
      })
      if (bad) return { error: `invalid string literal: invalid escape char ${bad}` }
      const err = append(name)
      if (err) return { error: err }
      const close = ts[++i]
      if (close === undefined) return { error: 'unexpected end of JSON path' }
      if (close !== ']') return { error: `expected ] but got ${close}` }
    } else if (t === '.') {
      const name = ts[++i]
      if (name === undefined) return { error: 'unexpected end of JSON path' }
      const err = append(name)
      if (err) return { error: err }
    } else return { error: `expected [ or . but got: ${t}` }
  }
  return { path: out }
}
