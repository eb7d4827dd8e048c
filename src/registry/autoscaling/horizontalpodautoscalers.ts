/** @module horizontalpodautoscalers: the autoscaling/v2 HorizontalPodAutoscaler definition (pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go). */
import type { HPAScalingRules, HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { formatHPAMetrics } from './hpa-printer.js'
import { validateHPASpec } from './hpa-validation.js'
import { hpaV1 } from './hpa-v1-conversion.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A HorizontalPodAutoscaler as stored (autoscaling/v2, the storage version). */
export type HorizontalPodAutoscaler = KubeObject & { spec?: HorizontalPodAutoscalerSpec; status?: HorizontalPodAutoscalerStatus | Record<string, unknown> }

/** autoscaling.DefaultCPUUtilization. */
export const defaultCPUUtilization = 80

/** defaultHPAScaleUpRules / defaultHPAScaleDownRules (pkg/apis/autoscaling/v2/defaults.go). */
const defaultRules = (up: boolean): HPAScalingRules =>
  up
    ? {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      }
    : { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }

/** copyHPAScalingRules: the set fields of `from` over the defaults. */
function fillRules(from: HPAScalingRules | undefined, up: boolean): HPAScalingRules {
  const to = defaultRules(up)
  if (!from) return to
  if (from.selectPolicy != null) to.selectPolicy = from.selectPolicy
  if (from.stabilizationWindowSeconds != null) to.stabilizationWindowSeconds = from.stabilizationWindowSeconds
  if (from.policies != null) to.policies = from.policies
  return to
}

/**
 * SetDefaults_HorizontalPodAutoscaler: minReplicas 1, 80% average CPU when no metrics are given,
 * and, when a behavior is given, its unset scaling rules filled from the defaults (an absent
 * behavior stays absent: the controller applies the same defaults itself).
 */
export function defaultHPA(obj: HorizontalPodAutoscaler): void {
  const spec = (obj.spec ??= {} as HorizontalPodAutoscalerSpec)
  spec.minReplicas ??= 1
  if (!spec.metrics?.length)
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }]
  if (spec.behavior) spec.behavior = { scaleUp: fillRules(spec.behavior.scaleUp, true), scaleDown: fillRules(spec.behavior.scaleDown, false) }
}

/** `hpa`: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE (printHorizontalPodAutoscaler). */
export const horizontalPodAutoscalers: ResourceDefinition<HorizontalPodAutoscaler> = {
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  servedVersions: [hpaV1],
  subresources: [statusSubresource],
  applyDefaults: defaultHPA,
  prepareForCreate(obj) {
    // An empty v2 status: desiredReplicas and currentMetrics have no omitempty.
    obj.status = { currentMetrics: null, desiredReplicas: 0 }
  },
  ...specStatusUpdates<HorizontalPodAutoscaler>(),
  validate: (obj) => validateHPASpec(obj.spec),
  validateStatusUpdate(obj) {
    const st = (obj.status ?? {}) as HorizontalPodAutoscalerStatus
    const errs = []
    for (const k of ['currentReplicas', 'desiredReplicas'] as const)
      if ((st[k] ?? 0) < 0)
        errs.push({ type: 'FieldValueInvalid' as const, field: `status.${k}`, badValue: st[k], detail: 'must be greater than or equal to 0' })
    return errs
  },
  columns: [
    nameColumn,
    stringColumn(
      'Reference',
      'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
    ),
    stringColumn(
      'Targets',
      'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.',
    ),
    stringColumn(
      'MinPods',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.',
    ),
    stringColumn(
      'MaxPods',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.',
    ),
    stringColumn('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn,
  ],
  row(obj, now) {
    const spec = obj.spec
    const st = (obj.status ?? {}) as HorizontalPodAutoscalerStatus
    return [
      obj.metadata.name ?? '',
      `${spec?.scaleTargetRef?.kind ?? ''}/${spec?.scaleTargetRef?.name ?? ''}`,
      formatHPAMetrics(spec?.metrics, st.currentMetrics),
      spec?.minReplicas != null ? String(spec.minReplicas) : '<unset>',
      spec?.maxReplicas ?? 0,
      st.currentReplicas ?? 0,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ]
  },
}
