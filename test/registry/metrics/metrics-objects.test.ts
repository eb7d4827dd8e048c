/** @module metrics-objects.test: quantities and durations as metrics-server prints them. */
import { describe, expect, it } from 'vitest'
import { goDurationMs, nodeMetricsObject, usageOf } from '../../../src/registry/metrics/metrics-objects.js'

describe('metrics objects', () => {
  it('prints CPU as a nano-scaled quantity and memory in binary units', () => {
    expect(usageOf(1_234_567, 12_345 * 1024)).toEqual({ cpu: '1234567n', memory: '12345Ki' })
    expect(usageOf(500_000_000, 200 * 2 ** 20)).toEqual({ cpu: '500m', memory: '200Mi' })
    expect(usageOf(0, 0)).toEqual({ cpu: '0', memory: '0' })
    expect(usageOf(2e9, 1000)).toEqual({ cpu: '2', memory: '1k' })
  })

  it('prints windows as time.Duration.String()', () => {
    expect(goDurationMs(10_002)).toBe('10.002s')
    expect(goDurationMs(10_200)).toBe('10.2s')
    expect(goDurationMs(15_000)).toBe('15s')
    expect(goDurationMs(75_500)).toBe('1m15.5s')
    expect(goDurationMs(0)).toBe('0s')
    expect(goDurationMs(250)).toBe('250ms')
  })

  it('a NodeMetrics carries the node labels, the sample time and the request time', () => {
    const o = nodeMetricsObject(
      { name: 'n', timestamp: 1_700_000_000_000, windowMs: 10_500, cpuNanoCores: 31e6, memoryBytes: 2 ** 27 },
      { a: 'b' },
      1_700_000_005_000,
    )
    expect(o).toEqual({
      metadata: { name: 'n', creationTimestamp: '2023-11-14T22:13:25Z', labels: { a: 'b' } },
      timestamp: '2023-11-14T22:13:20Z',
      window: '10.5s',
      usage: { cpu: '31m', memory: '128Mi' },
    })
  })
})
