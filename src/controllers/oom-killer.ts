/**
 * @module oom-killer: the kernel's memory cgroup limit, as the kubelet sees it: a running
 * container whose memory (the usage model's, or the control API's override) passes its memory
 * limit is killed, `terminated` with `reason: OOMKilled`, `exitCode: 137`; restartPolicy and the
 * crash back-off then apply. Checked only for containers with a memory limit, when their pod
 * changes (a container started) or an override changes: nothing runs on a timer.
 *
 * No Event is recorded: the kubelet's SystemOOM event (pkg/kubelet/oom/oom_watcher_linux.go) is
 * for OOMs of the node's root cgroup (`VictimContainerName == "/"`), not of a container's limit.
 */
import type { PodObject } from '../registry/core/pod-printer.js'
import { memoryDemand, limitsOf } from '../sim/usage/container-usage.js'
import type { UsageOverrides } from '../sim/usage/usage-overrides.js'
import type { ControllerDeps } from './index.js'
import { podInformer } from './informers.js'
import { objectKey, splitKey, type Controller } from './runtime.js'

/** Simulated ms from a container's start to the kill: the time its program takes to allocate past the limit. */
export const oomAfterMs = 1000

const hasMemoryLimit = (p: PodObject) => [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].some((c) => c.resources?.limits?.memory)

/** Kills the containers that outgrow their memory limit, through `sim.exitContainer`. */
export function createOOMKiller(deps: ControllerDeps, overrides: UsageOverrides): Controller {
  const pods = podInformer(deps.manager.informers)
  overrides.onChange((namespace) => {
    for (const s of pods.list(namespace)) if (hasMemoryLimit(s.obj as PodObject)) deps.manager.enqueueTo('oom-killer', objectKey(s.obj))
  })
  return {
    name: 'oom-killer',
    watches: [{ group: '', plural: 'pods', keys: (o) => ((o as PodObject).spec?.nodeName && hasMemoryLimit(o as PodObject) ? [objectKey(o)] : []) }],
    reconcile(key) {
      const [ns, name] = splitKey(key)
      const pod = pods.getObject(ns, name) as PodObject | undefined
      const node = pod?.spec?.nodeName
      if (!pod || !node || pod.metadata.deletionTimestamp || !(deps.ownsNode?.(node) ?? true)) return
      const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
      const now = deps.clock.now()
      let next = Number.POSITIVE_INFINITY
      for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
        const started = Date.parse(s.state?.running?.startedAt ?? '')
        const container = specs.find((c) => c.name === s.name)
        const limit = container && limitsOf(container).memoryBytes
        if (!container || limit === undefined || !Number.isFinite(started)) continue
        const override = overrides.forContainer(ns, name, pod.metadata.labels ?? {}, container.name)
        // The top of the range it moves in: a working set that reaches the limit at some sample is killed then.
        if (memoryDemand({ seed: `${pod.metadata.uid}/${container.name}`, container, override }).high <= limit) continue
        const due = Math.max(started + oomAfterMs, now)
        if (due > now) {
          next = Math.min(next, due)
          continue
        }
        try {
          deps.sim.exitContainer?.(ns, name, container.name, 137, 'OOMKilled')
        } catch {
          // Not running any more (it ended meanwhile): the next pod change looks again.
        }
      }
      return Number.isFinite(next) ? { requeueAfterMs: next - now } : undefined
    },
  }
}
