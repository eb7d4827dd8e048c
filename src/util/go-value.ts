/** @module go-value: renders values as Go's `%#v` does, for field errors whose bad value is a map, slice or struct. */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'

/**
 * The text Go's `%#v` prints for the shapes Kubernetes puts into field errors:
 * `map[string]string{"app":"web", "tier":"db"}` (keys sorted, as fmt sorts maps),
 * `[]string{"10.96.0.1"}`, `map[string]string(nil)` for a missing map. Strings are
 * double-quoted, numbers and booleans bare. Other objects fall back to JSON.
 * field.Error.Error() uses %#v for any value that is not a string, number or bool, so
 * errors.ts should render object/array bad values with this function.
 */
export function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`
    return JSON.stringify(value)
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.every(([, v]) => typeof v === 'string')) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`
    }
  }
  return JSON.stringify(value)
}

/** `%#v` of a nil `map[string]string`, which is what an absent labels map prints as. */
export const nilStringMap = 'map[string]string(nil)'

/**
 * A bad value already rendered in Go syntax. apimachinery's field.Error prints structs and maps with
 * `%#v` (staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go, ErrorBody), so the
 * renderer in src/errors.ts must print `goString` verbatim instead of JSON-encoding it.
 * `toJSON` keeps the text readable even where a renderer does not know about it.
 */
export class GoLiteral {
  constructor(readonly goString: string) {}
  toString(): string {
    return this.goString
  }
  toJSON(): string {
    return this.goString
  }
}

/** `map[string]string{"a":"b", "c":"d"}` with sorted keys, `map[string]string(nil)` when absent. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  return m ? goSyntax(m) : nilStringMap
}

/** `[]string{"a", "b"}` or `[]string(nil)`. */
function goStringSlice(s: string[] | undefined): string {
  if (!s) return '[]string(nil)'
  return `[]string{${s.map((v) => JSON.stringify(v)).join(', ')}}`
}

/**
 * `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}` exactly as the immutable-selector error
 * prints it (the pointer is dereferenced by field.Error, and the value type has no String()).
 */
export function goLabelSelector(sel: LabelSelector | undefined | null): string {
  if (!sel) return 'null'
  const exprs = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${goStringSlice(e.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)'
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`
}

/** `intstr.IntOrString{Type:0, IntVal:5, StrVal:""}` (Type 1 for strings): IntOrString.String has a pointer receiver, so %#v wins. */
export function goIntOrString(v: number | string | undefined): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`
  return `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`
}

/** Shorthand: a GoLiteral for a label-selector bad value. */
export function goSelectorValue(sel: LabelSelector | undefined | null): GoLiteral {
  return new GoLiteral(goLabelSelector(sel))
}

/**
 * strconv.Quote: a double-quoted Go literal. Printable characters stay as they are; `"` and `\`
 * are escaped, so are \a \b \f \n \r \t \v; other control characters become `\xNN`, and
 * non-printable code points above 0x7f `\uNNNN`.
 */
export function goQuote(s: string): string {
  const named: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '"': '\\"',
    '\\': '\\\\',
  }
  let out = '"'
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (named[ch]) out += named[ch]
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`
    else if (cp >= 0x80 && /[\p{C}\p{Z}]/u.test(ch) && ch !== ' ')
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}
