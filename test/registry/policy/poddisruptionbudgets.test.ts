import { describe, expect, it } from 'vitest'
import { podDisruptionBudgets, type PodDisruptionBudget } from '../../../src/registry/policy/poddisruptionbudgets.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:00:30Z'), randomSuffix: () => 'abcde' }

function pdb(spec: Record<string, unknown>): PodDisruptionBudget {
  const p = {
    metadata: { name: 'web-pdb', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  } as PodDisruptionBudget
  podDisruptionBudgets.prepareForCreate!(p, ctx)
  return p
}

describe('poddisruptionbudgets', () => {
  it('starts with zeroed status counters', () => {
    expect(pdb({ minAvailable: 2 }).status).toEqual({ currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })
  })

  it('rejects minAvailable together with maxUnavailable, and bad percents', () => {
    expect(podDisruptionBudgets.validate!(pdb({ minAvailable: 1 }))).toEqual([])
    const both = podDisruptionBudgets.validate!(pdb({ minAvailable: 1, maxUnavailable: 1 }))
    expect(both.map((e) => `${e.field}: ${e.detail}`)).toEqual(['spec: minAvailable and maxUnavailable cannot be both set'])
    const pct = podDisruptionBudgets.validate!(pdb({ maxUnavailable: '150%' }))
    expect(pct.map((e) => `${e.field}: ${e.detail}`)).toEqual(['spec.maxUnavailable: must not be greater than 100%'])
    expect(podDisruptionBudgets.validate!(pdb({ minAvailable: -1 })).map((e) => e.detail)).toEqual(['must be greater than or equal to 0'])
  })

  it('prints N/A for the unset bound and ALLOWED DISRUPTIONS as an integer', () => {
    const p = pdb({ minAvailable: '50%' })
    p.status = { ...p.status!, disruptionsAllowed: 1 }
    expect(podDisruptionBudgets.row!(p, ctx.now)).toEqual(['web-pdb', '50%', 'N/A', 1, '30s'])
    expect(podDisruptionBudgets.columns!.map((c) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'])
  })
})
