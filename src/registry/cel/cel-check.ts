/**
 * @module cel-check: the compile-time checks @bufbuild/cel leaves to run time: references to
 * undeclared variables, unknown functions and overloads of the wrong arity, and (when a variable
 * has an OpenAPI schema) fields the schema does not declare, with cel-go's error format
 * (`ERROR: <input>:1:6: undefined field 'foo'` plus the source line and a caret).
 */
import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js'
import type { CelEnv } from '@bufbuild/cel'
import { escapeCelName } from './cel-escaping.js'
import type { CelSchema } from './cel-value.js'

/** A declared variable: its schema, or null for `dyn`. */
export type CelDeclarations = Record<string, CelSchema | null>

/** Operators the planner implements itself (they are not in the function resolver). */
const builtins = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false', '_[?_]', '_?._'])

/** Identifiers that name types (`type(self) == int`). */
const typeNames = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn'])

/** What the checker knows about a subexpression's value: its schema, or nothing (dyn). */
type Known = CelSchema | undefined

interface Problem {
  offset: number
  message: string
}

function schemaOf(v: unknown): CelSchema | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as CelSchema) : undefined
}

/** The schema of field `name` of a value typed by `s`; undefined when it is dyn; null when the schema has no such field. */
function fieldSchema(s: CelSchema, name: string): Known | null {
  const props = schemaOf(s.properties)
  if (props) {
    for (const [k, v] of Object.entries(props)) if (escapeCelName(k) === name) return schemaOf(v) ?? {}
  }
  const additional = s.additionalProperties
  if (additional !== undefined && additional !== false) return schemaOf(additional)
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return undefined
  if (s['x-kubernetes-embedded-resource'] === true && (name === 'apiVersion' || name === 'kind' || name === 'metadata')) return undefined
  if (s['x-kubernetes-int-or-string'] === true || s.type !== 'object' || !props) return undefined
  return null
}

/** The dotted name an ident/select chain spells (`a.b.c`), or undefined. */
function qualifiedName(e: Expr): string | undefined {
  if (e.exprKind.case === 'identExpr') return e.exprKind.value.name
  if (e.exprKind.case === 'selectExpr' && !e.exprKind.value.testOnly) {
    const base = e.exprKind.value.operand && qualifiedName(e.exprKind.value.operand)
    return base === undefined ? undefined : `${base}.${e.exprKind.value.field}`
  }
  return undefined
}

class Checker {
  readonly problems: Problem[] = []
  /** The declared variables the expression references. */
  readonly used = new Set<string>()

  constructor(
    private readonly env: CelEnv,
    private readonly decls: CelDeclarations,
    private readonly positions: Record<string, number>,
  ) {}

  private report(e: Expr, message: string): void {
    this.problems.push({ offset: this.positions[String(e.id)] ?? 0, message })
  }

  private declared(name: string): boolean {
    return Object.hasOwn(this.decls, name)
  }

  infer(e: Expr, scope: Map<string, Known>): Known {
    const k = e.exprKind
    switch (k.case) {
      case 'constExpr':
        return undefined
      case 'identExpr': {
        const name = k.value.name
        if (scope.has(name)) return scope.get(name)
        if (this.declared(name)) {
          this.used.add(name)
          return this.decls[name] ?? undefined
        }
        if (!typeNames.has(name)) this.report(e, `undeclared reference to '${name}' (in container '')`)
        return undefined
      }
      case 'selectExpr': {
        const q = qualifiedName(e)
        if (q === 'google.protobuf.Timestamp' || q === 'google.protobuf.Duration') return undefined
        if (q !== undefined && this.declared(q) && !scope.has(q.split('.')[0])) {
          this.used.add(q)
          return this.decls[q] ?? undefined
        }
        if (!k.value.operand) return undefined
        const base = this.infer(k.value.operand, scope)
        if (!base) return undefined
        const f = fieldSchema(base, k.value.field)
        if (f === null) {
          this.report(e, `undefined field '${k.value.field}'`)
          return undefined
        }
        return f
      }
      case 'callExpr':
        return this.call(e, k.value, scope)
      case 'listExpr':
        for (const x of k.value.elements) this.infer(x, scope)
        return undefined
      case 'structExpr':
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.infer(entry.keyKind.value, scope)
          if (entry.value) this.infer(entry.value, scope)
        }
        return undefined
      case 'comprehensionExpr': {
        const c = k.value
        const range = c.iterRange ? this.infer(c.iterRange, scope) : undefined
        const inner = new Map(scope)
        inner.set(c.iterVar, range?.type === 'array' ? schemaOf(range.items) : undefined)
        if (c.iterVar2) inner.set(c.iterVar2, undefined)
        if (c.accuInit) this.infer(c.accuInit, scope)
        inner.set(c.accuVar, undefined)
        if (c.loopCondition) this.infer(c.loopCondition, inner)
        if (c.loopStep) this.infer(c.loopStep, inner)
        const after = new Map(scope)
        after.set(c.accuVar, undefined)
        if (c.result) this.infer(c.result, after)
        return undefined
      }
    }
    return undefined
  }

  private call(e: Expr, c: { function: string; target?: Expr; args: Expr[] }, scope: Map<string, Known>): Known {
    const args = c.args.map((a) => this.infer(a, scope))
    if (c.function === '_[_]') {
      const base = args[0]
      if (base?.type === 'array') return schemaOf(base.items)
      if (base && base.additionalProperties !== undefined) return schemaOf(base.additionalProperties)
      return undefined
    }
    if (builtins.has(c.function)) return undefined
    // A namespaced function (`strings.quote(x)`) parses as a method call on an identifier.
    const ns = c.target ? qualifiedName(c.target) : undefined
    if (ns !== undefined && !this.declared(ns.split('.')[0]) && !scope.has(ns.split('.')[0])) {
      const group = this.env.funcs.find(`${ns}.${c.function}`)
      if (group) {
        if (![...group].some((f) => !f.target && f.arguments.length === c.args.length)) this.noOverload(e, `${ns}.${c.function}`, c.args.length)
        return undefined
      }
    }
    if (c.target) this.infer(c.target, scope)
    const group = this.env.funcs.find(c.function)
    if (!group) {
      this.report(e, `undeclared reference to '${c.function}' (in container '')`)
      return undefined
    }
    const method = c.target !== undefined
    if (![...group].some((f) => (f.target !== undefined) === method && f.arguments.length === c.args.length))
      this.noOverload(e, c.function, c.args.length, method)
    return undefined
  }

  private noOverload(e: Expr, name: string, arity: number, method = false): void {
    const args = Array.from({ length: arity }, () => 'dyn').join(', ')
    this.report(e, `found no matching overload for '${name}' applied to '${method ? 'dyn.' : ''}(${args})'`)
  }
}

/** cel-go's rendering of one error: `ERROR: <input>:L:C: msg`, the source line, a caret under the column. */
export function formatCelError(source: string, line: number, column: number, message: string): string {
  const text = source.split('\n')[line - 1] ?? ''
  const caret = `${'.'.repeat(Math.max(0, column - 1))}^`
  return `ERROR: <input>:${line}:${column}: ${message}\n | ${text}\n | ${caret}`
}

function lineColumn(source: string, offset: number): [number, number] {
  const before = source.slice(0, offset).split('\n')
  return [before.length, before[before.length - 1].length + 1]
}

/**
 * Every compile-time problem in `parsed`, formatted as cel-go does and joined by newlines ('' when
 * there is none), and the declared variables the expression uses.
 */
export function checkParsed(source: string, parsed: ParsedExpr, env: CelEnv, decls: CelDeclarations): { errors: string; used: Set<string> } {
  const c = new Checker(env, decls, parsed.sourceInfo?.positions ?? {})
  if (parsed.expr) c.infer(parsed.expr, new Map())
  return { errors: c.problems.map((p) => formatCelError(source, ...lineColumn(source, p.offset), p.message)).join('\n'), used: c.used }
}
