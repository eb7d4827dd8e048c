/** @module pod-failure-policy-validation: validatePodFailurePolicy and its defaults (pkg/apis/batch/validation/validation.go, pkg/apis/batch/v1/defaults.go, 1.32). */
import type {
  JobSpec,
  PodFailurePolicyOnExitCodesRequirement,
  PodFailurePolicyOnPodConditionsPattern,
  PodFailurePolicyRule,
} from 'kubernetes-types/batch/v1.js'
import { omitValue } from '../../errors.js'
import type { FieldError } from '../../types.js'
import { isQualifiedName } from '../../util/name-validation.js'

const maxRules = 20
const maxExitCodeValues = 255
const maxConditionPatterns = 20
const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore']
const operators = ['In', 'NotIn']
const statuses = ['False', 'True', 'Unknown']
const quoted = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`

/** SetDefaults_Job: an onPodConditions pattern without a status means status True. Mutates `spec`. */
export function defaultPodFailurePolicy(spec: JobSpec): void {
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule.onPodConditions ?? []) if (!p.status) p.status = 'True'
}

function validateOnExitCodes(req: PodFailurePolicyOnExitCodesRequirement, path: string, containers: Set<string>): FieldError[] {
  const errs: FieldError[] = []
  const op = req.operator
  if (!op) errs.push({ type: 'FieldValueRequired', field: `${path}.operator`, detail: `valid values: ${quoted(operators)}` })
  else if (!operators.includes(op))
    errs.push({
      type: 'FieldValueNotSupported',
      field: `${path}.operator`,
      badValue: op,
      detail: `supported values: ${operators.map((o) => JSON.stringify(o)).join(', ')}`,
    })
  if (req.containerName !== undefined && req.containerName !== null && !containers.has(req.containerName))
    errs.push({
      type: 'FieldValueInvalid',
      field: `${path}.containerName`,
      badValue: req.containerName,
      detail: 'must be one of the container or initContainer names in the pod template',
    })
  const values = req.values ?? []
  const vpath = `${path}.values`
  if (!values.length) errs.push({ type: 'FieldValueInvalid', field: vpath, badValue: { goString: '[]int32(nil)' }, detail: 'at least one value is required' })
  else if (values.length > maxExitCodeValues)
    errs.push({ type: 'FieldValueTooMany', field: vpath, badValue: values.length, detail: `must have at most ${maxExitCodeValues} items` })
  const seen = new Set<number>()
  let ordered = true
  values.forEach((v, j) => {
    if (op === 'In' && v === 0) errs.push({ type: 'FieldValueInvalid', field: `${vpath}[${j}]`, badValue: v, detail: 'must not be 0 for the In operator' })
    if (seen.has(v)) errs.push({ type: 'FieldValueDuplicate', field: `${vpath}[${j}]`, badValue: v })
    else seen.add(v)
    if (j > 0 && values[j - 1] > v) ordered = false
  })
  if (!ordered) errs.push({ type: 'FieldValueInvalid', field: vpath, badValue: { goString: `[]int32{${values.join(', ')}}` }, detail: 'must be ordered' })
  return errs
}

function validateOnPodConditions(patterns: PodFailurePolicyOnPodConditionsPattern[], path: string): FieldError[] {
  const errs: FieldError[] = []
  if (patterns.length > maxConditionPatterns)
    errs.push({ type: 'FieldValueTooMany', field: path, badValue: patterns.length, detail: `must have at most ${maxConditionPatterns} items` })
  patterns.forEach((p, j) => {
    const tpath = `${path}[${j}].type`
    for (const msg of isQualifiedName(p.type ?? '')) errs.push({ type: 'FieldValueInvalid', field: tpath, badValue: p.type ?? '', detail: msg })
    const spath = `${path}[${j}].status`
    if (!p.status) errs.push({ type: 'FieldValueRequired', field: spath, detail: `valid values: ${quoted(statuses)}` })
    else if (!statuses.includes(p.status))
      errs.push({
        type: 'FieldValueNotSupported',
        field: spath,
        badValue: p.status,
        detail: `supported values: ${statuses.map((s) => JSON.stringify(s)).join(', ')}`,
      })
  })
  return errs
}

function validateRule(spec: JobSpec, rule: PodFailurePolicyRule, path: string, containers: Set<string>): FieldError[] {
  const errs: FieldError[] = []
  const a = rule.action
  if (!a) errs.push({ type: 'FieldValueRequired', field: `${path}.action`, detail: `valid values: ${quoted(actions)}` })
  else if (a === 'FailIndex') {
    if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)
      errs.push({ type: 'FieldValueInvalid', field: `${path}.action`, badValue: a, detail: 'requires the backoffLimitPerIndex to be set' })
  } else if (!actions.includes(a))
    errs.push({
      type: 'FieldValueNotSupported',
      field: `${path}.action`,
      badValue: a,
      detail: `supported values: ${actions.map((x) => JSON.stringify(x)).join(', ')}`,
    })
  const onConds = rule.onPodConditions ?? []
  if (rule.onExitCodes) errs.push(...validateOnExitCodes(rule.onExitCodes, `${path}.onExitCodes`, containers))
  if (onConds.length) errs.push(...validateOnPodConditions(onConds, `${path}.onPodConditions`))
  if (rule.onExitCodes && onConds.length)
    errs.push({ type: 'FieldValueInvalid', field: path, badValue: omitValue, detail: 'specifying both OnExitCodes and OnPodConditions is not supported' })
  if (!rule.onExitCodes && !onConds.length)
    errs.push({ type: 'FieldValueInvalid', field: path, badValue: omitValue, detail: 'specifying one of OnExitCodes and OnPodConditions is required' })
  return errs
}

/** validatePodFailurePolicy: at most 20 rules, each with a known action and exactly one of onExitCodes / onPodConditions. Pure. */
export function validatePodFailurePolicy(spec: JobSpec, path: string): FieldError[] {
  const rules = spec.podFailurePolicy?.rules ?? []
  const errs: FieldError[] = []
  const rpath = `${path}.rules`
  if (rules.length > maxRules) errs.push({ type: 'FieldValueTooMany', field: rpath, badValue: rules.length, detail: `must have at most ${maxRules} items` })
  const tpl = spec.template?.spec
  const containers = new Set([...(tpl?.containers ?? []), ...(tpl?.initContainers ?? [])].map((c) => c?.name))
  rules.forEach((r, i) => {
    errs.push(...validateRule(spec, r ?? ({} as PodFailurePolicyRule), `${rpath}[${i}]`, containers))
  })
  return errs
}
