/** @module field-selector: field selector parsing and matching, as apimachinery's fields package does it. */
import { badRequest } from './store-error.js'

// Behaviour follows staging/src/k8s.io/apimachinery/pkg/fields/selector.go (parseSelector, splitTerms,
// splitTerm, UnescapeValue) and the per-kind conversion funcs in pkg/apis/*/v1/conversion.go.

/** One term: `field=value`, `field==value` or `field!=value`; `value` is already unescaped. */
export interface FieldRequirement {
  field: string
  operator: '=' | '==' | '!='
  value: string
}

/** Splits on "," that is not escaped with a backslash (fields.splitTerms). */
function splitTerms(s: string): string[] {
  if (s.length === 0) return []
  const terms: string[] = []
  let start = 0
  let escaped = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === ',') {
      terms.push(s.slice(start, i))
      start = i + 1
    }
  }
  terms.push(s.slice(start))
  return terms
}

const termOperators = ['!=', '==', '='] as const

/** Finds the first operator, trying "!=", "==", "=" at each position (fields.splitTerm). */
function splitTerm(term: string): { lhs: string; op: FieldRequirement['operator']; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) }
    }
  }
  return undefined
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` are the only escapes; bare `,`/`=` are errors. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s
  let out = ''
  let inSlash = false
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`)
      inSlash = false
      continue
    }
    if (c === '\\') inSlash = true
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c}`)
    else out += c
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\')
  return out
}

/**
 * Parses a `fieldSelector` query string. Terms are ANDed; empty terms are skipped; the result is sorted
 * by the raw term text as upstream sorts. Throws StoreError BadRequest (a 400 at the API) with upstream texts, e.g.
 * `invalid selector: 'foo'; can't understand 'foo'`. Whitespace is not trimmed (upstream neither).
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const parts = splitTerms(s).sort()
  const reqs: FieldRequirement[] = []
  for (const part of parts) {
    if (part === '') continue
    const t = splitTerm(part)
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`)
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeValue(t.rhs) })
  }
  return reqs
}

/**
 * True when every requirement holds. A field missing from `fields` reads as "" (fields.Set.Get),
 * so `spec.nodeName=` matches an unscheduled pod and `spec.nodeName!=` matches a scheduled one.
 */
export function matchFields(reqs: FieldRequirement[], fields: Record<string, string>): boolean {
  for (const r of reqs) {
    const v = Object.hasOwn(fields, r.field) ? fields[r.field] : ''
    if (r.operator === '!=' ? v === r.value : v !== r.value) return false
  }
  return true
}

/** Field names used by the requirements, for checking them against a kind's selectable fields. */
export function requirementFields(reqs: FieldRequirement[]): string[] {
  return reqs.map((r) => r.field)
}
