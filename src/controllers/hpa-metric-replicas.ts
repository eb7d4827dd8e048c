/**
 * @module hpa-metric-replicas: computeReplicasForMetrics of pkg/controller/podautoscaler/horizontal.go —
 * one proposal per metric spec (Resource and ContainerResource from the metrics source), the
 * largest wins, the statuses `kubectl get hpa` prints, and upstream's error texts and conditions.
 */
import type { MetricSpec, MetricStatus, MetricTarget } from 'kubernetes-types/autoscaling/v2.js'
import { formatQuantity, milliValue, quantity } from '../registry/shared/quantity-format.js'
import type { MetricsSource } from '../sim/usage/metrics-source.js'
import { rawResourceReplicas, resourceReplicas, type ReplicaCalculatorOptions } from './hpa-replica-calculator.js'
import { resourceMetrics } from './hpa-resource-metrics.js'
import type { Pod } from './scheduler-filters.js'

/** A condition the metrics set (ScalingActive). */
export interface MetricCondition {
  status: 'True' | 'False'
  reason: string
  message: string
}

/** What the metrics propose: replicas (-1 when nothing may scale), the statuses, the condition, the error. */
export interface MetricsProposal {
  replicas: number
  metric: string
  statuses: MetricStatus[]
  /** ScalingActive as the metrics leave it (unchanged when absent). */
  condition?: MetricCondition
  error?: string
}

/** The target's pods and where their usage comes from. */
export interface MetricsContext {
  namespace: string
  pods: Pod[]
  source: MetricsSource
  now: number
  /** specReplicas: the target's scale. */
  currentReplicas: number
  opts?: ReplicaCalculatorOptions
  /** Records a Warning about the HPA (getUnableComputeReplicaCountCondition's event). */
  warn(reason: string, message: string): void
}

/** NewMilliQuantity(v, DecimalSI).String(). */
const milliQuantity = (v: number): string => formatQuantity({ nanos: BigInt(v) * 1_000_000n, format: 'DecimalSI' })

/** computeStatusForResourceMetricGeneric: the proposal for one resource target, or an error text. */
function resourceProposal(ctx: MetricsContext, target: MetricTarget | undefined, resource: string, container: string) {
  const names = new Set(ctx.pods.map((p) => p.metadata.name ?? ''))
  const input = () => {
    const { metrics } = resourceMetrics(ctx.source, ctx.namespace, names, resource, container)
    return { currentReplicas: ctx.currentReplicas, pods: ctx.pods, metrics, resource, container, now: ctx.now, opts: ctx.opts }
  }
  if (target?.averageValue !== undefined) {
    try {
      const p = rawResourceReplicas(input(), Number(milliValue(quantity(target.averageValue) ?? { nanos: 0n, format: 'DecimalSI' })))
      return { replicas: p.replicas, current: { averageValue: milliQuantity(p.rawAverage) }, metric: `${resource} resource` }
    } catch (err) {
      throw new Error(`failed to get ${resource} usage: ${(err as Error).message}`)
    }
  }
  if (target?.averageUtilization === undefined)
    throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set')
  try {
    const p = resourceReplicas(input(), target.averageUtilization)
    const metric = container ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`
    return { replicas: p.replicas, current: { averageUtilization: p.utilization, averageValue: milliQuantity(p.rawAverage) }, metric }
  } catch (err) {
    throw new Error(`failed to get ${resource} utilization: ${(err as Error).message}`)
  }
}

/** The custom and external metrics APIs kubemock does not serve (no adapter is installed). */
const noCustomMetrics = 'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered'
const noExternalMetrics = 'unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered'

/** computeReplicasForMetric: one spec's proposal, its status, or [condition reason, inner error, outer error]. */
function oneMetric(ctx: MetricsContext, spec: MetricSpec): { replicas: number; metric: string; status: MetricStatus } | [string, string, string] {
  const guard = (reason: string, outer: (e: string) => string, fn: () => { replicas: number; metric: string; status: MetricStatus }) => {
    try {
      return fn()
    } catch (err) {
      const msg = (err as Error).message
      return [reason, msg, outer(msg)] as [string, string, string]
    }
  }
  switch (spec.type) {
    case 'Resource': {
      const r = spec.resource
      return guard(
        'FailedGetResourceMetric',
        (e) => `failed to get ${r?.name} resource metric value: ${e}`,
        () => {
          const p = resourceProposal(ctx, r?.target, r?.name ?? '', '')
          return { replicas: p.replicas, metric: p.metric, status: { type: 'Resource', resource: { name: r?.name ?? '', current: p.current } } }
        },
      )
    }
    case 'ContainerResource': {
      const r = spec.containerResource
      return guard(
        'FailedGetContainerResourceMetric',
        (e) => `failed to get ${r?.container} container metric value: ${e}`,
        () => {
          const p = resourceProposal(ctx, r?.target, r?.name ?? '', r?.container ?? '')
          return {
            replicas: p.replicas,
            metric: p.metric,
            status: { type: 'ContainerResource', containerResource: { name: r?.name ?? '', container: r?.container ?? '', current: p.current } },
          }
        },
      )
    }
    case 'Pods':
      return ['FailedGetPodsMetric', `unable to get metric ${spec.pods?.metric?.name}: ${noCustomMetrics}`, '']
    case 'Object': {
      const o = spec.object
      const inner = `unable to get metric ${o?.metric?.name}: ${noCustomMetrics} on ${o?.describedObject?.kind} ${ctx.namespace}/${o?.describedObject?.name}`
      return ['FailedGetObjectMetric', inner, '']
    }
    case 'External':
      return ['FailedGetExternalMetric', `unable to get external metric ${ctx.namespace}/${spec.external?.metric?.name}: ${noExternalMetrics}`, '']
    default: {
      const e = `unknown metric source type "${spec.type}"`
      return ['InvalidMetricSourceType', e, e]
    }
  }
}

const outerPrefix: Record<string, string> = {
  FailedGetPodsMetric: 'failed to get pods metric value',
  FailedGetObjectMetric: 'failed to get object metric value',
  FailedGetExternalMetric: 'failed to get external metric value',
}

/**
 * computeReplicasForMetrics (after the selector checks): the largest proposal; -1 with the first
 * failure's condition when every metric failed, or some failed and the rest would scale down.
 */
export function computeReplicasForMetrics(ctx: MetricsContext, specs: MetricSpec[]): MetricsProposal {
  if (specs.length === 0) return { replicas: -1, metric: '', statuses: [], error: 'must specify at least one metric' }
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }))
  let replicas = 0
  let metric = ''
  let invalid = 0
  let firstError = ''
  let firstCondition: MetricCondition | undefined
  specs.forEach((spec, i) => {
    const r = oneMetric(ctx, spec)
    if (Array.isArray(r)) {
      const [reason, inner, outer] = r
      // getUnableComputeReplicaCountCondition records the event as it builds the condition.
      ctx.warn(reason, inner)
      if (invalid === 0) {
        firstCondition = { status: 'False', reason, message: `the HPA was unable to compute the replica count: ${inner}` }
        firstError = outer || `${outerPrefix[reason]}: ${inner}`
      }
      invalid++
      return
    }
    statuses[i] = r.status
    if (replicas === 0 || r.replicas > replicas) {
      replicas = r.replicas
      metric = r.metric
    }
  })
  const error = invalid ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}` : undefined
  if (invalid >= specs.length || (invalid > 0 && replicas < ctx.currentReplicas))
    return { replicas: -1, metric: '', statuses, condition: firstCondition, error }
  return {
    replicas,
    metric,
    statuses,
    condition: { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metric}` },
    error,
  }
}
