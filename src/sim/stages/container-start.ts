/** @module container-start: which containers the kubelet starts next and what starting one does (image pull, back-offs, create, start). */
import type { Container, ContainerStatus } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import { planProcess } from '../containers/process-plan.js'
import { parseImageRef } from '../images.js'
import { rfc3339 } from '../../util/time.js'
import { goDuration } from './go-duration.js'
import type { PodStageContext, PodStep } from './pod-context.js'
import { isSidecar, volumeMountStatuses, waitingStatus } from './pod-status.js'

/** A container the kubelet would start, and when (absolute ms; undefined = as soon as the stage's own delay allows). */
export interface StartCandidate {
  container: Container
  init: boolean
  status: ContainerStatus | undefined
  readyAt?: number
  /** The image must be pulled (decides the delay of a fresh start). */
  pull: boolean
  /** The events' fieldPath when not `spec.containers{name}`/`spec.initContainers{name}` (ephemeral containers). */
  fieldPath?: string
}

/** The key of a container's restart back-off (getStableKey keys by pod and container). */
export const crashKey = (pod: PodObject, name: string): string => `${pod.metadata.uid}_${name}`
/** The key of an image pull back-off: `<podUID>_<image>` (image_manager.go). */
export const imageKey = (pod: PodObject, image: string): string => `${pod.metadata.uid}_${image}`

/** The effective pull policy (the API server defaults it; this covers objects that skipped defaulting). */
function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy
  const r = parseImageRef(c.image ?? '')
  return r.tag === 'latest' && !r.digest ? 'Always' : 'IfNotPresent'
}

function needsPull(c: Container, ctx: PodStageContext): boolean {
  const policy = pullPolicy(c)
  if (policy === 'Never') return false
  return policy === 'Always' || !ctx.nodeImages.has(ctx.images.describe(c.image ?? '').image)
}

/** Whether an exited container is restarted under the pod's (or the sidecar's) restart policy. */
export function shouldRestart(pod: PodObject, c: Container, exitCode: number, init: boolean): boolean {
  if (init && isSidecar(c)) return true
  const policy = pod.spec?.restartPolicy ?? 'Always'
  if (policy === 'Never') return false
  if (policy === 'OnFailure' || init) return exitCode !== 0
  return true
}

/**
 * computePodActions: once every regular container has ended for good (restartPolicy Never, or
 * OnFailure after success), nothing starts again, not even a sidecar, and the kubelet stops the
 * sidecars (KillPod with no containers to keep).
 */
export function regularContainersDone(pod: PodObject): boolean {
  if ((pod.spec?.restartPolicy ?? 'Always') === 'Always') return false
  const statuses = pod.status?.containerStatuses ?? []
  return (pod.spec?.containers ?? []).every((c) => {
    const t = statuses.find((s) => s.name === c.name)?.state?.terminated
    return !!t && !shouldRestart(pod, c, t.exitCode, false)
  })
}

/** When a container in its current state may start (undefined = not a candidate). */
function candidate(pod: PodObject, c: Container, s: ContainerStatus | undefined, init: boolean, ctx: PodStageContext): StartCandidate | undefined {
  const base = { container: c, init, status: s, pull: needsPull(c, ctx) }
  const waiting = s?.state?.waiting
  if (!s || (waiting && (waiting.reason === 'ContainerCreating' || waiting.reason === 'PodInitializing'))) return base
  if (waiting?.reason === 'ImagePullBackOff') {
    const k = imageKey(pod, c.image ?? '')
    const last = ctx.imageBackoff.lastUpdate(k)
    return { ...base, readyAt: last === undefined ? undefined : last + ctx.imageBackoff.get(k) }
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const finished = Date.parse(s.lastState?.terminated?.finishedAt ?? '') || ctx.now
    return { ...base, readyAt: finished + ctx.crashBackoff.get(crashKey(pod, c.name)) }
  }
  const term = s.state?.terminated
  if (term && shouldRestart(pod, c, term.exitCode, init)) {
    const finished = Date.parse(term.finishedAt ?? '') || ctx.now
    if (ctx.crashBackoff.isInBackOffSince(crashKey(pod, c.name), finished)) return undefined
    return { ...base, readyAt: finished + ctx.timings['kubelet.restartMs'] }
  }
  return undefined
}

/**
 * computePodActions, simplified: the first unfinished init container (init containers run one at
 * a time, in order), else every regular container that is not running and may start.
 */
export function startCandidates(pod: PodObject, ctx: PodStageContext): StartCandidate[] {
  const spec = pod.spec
  if (!spec || regularContainersDone(pod)) return []
  const initStatuses = pod.status?.initContainerStatuses ?? []
  for (const c of spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name)
    if (isSidecar(c) ? s?.started : s?.state?.terminated?.exitCode === 0) continue
    if (s?.state?.running) return []
    const cand = candidate(pod, c, s, true, ctx)
    return cand ? [cand] : []
  }
  const out: StartCandidate[] = []
  const statuses = pod.status?.containerStatuses ?? []
  for (const c of spec.containers ?? []) {
    const s = statuses.find((x) => x.name === c.name)
    if (s?.state?.running) continue
    const cand = candidate(pod, c, s, false, ctx)
    if (cand) out.push(cand)
  }
  return out
}

/** Delay of a fresh start: the pull, or just create + start. */
export function freshStartMs(cands: StartCandidate[], ctx: PodStageContext): number {
  return cands.some((c) => c.pull) ? ctx.timings['kubelet.pullMs'] : ctx.timings['kubelet.startMs']
}

const fieldPath = (c: StartCandidate) => c.fieldPath ?? `spec.${c.init ? 'initContainers' : 'containers'}{${c.container.name}}`

/**
 * Starts one container as kuberuntime's startContainer does: restart back-off bookkeeping,
 * EnsureImageExists (present / pull / back-off / failure, with the 1.32 event texts), then
 * create + start. Returns the new container status and the events, in order.
 */
export function startContainer(pod: PodObject, cand: StartCandidate, ctx: PodStageContext): { status: ContainerStatus; events: PodStep[] } {
  const c = cand.container
  const image = c.image ?? ''
  const prev = cand.status
  const events: PodStep[] = []
  const ev = (eventType: 'Normal' | 'Warning', reason: string, message: string) =>
    events.push({ type: 'event', eventType, reason, message, fieldPath: fieldPath(cand) })
  const prevTerminated = prev?.state?.terminated ?? (prev?.state?.waiting?.reason === 'CrashLoopBackOff' ? prev.lastState?.terminated : undefined)
  // Keep lastState of a waiting container that had run before (a pull failing on restart).
  const base: ContainerStatus | undefined = prev?.state?.terminated ? { ...prev, lastState: { terminated: prev.state.terminated } } : prev
  if (prevTerminated) ctx.crashBackoff.next(crashKey(pod, c.name), Date.parse(prevTerminated.finishedAt ?? '') || ctx.now)

  const policy = pullPolicy(c)
  const described = ctx.images.describe(image)
  const present = ctx.nodeImages.has(described.image)
  let pulled = described
  if (policy !== 'Always' && present) {
    ev('Normal', 'Pulled', `Container image "${image}" already present on machine`)
  } else if (policy === 'Never') {
    const msg = `Container image "${image}" is not present with pull policy of Never`
    ev('Warning', 'ErrImageNeverPull', msg)
    ev('Warning', 'Failed', 'Error: ErrImageNeverPull')
    return { status: waitingStatus(c, 'ErrImageNeverPull', msg, base), events }
  } else {
    const k = imageKey(pod, image)
    if (ctx.imageBackoff.isInBackOffSinceUpdate(k, ctx.now)) {
      const msg = `Back-off pulling image "${image}"`
      ev('Normal', 'BackOff', msg)
      ev('Warning', 'Failed', 'Error: ImagePullBackOff')
      return { status: waitingStatus(c, 'ImagePullBackOff', msg, base), events }
    }
    ev('Normal', 'Pulling', `Pulling image "${image}"`)
    const res = ctx.images.pull(image)
    if (!res.ok) {
      ev('Warning', 'Failed', `Failed to pull image "${image}": ${res.error}`)
      ev('Warning', 'Failed', 'Error: ErrImagePull')
      ctx.imageBackoff.next(k, ctx.now)
      return { status: waitingStatus(c, 'ErrImagePull', res.error, base), events }
    }
    pulled = res
    ctx.nodeImages.add(res)
    const d = goDuration(ctx.timings['kubelet.pullMs'])
    ev('Normal', 'Pulled', `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${res.sizeBytes} bytes.`)
  }

  const plan = planProcess(pulled.behaviour, c, pod.spec?.restartPolicy, { commandRunMs: ctx.timings['kubelet.commandRunMs'] }, () =>
    ctx.containerEnv ? ctx.containerEnv(pod, c.name) : {},
  )
  const rc = ctx.runtime.start(`${pod.metadata.namespace}/${pod.metadata.name}`, c.name, plan)
  ev('Normal', 'Created', `Created container: ${c.name}`)
  const restarted = !!prevTerminated
  const mounts = volumeMountStatuses(c)
  const common = {
    lastState: restarted ? { terminated: prevTerminated } : (prev?.lastState ?? {}),
    restartCount: (prev?.restartCount ?? 0) + (restarted ? 1 : 0),
  }
  if (plan.startError) {
    // kuberuntime startContainer: StartContainer failed → `Failed` "Error: <the CRI message>";
    // containerd reports the container exited 128 (StartError) without ever having started.
    ev('Warning', 'Failed', `Error: ${plan.startError}`)
    const exit = ctx.runtime.get(rc.id)?.exit
    const status: ContainerStatus = {
      name: c.name,
      state: {
        terminated: {
          exitCode: plan.exitCode,
          reason: 'StartError',
          message: plan.startError,
          startedAt: '1970-01-01T00:00:00Z',
          finishedAt: rfc3339(exit?.at ?? ctx.now),
          containerID: rc.id,
        },
      },
      lastState: common.lastState,
      ready: false,
      restartCount: common.restartCount,
      image: pulled.image,
      imageID: pulled.imageID,
      containerID: rc.id,
      started: false,
      ...(mounts ? { volumeMounts: mounts } : {}),
    }
    return { status, events }
  }
  ev('Normal', 'Started', `Started container ${c.name}`)
  const status: ContainerStatus = {
    name: c.name,
    state: { running: { startedAt: new Date(Math.floor(rc.startedAt / 1000) * 1000).toISOString().replace('.000Z', 'Z') } },
    lastState: common.lastState,
    // Without a readiness probe a running container is ready at once; a running init container is not.
    // A startup probe holds `started` (and so `ready`) until it passes, a readiness probe holds `ready`.
    ready: (!cand.init || isSidecar(c)) && !c.readinessProbe && !c.startupProbe,
    restartCount: common.restartCount,
    image: pulled.image,
    imageID: pulled.imageID,
    containerID: rc.id,
    started: !c.startupProbe,
    ...(mounts ? { volumeMounts: mounts } : {}),
  }
  return { status, events }
}
