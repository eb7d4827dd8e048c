/**
 * @module hpa-v1-conversion: autoscaling/v1 ⇄ v2 HorizontalPodAutoscaler, as pkg/apis/autoscaling/v1/conversion.go:
 * CPU utilization maps to targetCPUUtilizationPercentage / currentCPUUtilizationPercentage, and
 * what v1 cannot express rides in `autoscaling.alpha.kubernetes.io/*` annotations.
 */
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { KubeObject } from '../../types.js'
import type { VersionConversion } from '../resource-definition.js'

/** autoscaling.MetricSpecsAnnotation, MetricStatusesAnnotation, HorizontalPodAutoscalerConditionsAnnotation, BehaviorSpecsAnnotation. */
export const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics'
export const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics'
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions'
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior'

/** autoscaling.DefaultCPUUtilization: what an HPA with no metrics at all targets. */
const defaultCPUUtilization = 80

type Obj = Record<string, unknown>
type V2 = KubeObject & { spec?: Obj; status?: Obj }

/** Drops undefined members, so JSON keeps Go's field order without empty pointers. */
function compact<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}

/** A v2 MetricSpec as v1's (v2beta1-shaped) MetricSpec of the annotation. */
function metricSpecToV1(m: MetricSpec): Obj {
  const out: Obj = { type: m.type }
  if (m.object) {
    const t = m.object.target
    out.object = compact({
      target: m.object.describedObject,
      metricName: m.object.metric?.name,
      targetValue: t?.value ?? '0',
      selector: m.object.metric?.selector,
      averageValue: t?.averageValue,
    })
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name, targetAverageValue: m.pods.target?.averageValue ?? '0', selector: m.pods.metric?.selector })
  if (m.resource)
    out.resource = compact({
      name: m.resource.name,
      targetAverageUtilization: m.resource.target?.averageUtilization,
      targetAverageValue: m.resource.target?.averageValue,
    })
  if (m.containerResource) {
    const c = m.containerResource
    out.containerResource = compact({
      name: c.name,
      targetAverageUtilization: c.target?.averageUtilization,
      targetAverageValue: c.target?.averageValue,
      container: c.container,
    })
  }
  if (m.external) {
    const e = m.external
    out.external = compact({
      metricName: e.metric?.name,
      metricSelector: e.metric?.selector,
      targetValue: e.target?.value,
      targetAverageValue: e.target?.averageValue,
    })
  }
  return out
}

/** The inverse of metricSpecToV1 (Convert_v1_*MetricSource_To_autoscaling_*). */
function metricSpecFromV1(m: Obj): MetricSpec {
  const out: MetricSpec = { type: String(m.type ?? '') }
  const o = m.object as Obj | undefined
  if (o)
    out.object = {
      describedObject: o.target as never,
      metric: compact({ name: String(o.metricName ?? ''), selector: o.selector as never }),
      target: compact({
        type: o.averageValue === undefined ? 'Value' : 'AverageValue',
        value: o.targetValue as string,
        averageValue: o.averageValue as string,
      }),
    }
  const p = m.pods as Obj | undefined
  if (p)
    out.pods = {
      metric: compact({ name: String(p.metricName ?? ''), selector: p.selector as never }),
      target: { type: 'AverageValue', averageValue: p.targetAverageValue as string },
    }
  for (const k of ['resource', 'containerResource'] as const) {
    const r = m[k] as Obj | undefined
    if (!r) continue
    const target = compact({
      type: r.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization',
      averageValue: r.targetAverageValue as string,
      averageUtilization: r.targetAverageUtilization as number,
    })
    if (k === 'resource') out.resource = { name: String(r.name ?? ''), target }
    else out.containerResource = { name: String(r.name ?? ''), container: String(r.container ?? ''), target }
  }
  const e = m.external as Obj | undefined
  if (e)
    out.external = {
      metric: compact({ name: String(e.metricName ?? ''), selector: e.metricSelector as never }),
      target: compact({
        type: e.targetValue === undefined ? 'AverageValue' : 'Value',
        value: e.targetValue as string,
        averageValue: e.targetAverageValue as string,
      }),
    }
  return out
}

/** A v2 MetricStatus as v1's, for the current-metrics annotation. */
function metricStatusToV1(m: MetricStatus): Obj {
  const out: Obj = { type: m.type }
  if (m.object) {
    const c = m.object.current
    out.object = compact({
      target: m.object.describedObject,
      metricName: m.object.metric?.name,
      currentValue: c?.value ?? '0',
      selector: m.object.metric?.selector,
      averageValue: c?.averageValue,
    })
  }
  if (m.pods)
    out.pods = compact({ metricName: m.pods.metric?.name, currentAverageValue: m.pods.current?.averageValue ?? '0', selector: m.pods.metric?.selector })
  for (const k of ['resource', 'containerResource'] as const) {
    const r = m[k]
    if (!r) continue
    const container = k === 'containerResource' ? (r as { container?: string }).container : undefined
    out[k] = compact({ name: r.name, currentAverageUtilization: r.current?.averageUtilization, currentAverageValue: r.current?.averageValue ?? '0', container })
  }
  if (m.external) {
    const c = m.external.current
    out.external = compact({
      metricName: m.external.metric?.name,
      metricSelector: m.external.metric?.selector,
      currentValue: c?.value ?? '0',
      currentAverageValue: c?.averageValue,
    })
  }
  return out
}

/** The inverse of metricStatusToV1. */
function metricStatusFromV1(m: Obj): MetricStatus {
  const out: MetricStatus = { type: String(m.type ?? '') }
  const o = m.object as Obj | undefined
  if (o)
    out.object = {
      describedObject: o.target as never,
      metric: compact({ name: String(o.metricName ?? ''), selector: o.selector as never }),
      current: compact({ value: o.currentValue as string, averageValue: o.averageValue as string }),
    }
  const p = m.pods as Obj | undefined
  if (p)
    out.pods = {
      metric: compact({ name: String(p.metricName ?? ''), selector: p.selector as never }),
      current: { averageValue: p.currentAverageValue as string },
    }
  for (const k of ['resource', 'containerResource'] as const) {
    const r = m[k] as Obj | undefined
    if (!r) continue
    const current = compact({ averageValue: r.currentAverageValue as string, averageUtilization: r.currentAverageUtilization as number })
    if (k === 'resource') out.resource = { name: String(r.name ?? ''), current }
    else out.containerResource = { name: String(r.name ?? ''), container: String(r.container ?? ''), current }
  }
  const e = m.external as Obj | undefined
  if (e)
    out.external = {
      metric: compact({ name: String(e.metricName ?? ''), selector: e.metricSelector as never }),
      current: compact({ value: e.currentValue as string, averageValue: e.currentAverageValue as string }),
    }
  return out
}

const isCPUUtilization = (m: MetricSpec) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.averageUtilization != null

/** Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler. */
export function hpaToV1(obj: KubeObject): KubeObject {
  const { spec = {}, status = {}, ...rest } = structuredClone(obj) as V2
  const metrics = (spec.metrics ?? []) as MetricSpec[]
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')
  const current = (status.currentMetrics ?? []) as MetricStatus[]
  const conditions = (status.conditions ?? []) as Obj[]
  const annotations: Record<string, string> = { ...(rest.metadata.annotations ?? {}) }
  const others = metrics.filter((m) => !isCPUUtilization(m))
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others.map(metricSpecToV1))
  if (current.length) annotations[currentMetricsAnnotation] = JSON.stringify(current.map(metricStatusToV1))
  if (conditions.length) annotations[conditionsAnnotation] = JSON.stringify(conditions)
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior)
  const cpuNow = current.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current?.averageUtilization
  const metadata = Object.keys(annotations).length ? { ...rest.metadata, annotations } : rest.metadata
  return {
    ...rest,
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization,
    }),
    status: compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuNow,
    }),
  } as KubeObject
}

/** Parses an annotation's JSON; a malformed one is dropped like an absent one. */
function fromAnnotation(annotations: Record<string, string>, key: string): unknown {
  const text = annotations[key]
  delete annotations[key]
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler. */
export function hpaFromV1(obj: KubeObject): KubeObject {
  const { spec = {}, status, ...rest } = structuredClone(obj) as V2
  const annotations = { ...(rest.metadata?.annotations ?? {}) }
  const metrics: MetricSpec[] = []
  const others = fromAnnotation(annotations, metricsAnnotation)
  if (Array.isArray(others)) metrics.push(...others.map((m) => metricSpecFromV1(m as Obj)))
  const target = spec.targetCPUUtilizationPercentage as number | undefined
  const cpu = target ?? (metrics.length === 0 ? defaultCPUUtilization : undefined)
  if (cpu !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } })
  const v2Status: Obj = compact({
    observedGeneration: status?.observedGeneration,
    lastScaleTime: status?.lastScaleTime,
    // v2's currentReplicas is omitempty, v1's is not.
    currentReplicas: status?.currentReplicas || undefined,
    desiredReplicas: status?.desiredReplicas ?? 0,
  })
  const now = status?.currentCPUUtilizationPercentage as number | undefined
  v2Status.currentMetrics = now === undefined ? null : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: now } } }]
  const current = fromAnnotation(annotations, currentMetricsAnnotation)
  if (Array.isArray(current)) v2Status.currentMetrics = current.map((m) => metricStatusFromV1(m as Obj))
  const conditions = fromAnnotation(annotations, conditionsAnnotation)
  if (Array.isArray(conditions)) v2Status.conditions = conditions
  const behavior = fromAnnotation(annotations, behaviorAnnotation)
  const { annotations: _old, ...meta } = rest.metadata ?? {}
  const metadata = Object.keys(annotations).length ? { ...meta, annotations } : meta
  return {
    ...rest,
    apiVersion: 'autoscaling/v2',
    metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef as never,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics,
      behavior: behavior as never,
    }),
    ...(status ? { status: v2Status } : {}),
  } as KubeObject
}

/** autoscaling/v1, served over the v2 storage. */
export const hpaV1: VersionConversion = { version: 'v1', fromStorage: hpaToV1, toStorage: hpaFromV1 }
