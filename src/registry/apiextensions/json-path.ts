/**
 * @module json-path: the JSONPath of kubectl and of CRD printer columns (k8s.io/client-go/util/jsonpath):
 * fields (`.a`, `['a']`), indexes and slices (`[0]`, `[-1]`, `[1:3]`), wildcards (`[*]`, `.*`),
 * recursive descent (`..name`), unions (`[0,1]`, `['a','b']`) and filters
 * (`[?(@.type == 'Ready')]`, `[?(@.ready)]`). Printer columns use any path that parses (prometheus-
 * operator's `.status.conditions[?(@.type == 'Reconciled')].status`), evaluated with missing keys allowed.
 */

/** A filter operand: a path relative to the element (`@...`) or a literal. */
type Operand = { path: Step[] } | { literal: unknown }

/** One step of a parsed path. */
export type Step =
  | { kind: 'field'; names: string[] }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'index'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; left: Operand; op?: string; right?: Operand }

/** A path that does not parse; the message says where, as client-go's parser does. */
export class JSONPathError extends Error {}

const nameChar = /[A-Za-z0-9_$\-/]/
const comparisons = ['==', '!=', '<=', '>=', '<', '>']

/** Parses a path (optionally in braces, optionally from `$`) into steps; throws {@link JSONPathError}. */
export function parseJSONPath(text: string): Step[] {
  let src = text.trim()
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1).trim()
  const p = new Parser(src)
  if (src.startsWith('$')) p.pos = 1
  const steps = p.steps(() => p.pos >= src.length)
  if (steps.length === 0 && src !== '' && src !== '$' && src !== '@') throw new JSONPathError(`unrecognized character in action: ${src}`)
  return steps
}

class Parser {
  pos = 0
  constructor(readonly src: string) {}

  private fail(msg: string): never {
    throw new JSONPathError(`${msg} at ${this.pos}: ${this.src}`)
  }

  /** Steps until `done()` (end of input, or the end of a filter operand). */
  steps(done: () => boolean): Step[] {
    const out: Step[] = []
    while (!done()) {
      const c = this.src[this.pos]
      if (c === '.') {
        if (this.src[this.pos + 1] === '.') {
          this.pos += 2
          out.push({ kind: 'recursive' })
          if (this.src[this.pos] === '[') continue
        } else this.pos++
        if (this.src[this.pos] === '*') {
          this.pos++
          out.push({ kind: 'wildcard' })
          continue
        }
        const start = this.pos
        while (this.pos < this.src.length && nameChar.test(this.src[this.pos])) this.pos++
        if (this.pos === start) {
          // A lone "." is the current object (kubectl's `{.}`).
          if (this.pos >= this.src.length && out.length === 0) return out
          this.fail('unrecognized character in field name')
        }
        out.push({ kind: 'field', names: [this.src.slice(start, this.pos)] })
      } else if (c === '[') out.push(this.bracket())
      else this.fail(`unrecognized character ${JSON.stringify(c)}`)
    }
    return out
  }

  private skipSpace(): void {
    while (this.src[this.pos] === ' ') this.pos++
  }

  /** `[...]`: wildcard, filter, quoted names, indexes or a slice. */
  private bracket(): Step {
    this.pos++
    this.skipSpace()
    let step: Step
    if (this.src[this.pos] === '*') {
      this.pos++
      step = { kind: 'wildcard' }
    } else if (this.src[this.pos] === '?') {
      this.pos++
      this.skipSpace()
      if (this.src[this.pos] !== '(') this.fail('expected ( after ?')
      this.pos++
      step = this.filter()
    } else if (this.src[this.pos] === "'" || this.src[this.pos] === '"') {
      const names = [this.quoted()]
      for (this.skipSpace(); this.src[this.pos] === ','; this.skipSpace()) {
        this.pos++
        this.skipSpace()
        names.push(this.quoted())
      }
      step = { kind: 'field', names }
    } else step = this.indexes()
    this.skipSpace()
    if (this.src[this.pos] !== ']') this.fail('unterminated array')
    this.pos++
    return step
  }

  private quoted(): string {
    const q = this.src[this.pos]
    if (q !== "'" && q !== '"') this.fail('expected a quoted string')
    const end = this.src.indexOf(q, this.pos + 1)
    if (end < 0) this.fail('unterminated string')
    const s = this.src.slice(this.pos + 1, end)
    this.pos = end + 1
    return s
  }

  private int(): number | undefined {
    this.skipSpace()
    const m = /^-?\d+/.exec(this.src.slice(this.pos))
    if (!m) return undefined
    this.pos += m[0].length
    this.skipSpace()
    return Number(m[0])
  }

  private indexes(): Step {
    const first = this.int()
    if (this.src[this.pos] === ':') {
      this.pos++
      const end = this.int()
      let step: number | undefined
      if (this.src[this.pos] === ':') {
        this.pos++
        step = this.int()
      }
      if (step === 0) this.fail('step must not be 0')
      return { kind: 'slice', start: first, end, step }
    }
    if (first === undefined) this.fail('invalid array index')
    const indexes = [first]
    while (this.src[this.pos] === ',') {
      this.pos++
      const n = this.int()
      if (n === undefined) this.fail('invalid array index')
      indexes.push(n)
    }
    return { kind: 'index', indexes }
  }

  /** `?(left [op right])` after the `(`. */
  private filter(): Step {
    const left = this.operand()
    this.skipSpace()
    const op = comparisons.find((o) => this.src.startsWith(o, this.pos))
    let right: Operand | undefined
    if (op) {
      this.pos += op.length
      right = this.operand()
      this.skipSpace()
    }
    if (this.src[this.pos] !== ')') this.fail('unclosed filter')
    this.pos++
    return { kind: 'filter', left, op, right }
  }

  private operand(): Operand {
    this.skipSpace()
    const c = this.src[this.pos]
    if (c === '@') {
      this.pos++
      return { path: this.steps(() => this.pos >= this.src.length || !(this.src[this.pos] === '.' || this.src[this.pos] === '[')) }
    }
    if (c === "'" || c === '"') return { literal: this.quoted() }
    const m = /^(-?\d+(\.\d+)?|true|false)/.exec(this.src.slice(this.pos))
    if (!m) this.fail('unrecognized filter operand')
    this.pos += m[0].length
    return { literal: m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]) }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Every value under `v` (itself first), for `..`. */
function descendants(v: unknown, out: unknown[]): void {
  out.push(v)
  if (Array.isArray(v)) for (const x of v) descendants(x, out)
  else if (isObject(v)) for (const x of Object.values(v)) descendants(x, out)
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '==') return a === b
  if (op === '!=') return a !== b
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false
  const x = a as number | string
  const y = b as number | string
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y
}

function operandValues(o: Operand, element: unknown): unknown[] {
  return 'literal' in o ? [o.literal] : evaluate([element], o.path)
}

function matches(step: Extract<Step, { kind: 'filter' }>, element: unknown): boolean {
  const left = operandValues(step.left, element)
  if (!step.op || !step.right) return left.length > 0 && left[0] !== false && left[0] !== null
  const right = operandValues(step.right, element)
  return left.length > 0 && right.length > 0 && compare(left[0], step.op, right[0])
}

function applyStep(v: unknown, step: Step, out: unknown[]): void {
  switch (step.kind) {
    case 'field':
      if (isObject(v)) for (const n of step.names) if (n in v) out.push(v[n])
      return
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v)
      else if (isObject(v)) out.push(...Object.values(v))
      return
    case 'recursive':
      descendants(v, out)
      return
    case 'index':
      if (!Array.isArray(v)) return
      for (const i of step.indexes) {
        const at = i < 0 ? v.length + i : i
        if (at >= 0 && at < v.length) out.push(v[at])
      }
      return
    case 'slice': {
      if (!Array.isArray(v)) return
      const clamp = (n: number) => Math.min(Math.max(n < 0 ? v.length + n : n, 0), v.length)
      const from = clamp(step.start ?? 0)
      const to = clamp(step.end ?? v.length)
      const by = step.step ?? 1
      if (by > 0) for (let i = from; i < to; i += by) out.push(v[i])
      else for (let i = to - 1; i >= from; i += by) out.push(v[i])
      return
    }
    case 'filter':
      for (const x of Array.isArray(v) ? v : isObject(v) ? Object.values(v) : []) if (matches(step, x)) out.push(x)
  }
}

/** Applies parsed steps to `roots`; missing keys and indexes yield nothing rather than an error. */
export function evaluate(roots: unknown[], steps: Step[]): unknown[] {
  let cur = roots
  for (const step of steps) {
    const next: unknown[] = []
    for (const v of cur) applyStep(v, step, next)
    cur = next
  }
  return cur
}

/** Every value `path` finds in `obj`, in order (empty when none or when the path does not parse). */
export function findJSONPath(obj: unknown, path: string): unknown[] {
  try {
    return evaluate([obj], parseJSONPath(path))
  } catch (err) {
    if (err instanceof JSONPathError) return []
    throw err
  }
}

/** The parse error of `path`, or undefined when it parses. */
export function jsonPathError(path: string): string | undefined {
  try {
    parseJSONPath(path)
    return undefined
  } catch (err) {
    if (err instanceof JSONPathError) return err.message
    throw err
  }
}
