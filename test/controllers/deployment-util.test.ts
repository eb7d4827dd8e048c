/** @module deployment-util.test: the rollout arithmetic (fenceposts table, new-RS sizing, proportions), template hash, revision history and status conditions. */
import { describe, expect, it } from 'vitest'
import { canonicalJSON, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from '../../src/controllers/deployment-hash.js'
import { calculateStatus, deploymentTimedOut, setCondition } from '../../src/controllers/deployment-status.js'
import {
  findActiveOrLatest,
  findNewReplicaSet,
  getProportion,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from '../../src/controllers/deployment-util.js'
import type { Deployment } from '../../src/registry/apps/deployments.js'
import type { ReplicaSet } from '../../src/registry/apps/replicasets.js'

function deploy(replicas: number, surge: string | number = '25%', unavailable: string | number = '25%', annotations: Record<string, string> = {}): Deployment {
  return {
    metadata: { name: 'web', annotations, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.0' }] } },
    },
  }
}

function rs(
  name: string,
  replicas: number,
  opts: { created?: string; annotations?: Record<string, string>; available?: number; image?: string } = {},
): ReplicaSet {
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', annotations: opts.annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': name } },
        spec: { containers: [{ name: 'nginx', image: opts.image ?? 'nginx:1.15.12' }] },
      },
    },
    status: { replicas, availableReplicas: opts.available ?? replicas },
  }
}

describe('pod-template-hash', () => {
  it('SafeEncodeString maps decimal digits to 4…f', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf')
  })

  it('fnv32a matches the reference vectors', () => {
    expect(fnv32a(new TextEncoder().encode(''))).toBe(0x811c9dc5)
    expect(fnv32a(new TextEncoder().encode('a'))).toBe(0xe40c292c)
    expect(fnv32a(new TextEncoder().encode('foobar'))).toBe(0xbf9cf968)
  })

  it('is stable across key order and restarts, and changes with the template and the collision count', () => {
    const t1 = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } }
    const t2 = { spec: { containers: [{ image: 'nginx:1.15.12', name: 'nginx' }] }, metadata: { labels: { tier: 'x', app: 'web' } } }
    expect(canonicalJSON(t1)).toBe(canonicalJSON(t2))
    expect(computeHash(t1)).toBe(computeHash(t2))
    // Pinned: ReplicaSet names must not change between releases of kubemock.
    expect(computeHash(t1)).toBe(computeHash(JSON.parse(JSON.stringify(t1))))
    expect(computeHash(t1)).toMatch(/^[4-9bcdf]{1,10}$/)
    expect(computeHash({ ...t1, spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.0' }] } })).not.toBe(computeHash(t1))
    expect(computeHash(t1, 1)).not.toBe(computeHash(t1))
    expect(computeHash(t1, 0)).not.toBe(computeHash(t1))
  })

  it('EqualIgnoreHash ignores the hash label and empty maps', () => {
    const a = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, annotations: {} }, spec: { containers: [{ name: 'n', image: 'i' }] } }
    const b = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'n', image: 'i' }] } }
    expect(equalIgnoreHash(a, b)).toBe(true)
    expect(equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'n', image: 'j' }] } })).toBe(false)
  })
})

describe('rolling math', () => {
  it.each([
    // [maxSurge, maxUnavailable, desired, surge, unavailable] — ResolveFenceposts
    ['25%', '25%', 3, 1, 0],
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    ['39%', '39%', 10, 4, 3],
    [undefined, '39%', 10, 0, 3],
    ['39%', undefined, 10, 4, 0],
    [undefined, undefined, 10, 0, 1],
    ['0%', '1%', 2, 0, 1],
    [0, 0, 5, 0, 1],
    [2, 1, 5, 2, 1],
  ] as const)('resolveFenceposts(%s, %s, %i) = [%i, %i]', (s, u, desired, surge, unavailable) => {
    expect(resolveFenceposts(s, u, desired)).toEqual([surge, unavailable])
  })

  it('rejects a bare numeric string like upstream', () => {
    expect(() => resolveFenceposts('0', '0', 0)).toThrow()
    expect(() => resolveFenceposts('oops', '39%', 10)).toThrow()
  })

  it('MaxUnavailable is capped at replicas and 0 for Recreate or 0 replicas; MaxSurge 0 for Recreate', () => {
    expect(maxUnavailable(deploy(3, '25%', '200%'))).toBe(3)
    expect(maxUnavailable(deploy(0))).toBe(0)
    const recreate = { ...deploy(3), spec: { ...deploy(3).spec!, strategy: { type: 'Recreate' } } }
    expect(maxUnavailable(recreate)).toBe(0)
    expect(maxSurge(recreate)).toBe(0)
  })

  it('NewRSNewReplicas stays within replicas + surge and never above replicas', () => {
    const d = deploy(3)
    expect(newRSNewReplicas(d, [rs('a', 3), rs('b', 0)], rs('b', 0))).toBe(1)
    expect(newRSNewReplicas(d, [rs('a', 3), rs('b', 1)], rs('b', 1))).toBe(1)
    expect(newRSNewReplicas(d, [rs('a', 2), rs('b', 1)], rs('b', 1))).toBe(2)
    expect(newRSNewReplicas(d, [rs('a', 0), rs('b', 2)], rs('b', 2))).toBe(3)
    expect(newRSNewReplicas(deploy(10), [rs('a', 10), rs('b', 0)], rs('b', 0))).toBe(3)
    const recreate = { ...d, spec: { ...d.spec!, strategy: { type: 'Recreate' } } }
    expect(newRSNewReplicas(recreate, [rs('a', 3)], rs('b', 0))).toBe(3)
  })

  it('GetProportion splits by the max-replicas annotation, clamped to what is left', () => {
    const d = deploy(20, 3, 2)
    const old = rs('a', 8, { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } })
    expect(getProportion(old, d, 10, 0)).toBe(6) // round(8·23/13) − 8 = 14 − 8
    expect(getProportion(old, d, 5, 0)).toBe(5)
    expect(getProportion(rs('z', 0), d, 5, 0)).toBe(0)
    expect(getProportion(old, deploy(0), -8, 0)).toBe(-8)
  })

  it('GetProportion falls back to status.replicas without a (non-zero) max-replicas annotation, and gives no share when that is 0', () => {
    const d = { ...deploy(20, 3, 2), status: { replicas: 13 } }
    expect(getProportion(rs('a', 8), d, 10, 0)).toBe(6)
    expect(getProportion(rs('a', 8, { annotations: { 'deployment.kubernetes.io/max-replicas': '0' } }), d, 10, 0)).toBe(6)
    expect(getProportion(rs('a', 8), deploy(20, 3, 2), 10, 0)).toBe(0)
    expect(getProportion(rs('a', 8, { annotations: { 'deployment.kubernetes.io/max-replicas': '0' } }), deploy(20, 3, 2), -5, 0)).toBe(0)
  })

  it('FindActiveOrLatest returns the only active RS, the newest when none, nothing when several', () => {
    const a = rs('a', 0, { created: '2026-01-01T00:00:00Z' })
    const b = rs('b', 0, { created: '2026-01-01T00:01:00Z' })
    expect(findActiveOrLatest(undefined, [a, b])?.metadata.name).toBe('b')
    expect(findActiveOrLatest(rs('n', 2), [a, b])?.metadata.name).toBe('n')
    expect(findActiveOrLatest(rs('n', 2), [rs('c', 1)])).toBeUndefined()
  })

  it('FindNewReplicaSet picks the oldest RS whose template matches', () => {
    const d = deploy(3)
    const x = rs('x', 1, { created: '2026-01-01T00:02:00Z', image: 'nginx:1.16.0' })
    const y = rs('y', 1, { created: '2026-01-01T00:01:00Z', image: 'nginx:1.16.0' })
    expect(findNewReplicaSet(d, [x, y, rs('z', 1)])?.metadata.name).toBe('y')
  })
})

describe('revisions', () => {
  it('a new RS gets the copied annotations (minus the skip list), its revision and the replicas annotations', () => {
    const d = deploy(3, '25%', '25%', {
      'kubernetes.io/change-cause': 'c1',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'deployment.kubernetes.io/revision': '7',
      team: 'a',
    })
    const r = rs('n', 0)
    expect(setNewReplicaSetAnnotations(d, r, 1, false)).toBe(true)
    expect(r.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'c1',
      team: 'a',
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    })
  })

  it('re-using an RS (rollback) moves its old revision into revision-history: 2 → 4 → 6 gives "2,4"', () => {
    const d = deploy(3)
    const r = rs('n', 3, { annotations: { 'deployment.kubernetes.io/revision': '2' } })
    expect(setNewReplicaSetAnnotations(d, r, 4, true)).toBe(true)
    expect(r.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/revision-history': '2' })
    setNewReplicaSetAnnotations(d, r, 6, true)
    expect(r.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('2,4')
    // Never lowered, and unchanged when already current.
    expect(setNewReplicaSetAnnotations(d, r, 3, true)).toBe(false)
    expect(r.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('6')
  })

  it('history after 1, 2, a failed 3 and an undo reads 1, 3, 4', () => {
    const d = deploy(3)
    const r1 = rs('r1', 0, { annotations: { 'deployment.kubernetes.io/revision': '1' } })
    const r2 = rs('r2', 3, { annotations: { 'deployment.kubernetes.io/revision': '2' } })
    const r3 = rs('r3', 1, { annotations: { 'deployment.kubernetes.io/revision': '3' } })
    // After the undo the template equals r2's: it is the new RS and the others are old (max 3).
    setNewReplicaSetAnnotations(d, r2, Math.max(1, 3) + 1, true)
    const revisions = [r1, r2, r3].map((x) => Number(x.metadata.annotations!['deployment.kubernetes.io/revision'])).sort()
    expect(revisions).toEqual([1, 3, 4])
  })
})

describe('status', () => {
  it('calculateStatus sums the RSs, uses spec replicas for unavailable, and sets Available by maxUnavailable', () => {
    const d = deploy(3)
    const s = calculateStatus(
      [rs('a', 3, { available: 3 }), { ...rs('b', 1), status: { replicas: 1 } }],
      { ...rs('b', 1), status: { replicas: 1 } },
      d,
      Date.parse('2026-01-01T00:00:00Z'),
    )
    expect(s).toEqual({
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
      unavailableReplicas: 1,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: '2026-01-01T00:00:00Z',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
      ],
    })
    expect(calculateStatus([{ ...rs('a', 3), status: { replicas: 3, availableReplicas: 2 } }], undefined, d, 0).conditions![0].reason).toBe(
      'MinimumReplicasUnavailable',
    )
  })

  it('setCondition keeps lastTransitionTime when only the reason changes and is a no-op for the same status+reason', () => {
    const st = {
      conditions: [{ type: 'Progressing', status: 'True', lastUpdateTime: 't0', lastTransitionTime: 't0', reason: 'NewReplicaSetCreated', message: 'm' }],
    }
    setCondition(st, { type: 'Progressing', status: 'True', lastUpdateTime: 't1', lastTransitionTime: 't1', reason: 'NewReplicaSetCreated', message: 'other' })
    expect(st.conditions[0].message).toBe('m')
    setCondition(st, { type: 'Progressing', status: 'True', lastUpdateTime: 't2', lastTransitionTime: 't2', reason: 'ReplicaSetUpdated', message: 'n' })
    expect(st.conditions[0]).toMatchObject({ lastUpdateTime: 't2', lastTransitionTime: 't0', reason: 'ReplicaSetUpdated' })
  })

  it('times out strictly after lastUpdateTime + progressDeadlineSeconds, never after NewReplicaSetAvailable', () => {
    const d = deploy(3)
    const cond = (reason: string) => ({ conditions: [{ type: 'Progressing', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z', reason }] })
    const t0 = Date.parse('2026-01-01T00:00:00Z')
    expect(deploymentTimedOut(d, cond('ReplicaSetUpdated'), t0 + 600_000)).toBe(false)
    expect(deploymentTimedOut(d, cond('ReplicaSetUpdated'), t0 + 600_001)).toBe(true)
    expect(deploymentTimedOut(d, cond('NewReplicaSetAvailable'), t0 + 10_000_000)).toBe(false)
    expect(deploymentTimedOut(d, cond('ProgressDeadlineExceeded'), t0)).toBe(true)
  })
})
