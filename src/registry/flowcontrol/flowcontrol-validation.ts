/** @module flowcontrol-validation: the essentials of pkg/apis/flowcontrol/validation/validation.go for FlowSchemas and PriorityLevelConfigurations. */
import type { FieldError } from '../../types.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import type { FlowSchema } from './flowschemas.js'
import type { PriorityLevelConfiguration } from './prioritylevelconfigurations.js'

/** ValidateFlowSchemaSpec (precedence range, distinguisher, priority level reference, rules). */
export function validateFlowSchema(obj: FlowSchema): FieldError[] {
  const spec: Partial<NonNullable<FlowSchema['spec']>> = obj.spec ?? {}
  const errs: FieldError[] = []
  const mp = spec.matchingPrecedence ?? 0
  if (mp <= 0) errs.push(invalid('spec.matchingPrecedence', mp, 'must be a positive value'))
  if (mp > 10000) errs.push(invalid('spec.matchingPrecedence', mp, 'must not be greater than 10000'))
  const dm = spec.distinguisherMethod?.type
  if (spec.distinguisherMethod && !['ByNamespace', 'ByUser'].includes(dm ?? '')) {
    errs.push(notSupported('spec.distinguisherMethod.type', dm ?? '', ['ByNamespace', 'ByUser']))
  }
  if (!spec.priorityLevelConfiguration?.name) errs.push(required('spec.priorityLevelConfiguration.name', 'must reference a priority level'))
  ;(spec.rules ?? []).forEach((r, i) => {
    const p = `spec.rules[${i}]`
    if (!r.subjects?.length) errs.push(required(`${p}.subjects`, 'subjects must contain at least one value'))
    r.subjects?.forEach((s, j) => {
      if (!['Group', 'ServiceAccount', 'User'].includes(s.kind))
        errs.push(notSupported(`${p}.subjects[${j}].kind`, s.kind, ['Group', 'ServiceAccount', 'User']))
    })
    if (!r.resourceRules?.length && !r.nonResourceRules?.length) {
      errs.push(required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'))
    }
  })
  return errs
}

/** ValidatePriorityLevelConfigurationSpec (type, the limited/exempt sections, queuing shape). */
export function validatePriorityLevel(obj: PriorityLevelConfiguration): FieldError[] {
  const spec: Partial<NonNullable<PriorityLevelConfiguration['spec']>> = obj.spec ?? {}
  const errs: FieldError[] = []
  if (obj.metadata.name === 'exempt' && spec.type !== 'Exempt')
    errs.push(invalid('spec.type', spec.type ?? '', 'type must be "Exempt" if and only if name is "exempt"'))
  if (spec.type === 'Exempt') {
    if (spec.limited) errs.push(forbidden('spec.limited', 'must be nil if the type is not Limited'))
    const lp = spec.exempt?.lendablePercent
    if (lp !== undefined && (lp < 0 || lp > 100)) errs.push(invalid('spec.exempt.lendablePercent', lp, 'must be between 0 and 100, inclusive'))
  } else if (spec.type === 'Limited') {
    if (spec.exempt) errs.push(forbidden('spec.exempt', 'must be nil if the type is Limited'))
    const l = spec.limited
    if (!l) errs.push(required('spec.limited', 'must not be empty when type is Limited'))
    else {
      if ((l.nominalConcurrencyShares ?? 0) < 0)
        errs.push(invalid('spec.limited.nominalConcurrencyShares', l.nominalConcurrencyShares, 'must be a non-negative integer'))
      const lp = l.lendablePercent
      if (lp !== undefined && (lp < 0 || lp > 100)) errs.push(invalid('spec.limited.lendablePercent', lp, 'must be between 0 and 100, inclusive'))
      const lr = l.limitResponse
      if (!['Queue', 'Reject'].includes(lr?.type ?? '')) errs.push(notSupported('spec.limited.limitResponse.type', lr?.type ?? '', ['Queue', 'Reject']))
      else if (lr?.type === 'Queue') {
        const q = lr.queuing
        if (!q) errs.push(required('spec.limited.limitResponse.queuing', 'must not be empty if type is Queue'))
        else {
          for (const k of ['queueLengthLimit', 'queues', 'handSize'] as const) {
            if ((q[k] ?? 0) <= 0) errs.push(invalid(`spec.limited.limitResponse.queuing.${k}`, q[k] ?? 0, 'must be positive'))
          }
          if ((q.handSize ?? 0) > (q.queues ?? 0)) {
            errs.push(invalid('spec.limited.limitResponse.queuing.handSize', q.handSize, `should not be greater than queues (${q.queues ?? 0})`))
          }
        }
      } else if (lr?.queuing) errs.push(forbidden('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited'))
    }
  } else {
    errs.push(spec.type ? notSupported('spec.type', spec.type, ['Exempt', 'Limited']) : required('spec.type', 'must not be empty'))
  }
  return errs
}
