/**
 * @module match-conditions: a webhook's matchConditions, CEL expressions over `object`, `oldObject`,
 * `request` and `authorizer` that all must be true for the webhook to be called
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions/matcher.go).
 */
import { cel } from '../cel/load-cel.js'
import type { MatchCondition } from './webhook-types.js'

/** The variables of the matchConditions environment. `authorizer` is declared but not served (null). */
const variables = ['object', 'oldObject', 'request', 'authorizer']

/** The variables a match condition sees. */
export interface MatchConditionInput {
  object: unknown
  oldObject: unknown
  request: Record<string, unknown>
}

/** The compile error of an expression, as validation reports it, or undefined when it compiles. */
export function matchConditionCompileError(expression: string): string | undefined {
  const c = cel().compileExpression(expression, variables)
  return 'error' in c ? c.error : undefined
}

/**
 * Evaluates the conditions in order: false as soon as one is false; evaluation errors of the others
 * (with none false) come back as `error`, which upstream turns into a 403 (fail closed).
 */
export function evaluateMatchConditions(conds: MatchCondition[], input: MatchConditionInput): { matches: boolean; error?: string } {
  const errors: string[] = []
  const activation = { ...input, authorizer: null }
  for (const c of conds) {
    const compiled = cel().compileExpression(c.expression, variables)
    if ('error' in compiled) {
      errors.push(`compilation failed for expression '${c.name}': ${compiled.error}`)
      continue
    }
    try {
      const v = compiled.evaluate(activation)
      if (v === false) return { matches: false }
      if (v !== true) errors.push(`matchCondition '${c.name}' must evaluate to bool`)
    } catch (err) {
      errors.push(`matchCondition '${c.name}' evaluation failed: ${(err as Error).message}`)
    }
  }
  if (errors.length) return { matches: false, error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` }
  return { matches: true }
}
