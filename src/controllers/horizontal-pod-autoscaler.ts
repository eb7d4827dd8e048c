/**
 * @module horizontal-pod-autoscaler: the HPA controller (pkg/controller/podautoscaler/horizontal.go
 * reconcileAutoscaler): every sync period it reads the target's scale, computes the replicas its
 * metrics ask for, stabilises and rate-limits them, rescales, and writes status and events.
 */
import type { HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { HorizontalPodAutoscaler } from '../registry/autoscaling/horizontalpodautoscalers.js'
import { metricsSourceFor } from '../sim/usage/metrics-source.js'
import { compileLabelSelector, labelSelectorAsString, parseLabelSelector } from '../store/selectors.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import {
  defaultDownscaleStabilizationMs,
  newHistory,
  normalizeDesiredReplicas,
  normalizeWithBehaviors,
  storeScaleEvent,
  type HPAHistory,
} from './hpa-behavior.js'
import { computeReplicasForMetrics } from './hpa-metric-replicas.js'
import type { ControllerDeps } from './index.js'
import { splitKey, type Controller } from './runtime.js'
import type { Pod } from './scheduler-filters.js'

/** The event source of the controller. */
export const hpaSource = { component: 'horizontal-pod-autoscaler' }

/**
 * The controller's timings (scenarios may override them): --horizontal-pod-autoscaler-sync-period
 * (15 s) and --horizontal-pod-autoscaler-downscale-stabilization (5 min).
 */
export const hpaTimings = { 'hpa.syncPeriodMs': 15_000, 'hpa.downscaleStabilizationMs': defaultDownscaleStabilizationMs }

/** What the controller keeps per HPA key. */
interface HPAState {
  /** When it syncs next (simulated ms). */
  due: number
  uid: string
  history?: HPAHistory
  /** The target's selector as of the last sync (hpaSelectors), for the AmbiguousSelector check. */
  selects?: (labels: Record<string, string> | undefined) => boolean
}

type Status = HorizontalPodAutoscalerStatus & { conditions?: HorizontalPodAutoscalerCondition[] }

/** setConditionInList: updates or appends the condition, moving lastTransitionTime when its status changes. */
export function setHPACondition(list: HorizontalPodAutoscalerCondition[], type: string, status: string, reason: string, message: string, now: number): void {
  let c = list.find((x) => x.type === type)
  if (!c) list.push((c = { type, status: '' }))
  if (c.status !== status) c.lastTransitionTime = rfc3339(now)
  c.status = status
  c.reason = reason
  c.message = message
}

/** The target of scaleTargetRef and its scale, or the error text upstream's scale client gives. */
function resolveTarget(deps: ControllerDeps, hpa: HorizontalPodAutoscaler) {
  const ref = hpa.spec?.scaleTargetRef
  const apiVersion = ref?.apiVersion ?? ''
  const parts = apiVersion.split('/')
  if (parts.length > 2) throw new Error(`unexpected GroupVersion string: ${apiVersion}`)
  const group = parts.length === 2 ? parts[0] : ''
  const rs = deps.registry.forKind(apiVersion, ref?.kind ?? '') ?? deps.registry.forKind(group ? `${group}/v1` : 'v1', ref?.kind ?? '')
  if (!rs) throw new Error(`no matches for kind "${ref?.kind}" in group "${group}"`)
  if (!rs.def.subresources?.some((s) => s.name === 'scale')) throw new Error('the server could not find the requested resource')
  const ns = hpa.metadata.namespace ?? ''
  const obj = rs.getStored(ns, ref?.name ?? '')?.obj
  if (!obj) throw new Error(`${rs.def.plural}${rs.def.group ? `.${rs.def.group}` : ''} "${ref?.name}" not found`)
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: never }
  const selector = rs.def.scaleSelector ? rs.def.scaleSelector(obj as never) : labelSelectorAsString(spec.selector, { empty: '' })
  return { rs, obj, replicas: spec.replicas ?? 0, selector }
}

/** Creates the controller: one timer per HPA and sync period, on the simulated clock. */
export function createHorizontalPodAutoscalerController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const syncMs = deps.timings['hpa.syncPeriodMs'] ?? hpaTimings['hpa.syncPeriodMs']
  const downscaleMs = deps.timings['hpa.downscaleStabilizationMs'] ?? hpaTimings['hpa.downscaleStabilizationMs']
  const hpas = registry.resource('autoscaling', 'horizontalpodautoscalers')
  const cache = deps.manager.informers.for('autoscaling', 'horizontalpodautoscalers')
  const pods = deps.manager.informers.for('', 'pods')
  /** Per HPA: when it syncs next, and its recommendations and scale events (upstream keeps them in memory too). */
  const state = new Map<string, HPAState>()

  return {
    name: 'horizontal-pod-autoscaler',
    watches: [{ group: 'autoscaling', plural: 'horizontalpodautoscalers' }],
    // A (re)started controller knows no history, as a new kube-controller-manager does.
    start: () => state.clear(),
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const hpa = cache.getObject(ns, name) as HorizontalPodAutoscaler | undefined
      const now = clock.now()
      let st = state.get(key)
      if (!hpa || hpa.metadata.deletionTimestamp) {
        state.delete(key)
        return
      }
      // The HPA queue's fixed-interval rate limiter: a new HPA syncs one period after it appears,
      // and changes to it (its own status writes included) do not make it sync sooner.
      if (!st || st.uid !== hpa.metadata.uid) {
        state.set(key, { due: now + syncMs, uid: hpa.metadata.uid ?? '' })
        return { requeueAfterMs: syncMs }
      }
      if (now < st.due) return { requeueAfterMs: st.due - now }
      st.due = now + syncMs
      await reconcileAutoscaler(structuredClone(hpa), st)
      st = state.get(key)
      return { requeueAfterMs: st ? Math.max(1, st.due - clock.now()) : syncMs }
    },
  }

  async function reconcileAutoscaler(hpa: HorizontalPodAutoscaler, st: HPAState): Promise<void> {
    const now = clock.now()
    const ns = hpa.metadata.namespace ?? ''
    const original = (hpa.status ?? {}) as Status
    const status = structuredClone(original)
    const conditions = (status.conditions ??= [])
    const cond = (type: string, s: string, reason: string, message: string) => setHPACondition(conditions, type, s, reason, message, now)
    const warn = (reason: string, message: string) => events.record(hpaSource, hpa, 'Warning', reason, message)
    const spec = hpa.spec!

    let target: ReturnType<typeof resolveTarget>
    try {
      target = resolveTarget(deps, hpa)
    } catch (err) {
      const msg = (err as Error).message
      warn('FailedGetScale', msg)
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`)
      return writeStatus(hpa, original, status)
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale")
    const currentReplicas = target.replicas
    st.history ??= newHistory(currentReplicas, now)
    const minReplicas = spec.minReplicas ?? 1
    let desired = 0
    let reason = ''
    let rescale = true
    let statuses: MetricStatus[] | null = null

    const setStatus = (desiredReplicas: number, scaled: boolean) => {
      const next: Status = {
        lastScaleTime: scaled ? rfc3339(now) : status.lastScaleTime,
        currentReplicas,
        desiredReplicas,
        currentMetrics: statuses as MetricStatus[],
        conditions,
      }
      if (!next.lastScaleTime) delete next.lastScaleTime
      return next
    }

    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero')
    } else if (currentReplicas > spec.maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas'
      desired = spec.maxReplicas
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas'
      desired = minReplicas
    } else {
      const selected = selectPods(ns, st, target.selector, warn, cond)
      const proposal = selected.error
        ? { replicas: -1, metric: '', statuses: null, error: selected.error }
        : computeReplicasForMetrics({ namespace: ns, pods: selected.pods, source: metricsSourceFor(registry), now, currentReplicas, warn }, spec.metrics ?? [])
      statuses = proposal.statuses
      if ('condition' in proposal && proposal.condition) cond('ScalingActive', proposal.condition.status, proposal.condition.reason, proposal.condition.message)
      if (proposal.replicas === -1) {
        await writeStatus(hpa, original, setStatus(original.desiredReplicas ?? 0, false))
        warn('FailedComputeMetricsReplicas', proposal.error ?? '')
        return
      }
      desired = proposal.replicas
      if (desired > currentReplicas) reason = `${proposal.metric} above target`
      if (desired < currentReplicas) reason = 'All metrics below target'
      const n = spec.behavior
        ? normalizeWithBehaviors(st.history, now, spec.behavior, currentReplicas, desired, minReplicas, spec.maxReplicas, downscaleMs)
        : normalizeDesiredReplicas(st.history, now, currentReplicas, desired, minReplicas, spec.maxReplicas, downscaleMs)
      cond('AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message)
      cond('ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message)
      desired = n.replicas
      rescale = desired !== currentReplicas
    }

    if (rescale) {
      try {
        await target.rs.guaranteedUpdate(ns, target.obj.metadata.name ?? '', (cur: KubeObject) => ({
          ...cur,
          spec: { ...(cur.spec as object), replicas: desired },
        }))
      } catch (err) {
        const msg = (err as Error).message
        warn('FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`)
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`)
        return writeStatus(hpa, original, setStatus(original.desiredReplicas ?? 0, false))
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`)
      events.record(hpaSource, hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`)
      storeScaleEvent(st.history, spec.behavior, currentReplicas, desired, now)
    } else desired = currentReplicas
    await writeStatus(hpa, original, setStatus(desired, rescale))
  }

  /** validateAndParseSelector + the pod lister: the target's pods, or the error (with its event and condition). */
  function selectPods(
    ns: string,
    st: HPAState,
    selector: string,
    warn: (reason: string, message: string) => void,
    cond: (type: string, s: string, reason: string, message: string) => void,
  ): { pods: Pod[]; error?: string } {
    let error: string | undefined
    let reason = 'SelectorRequired'
    let matches: ((labels: Record<string, string> | undefined) => boolean) | undefined
    const matchLabels: Record<string, string> = {}
    if (!selector) error = 'selector is required'
    else {
      try {
        const reqs = parseLabelSelector(selector)
        for (const r of reqs)
          if ((r.operator === 'Equals' || r.operator === 'DoubleEquals' || r.operator === 'In') && r.values.length === 1) matchLabels[r.key] = r.values[0]
        matches = compileLabelSelector(reqs)
      } catch (err) {
        reason = 'InvalidSelector'
        error = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`
      }
    }
    if (error || !matches) {
      warn(reason, error ?? '')
      cond('ScalingActive', 'False', 'InvalidSelector', error ?? '')
      return { pods: [], error }
    }
    const m = matches
    st.selects = m
    const selected = pods.select(ns, (p) => m(p.metadata.labels), matchLabels) as Pod[]
    // hpasControllingPodsUnderSelector: every HPA of the namespace whose last selector takes one of these pods.
    const owners: string[] = []
    for (const [key, other] of state) {
      if (!other.selects || !key.startsWith(`${ns}/`)) continue
      const sel = other.selects
      if (selected.some((p) => sel(p.metadata.labels))) owners.push(key)
    }
    if (owners.length > 1) {
      const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${owners.sort().join(' ')}]`
      warn('AmbiguousSelector', msg)
      cond('ScalingActive', 'False', 'AmbiguousSelector', msg)
      return { pods: [], error: msg }
    }
    return { pods: selected }
  }

  /** updateStatusIfNeeded: writes status only when it differs. */
  async function writeStatus(hpa: HorizontalPodAutoscaler, original: Status, next: Status): Promise<void> {
    if (deepEqual(original, next)) return
    try {
      await hpas.guaranteedUpdate(
        hpa.metadata.namespace ?? '',
        hpa.metadata.name ?? '',
        (cur) => {
          if (cur.metadata.uid !== hpa.metadata.uid) return cur
          return { ...cur, status: next } as KubeObject
        },
        { subresource: 'status' },
      )
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err
    }
  }
}
