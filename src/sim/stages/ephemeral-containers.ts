/**
 * @module ephemeral-containers: the kubelet's ephemeral container stages. computePodActions starts an
 * ephemeral container that has no status yet, once the sandbox is up, even before init containers
 * finish (kuberuntime_manager.go SyncPod step 5); it is never restarted, and its status lives in
 * `status.ephemeralContainerStatuses` (ready false, no `started`).
 */
import type { Container, ContainerStatus, EphemeralContainer } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import { freshStartMs, imageKey, startContainer, type StartCandidate } from './container-start.js'
import type { PodStage, PodStageContext, PodStep } from './pod-context.js'
import { finishPodStatus, isRunning, terminatedFrom, waitingStatus } from './pod-status.js'

const active = (pod: PodObject) => !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed'
const sandboxReady = (pod: PodObject) => !!pod.status?.podIP
const ephemeralSpecs = (pod: PodObject): Container[] => (pod.spec?.ephemeralContainers ?? []) as EphemeralContainer[] as Container[]
const statuses = (pod: PodObject): ContainerStatus[] => pod.status?.ephemeralContainerStatuses ?? []
const specOf = (pod: PodObject) => pod.spec ?? { containers: [] }

/** The events' involvedObject.fieldPath of an ephemeral container. */
export const ephemeralFieldPath = (name: string): string => `spec.ephemeralContainers{${name}}`

/** The ephemeral status shape: what the kubelet reports for any container, minus `started`, never ready. */
function ephemeralStatus(s: ContainerStatus): ContainerStatus {
  const { started: _started, ...rest } = s
  return { ...rest, ready: false }
}

/** Ephemeral containers the kubelet has not reported yet (no status at all). */
function unreported(pod: PodObject): Container[] {
  const seen = new Set(statuses(pod).map((s) => s.name))
  return ephemeralSpecs(pod).filter((c) => !seen.has(c.name))
}

/**
 * Ephemeral containers the kubelet may create: new ones (ContainerCreating), and those whose
 * image pull failed once its back-off has passed (`readyAt`): computePodActions starts any
 * ephemeral container the runtime has no container for.
 */
function toStart(pod: PodObject, ctx: PodStageContext): StartCandidate[] {
  const out: StartCandidate[] = []
  for (const c of ephemeralSpecs(pod)) {
    const s = statuses(pod).find((x) => x.name === c.name)
    const reason = s?.state?.waiting?.reason
    if (!s || s.containerID || (reason !== 'ContainerCreating' && reason !== 'ImagePullBackOff')) continue
    const policy = c.imagePullPolicy ?? 'IfNotPresent'
    const pull = policy === 'Always' || (policy !== 'Never' && !ctx.nodeImages.has(ctx.images.describe(c.image ?? '').image))
    let readyAt: number | undefined
    if (reason === 'ImagePullBackOff') {
      const k = imageKey(pod, c.image ?? '')
      const last = ctx.imageBackoff.lastUpdate(k)
      readyAt = last === undefined ? undefined : last + ctx.imageBackoff.get(k)
    }
    out.push({ container: c, init: false, status: s, pull, readyAt, fieldPath: ephemeralFieldPath(c.name) })
  }
  return out
}

function exited(pod: PodObject, ctx: PodStageContext): ContainerStatus[] {
  return statuses(pod).filter((s) => isRunning(s) && ctx.runtime.get(s.containerID)?.exit)
}

/** The pod status with these ephemeral statuses (phase and conditions recomputed). */
const withEphemeral = (pod: PodObject, list: ContainerStatus[], ctx: PodStageContext) =>
  finishPodStatus(specOf(pod), { ...(pod.status ?? {}), ephemeralContainerStatuses: list }, { sandboxReady: sandboxReady(pod), now: ctx.now })

/** The status manager's first report of a new ephemeral container: waiting, ContainerCreating. */
const ephemeralPending: PodStage = {
  name: 'ephemeral-pending',
  match: (pod) => active(pod) && sandboxReady(pod) && unreported(pod).length > 0,
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.syncMs'] }),
  steps(pod, ctx) {
    const list = [...statuses(pod), ...unreported(pod).map((c) => ephemeralStatus(waitingStatus(c, 'ContainerCreating')))]
    return [{ type: 'status', status: withEphemeral(pod, list, ctx) }]
  },
}

/** Starts the candidates that may start now: pull (with the usual events), create, start. */
function startReady(pod: PodObject, ctx: PodStageContext): PodStep[] {
  const steps: PodStep[] = []
  const list = [...statuses(pod)]
  for (const cand of toStart(pod, ctx).filter((c) => c.readyAt === undefined || c.readyAt <= ctx.now)) {
    const { status, events } = startContainer(pod, cand, ctx)
    steps.push(...events)
    const i = list.findIndex((s) => s.name === cand.container.name)
    list[i] = ephemeralStatus(status)
  }
  steps.push({ type: 'status', status: withEphemeral(pod, list, ctx) })
  return steps
}

/** A new ephemeral container (or one whose pull back-off has passed) is created and started. */
const ephemeralStart: PodStage = {
  name: 'ephemeral-start',
  match: (pod, ctx) => active(pod) && sandboxReady(pod) && toStart(pod, ctx).some((c) => c.readyAt === undefined || c.readyAt <= ctx.now),
  delay(pod, ctx) {
    const fresh = toStart(pod, ctx).filter((c) => c.readyAt === undefined)
    return { ms: fresh.length ? freshStartMs(fresh, ctx) : 0 }
  },
  steps: startReady,
}

/**
 * The retry of a pull in back-off, when its back-off ends. Last in podStages, so waiting for it
 * holds up nothing else the kubelet has to do.
 */
export const ephemeralRetry: PodStage = {
  name: 'ephemeral-retry',
  match: (pod, ctx) => active(pod) && sandboxReady(pod) && toStart(pod, ctx).some((c) => c.readyAt !== undefined),
  delay: (pod, ctx) => ({ ms: 0, from: Math.min(...toStart(pod, ctx).flatMap((c) => (c.readyAt === undefined ? [] : [c.readyAt]))) }),
  steps: startReady,
}

/** ErrImagePull turns into ImagePullBackOff on the next sync, with the same events as for any container. */
const ephemeralPullBackOff: PodStage = {
  name: 'ephemeral-image-backoff',
  match: (pod) => active(pod) && statuses(pod).some((s) => s.state?.waiting?.reason === 'ErrImagePull'),
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.imagePullBackOffMs'] }),
  steps(pod, ctx) {
    const steps: PodStep[] = []
    const list = statuses(pod).map((s) => {
      if (s.state?.waiting?.reason !== 'ErrImagePull') return s
      const image = ephemeralSpecs(pod).find((c) => c.name === s.name)?.image ?? s.image
      const message = `Back-off pulling image "${image}"`
      steps.push({ type: 'event', eventType: 'Normal', reason: 'BackOff', message, fieldPath: ephemeralFieldPath(s.name) })
      steps.push({ type: 'event', eventType: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', fieldPath: ephemeralFieldPath(s.name) })
      return { ...s, state: { waiting: { reason: 'ImagePullBackOff', message } } }
    })
    steps.push({ type: 'status', status: withEphemeral(pod, list, ctx) })
    return steps
  },
}

/** PLEG saw an ephemeral container's process end: terminated, and it stays so (never restarted). */
const ephemeralExited: PodStage = {
  name: 'ephemeral-exited',
  match: (pod, ctx) => active(pod) && exited(pod, ctx).length > 0,
  delay: (pod, ctx) => ({ ms: ctx.timings['kubelet.plegMs'], from: Math.min(...exited(pod, ctx).map((s) => ctx.runtime.get(s.containerID)!.exit!.at)) }),
  steps(pod, ctx) {
    const list = statuses(pod).map((s) => {
      const exit = isRunning(s) ? ctx.runtime.get(s.containerID)?.exit : undefined
      if (!exit) return s
      return { ...s, state: { terminated: terminatedFrom(s, exit) } }
    })
    return [{ type: 'status', status: withEphemeral(pod, list, ctx) }]
  },
}

/**
 * A pod going away kills its ephemeral containers with the rest (killPodWithSyncResult stops
 * every running container): `Killing` events, then terminated. Debug shells ignore SIGTERM, so
 * they end by SIGKILL (137).
 */
export const ephemeralStop: PodStage = {
  name: 'ephemeral-stop',
  match: (pod) => !!pod.metadata.deletionTimestamp && statuses(pod).some(isRunning),
  delay: { ms: 0 },
  steps(pod, ctx) {
    const steps: PodStep[] = []
    const list = statuses(pod).map((s) => {
      if (!isRunning(s)) return s
      steps.push({ type: 'event', eventType: 'Normal', reason: 'Killing', message: `Stopping container ${s.name}`, fieldPath: ephemeralFieldPath(s.name) })
      const rc = ctx.runtime.get(s.containerID)
      if (rc && !rc.exit) ctx.runtime.exit(s.containerID!, 137)
      const exit = ctx.runtime.get(s.containerID)?.exit ?? { at: ctx.now, exitCode: 137, reason: 'Error' }
      return { ...s, state: { terminated: terminatedFrom(s, exit) } }
    })
    steps.push({ type: 'status', status: { ...(pod.status ?? {}), ephemeralContainerStatuses: list } })
    return steps
  },
}

/** The ephemeral container stages, in the order podStages tries them. */
export const ephemeralStages: readonly PodStage[] = [ephemeralPending, ephemeralPullBackOff, ephemeralStart, ephemeralExited]
