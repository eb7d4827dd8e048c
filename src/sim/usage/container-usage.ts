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

/** A deterministic number in [0, 1) for a hashed seed and an integer salt (murmur3's finalizer): no string work per sample. */
function mixNoise(h: number, salt: number): number {
  let x = (h ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32
}

/** Salts of the per-sample draws (sample × 8 + one of these). */
const draw = { cpu: 0, cpuNanos: 1, busy: 2, throttle: 3, memory: 4 }

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

/** What the usage of a container spec depends on, derived once per spec object (stored versions are immutable). */
interface SpecFacts {
  base: BaseUsage
  program: ReturnType<typeof programUsage>
  limits: { cpuNanoCores?: number; memoryBytes?: number }
}

const facts = new WeakMap<Container, SpecFacts>()

function factsOf(c: Container): SpecFacts {
  let f = facts.get(c)
  if (!f) {
    const cpu = parseQuantity(c.resources?.limits?.cpu)
    const memory = parseQuantity(c.resources?.limits?.memory)
    f = {
      base: baseUsageOf(c.image),
      program: programUsage(commandLine(c)),
      limits: { cpuNanoCores: cpu === undefined ? undefined : Math.round(cpu * 1e9), memoryBytes: memory === undefined ? undefined : Math.ceil(memory) },
    }
    facts.set(c, f)
  }
  return f
}

/** The container's limits in nanocores and bytes (undefined: none). */
export function limitsOf(c: Container): { cpuNanoCores?: number; memoryBytes?: number } {
  return factsOf(c).limits
}

/**
 * The memory the container's program would hold if nothing stopped it (its idle working set,
 * what it allocates, or the override), before the kernel's limit applies; the low and high
 * ends of how it moves between samples.
 */
export function memoryDemand(input: Omit<ContainerUsageInput, 'sample'>): { low: number; high: number } {
  if (input.override?.memoryBytes !== undefined) return { low: input.override.memoryBytes, high: input.override.memoryBytes }
  const f = factsOf(input.container)
  const base = f.base.memoryMi
  const held = f.program.heldBytes ?? 0
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
  const h = fnv32(seed)
  const at = (k: number) => mixNoise(h, sample * 8 + k)
  const f = factsOf(container)
  const limits = f.limits
  let cpu: number
  if (override?.cpuNanoCores !== undefined) cpu = override.cpuNanoCores
  else {
    const busy = f.program.busyCores
    const [lo, hi] = f.base.cpuMilli
    const idle = hi > 0 ? (lo + (hi - lo) * at(draw.cpu)) * 1e6 + Math.floor(at(draw.cpuNanos) * 1e6) : 0
    // A spinning program keeps its cores busy, less a little scheduling noise.
    cpu = busy ? busy * 1e9 * (0.97 + 0.03 * at(draw.busy)) : idle
  }
  if (limits.cpuNanoCores !== undefined && cpu > limits.cpuNanoCores) cpu = limits.cpuNanoCores * (0.98 + 0.02 * at(draw.throttle))
  const demand = memoryDemand(input)
  let memory = demand.low + (demand.high - demand.low) * at(draw.memory)
  if (limits.memoryBytes !== undefined && memory > limits.memoryBytes) memory = limits.memoryBytes
  return { cpuNanoCores: Math.round(cpu), memoryBytes: Math.floor(memory / page) * page }
}
