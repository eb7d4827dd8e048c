/**
 * @module hpa-behavior: how the HPA turns a metric recommendation into the replicas it sets
 * (pkg/controller/podautoscaler/horizontal.go: normalizeDesiredReplicas,
 * normalizeDesiredReplicasWithBehaviors, stabilizeRecommendation[WithBehaviors],
 * convertDesiredReplicasWithRules / WithBehaviorRate, storeScaleEvent): the per-HPA history of
 * recommendations and scale events, stabilisation windows and scaling policies.
 */
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js'

/** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
export const defaultDownscaleStabilizationMs = 5 * 60_000

/** scaleUpLimitFactor and scaleUpLimitMinimum of the behavior-less path. */
const scaleUpLimitFactor = 2
const scaleUpLimitMinimum = 4

interface Recommendation {
  replicas: number
  at: number
}
interface ScaleEvent {
  change: number
  at: number
  outdated: boolean
}

/** One HPA's memory (the controller's recommendations, scaleUpEvents and scaleDownEvents for its key). */
export interface HPAHistory {
  recommendations: Recommendation[]
  scaleUp: ScaleEvent[]
  scaleDown: ScaleEvent[]
}

/** A fresh history: recordInitialRecommendation seeds it with the current scale. */
export function newHistory(currentReplicas: number, now: number): HPAHistory {
  return { recommendations: [{ replicas: currentReplicas, at: now }], scaleUp: [], scaleDown: [] }
}

/** A condition the normalisation sets (AbleToScale is always True here). */
export interface ConditionText {
  reason: string
  message: string
}

/** The outcome: the replicas to set, and the AbleToScale and ScalingLimited conditions it implies. */
export interface Normalized {
  replicas: number
  ableToScale: ConditionText
  scalingLimited: ConditionText & { status: 'True' | 'False' }
}

const readyForNewScale: ConditionText = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
const withinRange: ConditionText = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' }
const tooMany: ConditionText = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
const tooFew: ConditionText = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }
const upLimit: ConditionText = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
const downLimit: ConditionText = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
const downStabilized: ConditionText = {
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
}
const upStabilized: ConditionText = {
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
}

/** Records a recommendation, reusing the slot of one older than every window. */
function remember(h: HPAHistory, replicas: number, now: number, oldIndex: number): void {
  if (oldIndex >= 0) h.recommendations[oldIndex] = { replicas, at: now }
  else h.recommendations.push({ replicas, at: now })
}

function finish(replicas: number, stabilized: number, able: ConditionText, limit: ConditionText): Normalized {
  return { replicas, ableToScale: able, scalingLimited: { ...limit, status: replicas === stabilized ? 'False' : 'True' } }
}

/** normalizeDesiredReplicas: the behavior-less path (downscale stabilisation, scale-up at most max(2×, 4)). */
export function normalizeDesiredReplicas(
  h: HPAHistory,
  now: number,
  current: number,
  desired: number,
  min: number,
  max: number,
  downscaleWindowMs = defaultDownscaleStabilizationMs,
): Normalized {
  let stabilized = desired
  let old = -1
  const cutoff = now - downscaleWindowMs
  h.recommendations.forEach((r, i) => {
    if (r.at < cutoff) old = i
    else if (r.replicas > stabilized) stabilized = r.replicas
  })
  remember(h, desired, now, old)
  const able = stabilized !== desired ? downStabilized : readyForNewScale
  const scaleUpLimit = Math.max(scaleUpLimitFactor * current, scaleUpLimitMinimum)
  const [maxAllowed, limit] = max > scaleUpLimit ? [scaleUpLimit, upLimit] : [max, tooMany]
  if (stabilized < min) return finish(min, stabilized, able, tooFew)
  if (stabilized > maxAllowed) return finish(maxAllowed, stabilized, able, limit)
  return finish(stabilized, stabilized, able, withinRange)
}

/** The scaling rules of a direction, with the controller's defaults for what the API server left unset. */
function rules(
  r: HPAScalingRules | undefined,
  up: boolean,
  downscaleWindowMs: number,
): Required<Pick<HPAScalingRules, 'selectPolicy' | 'stabilizationWindowSeconds'>> & HPAScalingRules {
  return {
    ...r,
    selectPolicy: r?.selectPolicy ?? 'Max',
    // maybeInitScaleDownStabilizationWindow: the controller's window when the spec has none.
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? (up ? 0 : Math.trunc(downscaleWindowMs / 1000)),
  }
}

/** getReplicasChangePerPeriod: the replicas changed by events inside the last `periodSeconds`. */
function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000
  let sum = 0
  for (const e of events) if (e.at > cutoff) sum += e.change
  return sum
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
function policyLimit(h: HPAHistory, current: number, r: HPAScalingRules, up: boolean, now: number): number {
  if (r.selectPolicy === 'Disabled') return current
  // For a scale-up the smallest change is the minimum; for a scale-down, the maximum.
  const pickMin = (r.selectPolicy === 'Min') === up
  let result = pickMin ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  for (const p of r.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, h.scaleUp, now) + changeInPeriod(p.periodSeconds, h.scaleDown, now)
    let proposed: number
    if (p.type === 'Pods') proposed = up ? start + p.value : start - p.value
    else proposed = up ? Math.ceil(start * (1 + p.value / 100)) : Math.trunc(start * (1 - p.value / 100))
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed)
  }
  return result
}

/** normalizeDesiredReplicasWithBehaviors: stabilisation windows in both directions, then the policies' rate limits. */
export function normalizeWithBehaviors(
  h: HPAHistory,
  now: number,
  behavior: HorizontalPodAutoscalerBehavior,
  current: number,
  desired: number,
  min: number,
  max: number,
  downscaleWindowMs = defaultDownscaleStabilizationMs,
): Normalized {
  const upRules = rules(behavior.scaleUp, true, downscaleWindowMs)
  const downRules = rules(behavior.scaleDown, false, downscaleWindowMs)
  const upCutoff = now - upRules.stabilizationWindowSeconds * 1000
  const downCutoff = now - downRules.stabilizationWindowSeconds * 1000
  let upRec = desired
  let downRec = desired
  let old = -1
  h.recommendations.forEach((r, i) => {
    if (r.at > upCutoff) upRec = Math.min(r.replicas, upRec)
    if (r.at > downCutoff) downRec = Math.max(r.replicas, downRec)
    if (r.at < upCutoff && r.at < downCutoff) old = i
  })
  let stabilized = Math.max(current, upRec)
  if (stabilized > downRec) stabilized = downRec
  remember(h, desired, now, old)
  const able = stabilized !== desired ? (desired >= current ? upStabilized : downStabilized) : readyForNewScale

  if (stabilized > current) {
    const limitUp = Math.max(policyLimit(h, current, upRules, true, now), current)
    const [maxAllowed, limit] = max > limitUp ? [limitUp, upLimit] : [max, tooMany]
    if (stabilized > maxAllowed) return finish(maxAllowed, stabilized, able, limit)
  } else if (stabilized < current) {
    const limitDown = Math.min(policyLimit(h, current, downRules, false, now), current)
    const [minAllowed, limit] = min < limitDown ? [limitDown, downLimit] : [min, tooFew]
    if (stabilized < minAllowed) return finish(minAllowed, stabilized, able, limit)
  }
  return finish(stabilized, stabilized, able, withinRange)
}

/** The longest policy period of a direction (getLongestPolicyPeriod). */
function longestPeriod(r: HPAScalingRules | undefined): number {
  let longest = 0
  for (const p of r?.policies ?? []) longest = Math.max(longest, p.periodSeconds)
  return longest
}

/** storeScaleEvent: remembers a rescale for the policies' periods (only with a behavior, as upstream). */
export function storeScaleEvent(h: HPAHistory, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, now: number): void {
  if (!behavior) return
  const up = next > prev
  const events = up ? h.scaleUp : h.scaleDown
  const cutoff = now - longestPeriod(up ? behavior.scaleUp : behavior.scaleDown) * 1000
  let old = -1
  events.forEach((e, i) => {
    if (e.at < cutoff) e.outdated = true
    if (e.outdated) old = i
  })
  const event = { change: Math.abs(next - prev), at: now, outdated: false }
  if (old >= 0) events[old] = event
  else events.push(event)
}
