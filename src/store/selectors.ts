/** @module selectors: label selector parsing, matching and formatting, as apimachinery's labels package does it. */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import { badRequest } from './store-error.js'
import { isQualifiedName, isValidLabelValue } from '../util/name-validation.js'

// Behaviour follows staging/src/k8s.io/apimachinery/pkg/labels/selector.go (lexer, parser, Requirement),
// staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (key and value syntax) and
// staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector, FormatLabelSelector).

/** One parsed term of a label selector; `values` is sorted and de-duplicated for in/notin. */
export interface Requirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'DoubleEquals' | 'NotEquals' | 'GreaterThan' | 'LessThan'
  values: string[]
}

/** A compiled selector: true when the label set matches. */
export type LabelSelectorFn = (labels: Record<string, string> | undefined) => boolean

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'ident' | 'in' | '<' | '!=' | 'notin' | '('
interface Item {
  tok: Tok
  lit: string
}

const symbolTokens: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' }
const isSpecial = (c: string): boolean => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<'
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n'

/** Splits the selector into tokens exactly like labels.Lexer (longest-match symbols, `in`/`notin` keywords). */
function lex(s: string): Item[] {
  const items: Item[] = []
  let i = 0
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++
    if (i >= s.length) {
      items.push({ tok: 'eos', lit: '' })
      return items
    }
    if (isSpecial(s[i])) {
      let buf = ''
      let last: Item | undefined
      while (i < s.length && isSpecial(s[i])) {
        buf += s[i]
        const t = symbolTokens[buf]
        if (t) last = { tok: t, lit: buf }
        else if (last) break
        i++
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` })
      continue
    }
    const start = i
    while (i < s.length && !isSpace(s[i]) && !isSpecial(s[i])) i++
    const word = s.slice(start, i)
    items.push({ tok: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'ident', lit: word })
  }
}

const binaryOperators = 'in, notin, =, ==, !=, gt, lt'

/** Recursive-descent parser mirroring labels.Parser; messages are the upstream texts. */
class Parser {
  private pos = 0
  constructor(private readonly items: Item[]) {}

  /** In "values" context the keywords in/notin are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.pos]
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'ident', lit: it.lit } : it
  }

  private next(values: boolean): Item {
    const it = this.look(values)
    if (this.pos < this.items.length - 1) this.pos++
    return it
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = []
    for (;;) {
      const { tok, lit } = this.look(true)
      if (tok === 'eos') return reqs
      if (tok !== 'ident' && tok !== '!') throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`)
      try {
        reqs.push(this.requirement())
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`)
      }
      const t = this.next(true)
      if (t.tok === 'eos') return reqs
      if (t.tok !== ',') throw new Error(`found '${t.lit}', expected: ',' or 'end of string'`)
      const t2 = this.look(true)
      if (t2.tok !== 'ident' && t2.tok !== '!') throw new Error(`found '${t2.lit}', expected: identifier after ','`)
    }
  }

  private requirement(): Requirement {
    let t = this.next(true)
    let negated = false
    if (t.tok === '!') {
      negated = true
      t = this.next(true)
    }
    if (t.tok !== 'ident') throw new Error(`found '${t.lit}', expected: identifier`)
    // upstream validates with a nil field path, which prints as "<nil>"
    const keyErr = validateLabelKey(t.lit)
    if (keyErr) throw new Error(`<nil>: Invalid value: ${JSON.stringify(t.lit)}: ${keyErr}`)
    const key = t.lit
    // `!key` is complete by itself; anything after it is rejected by the caller ("expected: ',' or 'end of string'")
    if (negated) return newRequirement(key, 'DoesNotExist', [])
    const ahead = this.look(true).tok
    if (ahead === 'eos' || ahead === ',') return newRequirement(key, 'Exists', [])
    const op = this.operator()
    const values = op === 'In' || op === 'NotIn' ? this.valueSet() : this.exactValue()
    return newRequirement(key, op, values)
  }

  private operator(): Requirement['operator'] {
    const { tok, lit } = this.next(false)
    switch (tok) {
      case 'in':
        return 'In'
      case 'notin':
        return 'NotIn'
      case '=':
        return 'Equals'
      case '==':
        return 'DoubleEquals'
      case '!=':
        return 'NotEquals'
      case '>':
        return 'GreaterThan'
      case '<':
        return 'LessThan'
      default:
        throw new Error(`found '${lit}', expected: ${binaryOperators}`)
    }
  }

  private valueSet(): string[] {
    const open = this.next(true)
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`)
    const { tok, lit } = this.look(true)
    if (tok === ')') {
      this.next(true)
      return ['']
    }
    if (tok !== 'ident' && tok !== ',') throw new Error(`found '${lit}', expected: ',', ')' or identifier`)
    const set = this.identifiers()
    // upstream reports the literal it looked at before the list, a quirk kept for identical texts
    if (this.next(true).tok !== ')') throw new Error(`found '${lit}', expected: ')'`)
    return set
  }

  private identifiers(): string[] {
    const s = new Set<string>()
    for (;;) {
      const { tok, lit } = this.next(true)
      if (tok === 'ident') {
        s.add(lit)
        const t2 = this.look(true)
        if (t2.tok === ',') continue
        if (t2.tok === ')') return [...s]
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`)
      } else if (tok === ',') {
        if (s.size === 0) s.add('')
        const t2 = this.look(true).tok
        if (t2 === ')') {
          s.add('')
          return [...s]
        }
        if (t2 === ',') {
          this.next(true)
          s.add('')
        }
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`)
      }
    }
  }

  private exactValue(): string[] {
    const ahead = this.look(true).tok
    if (ahead === 'eos' || ahead === ',') return ['']
    const { tok, lit } = this.next(true)
    if (tok === 'ident') return [lit]
    throw new Error(`found '${lit}', expected: identifier`)
  }
}

/** IsQualifiedName joined with "; " as validateLabelKey does; undefined when valid. */
export function validateLabelKey(key: string): string | undefined {
  const errs = isQualifiedName(key)
  return errs.length ? errs.join('; ') : undefined
}

/** IsValidLabelValue joined with "; "; undefined when valid. */
export function validateLabelValue(value: string): string | undefined {
  const errs = isValidLabelValue(value)
  return errs.length ? errs.join('; ') : undefined
}

/** Go's %#v for a []string, used in field.Invalid texts. */
const goStrings = (v: string[] | undefined): string => (v === undefined ? '[]string(nil)' : `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`)

/** labels.NewRequirement: validates operator arity and values; throws an Error with the aggregate text. */
function newRequirement(key: string, operator: Requirement['operator'], vals: string[] | undefined): Requirement {
  const errs: string[] = []
  const keyErr = validateLabelKey(key)
  if (keyErr) errs.push(`key: Invalid value: ${JSON.stringify(key)}: ${keyErr}`)
  const n = vals?.length ?? 0
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (n === 0) errs.push(`values: Invalid value: ${goStrings(vals)}: for 'in', 'notin' operators, values set can't be empty`)
      break
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (n !== 1) errs.push(`values: Invalid value: ${goStrings(vals)}: exact-match compatibility requires one single value`)
      break
    case 'Exists':
    case 'DoesNotExist':
      if (n !== 0) errs.push(`values: Invalid value: ${goStrings(vals)}: values set must be empty for exists and does not exist`)
      break
    case 'GreaterThan':
    case 'LessThan':
      if (n !== 1) errs.push(`values: Invalid value: ${goStrings(vals)}: for 'Gt', 'Lt' operators, exactly one value is required`)
      ;(vals ?? []).forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v) || !fitsInt64(v))
          errs.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`)
      })
      break
  }
  ;(vals ?? []).forEach((v, i) => {
    const e = validateLabelValue(v)
    if (e) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${e}`)
  })
  if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`)
  const values = operator === 'In' || operator === 'NotIn' ? [...new Set(vals)].sort() : [...(vals ?? [])]
  return { key, operator, values }
}

function fitsInt64(s: string): boolean {
  const n = BigInt(s)
  return n >= -(2n ** 63n) && n < 2n ** 63n
}

/** Sorts by key, stably, as Selector.Add / labels.Parse do. */
function byKey(reqs: Requirement[]): Requirement[] {
  return reqs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i))
    .map((x) => x.r)
}

/**
 * Parses a `labelSelector` query string (`app=web,tier in (a,b),!canary`). Empty → [] (matches all).
 * Throws StoreError BadRequest (a 400 at the API) BadRequest with labels.Parse's message on any syntax or validation error.
 */
export function parseLabelSelector(s: string): Requirement[] {
  try {
    return byKey(new Parser(lex(s)).parse())
  } catch (e) {
    throw badRequest((e as Error).message)
  }
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s) || !fitsInt64(s)) return undefined
  return BigInt(s)
}

/** Requirement.Matches for one requirement. */
function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key)
  const v = has ? labels[r.key] : ''
  switch (r.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && r.values.includes(v)
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(v)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || r.values.length !== 1) return false
      const lv = parseInt64(v)
      const rv = parseInt64(r.values[0])
      if (lv === undefined || rv === undefined) return false
      return r.operator === 'GreaterThan' ? lv > rv : lv < rv
    }
  }
}

/** True when every requirement matches (AND); an empty list matches everything, including no labels. */
export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {}
  for (const r of reqs) if (!matches(r, ls)) return false
  return true
}

/** Compiles requirements into a reusable predicate. */
export function compileLabelSelector(reqs: Requirement[]): LabelSelectorFn {
  return (labels) => matchRequirements(reqs, labels)
}

const exprOps: Record<string, Requirement['operator']> = { In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' }

/**
 * metav1.LabelSelectorAsSelector: matchLabels become `Equals`, matchExpressions map In/NotIn/Exists/DoesNotExist.
 * Result is sorted by key. An empty selector gives [] (everything). Throws StoreError BadRequest (a 400 at the API) for an unknown
 * operator (`"Foo" is not a valid label selector operator`) or invalid keys/values.
 * Note: upstream treats a nil selector as "nothing"; callers must handle `undefined` themselves.
 */
export function labelSelectorFromObject(sel: LabelSelector): Requirement[] {
  try {
    const reqs: Requirement[] = []
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, 'Equals', [v]))
    for (const expr of sel.matchExpressions ?? []) {
      const op = exprOps[expr.operator]
      if (!op) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`)
      reqs.push(newRequirement(expr.key, op, expr.values ? [...expr.values] : undefined))
    }
    return byKey(reqs)
  } catch (e) {
    throw badRequest((e as Error).message)
  }
}

/** Requirement.String(): `k=v`, `k in (a,b)`, `!k`, values sorted when more than one. */
export function requirementToString(r: Requirement): string {
  const sym: Record<Requirement['operator'], string> = {
    Equals: '=',
    DoubleEquals: '==',
    NotEquals: '!=',
    In: ' in ',
    NotIn: ' notin ',
    GreaterThan: '>',
    LessThan: '<',
    Exists: '',
    DoesNotExist: '',
  }
  const head = (r.operator === 'DoesNotExist' ? '!' : '') + r.key
  if (r.operator === 'Exists' || r.operator === 'DoesNotExist') return head
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',')
  return r.operator === 'In' || r.operator === 'NotIn' ? `${head}${sym[r.operator]}(${vals})` : `${head}${sym[r.operator]}${vals}`
}

/** Selector.String(): the requirements joined with ",". */
export function requirementsToString(reqs: Requirement[]): string {
  return reqs.map(requirementToString).join(',')
}

/**
 * metav1.FormatLabelSelector: `app=web,tier in (a,b)`; `<none>` for a missing or empty selector and
 * `<error>` for an invalid one. Pass `{ empty: '' }` for Scale `status.selector`, which upstream builds
 * with `LabelSelectorAsSelector(...).String()` and so renders an empty selector as "".
 */
export function labelSelectorAsString(sel: LabelSelector | undefined | null, opts: { empty?: string } = {}): string {
  const empty = opts.empty ?? '<none>'
  if (!sel) return empty
  let reqs: Requirement[]
  try {
    reqs = labelSelectorFromObject(sel)
  } catch {
    return '<error>'
  }
  const s = requirementsToString(reqs)
  return s.length ? s : empty
}
