/** @module pod-status: the kubelet's pod status arithmetic — phase, the five kubelet conditions, container status shapes. */
import type { Container, ContainerStatus, PodCondition, PodSpec, PodStatus } from 'kubernetes-types/core/v1.js'
import { rfc3339 } from '../../util/time.js'

/** A sidecar: an init container with restartPolicy Always. */
export const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always'

/** Reports volumeMounts as 1.32 kubelets do (RecursiveReadOnlyMounts beta: read-only mounts say `Disabled`). */
export function volumeMountStatuses(c: Container): ContainerStatus['volumeMounts'] {
  const mounts = c.volumeMounts ?? []
  if (mounts.length === 0) return undefined
  return mounts.map((m) =>
    m.readOnly ? { name: m.name, mountPath: m.mountPath, readOnly: true, recursiveReadOnly: 'Disabled' } : { name: m.name, mountPath: m.mountPath },
  )
}

/** A container the runtime has not started: waiting with `reason` (ContainerCreating, PodInitializing, ErrImagePull, …). */
export function waitingStatus(c: Container, reason: string, message?: string, prev?: ContainerStatus): ContainerStatus {
  return {
    name: c.name,
    state: { waiting: message ? { reason, message } : { reason } },
    lastState: prev?.lastState ?? {},
    ready: false,
    restartCount: prev?.restartCount ?? 0,
    image: prev?.containerID ? prev.image : (c.image ?? ''),
    imageID: prev?.imageID ?? '',
    ...(prev?.containerID ? { containerID: prev.containerID } : {}),
    started: false,
    ...(volumeMountStatuses(c) ? { volumeMounts: volumeMountStatuses(c) } : {}),
  }
}

/**
 * getPhase (pkg/kubelet/kubelet_pods.go, 1.32). `terminal`: the pod is being torn down and all its
 * containers are stopped, so it ends Succeeded or Failed whatever the restart policy. A running
 * sidecar counts as running (the pod stays Running until the kubelet has stopped its sidecars);
 * a stopped one does not count; one not yet started keeps an uninitialized pod Pending.
 */
export function podPhase(spec: PodSpec, init: ContainerStatus[], regular: ContainerStatus[], terminal: boolean): PodStatus['phase'] {
  let pendingInit = 0
  let pendingSidecars = 0
  let failedInit = 0
  let unknown = 0
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const c of spec.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name)
    if (isSidecar(c)) {
      if (!s) unknown++
      else if (s.state?.running) {
        if (!s.started) pendingSidecars++
        running++
      } else if (s.state?.terminated || (s.state?.waiting && s.lastState?.terminated)) {
        // Stopped sidecars do not count towards the phase.
      } else if (s.state?.waiting) {
        pendingSidecars++
        waiting++
      } else {
        pendingSidecars++
        unknown++
      }
      continue
    }
    if (!s) pendingInit++
    else if (s.state?.running) pendingInit++
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++
      } else pendingInit++
    } else pendingInit++
  }
  for (const c of spec.containers ?? []) {
    const s = regular.find((x) => x.name === c.name)
    if (!s) unknown++
    else if (s.state?.running) running++
    else if (s.state?.terminated) {
      stopped++
      if (s.state.terminated.exitCode === 0) succeeded++
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++
      else waiting++
    } else unknown++
  }
  // A regular container that ever started means the pod was initialized (a restarting sidecar does not make it Pending again).
  const initialized = regular.some((s) => s.containerID || s.lastState?.terminated)
  const policy = spec.restartPolicy ?? 'Always'
  if (failedInit > 0 && policy === 'Never') return 'Failed'
  if ((pendingInit > 0 || (pendingSidecars > 0 && !initialized)) && !terminal) return 'Pending'
  if (waiting > 0) return 'Pending'
  if (running > 0 && unknown === 0) return 'Running'
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed'
    if (policy === 'Always') return 'Running'
    if (stopped === succeeded) return 'Succeeded'
    if (policy === 'Never') return 'Failed'
    return 'Running'
  }
  return 'Pending'
}

function isInitDone(c: Container, s: ContainerStatus | undefined): boolean {
  if (!s) return false
  if (isSidecar(c)) return !!s.started
  return s.state?.terminated?.exitCode === 0
}

type Cond = Pick<PodCondition, 'type' | 'status' | 'reason' | 'message'>

/** GeneratePodInitializedCondition (pkg/kubelet/status/generate.go). */
function initializedCondition(spec: PodSpec, status: PodStatus): Cond {
  const inits = spec.initContainers ?? []
  const incomplete = inits
    .filter(
      (c) =>
        !isInitDone(
          c,
          status.initContainerStatuses?.find((s) => s.name === c.name),
        ),
    )
    .map((c) => c.name)
  if (status.phase === 'Succeeded') return { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
  // A regular container that ever started means the pod was initialized before.
  if ((status.containerStatuses ?? []).some((s) => s.containerID || s.lastState?.terminated)) return { type: 'Initialized', status: 'True' }
  if (incomplete.length)
    return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }
  return { type: 'Initialized', status: 'True' }
}

/** GenerateContainersReadyCondition; the Ready condition copies it when not True (no readiness gates here). */
function containersReadyCondition(spec: PodSpec, status: PodStatus): Cond {
  if (status.phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
  if (status.phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' }
  const unready: string[] = []
  const unknown: string[] = []
  const check = (c: Container, list: ContainerStatus[] | undefined) => {
    const s = list?.find((x) => x.name === c.name)
    if (!s) unknown.push(c.name)
    else if (!s.ready) unready.push(c.name)
  }
  for (const c of spec.initContainers ?? []) if (isSidecar(c)) check(c, status.initContainerStatuses)
  for (const c of spec.containers ?? []) check(c, status.containerStatuses)
  const parts: string[] = []
  if (unknown.length) parts.push(`containers with unknown status: [${unknown.join(' ')}]`)
  if (unready.length) parts.push(`containers with unready status: [${unready.join(' ')}]`)
  if (parts.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: parts.join(', ') }
  return { type: 'ContainersReady', status: 'True' }
}

const kubeletConditionTypes = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'])

/**
 * The kubelet's conditions in the order it writes them (PodReadyToStartContainers, Initialized,
 * Ready, ContainersReady, PodScheduled), then the conditions others own. A condition keeps its
 * lastTransitionTime while its status stays the same (status manager updateLastTransitionTime).
 */
export function podConditions(spec: PodSpec, status: PodStatus, sandboxReady: boolean, old: PodCondition[] | undefined, now: number): PodCondition[] {
  const cr = containersReadyCondition(spec, status)
  const generated: Cond[] = [
    { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' },
    initializedCondition(spec, status),
    { ...cr, type: 'Ready' },
    cr,
  ]
  const out: PodCondition[] = generated.map((c) => {
    const prev = old?.find((o) => o.type === c.type)
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(now)
    return {
      type: c.type,
      status: c.status,
      lastProbeTime: null as unknown as undefined,
      lastTransitionTime,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    }
  })
  const scheduled = old?.find((o) => o.type === 'PodScheduled')
  out.push(
    scheduled && scheduled.status === 'True'
      ? scheduled
      : { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as undefined, lastTransitionTime: rfc3339(now) },
  )
  for (const c of old ?? []) if (!kubeletConditionTypes.has(c.type)) out.push(c)
  return out
}

/**
 * Recomputes phase and conditions after container statuses changed, and returns the status with
 * PodStatus's field order. `terminal`: the pod is being deleted and nothing runs any more.
 */
export function finishPodStatus(spec: PodSpec, status: PodStatus, opts: { sandboxReady: boolean; terminal?: boolean; now: number }): PodStatus {
  const phase = podPhase(spec, status.initContainerStatuses ?? [], status.containerStatuses ?? [], opts.terminal ?? false)
  const next: PodStatus = { ...status, phase }
  const sandboxReady = opts.sandboxReady && phase !== 'Succeeded' && phase !== 'Failed'
  const conditions = podConditions(spec, next, sandboxReady, status.conditions, opts.now)
  return {
    phase,
    conditions,
    ...(status.message ? { message: status.message } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.nominatedNodeName ? { nominatedNodeName: status.nominatedNodeName } : {}),
    ...(status.hostIP ? { hostIP: status.hostIP, hostIPs: status.hostIPs } : {}),
    ...(status.podIP ? { podIP: status.podIP, podIPs: status.podIPs } : {}),
    ...(status.startTime ? { startTime: status.startTime } : {}),
    ...(status.initContainerStatuses ? { initContainerStatuses: status.initContainerStatuses } : {}),
    ...(status.containerStatuses ? { containerStatuses: status.containerStatuses } : {}),
    ...(status.qosClass ? { qosClass: status.qosClass } : {}),
    ...(status.ephemeralContainerStatuses ? { ephemeralContainerStatuses: status.ephemeralContainerStatuses } : {}),
  }
}

/** True when the container's state is running. */
export const isRunning = (s: ContainerStatus | undefined): boolean => !!s?.state?.running

/** How a runtime reports a process's end: when, the exit code, the reason (Completed, Error, OOMKilled, …). */
export interface ContainerExitInfo {
  at: number
  exitCode: number
  reason: string
}

/** `state.terminated` of a running container whose process ended (its start time and container ID kept). */
export function terminatedFrom(s: ContainerStatus, exit: ContainerExitInfo): NonNullable<ContainerStatus['state']>['terminated'] {
  return { exitCode: exit.exitCode, reason: exit.reason, startedAt: s.state?.running?.startedAt, finishedAt: rfc3339(exit.at), containerID: s.containerID }
}
