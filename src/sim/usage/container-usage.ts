/**
 * @module container-usage: one running container's CPU and working-set memory at a sample, from
 * its image's idle usage, what its program does, its limits and the control API's override. Pure.
 */
import type { Container } from 'kubernetes-types/core/v1.js'
import { parseQuantity } from '../../registry/shared/quantity.js'
import { fnv32 } from '../../util/hash.js'
import { parseImageRef } from '../images.js'
import { defaultUsage, imageUsage, type BaseUsage } from './image-usage.js'
import { programUsage } from './program-usage.js'
import type { UsageValues } from './usage-overrides.js'

const mi = 2 ** 20
const page = 4096

/** A deterministic number in [0, 1) for `seed` and `salt`. */
export function unitNoise(seed: string, salt: string | number): number {
  return fnv32(`${seed}#${salt}`) / 2 ** 32
}

/** The image's idle usage. */
export function baseUsageOf(image: string | undefined): BaseUsage {
  return imageUsage[parseImageRef(image || 'unknown').repository] ?? defaultUsage
}

/** What the usage of a container is computed from. */
export interface ContainerUsageInput {
  /** Stable per container of a pod (`<pod uid>/<container name>`): the same pod reads the same. */
  seed: string
  container: Container
  /** The index of the sample (sample time / resolution): usage moves a little from one to the next. */
  sample: number
  override?: UsageValues
}

/** The container's limits in nanocores and bytes (undefined: none). */
export function limitsOf(c: Container): { cpuNanoCores?: number; memoryBytes?: number } {
  const cpu = parseQuantity(c.resources?.limits?.cpu)
  const memory = parseQuantity(c.resources?.limits?.memory)
  return { cpuNanoCores: cpu === undefined ? undefined : Math.round(cpu * 1e9), memoryBytes: memory === undefined ? undefined : Math.ceil(memory) }
}

/**
 * The memory the container's program would hold if nothing stopped it (its idle working set,
 * what it allocates, or the override), before the kernel's limit applies; the low and high
 * ends of how it moves between samples.
 */
export function memoryDemand(input: Omit<ContainerUsageInput, 'sample'>): { low: number; high: number } {
  if (input.override?.memoryBytes !== undefined) return { low: input.override.memoryBytes, high: input.override.memoryBytes }
  const base = baseUsageOf(input.container.image).memoryMi
  const held = programUsage(commandLine(input.container)).heldBytes ?? 0
  // Where in the image's range this container sits is fixed by its seed; samples move ±1.5% around it.
  const mid = (base[0] + (base[1] - base[0]) * unitNoise(input.seed, 'memory')) * mi
  return { low: held + mid * 0.985, high: held + mid * 1.015 }
}

/** The container's `command` and `args` as one line. */
export function commandLine(c: Container): string {
  return [...(c.command ?? []), ...(c.args ?? [])].join(' ')
}

/**
 * CPU (nanocores) and working-set memory (bytes, whole pages) at one sample. CPU never passes
 * the CPU limit (the CFS quota throttles it); memory never passes the memory limit (the kernel
 * OOM-kills first: see memoryDemand and the OOM killer).
 */
export function containerUsage(input: ContainerUsageInput): { cpuNanoCores: number; memoryBytes: number } {
  const { seed, container, sample, override } = input
  const limits = limitsOf(container)
  let cpu: number
  if (override?.cpuNanoCores !== undefined) cpu = override.cpuNanoCores
  else {
    const busy = programUsage(commandLine(container)).busyCores
    const [lo, hi] = baseUsageOf(container.image).cpuMilli
    const idle = hi > 0 ? (lo + (hi - lo) * unitNoise(seed, `cpu${sample}`)) * 1e6 + Math.floor(unitNoise(seed, `cpun${sample}`) * 1e6) : 0
    // A spinning program keeps its cores busy, less a little scheduling noise.
    cpu = busy ? busy * 1e9 * (0.97 + 0.03 * unitNoise(seed, `busy${sample}`)) : idle
  }
  if (limits.cpuNanoCores !== undefined && cpu > limits.cpuNanoCores) cpu = limits.cpuNanoCores * (0.98 + 0.02 * unitNoise(seed, `thr${sample}`))
  const demand = memoryDemand(input)
  let memory = demand.low + (demand.high - demand.low) * unitNoise(seed, `mem${sample}`)
  if (limits.memoryBytes !== undefined && memory > limits.memoryBytes) memory = limits.memoryBytes
  return { cpuNanoCores: Math.round(cpu), memoryBytes: Math.floor(memory / page) * page }
}
