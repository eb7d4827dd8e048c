/**
 * @module hpa-replica-calculator: the HPA's replica calculator for resource metrics
 * (pkg/controller/podautoscaler/replica_calculator.go and metrics/utilization.go): pods grouped into
 * ready, unready, missing and ignored, the utilisation ratio against requests, the tolerance, and
 * the conservative fill-ins for pods without a usable sample.
 */
import { quantity, milliValue } from '../registry/shared/quantity-format.js'
import type { Pod } from './scheduler-filters.js'

/** One pod's metric (PodMetric): milli-units, and the sample's end and window (ms). */
export interface PodMetric {
  value: number
  timestamp: number
  windowMs: number
}

/** PodMetricsInfo: metrics by pod name. */
export type PodMetricsInfo = Map<string, PodMetric>

/** The calculator's settings (the controller manager's flags). */
export interface ReplicaCalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number
}

/** kube-controller-manager's defaults. */
export const defaultReplicaCalculatorOptions: ReplicaCalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
}

/** How groupPods sorted the target's pods. */
export interface PodGroups {
  readyPodCount: number
  unready: Set<string>
  missing: Set<string>
  ignored: Set<string>
}

const ms = (t: string | undefined): number | undefined => (t ? Date.parse(t) : undefined)

/**
 * groupPods: deleted and Failed pods are ignored; Pending ones unready; pods without a metric
 * missing; for CPU, pods still in their initialisation period whose sample predates readiness
 * (or that are not Ready), and pods that never became Ready after the initial delay, unready.
 */
export function groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string, now: number, opts: ReplicaCalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() }
  for (const pod of pods) {
    const name = pod.metadata.name ?? ''
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name)
      continue
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name)
      continue
    }
    const metric = metrics.get(name)
    if (!metric) {
      g.missing.add(name)
      continue
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
      const start = ms(pod.status?.startTime)
      let unready: boolean
      if (!ready || start === undefined) unready = true
      else {
        const transition = ms(ready.lastTransitionTime) ?? 0
        if (start + opts.cpuInitializationPeriodMs > now) unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs
        else unready = ready.status === 'False' && start + opts.delayOfInitialReadinessStatusMs > transition
      }
      if (unready) {
        g.unready.add(name)
        continue
      }
    }
    g.readyPodCount++
  }
  return g
}

/**
 * calculatePodRequests: each pod's summed request (milli-units) over its containers and sidecars
 * (or the one `container`); throws upstream's error for a container without that request.
 */
export function calculatePodRequests(pods: Pod[], container: string, resource: string): Map<string, number> {
  const requests = new Map<string, number>()
  for (const pod of pods) {
    let sum = 0
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')]
    for (const c of containers) {
      if (container !== '' && container !== c.name) continue
      const q = quantity(c.resources?.requests?.[resource])
      if (!q) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`)
      sum += Number(milliValue(q))
    }
    requests.set(pod.metadata.name ?? '', sum)
  }
  return requests
}

/** GetResourceUtilizationRatio: usage/request of the pods that have both, as a whole percentage; also the raw average. */
export function resourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0
  let requestsTotal = 0
  let n = 0
  for (const [name, m] of metrics) {
    const r = requests.get(name)
    if (r === undefined) continue
    metricsTotal += m.value
    requestsTotal += r
    n++
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods')
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal)
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) }
}

/** GetMetricUsageRatio: the average over the pods, against the target average. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0
  for (const m of metrics.values()) total += m.value
  const usage = Math.trunc(total / metrics.size)
  return { ratio: usage / targetUsage, usage }
}

/** What a resource calculation proposes. */
export interface ResourceProposal {
  replicas: number
  /** averageUtilization (percent), for Utilization targets. */
  utilization?: number
  /** averageValue in milli-units. */
  rawAverage: number
}

/** The inputs of one calculation: the target's pods and their metrics (the map is changed). */
export interface CalculationInput {
  currentReplicas: number
  pods: Pod[]
  metrics: PodMetricsInfo
  resource: string
  container: string
  now: number
  opts?: ReplicaCalculatorOptions
}

function prepare(input: CalculationInput): PodGroups {
  if (input.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count')
  const g = groupPods(input.pods, input.metrics, input.resource, input.now, input.opts ?? defaultReplicaCalculatorOptions)
  for (const n of g.ignored) input.metrics.delete(n)
  for (const n of g.unready) input.metrics.delete(n)
  if (input.metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)')
  return g
}

/**
 * The shared tail of GetResourceReplicas and calcPlainMetricReplicas: fills in missing pods
 * (`fallback` on a scale-down, 0 on a scale-up) and unready pods (0 on a scale-up), recomputes, and
 * keeps the current count when the change is within tolerance or would flip direction.
 */
function rebalance(
  input: CalculationInput,
  g: PodGroups,
  ratio: number,
  fallback: (pod: string) => number,
  recompute: () => number,
  scaleUpMissingOnEqual: boolean,
): number {
  const tolerance = (input.opts ?? defaultReplicaCalculatorOptions).tolerance
  const { currentReplicas, metrics } = input
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return currentReplicas
    return Math.ceil(ratio * g.readyPodCount)
  }
  if (g.missing.size > 0) {
    if (ratio < 1) for (const n of g.missing) metrics.set(n, { value: fallback(n), timestamp: 0, windowMs: 0 })
    else if (ratio > 1 || scaleUpMissingOnEqual) for (const n of g.missing) metrics.set(n, { value: 0, timestamp: 0, windowMs: 0 })
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, { value: 0, timestamp: 0, windowMs: 0 })
  const newRatio = recompute()
  if (Math.abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return currentReplicas
  const newReplicas = Math.ceil(newRatio * metrics.size)
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) return currentReplicas
  return newReplicas
}

/** GetResourceReplicas (after the metrics fetch): desired replicas for a Utilization target (percent of request). */
export function resourceReplicas(input: CalculationInput, targetUtilization: number): Required<ResourceProposal> {
  const g = prepare(input)
  const requests = calculatePodRequests(input.pods, input.container, input.resource)
  const first = resourceUtilizationRatio(input.metrics, requests, targetUtilization)
  const fallbackPct = Math.max(100, targetUtilization)
  const replicas = rebalance(
    input,
    g,
    first.ratio,
    (n) => Math.trunc(((requests.get(n) ?? 0) * fallbackPct) / 100),
    () => resourceUtilizationRatio(input.metrics, requests, targetUtilization).ratio,
    false,
  )
  return { replicas, utilization: first.utilization, rawAverage: first.rawAverage }
}

/** GetRawResourceReplicas → calcPlainMetricReplicas: desired replicas for an AverageValue target (milli-units). */
export function rawResourceReplicas(input: CalculationInput, targetUsage: number): ResourceProposal {
  const g = prepare(input)
  const first = metricUsageRatio(input.metrics, targetUsage)
  const replicas = rebalance(
    input,
    g,
    first.ratio,
    () => targetUsage,
    () => metricUsageRatio(input.metrics, targetUsage).ratio,
    true,
  )
  return { replicas, rawAverage: first.usage }
}
