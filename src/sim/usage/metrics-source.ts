/**
 * @module metrics-source: the one seam between the simulated resource usage and its readers
 * (the metrics.k8s.io API, `kubectl top`, the HPA controller): samples as metrics-server reports
 * them, one source per cluster.
 */
import type { Registry } from '../../registry/registry.js'
import { RegistryMap } from '../../registry/with-field-manager.js'

/** One container's usage in a sample. */
export interface ContainerUsage {
  name: string
  /** CPU in nanocores (metrics-server's unit: `12m` = 12,000,000 n). */
  cpuNanoCores: number
  /** Working-set memory in bytes. */
  memoryBytes: number
}

/** A pod's sample: what PodMetrics holds (timestamp = end of the window, simulated ms). */
export interface PodUsageSample {
  namespace: string
  name: string
  timestamp: number
  windowMs: number
  containers: ContainerUsage[]
}

/** A node's sample: what NodeMetrics holds. */
export interface NodeUsageSample {
  name: string
  timestamp: number
  windowMs: number
  cpuNanoCores: number
  memoryBytes: number
}

/** Where usage samples come from. Pods without a sample (not running yet, no metrics) are absent. */
export interface MetricsSource {
  /** Samples of the pods of one namespace (every namespace for `''`). */
  pods(namespace: string): PodUsageSample[]
  pod(namespace: string, name: string): PodUsageSample | undefined
  nodes(): NodeUsageSample[]
  node(name: string): NodeUsageSample | undefined
}

const empty: MetricsSource = { pods: () => [], pod: () => undefined, nodes: () => [], node: () => undefined }
const sources = new RegistryMap<MetricsSource>()

/** Installs the cluster's metrics source (the usage model does at start; tests install fakes). */
export function setMetricsSource(registry: Registry, source: MetricsSource): void {
  sources.set(registry, source)
}

/** The cluster's metrics source (one that has no samples until one is installed). */
export function metricsSourceFor(registry: Registry): MetricsSource {
  return sources.get(registry) ?? empty
}
