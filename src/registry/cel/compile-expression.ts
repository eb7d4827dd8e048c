/**
 * @module compile-expression: compiles CEL in the Kubernetes environment — parse, the compile-time
 * checks, plan — and evaluates it; the entry point for x-kubernetes-validations, admission policies
 * and webhook matchConditions.
 */
import { isCelError, parse, plan, type CelInput, type CelValue } from '@bufbuild/cel'
import { checkParsed, formatCelError, type CelDeclarations } from './cel-check.js'
import { kubeCelEnv } from './cel-environment.js'
import { fromCelValue, toCelValue } from './cel-value.js'

/** An evaluation failed (no such key, division by zero, a library error); `message` is the CEL error text. */
export class CelEvaluationError extends Error {
  override readonly name = 'CelEvaluationError'
}

/** A compiled expression in the environment's raw value space. */
export interface CelProgram {
  /**
   * Evaluates with `bindings` (CEL values, or JSON converted without a schema). Throws a
   * CelEvaluationError when evaluation fails. Never mutates the bindings.
   */
  run(bindings: Record<string, unknown>): CelValue
  /** The declared variables the expression references (e.g. whether a rule uses `oldSelf`). */
  readonly uses: ReadonlySet<string>
}

/** cel-go's texts for the runtime errors whose @bufbuild/cel wording differs. */
function upstreamText(message: string): string {
  const m = /^field not found: (.*)$/.exec(message)
  if (m) return `no such key: ${m[1]}`
  if (message.startsWith('found no matching overload')) return 'no such overload'
  return message
}

function syntaxError(source: string, e: unknown): string {
  const err = e as { rawMessage?: string; location?: { start?: { line: number; column: number } }; message?: string }
  const at = err.location?.start
  if (at && err.rawMessage) return formatCelError(source, at.line, at.column, `Syntax error: ${err.rawMessage}`)
  return `ERROR: <input>:1:1: Syntax error: ${err.message ?? String(e)}`
}

/**
 * Compiles `expression` with the declared variables (each with an OpenAPI schema to check field
 * names against, or null for dyn). Returns cel-go-style error text for syntax errors, undeclared
 * references, unknown functions and undefined fields.
 */
export function compileCel(expression: string, decls: CelDeclarations): { program: CelProgram } | { error: string } {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(expression)
  } catch (e) {
    return { error: syntaxError(expression, e) }
  }
  const checked = checkParsed(expression, parsed, kubeCelEnv, decls)
  if (checked.errors) return { error: checked.errors }
  let planned: (ctx: Record<string, CelInput>) => unknown
  try {
    planned = plan(kubeCelEnv, parsed) as (ctx: Record<string, CelInput>) => unknown
  } catch (e) {
    return { error: `ERROR: <input>:1:1: ${(e as Error).message}` }
  }
  return {
    program: {
      uses: checked.used,
      run(bindings) {
        const ctx: Record<string, CelInput> = {}
        for (const [k, v] of Object.entries(bindings)) ctx[k] = toCelValue(v)
        let r: unknown
        try {
          r = planned(ctx)
        } catch (e) {
          throw new CelEvaluationError(upstreamText((e as Error).message))
        }
        if (isCelError(r)) throw new CelEvaluationError(upstreamText(r.message))
        return r as CelValue
      },
    },
  }
}

/** A compiled expression over JSON values. */
export interface CompiledExpression {
  /**
   * Evaluates with the activation's JSON values bound to the declared variables (whole numbers
   * are CEL ints; objects are maps, so `has(object.spec)` tests presence) and returns the result
   * as JSON-like data (bools, strings, numbers, arrays, objects). Throws a CelEvaluationError when
   * evaluation fails (e.g. `no such key: spec`). Never mutates the activation.
   */
  evaluate(activation: Record<string, unknown>): unknown
}

const cache = new Map<string, CompiledExpression | { error: string }>()

/**
 * Compiles a CEL expression over dyn-typed `variables` (e.g. `['object', 'oldObject', 'request',
 * 'authorizer']` for webhook matchConditions), or returns the compile error as cel-go words it
 * (`ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')` + source line + caret).
 * Results are cached by expression and variable names.
 */
export function compileExpression(expression: string, variables: string[]): CompiledExpression | { error: string } {
  const key = `${variables.join(',')}\u0000${expression}`
  const hit = cache.get(key)
  if (hit) return hit
  const decls: CelDeclarations = Object.fromEntries(variables.map((v) => [v, null]))
  const c = compileCel(expression, decls)
  const result: CompiledExpression | { error: string } = 'error' in c ? c : { evaluate: (activation) => fromCelValue(c.program.run(activation)) }
  if (cache.size > 2000) cache.clear()
  cache.set(key, result)
  return result
}
