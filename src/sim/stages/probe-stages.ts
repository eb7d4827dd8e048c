/**
 * @module probe-stages: the pod stages that act on probe results — `started`/`ready` of running containers (and through
 * them ContainersReady/Ready), and the kill of a container whose liveness or startup probe failed
 * (kuberuntime_manager computePodActions, killContainer; 1.32).
 */
import type { ContainerStatus } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import type { PodStage, PodStageContext } from './pod-context.js'
import { finishPodStatus } from './pod-status.js'

const terminal = (pod: PodObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
const active = (pod: PodObject) => !pod.metadata.deletionTimestamp && !terminal(pod)

/** The running statuses probes apply to: regular containers and sidecars, with the list they sit in. */
function probedStatuses(pod: PodObject): { s: ContainerStatus; init: boolean }[] {
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name))
  return [
    ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)).map((s) => ({ s, init: true })),
    ...(pod.status?.containerStatuses ?? []).map((s) => ({ s, init: false })),
  ].filter(({ s }) => !!s.state?.running)
}

function drifted(pod: PodObject, ctx: PodStageContext): boolean {
  if (!ctx.probes) return false
  return probedStatuses(pod).some(({ s }) => {
    const want = ctx.probes!.state(pod, s)
    return want.started !== !!s.started || want.ready !== !!s.ready
  })
}

/** The prober's view changed: running containers get their `started` and `ready`, the pod its conditions. */
export const probeStatus: PodStage = {
  name: 'probe-status',
  match: (pod, ctx) => active(pod) && drifted(pod, ctx),
  delay: { ms: 0 },
  steps(pod, ctx) {
    const fix = (s: ContainerStatus): ContainerStatus => (s.state?.running ? { ...s, ...ctx.probes!.state(pod, s) } : s)
    const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name))
    const st = pod.status ?? {}
    const status = {
      ...st,
      ...(st.initContainerStatuses ? { initContainerStatuses: st.initContainerStatuses.map((s) => (sidecars.has(s.name) ? fix(s) : s)) } : {}),
      ...(st.containerStatuses ? { containerStatuses: st.containerStatuses.map(fix) } : {}),
    }
    return [{ type: 'status', status: finishPodStatus(pod.spec ?? { containers: [] }, status, { sandboxReady: !!st.podIP, now: ctx.now }) }]
  },
}

function unhealthy(pod: PodObject, ctx: PodStageContext) {
  if (!ctx.probes) return []
  const out: { s: ContainerStatus; init: boolean; reason: 'liveness' | 'startup' }[] = []
  for (const x of probedStatuses(pod)) {
    const reason = ctx.probes.killReason(pod, x.s)
    if (reason) out.push({ ...x, reason })
  }
  return out
}

/**
 * A liveness (or startup) probe failed past its threshold: `Killing` with upstream's message, then
 * the process stops as it does on SIGTERM — soon for one that handles it, after the grace period
 * (the probe's terminationGracePeriodSeconds, else the pod's) with 137 for one that ignores it. The
 * exit then goes the usual way: PLEG, restartPolicy, back-off.
 */
export const probeKill: PodStage = {
  name: 'probe-kill',
  match: (pod, ctx) => active(pod) && !!ctx.hooks && unhealthy(pod, ctx).length > 0,
  delay: { ms: 0 },
  steps(pod, ctx) {
    for (const { s, init, reason } of unhealthy(pod, ctx)) {
      const c = (init ? pod.spec?.initContainers : pod.spec?.containers)?.find((x) => x.name === s.name)
      const probe = reason === 'liveness' ? c?.livenessProbe : c?.startupProbe
      // setTerminationGracePeriod: the probe's own grace period wins over the pod's.
      const grace = probe?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
      ctx.probes!.markKilled(s.containerID!)
      // computeInitContainerActions words a sidecar's kill apart; computePodActions adds the restart intent.
      const message = init
        ? `Init container ${s.name} failed ${reason} probe`
        : `Container ${s.name} failed ${reason} probe${pod.spec?.restartPolicy !== 'Never' ? ', will be restarted' : ''}`
      ctx.hooks!.killContainer(pod, s, grace, message)
    }
    return []
  },
}
