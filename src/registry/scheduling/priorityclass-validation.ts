/** @module priorityclass-validation: ValidatePriorityClass / ValidatePriorityClassUpdate (pkg/apis/scheduling/validation/validation.go). */
import type { FieldError } from '../../types.js'
import { forbidden, notSupported, required } from '../shared/field-errors.js'
import { validateImmutable } from '../shared/validation.js'
import type { PriorityClass } from './priorityclasses.js'

/** HighestUserDefinablePriority: values above one billion are reserved for system classes. */
export const highestUserDefinablePriority = 1_000_000_000

/** SystemPriorityClassPrefix: names reserved for the built-in classes. */
export const systemPriorityClassPrefix = 'system-'

/**
 * The classes every cluster has (pkg/apis/scheduling/v1 systemPriorityClasses), created by the
 * API server's scheduling post-start hook. Their values and descriptions are upstream's.
 */
export const systemPriorityClasses: { name: string; value: number; description: string }[] = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  {
    name: 'system-cluster-critical',
    value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
]

/** IsKnownSystemPriorityClass: undefined when `name` is a built-in class with its own value and globalDefault false, else why not. */
function unknownSystemClass(name: string, value: number, globalDefault: boolean): string | undefined {
  const spc = systemPriorityClasses.find((c) => c.name === name)
  if (!spc) return `${name} is not a known system priority class`
  if (spc.value !== value) return `value of ${name} PriorityClass must be ${spc.value}`
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`
  return undefined
}

/** ValidatePreemptionPolicy (pkg/apis/core/validation): PreemptLowerPriority or Never. */
export function validatePreemptionPolicy(policy: string, path: string): FieldError[] {
  if (policy === 'PreemptLowerPriority' || policy === 'Never') return []
  if (policy === '') return [required(path)]
  return [notSupported(path, policy, ['PreemptLowerPriority', 'Never'])]
}

/** ValidatePriorityClass: the reserved `system-` prefix, the user value range and the preemption policy. Pure. */
export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = []
  const name = pc.metadata.name ?? ''
  const value = pc.value ?? 0
  if (name.startsWith(systemPriorityClassPrefix)) {
    const why = unknownSystemClass(name, value, pc.globalDefault ?? false)
    if (why)
      errs.push(forbidden('metadata.name', `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${why}`))
  } else if (value > highestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`))
  }
  if (pc.preemptionPolicy !== undefined) errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, 'preemptionPolicy'))
  return errs
}

/** ValidatePriorityClassUpdate: value and preemptionPolicy are immutable. Pure. */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = []
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden('value', 'may not be changed in an update.'))
  errs.push(...validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'))
  return errs
}
