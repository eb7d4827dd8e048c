/** @module hpa-behavior.test: stabilisation and scaling policies against cases of upstream's horizontal_test.go (TestScalingWithRules, TestNormalizeDesiredReplicas…). */
import type { HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js'
import { describe, expect, it } from 'vitest'
import { newHistory, normalizeDesiredReplicas, normalizeWithBehaviors, storeScaleEvent, type HPAHistory } from '../../src/controllers/hpa-behavior.js'

const now = 1_000_000_000
const defaults: HorizontalPodAutoscalerBehavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
}
const empty = (): HPAHistory => ({ recommendations: [], scaleUp: [], scaleDown: [] })

describe('normalizeDesiredReplicas (no behavior)', () => {
  it('limits a scale-up to max(2 × current, 4)', () => {
    const r = normalizeDesiredReplicas(empty(), now, 3, 10, 1, 20)
    expect(r.replicas).toBe(6)
    expect(r.scalingLimited).toEqual({
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    })
    expect(normalizeDesiredReplicas(empty(), now, 1, 10, 1, 20).replicas).toBe(4)
  })

  it('TooManyReplicas and TooFewReplicas', () => {
    expect(normalizeDesiredReplicas(empty(), now, 5, 8, 1, 6)).toMatchObject({ replicas: 6, scalingLimited: { status: 'True', reason: 'TooManyReplicas' } })
    expect(normalizeDesiredReplicas(empty(), now, 5, 1, 2, 6)).toMatchObject({ replicas: 2, scalingLimited: { status: 'True', reason: 'TooFewReplicas' } })
    expect(normalizeDesiredReplicas(empty(), now, 5, 4, 2, 6)).toMatchObject({
      replicas: 4,
      ableToScale: { reason: 'ReadyForNewScale' },
      scalingLimited: { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
    })
  })

  it('keeps the highest recommendation of the last 5 minutes, then lets go', () => {
    const h = newHistory(5, now)
    const r = normalizeDesiredReplicas(h, now + 60_000, 5, 2, 1, 10)
    expect(r).toMatchObject({ replicas: 5, ableToScale: { reason: 'ScaleDownStabilized' } })
    expect(r.ableToScale.message).toBe('recent recommendations were higher than current one, applying the highest recent recommendation')
    // After the window the initial 5 is old (and its slot reused); the 2 from a minute in still counts.
    expect(normalizeDesiredReplicas(h, now + 301_000, 5, 1, 1, 10).replicas).toBe(2)
    expect(h.recommendations).toHaveLength(2)
    expect(normalizeDesiredReplicas(h, now + 400_000, 2, 1, 1, 10).replicas).toBe(1)
  })
})

describe('normalizeWithBehaviors', () => {
  it('scale up with the default behavior: max(4 pods, 100%) per 15 s', () => {
    expect(normalizeWithBehaviors(empty(), now, defaults, 10, 50, 1, 1000)).toMatchObject({ replicas: 20, scalingLimited: { reason: 'ScaleUpLimit' } })
    expect(normalizeWithBehaviors(empty(), now, defaults, 1, 50, 1, 1000).replicas).toBe(5)
    expect(normalizeWithBehaviors(empty(), now, defaults, 1, 50, 1, 3)).toMatchObject({ replicas: 3, scalingLimited: { reason: 'TooManyReplicas' } })
  })

  it('selectPolicy Min picks the smaller change', () => {
    const b = { ...defaults, scaleUp: { ...defaults.scaleUp, selectPolicy: 'Min' } }
    expect(normalizeWithBehaviors(empty(), now, b, 10, 50, 1, 1000).replicas).toBe(14)
  })

  it('selectPolicy Disabled keeps the current count', () => {
    const b = { ...defaults, scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0, policies: defaults.scaleDown!.policies } }
    expect(normalizeWithBehaviors(empty(), now, b, 10, 2, 1, 1000)).toMatchObject({
      replicas: 10,
      scalingLimited: { status: 'True', reason: 'ScaleDownLimit' },
    })
  })

  it('recent scale events count against the period: Pods 5 per 60 s after a scale-down of 2', () => {
    const b: HorizontalPodAutoscalerBehavior = {
      scaleUp: defaults.scaleUp,
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 5, periodSeconds: 60 }] },
    }
    const h = empty()
    storeScaleEvent(h, b, 12, 10, now - 30_000)
    expect(normalizeWithBehaviors(h, now, b, 10, 2, 1, 100)).toMatchObject({ replicas: 7, scalingLimited: { reason: 'ScaleDownLimit' } })
    // Past the period the event no longer counts.
    expect(normalizeWithBehaviors(h, now + 60_000, b, 10, 2, 1, 100).replicas).toBe(5)
  })

  it('a scale-up stabilisation window applies the lowest recent recommendation', () => {
    const b = { ...defaults, scaleUp: { ...defaults.scaleUp, stabilizationWindowSeconds: 60 } }
    const h = empty()
    normalizeWithBehaviors(h, now, b, 3, 3, 1, 100)
    const r = normalizeWithBehaviors(h, now + 15_000, b, 3, 6, 1, 100)
    expect(r).toMatchObject({ replicas: 3, ableToScale: { reason: 'ScaleUpStabilized' } })
  })

  it('the scale-down window defaults to the controller flag when the spec has none', () => {
    const h = newHistory(8, now)
    expect(normalizeWithBehaviors(h, now + 100_000, defaults, 8, 2, 1, 100).replicas).toBe(8)
    expect(normalizeWithBehaviors(h, now + 301_000, defaults, 8, 2, 1, 100).replicas).toBe(2)
  })
})
