/**
 * @module cel-api: what the rest of kubemock uses of CEL, in one module that {@link loadCel} imports
 * on first use (see load-cel.ts): CRD validation rules, ValidatingAdmissionPolicy expressions and
 * webhook matchConditions.
 */
export { CelEvaluationError, compileCel, compileExpression } from './compile-expression.js'
export { authorizerValue, requestResourceValue } from './library-authz.js'
export { checkRules, validateRules } from './validation-rules.js'
