/** @module disruption: the disruption controller — keeps PodDisruptionBudget status (pkg/controller/disruption/disruption.go). */
import type { Condition } from 'kubernetes-types/meta/v1.js'
import { StatusError } from '../errors.js'
import type { PodDisruptionBudget } from '../registry/policy/poddisruptionbudgets.js'
import type { Registry } from '../registry/registry.js'
import { labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import type { KubeObject } from '../types.js'
import { rfc3339 } from '../util/time.js'
import type { Informer } from './informers.js'
import { selectorMatcher } from './replicaset-owner.js'
import type { ControllerDeps } from './index.js'
import { objectKey, splitKey, type Controller } from './runtime.js'
import type { Pod } from './scheduler-filters.js'

/** The event source of this controller. */
export const disruptionSource = { component: 'controllermanager' }

/** DeletionTimeout: a pod in disruptedPods that still exists after this is counted again. */
export const deletionTimeoutMs = 2 * 60_000

/** What the controller computes for one budget. */
export interface PdbCounts {
  currentHealthy: number
  desiredHealthy: number
  expectedPods: number
  disruptionsAllowed: number
  disruptedPods: Record<string, string>
  /** When the earliest disruptedPods entry expires (ms), for a recheck. */
  recheckAt?: number
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/**
 * The pods a budget covers: its namespace, its selector (a nil selector selects nothing, an empty
 * one everything, as LabelSelectorAsSelector does).
 */
export function pdbPods(pods: Informer, pdb: PodDisruptionBudget): Pod[] {
  const sel = pdb.spec?.selector
  if (!sel) return []
  const matches = selectorMatcher(sel)
  return pods.select(pdb.metadata.namespace ?? '', (p) => matches(p.metadata.labels), sel.matchLabels) as Pod[]
}

/** GetScaledValueFromIntOrPercent. */
function scaled(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v
  const pct = parseInt(v.slice(0, -1), 10)
  const x = (pct * total) / 100
  return roundUp ? Math.ceil(x) : Math.floor(x)
}

/**
 * getExpectedScale: the summed desired replicas of the pods' distinct controllers (a ReplicaSet
 * owned by a Deployment counts the Deployment). Throws the upstream error texts when a pod has no
 * controller or its controller is not a scalable kind kubemock knows.
 */
export function expectedScale(registry: Registry, pods: Pod[]): number {
  const scales = new Map<string, number>()
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller)
    if (!ref) throw new Error(`found no controller ref for pod "${pod.metadata.name}"`)
    const top = topController(registry, pod.metadata.namespace ?? '', ref)
    if (!top) throw new Error(`found no controllers for pod "${pod.metadata.name}"`)
    scales.set(top.uid, top.replicas)
  }
  let sum = 0
  for (const n of scales.values()) sum += n
  return sum
}

type Ref = { apiVersion: string; kind: string; name: string; uid: string }
const scalable: Record<string, [string, string]> = {
  ReplicaSet: ['apps', 'replicasets'],
  StatefulSet: ['apps', 'statefulsets'],
  ReplicationController: ['', 'replicationcontrollers'],
  Deployment: ['apps', 'deployments'],
}

function getOwned(registry: Registry, ns: string, ref: Ref): KubeObject | undefined {
  const target = scalable[ref.kind]
  if (!target) return undefined
  let rs: ReturnType<typeof registry.resource>
  try {
    rs = registry.resource(target[0], target[1])
  } catch {
    return undefined
  }
  const obj = rs.getStored(ns, ref.name)?.obj
  return obj && obj.metadata.uid === ref.uid ? obj : undefined
}

/** The controller whose scale counts for a pod's controllerRef: the Deployment above a ReplicaSet, else the ref itself. */
function topController(registry: Registry, ns: string, ref: Ref): { uid: string; replicas: number } | undefined {
  const obj = getOwned(registry, ns, ref)
  if (!obj || ref.kind === 'Deployment') return undefined
  const replicas = (o: KubeObject) => (o.spec as { replicas?: number } | undefined)?.replicas ?? 1
  if (ref.kind === 'ReplicaSet') {
    const dref = obj.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment')
    const dep = dref ? getOwned(registry, ns, dref as Ref) : undefined
    if (dep) return { uid: dep.metadata.uid!, replicas: replicas(dep) }
  }
  return { uid: obj.metadata.uid!, replicas: replicas(obj) }
}

/**
 * The budget's counts from its pods (getExpectedPodCount, countHealthyPods, buildDisruptedPodMap).
 * `onExpired` hears of disruptedPods entries for pods that outlived the deletion timeout. Throws
 * when the expected scale cannot be found (the caller fails safe).
 */
export function computePdbCounts(
  registry: Registry,
  pdb: PodDisruptionBudget,
  pods: Pod[],
  nowMs: number,
  onExpired: (pod: Pod) => void = () => {},
): PdbCounts {
  const spec = pdb.spec ?? {}
  let expectedPods: number
  let desiredHealthy: number
  if (spec.maxUnavailable !== undefined) {
    expectedPods = expectedScale(registry, pods)
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods, true))
  } else if (typeof spec.minAvailable === 'number') {
    expectedPods = pods.length
    desiredHealthy = spec.minAvailable
  } else if (typeof spec.minAvailable === 'string') {
    expectedPods = expectedScale(registry, pods)
    desiredHealthy = scaled(spec.minAvailable, expectedPods, true)
  } else {
    expectedPods = pods.length
    desiredHealthy = 0
  }
  const disruptedPods: Record<string, string> = {}
  let recheckAt: number | undefined
  const known = (pdb.status?.disruptedPods ?? {}) as Record<string, string>
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue
    const at = known[pod.metadata.name ?? '']
    if (!at) continue
    const expires = Date.parse(at) + deletionTimeoutMs
    if (expires < nowMs) onExpired(pod)
    else {
      disruptedPods[pod.metadata.name ?? ''] = at
      recheckAt = Math.min(recheckAt ?? Infinity, expires)
    }
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disruptedPods[p.metadata.name ?? ''] && isPodReady(p)).length
  let disruptionsAllowed = currentHealthy - desiredHealthy
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0
  return { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, disruptedPods, recheckAt }
}

/**
 * apimeta.SetStatusCondition: replaces the condition of that type, moving lastTransitionTime only
 * when the status changes. Returns a new list.
 */
export function setCondition(list: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, nowMs: number): Condition[] {
  const out = (list ?? []).map((x) => ({ ...x }))
  const i = out.findIndex((x) => x.type === c.type)
  if (i < 0) {
    out.push({
      type: c.type,
      status: c.status,
      observedGeneration: c.observedGeneration,
      lastTransitionTime: rfc3339(nowMs),
      reason: c.reason,
      message: c.message,
    })
    return out
  }
  const old = out[i]
  out[i] = {
    ...old,
    status: c.status,
    observedGeneration: c.observedGeneration,
    reason: c.reason,
    message: c.message,
    lastTransitionTime: old.status === c.status ? old.lastTransitionTime : rfc3339(nowMs),
  }
  return out
}

/** UpdateDisruptionAllowedCondition: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function disruptionAllowedCondition(allowed: number, observedGeneration: number): Omit<Condition, 'lastTransitionTime'> {
  return allowed > 0
    ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration }
    : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration }
}

/** Creates the controller; keys are PDB keys, and pod or workload changes map to the budgets in their namespace. */
export function createDisruptionController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const pdbs = registry.resource('policy', 'poddisruptionbudgets')
  const pdbCache = deps.manager.informers.for('policy', 'poddisruptionbudgets')
  const budgetsFor = (obj: KubeObject, podLabels?: Record<string, string>) =>
    pdbCache
      .list(obj.metadata.namespace ?? '')
      .filter((s) => !podLabels || labelSelectorMatches((s.obj as PodDisruptionBudget).spec?.selector ?? { matchLabels: { '\u0000': '' } }, podLabels))
      .map((s) => objectKey(s.obj))
  const workload = (group: string, plural: string) => ({ group, plural, keys: (o: KubeObject) => budgetsFor(o) })

  return {
    name: 'disruption',
    watches: [
      { group: 'policy', plural: 'poddisruptionbudgets' },
      { group: '', plural: 'pods', keys: (p) => budgetsFor(p, p.metadata.labels ?? {}) },
      workload('apps', 'replicasets'),
      workload('apps', 'deployments'),
      workload('apps', 'statefulsets'),
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const pdb = pdbs.getStored(ns, name)?.obj as PodDisruptionBudget | undefined
      if (!pdb || pdb.metadata.deletionTimestamp) return
      const now = clock.now()
      const pods = pdbPods(deps.manager.informers.for('', 'pods'), pdb)
      if (pods.length === 0) events.record(disruptionSource, pdb, 'Normal', 'NoPods', 'No matching pods found')
      let counts: PdbCounts
      try {
        counts = computePdbCounts(registry, pdb, pods, now, (pod) =>
          events.record(disruptionSource, pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${name} to be deleted but it wasn't`),
        )
      } catch (err) {
        const message = (err as Error).message
        events.record(disruptionSource, pdb, 'Warning', message.includes('controller ref') ? 'NoControllerRef' : 'NoControllers', message)
        await writeStatus(pdb, (st) => ({
          ...st,
          disruptionsAllowed: 0,
          conditions: setCondition(
            st.conditions,
            { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: st.observedGeneration ?? 0 },
            now,
          ),
        }))
        return
      }
      await writeStatus(pdb, (st) => {
        const generation = pdb.metadata.generation ?? 0
        const { recheckAt: _r, ...c } = counts
        return {
          ...c,
          disruptedPods: Object.keys(c.disruptedPods).length ? c.disruptedPods : undefined,
          observedGeneration: generation,
          conditions: setCondition(st.conditions, disruptionAllowedCondition(c.disruptionsAllowed, generation), now),
        }
      })
      return counts.recheckAt !== undefined ? { requeueAfterMs: Math.max(1, counts.recheckAt - now + 1) } : undefined
    },
  }

  /** Writes status through /status, only when something differs (the registry skips no-op writes). */
  async function writeStatus(
    pdb: PodDisruptionBudget,
    next: (st: NonNullable<PodDisruptionBudget['status']>) => NonNullable<PodDisruptionBudget['status']>,
  ): Promise<void> {
    try {
      await pdbs.guaranteedUpdate(
        pdb.metadata.namespace ?? '',
        pdb.metadata.name ?? '',
        (cur) => {
          const p = cur as PodDisruptionBudget
          p.status = next(p.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })
          return p
        },
        { subresource: 'status' },
      )
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err
    }
  }
}
