/**
 * @module metrics-objects: usage samples as metrics.k8s.io/v1beta1 objects, in the shapes
 * metrics-server 0.7 answers (pkg/api/pod.go, node.go): `cpu: 1234567n`, `memory: 12345Ki`,
 * `window: 10.234s`, timestamps in seconds.
 */
import type { NodeUsageSample, PodUsageSample } from '../../sim/usage/metrics-source.js'
import type { KubeObject } from '../../types.js'
import { rfc3339 } from '../../util/time.js'
import type { ColumnDef } from '../resource-definition.js'
import { formatQuantity } from '../shared/quantity-format.js'

/** `{cpu, memory}` as metrics-server writes them: CPU a nano-scaled DecimalSI quantity, memory BinarySI bytes. */
export interface MetricsUsage {
  cpu: string
  memory: string
}

/** A PodMetrics object. */
export type PodMetrics = KubeObject & { timestamp: string; window: string; containers: { name: string; usage: MetricsUsage }[] }
/** A NodeMetrics object. */
export type NodeMetrics = KubeObject & { timestamp: string; window: string; usage: MetricsUsage }

/** The usage map of one sample (resource.NewScaledQuantity(n, -9) and NewQuantity(bytes, BinarySI)). */
export function usageOf(cpuNanoCores: number, memoryBytes: number): MetricsUsage {
  return {
    cpu: formatQuantity({ nanos: BigInt(Math.round(cpuNanoCores)), format: 'DecimalSI' }),
    memory: formatQuantity({ nanos: BigInt(Math.round(memoryBytes)) * 1_000_000_000n, format: 'BinarySI' }),
  }
}

/** time.Duration.String() of whole milliseconds (`10.234s`, `10s`, `0s`). */
export function goDurationMs(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${ms}ms`
  const s = Math.floor(ms / 1000)
  const frac = String(ms % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '')
  const m = Math.floor(s / 60)
  const rest = `${s % 60}${frac ? `.${frac}` : ''}s`
  return m ? `${m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m}m`}${rest}` : rest
}

/** A PodMetrics as of `nowMs` (creationTimestamp is the time of the request, as metrics-server sets it). */
export function podMetricsObject(s: PodUsageSample, labels: Record<string, string> | undefined, nowMs: number): PodMetrics {
  return {
    metadata: { name: s.name, namespace: s.namespace, creationTimestamp: rfc3339(nowMs), ...(labels ? { labels } : {}) },
    timestamp: rfc3339(s.timestamp),
    window: goDurationMs(s.windowMs),
    containers: s.containers.map((c) => ({ name: c.name, usage: usageOf(c.cpuNanoCores, c.memoryBytes) })),
  }
}

/** A NodeMetrics as of `nowMs`. */
export function nodeMetricsObject(s: NodeUsageSample, labels: Record<string, string> | undefined, nowMs: number): NodeMetrics {
  return {
    metadata: { name: s.name, creationTimestamp: rfc3339(nowMs), ...(labels ? { labels } : {}) },
    timestamp: rfc3339(s.timestamp),
    window: goDurationMs(s.windowMs),
    usage: usageOf(s.cpuNanoCores, s.memoryBytes),
  }
}

/** metrics-server's table (addPodMetricsToTable / addNodeMetricsToTable): Name, one column per resource, Window. */
export const metricsColumns: ColumnDef[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource' },
  { name: 'cpu', type: 'string', format: 'quantity' },
  { name: 'memory', type: 'string', format: 'quantity' },
  { name: 'Window', type: 'string', format: 'duration' },
]
