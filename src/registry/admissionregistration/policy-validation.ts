/**
 * @module policy-validation: defaults and validation of ValidatingAdmissionPolicy and its binding,
 * with the CEL compile errors of every expression (pkg/apis/admissionregistration/validation).
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/admissionregistration/validation/validation.go
 */
import type { FieldError } from '../../types.js'
import { cel } from '../cel/load-cel.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import type { MatchResources, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './policy-types.js'

/** The variables a policy expression may use: `params` only when the policy has a paramKind (upstream's OptionalVariableDeclarations.HasParams). */
export function policyVariables(hasParams: boolean): string[] {
  return ['object', 'oldObject', 'request', 'namespaceObject', 'authorizer', 'authorizer.requestResource', 'variables', ...(hasParams ? ['params'] : [])]
}

/** SetDefaults_ValidatingAdmissionPolicySpec / MatchResources / NamedRuleWithOperations. */
export function defaultMatchResources(m: MatchResources | undefined): void {
  if (!m) return
  m.matchPolicy ??= 'Equivalent'
  m.namespaceSelector ??= {}
  m.objectSelector ??= {}
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) r.scope ??= '*'
}

/** Defaults of a policy: failurePolicy Fail, the match defaults. */
export function defaultPolicy(p: ValidatingAdmissionPolicy): void {
  if (!p.spec) return
  p.spec.failurePolicy ??= 'Fail'
  defaultMatchResources(p.spec.matchConstraints)
}

function compileError(expr: string | undefined, path: string, vars: string[]): FieldError[] {
  if (!expr?.trim()) return [required(path, '')]
  const c = cel().compileCel(expr, Object.fromEntries(vars.map((v) => [v, null])))
  return 'error' in c ? [invalid(path, expr, `compilation failed: ${c.error}`)] : []
}

function validateMatch(m: MatchResources | undefined, path: string, requireRules: boolean): FieldError[] {
  const errs: FieldError[] = []
  if (!m) return requireRules ? [required(path, '')] : []
  if (requireRules && !m.resourceRules?.length) errs.push(required(`${path}.resourceRules`, ''))
  if (m.matchPolicy !== undefined && !['Exact', 'Equivalent'].includes(m.matchPolicy))
    errs.push(notSupported(`${path}.matchPolicy`, m.matchPolicy, ['Equivalent', 'Exact']))
  for (const key of ['resourceRules', 'excludeResourceRules'] as const)
    (m[key] ?? []).forEach((r, i) => {
      const at = `${path}.${key}[${i}]`
      if (!r.operations?.length) errs.push(required(`${at}.operations`, ''))
      for (const op of r.operations ?? [])
        if (!['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op))
          errs.push(notSupported(`${at}.operations`, op, ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE']))
      if (!r.apiGroups?.length) errs.push(required(`${at}.apiGroups`, ''))
      if (!r.apiVersions?.length) errs.push(required(`${at}.apiVersions`, ''))
      if (!r.resources?.length) errs.push(required(`${at}.resources`, ''))
      if (r.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(r.scope))
        errs.push(notSupported(`${at}.scope`, r.scope, ['*', 'Cluster', 'Namespaced']))
    })
  return errs
}

/** ValidateValidatingAdmissionPolicy: match constraints, expressions (and their compile errors), failurePolicy. */
export function validatePolicy(p: ValidatingAdmissionPolicy): FieldError[] {
  const s = p.spec ?? {}
  const errs: FieldError[] = []
  const vars = policyVariables(!!s.paramKind)
  if (s.paramKind) {
    if (!s.paramKind.apiVersion) errs.push(required('spec.paramKind.apiVersion', ''))
    if (!s.paramKind.kind) errs.push(required('spec.paramKind.kind', ''))
  }
  errs.push(...validateMatch(s.matchConstraints, 'spec.matchConstraints', true))
  if (!s.validations?.length && !s.auditAnnotations?.length)
    errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'))
  if (s.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(s.failurePolicy))
    errs.push(notSupported('spec.failurePolicy', s.failurePolicy, ['Fail', 'Ignore']))
  ;(s.variables ?? []).forEach((v, i) => {
    if (!v.name) errs.push(required(`spec.variables[${i}].name`, ''))
    errs.push(...compileError(v.expression, `spec.variables[${i}].expression`, vars))
  })
  ;(s.matchConditions ?? []).forEach((m, i) => {
    if (!m.name) errs.push(required(`spec.matchConditions[${i}].name`, ''))
    errs.push(...compileError(m.expression, `spec.matchConditions[${i}].expression`, vars))
  })
  ;(s.validations ?? []).forEach((v, i) => {
    errs.push(...compileError(v.expression, `spec.validations[${i}].expression`, vars))
    if (v.messageExpression !== undefined) errs.push(...compileError(v.messageExpression, `spec.validations[${i}].messageExpression`, vars))
    if (v.message && /[\n\r]/.test(v.message)) errs.push(invalid(`spec.validations[${i}].message`, v.message, 'message must not contain line breaks'))
    if (v.reason !== undefined && !['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'].includes(v.reason))
      errs.push(notSupported(`spec.validations[${i}].reason`, v.reason, ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized']))
  })
  ;(s.auditAnnotations ?? []).forEach((a, i) => {
    if (!a.key) errs.push(required(`spec.auditAnnotations[${i}].key`, ''))
    errs.push(...compileError(a.valueExpression, `spec.auditAnnotations[${i}].valueExpression`, vars))
  })
  return errs
}

/** ValidateValidatingAdmissionPolicyBinding: policyName, validationActions, paramRef, matchResources. */
export function validateBinding(b: ValidatingAdmissionPolicyBinding): FieldError[] {
  const s = b.spec ?? {}
  const errs: FieldError[] = []
  if (!s.policyName) errs.push(required('spec.policyName', ''))
  const actions = s.validationActions ?? []
  if (actions.length === 0) errs.push(required('spec.validationActions', 'at least one validation action is required'))
  for (const [i, a] of actions.entries())
    if (!['Deny', 'Warn', 'Audit'].includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ['Audit', 'Deny', 'Warn']))
  if (actions.includes('Deny') && actions.includes('Warn'))
    errs.push(
      invalid(
        'spec.validationActions',
        actions,
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    )
  const ref = s.paramRef
  if (ref) {
    if (ref.name && ref.selector) errs.push(forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'))
    if (!ref.name && !ref.selector) errs.push(required('spec.paramRef', 'one of name or selector must be specified'))
    if (!ref.parameterNotFoundAction) errs.push(required('spec.paramRef.parameterNotFoundAction', ''))
    else if (!['Allow', 'Deny'].includes(ref.parameterNotFoundAction))
      errs.push(notSupported('spec.paramRef.parameterNotFoundAction', ref.parameterNotFoundAction, ['Allow', 'Deny']))
  }
  errs.push(...validateMatch(s.matchResources, 'spec.matchResources', false))
  return errs
}
