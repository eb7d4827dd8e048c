/**
 * @module hpa-validation: ValidateHorizontalPodAutoscaler of pkg/apis/autoscaling/validation/validation.go
 * (1.32: minReplicas ≥ 1 as HPAScaleToZero is off, metrics, behavior policies), on the v2 shape.
 */
import type {
  CrossVersionObjectReference,
  HPAScalingRules,
  HorizontalPodAutoscalerSpec,
  MetricIdentifier,
  MetricSpec,
  MetricTarget,
} from 'kubernetes-types/autoscaling/v2.js'
import type { FieldError } from '../../types.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { invalidEach, isDNS1123Label } from '../shared/validation.js'
import { isValidPathSegmentName } from '../shared/network-validation.js'
import { parseQuantity } from '../shared/quantity.js'

const maxPeriodSeconds = 1800
const maxStabilizationWindowSeconds = 3600
/** validMetricSourceTypes, sorted as sets.List returns them. */
const metricSourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']
const sourceFields: Record<string, keyof MetricSpec> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
}

/** ValidateCrossVersionObjectReference: kind and name, both path segments. */
export function validateCrossVersionObjectReference(ref: CrossVersionObjectReference | undefined, path: string): FieldError[] {
  const errs: FieldError[] = []
  for (const k of ['kind', 'name'] as const) {
    const v = ref?.[k] ?? ''
    if (!v) errs.push(required(`${path}.${k}`))
    else errs.push(...invalidEach(`${path}.${k}`, v, isValidPathSegmentName(v)))
  }
  return errs
}

function positive(q: string | number | undefined): boolean {
  return (parseQuantity(q) ?? 0) > 0
}

/** validateMetricTarget. */
function validateTarget(t: MetricTarget | undefined, path: string): FieldError[] {
  const errs: FieldError[] = []
  const type = t?.type ?? ''
  if (!type) errs.push(required(`${path}.type`, 'must specify a metric target type'))
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'))
  if (t?.value !== undefined && !positive(t.value)) errs.push(invalid(`${path}.value`, t.value, 'must be positive'))
  if (t?.averageValue !== undefined && !positive(t.averageValue)) errs.push(invalid(`${path}.averageValue`, t.averageValue, 'must be positive'))
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1)
    errs.push(invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0'))
  return errs
}

/** validateMetricIdentifier. */
function validateIdentifier(id: MetricIdentifier | undefined, path: string): FieldError[] {
  if (!id?.name) return [required(`${path}.name`, 'must specify a metric name')]
  return invalidEach(`${path}.name`, id.name, isValidPathSegmentName(id.name))
}

/** The per-source rules of validateObjectSource, validatePodsSource, validateResourceSource, …. */
function validateSource(m: MetricSpec, field: keyof MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = []
  const t = (m[field] as { target?: MetricTarget } | undefined)?.target
  const tp = `${path}.target`
  if (field === 'object' || field === 'external' || field === 'pods') {
    if (field === 'object') errs.push(...validateCrossVersionObjectReference(m.object?.describedObject, `${path}.describedObject`))
    errs.push(...validateIdentifier((m[field] as { metric?: MetricIdentifier }).metric, `${path}.metric`), ...validateTarget(t, tp))
    if (field === 'pods') {
      if (t?.averageValue === undefined) errs.push(required(`${tp}.averageValue`, 'must specify a positive target averageValue'))
    } else if (t?.value === undefined && t?.averageValue === undefined) {
      errs.push(
        required(
          `${tp}.averageValue`,
          field === 'object' ? 'must set either a target value or averageValue' : 'must set either a target value for metric or a per-pod target',
        ),
      )
    } else if (field === 'external' && t?.value !== undefined && t?.averageValue !== undefined) {
      errs.push(forbidden(`${tp}.value`, 'may not set both a target value for metric and a per-pod target'))
    }
    return errs
  }
  const src = m[field] as { name?: string; container?: string }
  if (!src.name) errs.push(required(`${path}.name`, 'must specify a resource name'))
  if (field === 'containerResource') {
    if (!src.container) errs.push(required(`${path}.container`, 'must specify a container'))
    else errs.push(...invalidEach(`${path}.container`, src.container, isDNS1123Label(src.container)))
  }
  errs.push(...validateTarget(t, tp))
  if (t?.averageUtilization === undefined && t?.averageValue === undefined)
    errs.push(required(`${tp}.averageUtilization`, 'must set either a target raw value or a target utilization'))
  if (t?.averageUtilization !== undefined && t?.averageValue !== undefined)
    errs.push(forbidden(`${tp}.averageValue`, 'may not set both a target raw value and a target utilization'))
  return errs
}

/** validateMetricSpec: a known type, its source populated, and no other source. */
function validateMetric(m: MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = []
  const type = m.type ?? ''
  if (!type) errs.push(required(`${path}.type`, 'must specify a metric source type'))
  // Upstream reports an unknown type twice; the aggregated message shows it once.
  if (!metricSourceTypes.includes(type)) errs.push(notSupported(`${path}.type`, type, metricSourceTypes))
  // Upstream validates the first source present in this order and forbids the rest.
  const present = (['object', 'external', 'pods', 'resource', 'containerResource'] as const).filter((f) => m[f] != null)
  if (present.length > 0) errs.push(...validateSource(m, present[0], `${path}.${present[0]}`))
  const expected = sourceFields[type]
  if (expected && m[expected] == null) errs.push(required(`${path}.${expected}`, 'must populate information for the given metric source'))
  if (present.length !== 1) for (const f of present) if (f !== expected) errs.push(forbidden(`${path}.${f}`, 'must populate the given metric source only'))
  return errs
}

/** validateScalingRules: window and period bounds, a known selectPolicy, at least one policy. */
function validateRules(r: HPAScalingRules | undefined, path: string): FieldError[] {
  if (!r) return []
  const errs: FieldError[] = []
  const w = r.stabilizationWindowSeconds
  if (w != null && w < 0) errs.push(invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'))
  if (w != null && w > maxStabilizationWindowSeconds)
    errs.push(invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${maxStabilizationWindowSeconds}`))
  if (r.selectPolicy != null && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy))
    errs.push(notSupported(`${path}.selectPolicy`, r.selectPolicy, ['Disabled', 'Max', 'Min']))
  if (!r.policies?.length) errs.push(required(`${path}.policies`, 'must specify at least one Policy'))
  ;(r.policies ?? []).forEach((p, i) => {
    const pp = `${path}.policies[${i}]`
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(`${pp}.type`, p.type ?? '', ['Percent', 'Pods']))
    if (!((p.value ?? 0) > 0)) errs.push(invalid(`${pp}.value`, p.value ?? 0, 'must be greater than zero'))
    if (!((p.periodSeconds ?? 0) > 0)) errs.push(invalid(`${pp}.periodSeconds`, p.periodSeconds ?? 0, 'must be greater than zero'))
    if ((p.periodSeconds ?? 0) > maxPeriodSeconds)
      errs.push(invalid(`${pp}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${maxPeriodSeconds}`))
  })
  return errs
}

/** validateHorizontalPodAutoscalerSpec with minReplicasLowerBound 1 (HPAScaleToZero is alpha, off). */
export function validateHPASpec(spec: HorizontalPodAutoscalerSpec | undefined, minLowerBound = 1): FieldError[] {
  const s = spec ?? ({} as HorizontalPodAutoscalerSpec)
  const errs: FieldError[] = []
  const min = s.minReplicas
  const max = s.maxReplicas ?? 0
  if (min != null && min < minLowerBound) errs.push(invalid('spec.minReplicas', min, `must be greater than or equal to ${minLowerBound}`))
  if (max < 1) errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'))
  if (min != null && max < min) errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'))
  errs.push(...validateCrossVersionObjectReference(s.scaleTargetRef, 'spec.scaleTargetRef'))
  const metrics = s.metrics ?? []
  metrics.forEach((m, i) => {
    errs.push(...validateMetric(m, `spec.metrics[${i}]`))
  })
  if (min === 0 && !metrics.some((m) => m.type === 'Object' || m.type === 'External'))
    errs.push(forbidden('spec.metrics', 'must specify at least one Object or External metric to support scaling to zero replicas'))
  if (s.behavior) errs.push(...validateRules(s.behavior.scaleUp, 'spec.behavior.scaleUp'), ...validateRules(s.behavior.scaleDown, 'spec.behavior.scaleDown'))
  return errs
}
