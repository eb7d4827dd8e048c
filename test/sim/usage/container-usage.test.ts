/** @module container-usage.test: one container's sample from its image, program, limits and override. */
import type { Container } from 'kubernetes-types/core/v1.js'
import { describe, expect, it } from 'vitest'
import { containerUsage, memoryDemand } from '../../../src/sim/usage/container-usage.js'

const mi = 2 ** 20
const at = (container: Container, sample = 1, seed = 'uid-1/c', override?: { cpuNanoCores?: number; memoryBytes?: number }) =>
  containerUsage({ seed, container, sample, override })

describe('containerUsage', () => {
  it('is the same for the same pod and sample, and moves a little between samples', () => {
    const c = { name: 'nginx', image: 'nginx:1.27' }
    expect(at(c, 7)).toEqual(at(c, 7))
    const samples = Array.from({ length: 20 }, (_, i) => at(c, i))
    expect(new Set(samples.map((s) => s.cpuNanoCores)).size).toBeGreaterThan(10)
    for (const s of samples) {
      // nginx idles at 0-1m and a few MiB, in whole pages.
      expect(s.cpuNanoCores).toBeLessThan(2_000_000)
      expect(s.memoryBytes).toBeGreaterThan(2 * mi)
      expect(s.memoryBytes).toBeLessThan(8 * mi)
      expect(s.memoryBytes % 4096).toBe(0)
    }
  })

  it('busybox sleeping uses no CPU and under 1Mi; coredns about 2m and 15Mi', () => {
    const sleep = at({ name: 'c', image: 'busybox', command: ['sleep', '3600'] })
    expect(sleep.cpuNanoCores).toBe(0)
    expect(sleep.memoryBytes).toBeLessThan(mi)
    const dns = at({ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3' })
    expect(dns.cpuNanoCores).toBeGreaterThanOrEqual(1_000_000)
    expect(dns.cpuNanoCores).toBeLessThan(4_000_000)
    expect(dns.memoryBytes).toBeGreaterThan(12 * mi)
    expect(dns.memoryBytes).toBeLessThan(18 * mi)
  })

  it('a busy loop takes about a core, throttled at the CPU limit', () => {
    const loop = { name: 'c', image: 'busybox', command: ['sh', '-c', 'while true; do :; done'] }
    expect(at(loop).cpuNanoCores).toBeGreaterThan(0.96e9)
    expect(at(loop).cpuNanoCores).toBeLessThanOrEqual(1e9)
    const capped = at({ ...loop, resources: { limits: { cpu: '200m' } } }).cpuNanoCores
    expect(capped).toBeGreaterThan(0.19e9)
    expect(capped).toBeLessThanOrEqual(0.2e9)
  })

  it('an override is reported exactly (CPU still throttled by the limit)', () => {
    const c = { name: 'c', image: 'nginx', resources: { limits: { cpu: '1' } } }
    expect(at(c, 3, 's', { cpuNanoCores: 500_000_000, memoryBytes: 200 * mi })).toEqual({ cpuNanoCores: 500_000_000, memoryBytes: 200 * mi })
    expect(at(c, 3, 's', { cpuNanoCores: 3e9 }).cpuNanoCores).toBeLessThanOrEqual(1e9)
  })

  it('memoryDemand passes the limit where the program allocates past it; the sample never shows more than the limit', () => {
    const stress = {
      name: 'c',
      image: 'polinux/stress',
      command: ['stress'],
      args: ['--vm', '1', '--vm-bytes', '250M', '--vm-hang', '1'],
      resources: { limits: { memory: '100Mi' } },
    }
    expect(memoryDemand({ seed: 's', container: stress }).low).toBeGreaterThan(250 * mi)
    expect(at(stress).memoryBytes).toBe(100 * mi)
    expect(memoryDemand({ seed: 's', container: stress, override: { memoryBytes: 50 * mi } })).toEqual({ low: 50 * mi, high: 50 * mi })
  })
})
