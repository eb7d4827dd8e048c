/**
 * @module hpa-resource-metrics: the HPA's resource metrics client over the cluster's metrics source
 * (pkg/controller/podautoscaler/metrics/client.go resourceMetricsClient): the samples of the
 * target's pods as milli-unit PodMetrics, whole pods or one container.
 */
import type { MetricsSource, PodUsageSample } from '../sim/usage/metrics-source.js'
import type { PodMetricsInfo } from './hpa-replica-calculator.js'

/** A sample's value of `resource` in milli-units (Quantity.MilliValue of metrics-server's quantities). */
function milli(c: PodUsageSample['containers'][number], resource: string): number | undefined {
  if (resource === 'cpu') return Math.ceil(c.cpuNanoCores / 1_000_000)
  if (resource === 'memory') return c.memoryBytes * 1000
  return undefined
}

/**
 * GetResourceMetric: the metrics of the pods named in `podNames` (the target's pods) and the first
 * sample's timestamp. A pod missing a container's value is left out (whole-pod metrics); a pod
 * without `container` at all is an error (container metrics).
 */
export function resourceMetrics(
  source: MetricsSource,
  namespace: string,
  podNames: Set<string>,
  resource: string,
  container: string,
): { metrics: PodMetricsInfo; timestamp: number } {
  // One lookup per target pod, not a scan of the namespace's samples (the metrics API filters by
  // the same selector).
  const samples: PodUsageSample[] = []
  for (const name of podNames) {
    const s = source.pod(namespace, name)
    if (s) samples.push(s)
  }
  const fail = (msg: string) => new Error(`unable to get metrics for resource ${resource}: ${msg}`)
  if (samples.length === 0) throw fail('no metrics returned from resource metrics API')
  const metrics: PodMetricsInfo = new Map()
  for (const s of samples) {
    if (container) {
      const c = s.containers.find((x) => x.name === container)
      if (!c) throw fail(`failed to get container metrics: container ${container} not present in metrics for pod ${s.namespace}/${s.name}`)
      const v = milli(c, resource)
      if (v !== undefined) metrics.set(s.name, { value: v, timestamp: s.timestamp, windowMs: s.windowMs })
      continue
    }
    if (s.containers.length === 0) continue
    let sum = 0
    let missing = false
    for (const c of s.containers) {
      const v = milli(c, resource)
      if (v === undefined) {
        missing = true
        break
      }
      sum += v
    }
    if (!missing) metrics.set(s.name, { value: sum, timestamp: s.timestamp, windowMs: s.windowMs })
  }
  return { metrics, timestamp: samples[0].timestamp }
}
