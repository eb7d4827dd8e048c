/**
 * @module pod-stages: the pod lifecycle of the simulated kubelet as ordered stages (kwok's pod-fast/pod-general
 * stages, typed): accept → sandbox → start containers → exits, restarts, back-offs → graceful stop → delete.
 */
import type { Container, ContainerStatus, PodStatus } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import { rfc3339 } from '../../util/time.js'
import { crashKey, freshStartMs, regularContainersDone, shouldRestart, startCandidates, startContainer } from './container-start.js'
import { ephemeralRetry, ephemeralStages, ephemeralStop } from './ephemeral-containers.js'
import { goDuration } from './go-duration.js'
import type { PodStage, PodStageContext, PodStep } from './pod-context.js'
import { type ContainerExitInfo, finishPodStatus, isRunning, isSidecar, terminatedFrom, waitingStatus } from './pod-status.js'
import { probeKill, probeStatus } from './probe-stages.js'

const terminalPhase = (pod: PodObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
const deleting = (pod: PodObject) => !!pod.metadata.deletionTimestamp
const allStatuses = (pod: PodObject): ContainerStatus[] => [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
const sandboxReady = (pod: PodObject) => !!pod.status?.podIP && !terminalPhase(pod)
const specOf = (pod: PodObject) => pod.spec ?? { containers: [] }
const seconds = (ms: number) => rfc3339(ms)

/** Rewrites container statuses (init and regular) through `fn`, leaving the rest of the status. */
function mapStatuses(pod: PodObject, fn: (s: ContainerStatus, c: Container | undefined, init: boolean) => ContainerStatus): PodStatus {
  const st = pod.status ?? {}
  const spec = specOf(pod)
  return {
    ...st,
    ...(st.initContainerStatuses
      ? {
          initContainerStatuses: st.initContainerStatuses.map((s) =>
            fn(
              s,
              spec.initContainers?.find((c) => c.name === s.name),
              true,
            ),
          ),
        }
      : {}),
    ...(st.containerStatuses
      ? {
          containerStatuses: st.containerStatuses.map((s) =>
            fn(
              s,
              spec.containers.find((c) => c.name === s.name),
              false,
            ),
          ),
        }
      : {}),
  }
}

function exitedContainers(pod: PodObject, ctx: PodStageContext): ContainerStatus[] {
  return allStatuses(pod).filter((s) => isRunning(s) && ctx.runtime.get(s.containerID)?.exit)
}

/** The terminated state of a container the runtime reports as exited. */
function terminatedState(s: ContainerStatus, exit: ContainerExitInfo, init = false): ContainerStatus {
  // A completed init container reports ready.
  return { ...s, state: { terminated: terminatedFrom(s, exit) }, ready: init && exit.exitCode === 0, started: false }
}

/** Removes a pod whose containers are all down: the kubelet's final delete (grace 0, uid precondition). */
const podDelete: PodStage = {
  name: 'pod-delete',
  match: (pod) => deleting(pod) && !allStatuses(pod).some(isRunning) && (terminalPhase(pod) || !pod.status?.startTime),
  delay: { ms: 0 },
  steps: () => [{ type: 'delete' }],
}

/**
 * Graceful stop: Killing per running container, then every container terminated once the
 * processes are down — quickly for well-behaved ones, after the whole grace period for those that
 * ignore SIGTERM (exit 137). The pod turns Succeeded/Failed (getPhase with podIsTerminal).
 */
const podStop: PodStage = {
  name: 'pod-stop',
  match: (pod) => deleting(pod) && !!pod.status?.startTime && (!terminalPhase(pod) || allStatuses(pod).some(isRunning)),
  delay: (pod, ctx) => {
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000
    const stubborn = allStatuses(pod).some((s) => isRunning(s) && ctx.runtime.get(s.containerID)?.plan.ignoresSigterm && !ctx.runtime.get(s.containerID)?.exit)
    const ms = Math.min(stubborn ? graceMs : ctx.timings['kubelet.stopMs'], graceMs)
    // preStop hooks run first and count against the grace period (killContainer).
    const hooked = ctx.hooks?.preStopDueAt(pod, graceMs / 1000)
    return hooked ? { ms: 0, from: Math.max(hooked.due, hooked.start + ms) } : { ms }
  },
  steps(pod, ctx) {
    const steps: PodStep[] = []
    const graceful = (pod.metadata.deletionGracePeriodSeconds ?? 0) > 0
    const status = mapStatuses(pod, (s, _c, init) => {
      if (isRunning(s)) {
        steps.push({
          type: 'event',
          eventType: 'Normal',
          reason: 'Killing',
          message: `Stopping container ${s.name}`,
          fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${s.name}}`,
        })
        const rc = ctx.runtime.get(s.containerID)
        if (rc && !rc.exit) ctx.runtime.exit(s.containerID!, graceful && !rc.plan.ignoresSigterm ? 0 : 137)
        const exit = ctx.runtime.get(s.containerID)?.exit ?? { at: ctx.now, exitCode: graceful ? 0 : 137, reason: graceful ? 'Completed' : 'Error' }
        return terminatedState(s, exit)
      }
      if (s.state?.waiting) {
        // status_manager: a terminal pod's containers that are not running are reported lost.
        return {
          ...s,
          state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } },
        }
      }
      return s
    })
    steps.push({ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: false, terminal: true, now: ctx.now }) })
    return steps
  },
}

/** First sync of a bound pod: hostIP, startTime, every container waiting (ContainerCreating, or PodInitializing with init containers). */
const podAccept: PodStage = {
  name: 'pod-accept',
  match: (pod) => !deleting(pod) && !pod.status?.startTime && !terminalPhase(pod),
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.syncMs'] }),
  steps(pod, ctx) {
    const spec = specOf(pod)
    const waitingReason = (spec.initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating'
    const status: PodStatus = {
      ...(pod.status ?? {}),
      hostIP: ctx.hostIP,
      hostIPs: [{ ip: ctx.hostIP }],
      startTime: seconds(ctx.now),
      ...(spec.initContainers?.length ? { initContainerStatuses: spec.initContainers.map((c) => waitingStatus(c, 'PodInitializing')) } : {}),
      containerStatuses: spec.containers.map((c) => waitingStatus(c, waitingReason)),
    }
    return [{ type: 'status', status: finishPodStatus(spec, status, { sandboxReady: false, now: ctx.now }) }]
  },
}

/** The sandbox is up: podIP from the node's range (the host's IP for hostNetwork pods). */
const podSandbox: PodStage = {
  name: 'pod-sandbox',
  // The sandbox waits for the pod's volumes: a claim not yet Bound keeps it ContainerCreating.
  match: (pod, ctx) => !deleting(pod) && !!pod.status?.startTime && !pod.status?.podIP && !terminalPhase(pod) && (ctx.volumesReady?.(pod) ?? true),
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.sandboxMs'] }),
  steps(pod, ctx) {
    const ip = pod.spec?.hostNetwork ? ctx.hostIP : ctx.allocateIP(pod)
    const status: PodStatus = { ...(pod.status ?? {}), podIP: ip, podIPs: [{ ip }] }
    return [{ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: true, now: ctx.now }) }]
  },
}

/** PLEG saw a process exit: the container is terminated with the runtime's exit code and reason. */
const containerExited: PodStage = {
  name: 'container-exited',
  match: (pod, ctx) => !deleting(pod) && exitedContainers(pod, ctx).length > 0,
  delay: (pod, ctx) => ({
    ms: ctx.timings['kubelet.plegMs'],
    from: Math.min(...exitedContainers(pod, ctx).map((s) => ctx.runtime.get(s.containerID)!.exit!.at)),
  }),
  steps(pod, ctx) {
    const status = mapStatuses(pod, (s, _c, init) => {
      const exit = isRunning(s) ? ctx.runtime.get(s.containerID)?.exit : undefined
      return exit ? terminatedState(s, exit, init) : s
    })
    return [{ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: sandboxReady(pod), now: ctx.now }) }]
  },
}

function crashLooping(pod: PodObject, ctx: PodStageContext): ContainerStatus[] {
  if (terminalPhase(pod) || regularContainersDone(pod)) return []
  const spec = specOf(pod)
  const out: ContainerStatus[] = []
  for (const [list, specs, init] of [
    [pod.status?.initContainerStatuses, spec.initContainers, true],
    [pod.status?.containerStatuses, spec.containers, false],
  ] as const) {
    for (const s of list ?? []) {
      const term = s.state?.terminated
      const c = specs?.find((x) => x.name === s.name)
      if (!term || !c || !shouldRestart(pod, c, term.exitCode, init)) continue
      if (ctx.crashBackoff.isInBackOffSince(crashKey(pod, s.name), Date.parse(term.finishedAt ?? '') || ctx.now)) out.push(s)
    }
  }
  return out
}

/** doBackOff: an exited container still inside its restart back-off waits in CrashLoopBackOff. */
const containerCrashLoop: PodStage = {
  name: 'container-crashloop',
  match: (pod, ctx) => !deleting(pod) && crashLooping(pod, ctx).length > 0,
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.restartMs'] }),
  steps(pod, ctx) {
    const names = new Set(crashLooping(pod, ctx).map((s) => s.name))
    const steps: PodStep[] = []
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`
    const status = mapStatuses(pod, (s, c, init) => {
      if (!names.has(s.name) || !c) return s
      const back = goDuration(ctx.crashBackoff.get(crashKey(pod, s.name)))
      steps.push({
        type: 'event',
        eventType: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container ${s.name} in pod ${podName}`,
        fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${s.name}}`,
      })
      return waitingStatus(c, 'CrashLoopBackOff', `back-off ${back} restarting failed container=${s.name} pod=${podName}`, {
        ...s,
        lastState: { terminated: s.state!.terminated },
      })
    })
    steps.push({ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: sandboxReady(pod), now: ctx.now }) })
    return steps
  },
}

/** ErrImagePull turns into ImagePullBackOff on the next sync, with BackOff and `Error: ImagePullBackOff` events. */
const imagePullBackOff: PodStage = {
  name: 'image-backoff',
  match: (pod) => !deleting(pod) && allStatuses(pod).some((s) => s.state?.waiting?.reason === 'ErrImagePull'),
  delay: (_pod, ctx) => ({ ms: ctx.timings['kubelet.imagePullBackOffMs'] }),
  steps(pod, ctx) {
    const steps: PodStep[] = []
    const status = mapStatuses(pod, (s, c, init) => {
      if (s.state?.waiting?.reason !== 'ErrImagePull' || !c) return s
      const msg = `Back-off pulling image "${c.image}"`
      const fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${s.name}}`
      steps.push({ type: 'event', eventType: 'Normal', reason: 'BackOff', message: msg, fieldPath })
      steps.push({ type: 'event', eventType: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', fieldPath })
      return { ...s, state: { waiting: { reason: 'ImagePullBackOff', message: msg } } }
    })
    steps.push({ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: sandboxReady(pod), now: ctx.now }) })
    return steps
  },
}

/** Starts what may start: new containers, restarts whose back-off elapsed, pulls whose back-off elapsed. */
const containersStart: PodStage = {
  name: 'containers-start',
  match: (pod, ctx) => !deleting(pod) && sandboxReady(pod) && startCandidates(pod, ctx).length > 0,
  delay(pod, ctx) {
    const cands = startCandidates(pod, ctx)
    const fresh = cands.filter((c) => c.readyAt === undefined)
    if (fresh.length) return { ms: freshStartMs(fresh, ctx) }
    return { ms: 0, from: Math.min(...cands.map((c) => c.readyAt!)) }
  },
  steps(pod, ctx) {
    const cands = startCandidates(pod, ctx).filter((c) => c.readyAt === undefined || c.readyAt <= ctx.now)
    const steps: PodStep[] = []
    const st = pod.status ?? {}
    const init = [...(st.initContainerStatuses ?? [])]
    const regular = [...(st.containerStatuses ?? [])]
    for (const cand of cands) {
      const { status, events } = startContainer(pod, cand, ctx)
      steps.push(...events)
      const list = cand.init ? init : regular
      const i = list.findIndex((s) => s.name === cand.container.name)
      if (i >= 0) list[i] = status
      else list.push(status)
    }
    const status: PodStatus = { ...st, ...(init.length ? { initContainerStatuses: init } : {}), containerStatuses: regular }
    steps.push({ type: 'status', status: finishPodStatus(specOf(pod), status, { sandboxReady: true, now: ctx.now }) })
    return steps
  },
}

/** The sidecars still running (and not yet told to stop) in a pod whose regular containers have all ended for good. */
function sidecarsToStop(pod: PodObject, ctx: PodStageContext): ContainerStatus[] {
  if (!regularContainersDone(pod)) return []
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name))
  return (pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name) && isRunning(s) && !ctx.runtime.get(s.containerID)?.stopping)
}

/**
 * The regular containers are done (restartPolicy Never/OnFailure): the kubelet kills the pod's
 * sidecars (computePodActions KillPod, no container to keep), the last-declared first, each with
 * the pod's terminationGracePeriodSeconds: one that ignores SIGTERM (a shell) is SIGKILLed (137)
 * when it runs out. Their exits arrive as any exit (container-exited); then the pod turns
 * Succeeded/Failed (getPhase no longer counts them).
 */
const sidecarsStop: PodStage = {
  name: 'sidecars-stop',
  match: (pod, ctx) => !deleting(pod) && sidecarsToStop(pod, ctx).length > 0,
  delay: { ms: 0 },
  steps(pod, ctx) {
    const steps: PodStep[] = []
    const graceMs = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000
    for (const s of sidecarsToStop(pod, ctx).reverse()) {
      steps.push({
        type: 'event',
        eventType: 'Normal',
        reason: 'Killing',
        message: `Stopping container ${s.name}`,
        fieldPath: `spec.initContainers{${s.name}}`,
      })
      const deaf = ctx.runtime.get(s.containerID)?.plan.ignoresSigterm
      ctx.runtime.kill(s.containerID!, deaf ? graceMs : Math.min(ctx.timings['kubelet.stopMs'], graceMs), deaf ? 137 : 0)
    }
    return steps
  },
}

/** The kubelet's pod stages, first match wins. */
export const podStages: readonly PodStage[] = [
  podDelete,
  ephemeralStop,
  podStop,
  podAccept,
  podSandbox,
  ...ephemeralStages,
  containerExited,
  sidecarsStop,
  probeKill,
  probeStatus,
  containerCrashLoop,
  imagePullBackOff,
  containersStart,
  ephemeralRetry,
]
