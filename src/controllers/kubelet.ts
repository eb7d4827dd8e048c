/** @module kubelet: the simulated kubelets — pod lifecycle stages for pods bound to nodes, node heartbeats, and the sim controls. */
import type { PodObject } from '../registry/core/pod-printer.js'
import { StatusError } from '../errors.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { containerEnv } from '../sim/containers/env.js'
import { pid1For } from '../sim/containers/pid1.js'
import { ImageCatalogue } from '../sim/images.js'
import { selectStage, StageTracker, stageDueAt } from '../sim/stages/engine.js'
import { defaultKubeletTimings, type KubeletTimings, type PodStageContext, type PodStep } from '../sim/stages/pod-context.js'
import { podStages } from '../sim/stages/pod-stages.js'
import { ProberManager } from '../sim/probes/prober-manager.js'
import { whileSessionLoads } from '../sim/shell/load-session.js'
import { LifecycleHooks } from '../sim/probes/lifecycle-hooks.js'
import type { KubeObject } from '../types.js'
import type { ControllerDeps } from './index.js'
import { Backoff } from './kubelet-backoff.js'
import { createNodeHeartbeat, defaultNodeTimings, kubeletNodeFor, type KubeletNode } from './kubelet-node.js'
import { ContainerRuntime } from './kubelet-runtime.js'
import { nodeNameIndex, podInformer } from './informers.js'
import { objectKey, splitKey, type Controller } from './runtime.js'
import { claimsBound, podClaimIndex, podClaimKeys } from './volume-binding.js'

/** Every timing the kubelet reads from `deps.timings`, with its default (simulated ms). */
export const kubeletTimingDefaults = { ...defaultKubeletTimings, ...defaultNodeTimings }

/** `<major>.<minor>` of a node's kubelet, for the User-Agents of probes (`kube-probe/1.32`) and hooks (`kube-lifecycle/1.32`). */
function kubeletMinor(node: KubeObject | undefined): string {
  const v = (node?.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? ''
  const m = /^v?(\d+)\.(\d+)/.exec(v)
  return m ? `${m[1]}.${m[2]}` : '1.32'
}

/** Options for tests and scenarios. */
export interface KubeletOptions {
  /** The registry to pull from (default: a fresh copy of the default catalogue per cluster). */
  images?: ImageCatalogue
  /** Container ID generator (tests make it deterministic). */
  newContainerID?: () => string
}

/** Image pull back-off: 10 s doubling to 300 s (kubelet.go imageBackOff). */
const imageBackoffMs = { initial: 10_000, max: 300_000 }
/** Container restart back-off: 10 s doubling to 300 s (kubelet.go MaxContainerBackOff). */
const crashBackoffMs = { initial: 10_000, max: 300_000 }

/**
 * The kubelets of every node, as two controllers: `kubelet` (pods by `namespace/name`, applying
 * `podStages`) and `kubelet-node` (nodes arriving and leaving; their heartbeats run from one
 * batched schedule, see kubelet-node.ts). Publishes `sim.stopKubelet`,
 * `sim.startKubelet` and `sim.exitContainer`.
 */
export function createKubelet(deps: ControllerDeps, opts: KubeletOptions = {}): Controller[] {
  const pods = deps.registry.resource('', 'pods')
  const podCache = podInformer(deps.manager.informers)
  const nodeCache = deps.manager.informers.for('', 'nodes')
  const claimCache = deps.manager.informers.for('', 'persistentvolumeclaims')
  podCache.addIndex(podClaimIndex, podClaimKeys)
  const images = opts.images ?? deps.images ?? new ImageCatalogue()
  const timing = <K extends keyof typeof kubeletTimingDefaults>(k: K): number => deps.timings[k] ?? kubeletTimingDefaults[k]
  const timings = Object.fromEntries(Object.keys(defaultKubeletTimings).map((k) => [k, timing(k as keyof KubeletTimings)])) as unknown as KubeletTimings
  // A simulated program is run by the sim's PID 1 driver, which reports its exit through sim.exitContainer.
  const runtime = new ContainerRuntime(
    deps.clock,
    (podKey) => deps.manager.enqueueTo('kubelet', podKey),
    opts.newContainerID,
    (c) => pid1For(deps.registry).run(c.podKey, c.name, c.id),
  )
  const now = () => deps.clock.now()
  const imageBackoff = new Backoff(imageBackoffMs.initial, imageBackoffMs.max, now)
  const crashBackoff = new Backoff(crashBackoffMs.initial, crashBackoffMs.max, now)
  const tracker = new StageTracker()
  const nodeStates = new Map<string, KubeletNode>()
  const stopped = new Set<string>()
  /** A node whose kubelet does nothing here: stopped (sim.stopKubelet), or simulated by another process. */
  const idle = (node: string) => stopped.has(node) || !(deps.ownsNode?.(node) ?? true)
  /** Pods this kubelet has seen, by key: which UID on which node (to clean up after deletion). */
  const known = new Map<string, { uid: string; node: string }>()
  // Exec probes and hooks load the shell on first use: simulated time waits for it.
  deps.clock.addSettler?.(whileSessionLoads)
  const prober = new ProberManager({
    clock: deps.clock,
    registry: deps.registry,
    getPod: (key) => {
      const [ns, name] = splitKey(key)
      return podCache.get(ns, name)?.obj as PodObject | undefined
    },
    onChange: (key) => deps.manager.enqueueTo('kubelet', key),
    record: (pod, type, reason, message, fieldPath) =>
      deps.events.record({ component: 'kubelet', host: pod.spec?.nodeName }, pod, type, reason, message, { fieldPath }),
    userAgent: (pod) => `kube-probe/${kubeletMinor(nodeCache.get('', pod.spec?.nodeName ?? '')?.obj)}`,
    idle,
  })
  const hooks = new LifecycleHooks({
    clock: deps.clock,
    registry: deps.registry,
    record: (pod, type, reason, message, fieldPath) =>
      deps.events.record({ component: 'kubelet', host: pod.spec?.nodeName }, pod, type, reason, message, { fieldPath }),
    exitContainer: (id, code) => runtime.exit(id, code),
    ignoresSigterm: (id) => !!runtime.get(id)?.plan.ignoresSigterm,
    stopMs: timing('kubelet.stopMs'),
    onChange: (key) => deps.manager.enqueueTo('kubelet', key),
    userAgent: (pod) => `kube-lifecycle/${kubeletMinor(nodeCache.get('', pod.spec?.nodeName ?? '')?.obj)}`,
  })

  const nodeState = (node: KubeObject): KubeletNode => {
    const name = node.metadata.name ?? ''
    let kn = nodeStates.get(name)
    if (!kn) nodeStates.set(name, (kn = kubeletNodeFor(node, images, now())))
    return kn
  }

  const forget = (key: string) => {
    const k = known.get(key)
    if (!k) return
    known.delete(key)
    prober.removePod(key, k.uid)
    hooks.forgetPod(key)
    runtime.removePod(key)
    nodeStates.get(k.node)?.allocator.release(k.uid)
    imageBackoff.forgetPrefix(`${k.uid}_`)
    crashBackoff.forgetPrefix(`${k.uid}_`)
    tracker.clear(key)
  }

  const context = (kn: KubeletNode): PodStageContext => ({
    now: now(),
    node: kn.name,
    hostIP: kn.hostIP,
    timings,
    images,
    nodeImages: kn,
    runtime,
    imageBackoff,
    crashBackoff,
    allocateIP: (pod) => kn.allocator.allocate(pod.metadata.uid ?? ''),
    volumesReady: (pod) => claimsBound(pod, claimCache),
    containerEnv: (pod, name) => containerEnv(deps.registry, pod as Pod, name),
    probes: prober,
    hooks,
  })

  const apply = async (pod: PodObject, steps: PodStep[], node: string): Promise<boolean> => {
    const ns = pod.metadata.namespace ?? ''
    const name = pod.metadata.name ?? ''
    const uid = pod.metadata.uid
    let changed = false
    for (const step of steps) {
      if (step.type === 'event') {
        deps.events.record({ component: 'kubelet', host: node }, pod, step.eventType, step.reason, step.message, { fieldPath: step.fieldPath })
      } else if (step.type === 'status') {
        const before = pods.getStored(ns, name)?.rv
        const after = await pods.guaranteedUpdate(
          ns,
          name,
          (cur) => {
            if (cur.metadata.uid !== uid) throw StatusError.notFound(pods.ref, name)
            cur.status = step.status
            return cur
          },
          { subresource: 'status', shallow: true },
        )
        changed ||= after.rv !== before
      } else {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid } })
        changed = true
      }
    }
    return changed
  }

  const podController: Controller = {
    name: 'kubelet',
    watches: [
      { group: '', plural: 'pods', keys: (o) => ((o.spec as { nodeName?: string } | undefined)?.nodeName ? [objectKey(o)] : []) },
      // A claim that becomes Bound lets the pods on nodes that mount it go on.
      {
        group: '',
        plural: 'persistentvolumeclaims',
        keys: (o) =>
          podCache
            .byIndex(podClaimIndex, `${o.metadata.namespace}/${o.metadata.name}`)
            .filter((s) => (s.obj.spec as { nodeName?: string } | undefined)?.nodeName)
            .map((s) => objectKey(s.obj)),
      },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const pod = pods.getStored(ns, name)?.obj as PodObject | undefined
      const uid = pod?.metadata.uid ?? ''
      if (known.get(key) && known.get(key)!.uid !== uid) forget(key)
      const nodeName = pod?.spec?.nodeName
      if (!pod || !nodeName) return
      const nodeObj = nodeCache.get('', nodeName)?.obj
      if (!nodeObj || idle(nodeName)) return
      const kn = nodeState(nodeObj)
      known.set(key, { uid, node: nodeName })
      if (pod.status?.podIP && !pod.spec?.hostNetwork) kn.allocator.reserve(uid, pod.status.podIP)
      prober.syncPod(key, pod)
      hooks.syncPod(key, pod)
      const ctx = context(kn)
      const stage = selectStage(podStages, pod, ctx)
      if (!stage) {
        tracker.clear(key)
        return
      }
      const { since, jitter } = tracker.track(key, uid, stage.name, ctx.now)
      const due = stageDueAt(stage, pod, ctx, since, jitter)
      if (due > ctx.now) return { requeueAfterMs: due - ctx.now }
      tracker.clear(key)
      try {
        // A stage that changed nothing would not wake us through the watch: look again later.
        if (!(await apply(pod, stage.steps(pod, ctx), nodeName))) return { requeueAfterMs: 1000 }
      } catch (err) {
        if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return
        throw err
      }
    },
  }

  deps.sim.stopKubelet = (node: string) => {
    stopped.add(node)
  }
  deps.sim.startKubelet = (node: string) => {
    if (!stopped.delete(node)) return
    const kn = nodeStates.get(node)
    if (kn) {
      kn.lastLease = 0
      kn.lastStatusCheck = 0
    }
    deps.manager.enqueueTo('kubelet-node', node)
    for (const s of podCache.byIndex(nodeNameIndex, node)) deps.manager.enqueueTo('kubelet', objectKey(s.obj))
  }
  deps.sim.exitContainer = (namespace: string, pod: string, container: string, exitCode: number, reason?: string) => {
    const p = pods.getStored(namespace, pod)?.obj as PodObject | undefined
    if (!p) throw StatusError.notFound(pods.ref, pod)
    const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? []), ...(p.status?.ephemeralContainerStatuses ?? [])]
    const s = statuses.find((x) => x.name === container)
    if (!s?.state?.running || !s.containerID) throw StatusError.badRequest(`container "${container}" in pod "${pod}" is not running`)
    runtime.exit(s.containerID, exitCode, reason)
  }

  deps.sim.setContainerHealth = (namespace: string, pod: string, container: string, healthy: boolean) => {
    const p = pods.getStored(namespace, pod)?.obj as PodObject | undefined
    if (!p) throw StatusError.notFound(pods.ref, pod)
    prober.setHealth(p.metadata.uid ?? '', container, healthy)
  }

  const nodeController = createNodeHeartbeat(deps, { nodeState, stopped: idle, timing })
  return [podController, nodeController]
}
