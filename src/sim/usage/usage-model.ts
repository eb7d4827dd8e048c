/**
 * @module usage-model: the cluster's simulated resource usage as metrics-server reports it
 * (implements MetricsSource). Computed when read, from the pods and nodes in the registry: no
 * timers, nothing stored.
 */
import type { Container } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import type { Registry } from '../../registry/registry.js'
import type { KubeObject } from '../../types.js'
import { fnv32 } from '../../util/hash.js'
import { containerUsage, unitNoise } from './container-usage.js'
import { metricResolutionMs, nodeSystemUsage } from './image-usage.js'
import type { ContainerUsage, MetricsSource, NodeUsageSample, PodUsageSample } from './metrics-source.js'
import { usageOverridesFor, type UsageOverrides } from './usage-overrides.js'

const mi = 2 ** 20

/** When metrics-server last scraped a node's kubelet before `now`: every resolution, at a per-node offset. */
export function lastScrape(node: string, now: number): { at: number; index: number } {
  const offset = fnv32(node) % metricResolutionMs
  const index = Math.floor((now - offset) / metricResolutionMs)
  return { at: offset + index * metricResolutionMs, index }
}

/** The window metrics-server reports for a sample (the interval between the two kubelet points it rated): about 10 s. */
function windowMs(seed: string, index: number): number {
  return 10_000 + Math.floor(unitNoise(seed, `w${index}`) * 1500)
}

/** Whether a node's Ready condition is True (metrics-server scrapes only those kubelets successfully). */
function isReady(node: KubeObject | undefined): boolean {
  const conds = (node?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
  return conds.some((c) => c.type === 'Ready' && c.status === 'True')
}

const startedAt = (s: { state?: { running?: { startedAt?: string } } }) => Date.parse(s.state?.running?.startedAt ?? '')

/** The running containers of a pod with their start times (regular containers and running sidecars). */
function runningContainers(pod: PodObject): { container: Container; started: number }[] {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
  const out: { container: Container; started: number }[] = []
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const started = startedAt(s)
    const container = specs.find((c) => c.name === s.name)
    if (container && Number.isFinite(started)) out.push({ container, started })
  }
  return out
}

/** The resource usage model of one cluster. */
export class UsageModel implements MetricsSource {
  readonly overrides: UsageOverrides

  constructor(
    private readonly registry: Registry,
    overrides?: UsageOverrides,
  ) {
    this.overrides = overrides ?? usageOverridesFor(registry)
  }

  private now(): number {
    return this.registry.clock.now()
  }

  /** The usage of every running container of `pod` at the scrape `index` of its node (all of them, scraped yet or not). */
  containersOf(pod: PodObject, index: number, before = Number.POSITIVE_INFINITY): ContainerUsage[] {
    const ns = pod.metadata.namespace ?? ''
    const name = pod.metadata.name ?? ''
    const labels = pod.metadata.labels ?? {}
    const out: ContainerUsage[] = []
    for (const { container, started } of runningContainers(pod)) {
      if (started > before) continue
      const override = this.overrides.empty ? undefined : this.overrides.forContainer(ns, name, labels, container.name)
      const u = containerUsage({ seed: `${pod.metadata.uid}/${container.name}`, container, sample: index, override })
      out.push({ name: container.name, ...u })
    }
    return out
  }

  /** A pod's sample as metrics-server has it now: Running, on a Ready node (whose kubelet it can scrape), with containers that have been scraped twice. */
  podSample(pod: PodObject, nodeReady: (node: string) => boolean): PodUsageSample | undefined {
    if (pod.status?.phase !== 'Running' || !pod.spec?.nodeName || !nodeReady(pod.spec.nodeName)) return undefined
    const scrape = lastScrape(pod.spec.nodeName, this.now())
    // metrics-server rates CPU between two scrapes: a container shows from its second one.
    const containers = this.containersOf(pod, scrape.index, scrape.at - metricResolutionMs)
    if (!containers.length) return undefined
    return {
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      timestamp: scrape.at,
      windowMs: windowMs(pod.metadata.uid ?? '', scrape.index),
      containers,
    }
  }

  pods(namespace: string): PodUsageSample[] {
    const items = this.registry.resource('', 'pods').list(namespace || undefined).items
    const ready = this.readyNodes()
    const out: PodUsageSample[] = []
    for (const s of items) {
      const sample = this.podSample(s.obj as PodObject, (n) => ready.has(n))
      if (sample) out.push(sample)
    }
    return out
  }

  pod(namespace: string, name: string): PodUsageSample | undefined {
    const s = this.registry.resource('', 'pods').getStored(namespace, name)
    const nodes = this.registry.resource('', 'nodes')
    return s ? this.podSample(s.obj as PodObject, (n) => isReady(nodes.getStored('', n)?.obj)) : undefined
  }

  /** The names of the nodes whose kubelet is Ready. */
  private readyNodes(): Set<string> {
    const out = new Set<string>()
    for (const s of this.registry.resource('', 'nodes').list(undefined).items) if (isReady(s.obj)) out.add(s.obj.metadata.name ?? '')
    return out
  }

  /** A node's sample: its system share plus every running container on it; none while its kubelet is not Ready. */
  nodeSample(node: KubeObject, pods: PodObject[]): NodeUsageSample | undefined {
    const name = node.metadata.name ?? ''
    if (!isReady(node)) return undefined
    const scrape = lastScrape(name, this.now())
    if (scrape.at < Date.parse(node.metadata.creationTimestamp ?? '') + metricResolutionMs) return undefined
    const controlPlane = 'node-role.kubernetes.io/control-plane' in (node.metadata.labels ?? {})
    const sys = controlPlane ? nodeSystemUsage.controlPlane : nodeSystemUsage.worker
    const seed = node.metadata.uid ?? name
    let cpu = (sys.cpuMilli[0] + (sys.cpuMilli[1] - sys.cpuMilli[0]) * unitNoise(seed, `cpu${scrape.index}`)) * 1e6
    let memory = (sys.memoryMi[0] + (sys.memoryMi[1] - sys.memoryMi[0]) * unitNoise(seed, `mem${scrape.index}`)) * mi
    for (const p of pods) {
      for (const c of this.containersOf(p, scrape.index, scrape.at)) {
        cpu += c.cpuNanoCores
        memory += c.memoryBytes
      }
    }
    return { name, timestamp: scrape.at, windowMs: windowMs(seed, scrape.index), cpuNanoCores: Math.round(cpu), memoryBytes: Math.floor(memory / 4096) * 4096 }
  }

  /** Running pods by node name. */
  private podsByNode(): Map<string, PodObject[]> {
    const by = new Map<string, PodObject[]>()
    for (const s of this.registry.resource('', 'pods').list(undefined).items) {
      const p = s.obj as PodObject
      const node = p.spec?.nodeName
      if (!node || p.status?.phase !== 'Running') continue
      let list = by.get(node)
      if (!list) by.set(node, (list = []))
      list.push(p)
    }
    return by
  }

  nodes(): NodeUsageSample[] {
    const by = this.podsByNode()
    const out: NodeUsageSample[] = []
    for (const s of this.registry.resource('', 'nodes').list(undefined).items) {
      const sample = this.nodeSample(s.obj, by.get(s.obj.metadata.name ?? '') ?? [])
      if (sample) out.push(sample)
    }
    return out
  }

  node(name: string): NodeUsageSample | undefined {
    const n = this.registry.resource('', 'nodes').getStored('', name)
    if (!n) return undefined
    const pods = this.registry
      .resource('', 'pods')
      .list(undefined, { fieldSelector: `spec.nodeName=${name}` })
      .items.map((s) => s.obj as PodObject)
    return this.nodeSample(
      n.obj,
      pods.filter((p) => p.status?.phase === 'Running'),
    )
  }
}
