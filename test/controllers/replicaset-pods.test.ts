/** @module replicaset-pods.test: pod deletion ranking (ActivePodsWithRanks) and availability. */
import { describe, expect, it } from 'vitest'
import { isPodAvailable, podsToDelete } from '../../src/controllers/replicaset-pods.js'
import type { PodObject } from '../../src/registry/core/pods.js'

const now = Date.parse('2026-01-01T01:00:00Z')

function pod(
  name: string,
  o: { node?: string; phase?: string; ready?: boolean; readySince?: string; created?: string; restarts?: number; cost?: string } = {},
): PodObject {
  return {
    metadata: {
      name,
      uid: name,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:10Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, image: '', imageID: '', ready: true }],
    },
  } as PodObject
}

const names = (ps: PodObject[]) => ps.map((p) => p.metadata.name)

describe('podsToDelete (ActivePodsWithRanks)', () => {
  it('orders unscheduled < pending < unknown < running, then not ready < ready', () => {
    const ps = [
      pod('running', { node: 'n1' }),
      pod('unready', { node: 'n1', ready: false }),
      pod('unknown', { node: 'n1', phase: 'Unknown' }),
      pod('pending', { node: 'n1', phase: 'Pending', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
    ]
    expect(names(podsToDelete(ps, [], 4, now))).toEqual(['unscheduled', 'pending', 'unknown', 'unready'])
  })

  it('prefers lower deletion cost, then pods doubled up on a node', () => {
    const a = pod('a', { node: 'n1' })
    const b = pod('b', { node: 'n2' })
    const c = pod('c', { node: 'n2', cost: '-5' })
    expect(names(podsToDelete([a, b, c], [a, b, c], 1, now))).toEqual(['c'])
    expect(names(podsToDelete([a, b], [a, b, pod('x', { node: 'n2' })], 1, now))).toEqual(['b'])
  })

  it('prefers more recently ready (log2 buckets), then more restarts, then newer', () => {
    const old = pod('old', { node: 'n1', readySince: '2026-01-01T00:00:00Z' })
    const fresh = pod('fresh', { node: 'n1', readySince: '2026-01-01T00:59:00Z' })
    expect(names(podsToDelete([old, fresh], [], 1, now))).toEqual(['fresh'])
    const crashy = pod('crashy', { node: 'n1', restarts: 3 })
    expect(names(podsToDelete([pod('calm', { node: 'n1' }), crashy], [], 1, now))).toEqual(['crashy'])
    const newer = pod('newer', { node: 'n1', created: '2026-01-01T00:50:00Z' })
    expect(names(podsToDelete([pod('older', { node: 'n1', created: '2026-01-01T00:00:00Z' }), newer], [], 1, now))).toEqual(['newer'])
  })

  it('returns every pod when the surplus covers them all', () => {
    expect(podsToDelete([pod('a'), pod('b')], [], 5, now)).toHaveLength(2)
  })
})

describe('isPodAvailable', () => {
  it('needs Ready for strictly more than minReadySeconds', () => {
    const p = pod('a', { readySince: '2026-01-01T00:59:50Z' })
    expect(isPodAvailable(p, 0, now)).toBe(true)
    expect(isPodAvailable(p, 10, now)).toBe(false)
    expect(isPodAvailable(p, 10, now + 1)).toBe(true)
    expect(isPodAvailable(pod('b', { ready: false }), 0, now)).toBe(false)
  })
})
