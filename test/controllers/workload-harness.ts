/** @module workload-harness: a bare registry + manual clock running only the controllers under test, with stand-ins for the scheduler and kubelet. */
import { createEventRecorder } from '../../src/controllers/events.js'
import type { ControllerDeps, ControllerFactory } from '../../src/controllers/index.js'
import { ControllerManager } from '../../src/controllers/runtime.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { defaultNodes, nodeObject, systemNamespaces, type NodeInput } from '../../src/sim/default-cluster.js'
import { systemPriorityClassObjects } from '../../src/sim/system-priority-classes.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'
import { rfc3339 } from '../../src/util/time.js'
import { kubeVersion } from '../../src/version.js'
import { targetNodeName } from '../../src/controllers/daemonset-nodes.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'
import { ImageCatalogue } from '../../src/sim/images.js'

/** A running harness: its registry, clock, and helpers to play scheduler and kubelet by hand. */
export interface Harness {
  registry: Registry
  clock: SimClock
  manager: ControllerManager
  deps: ControllerDeps
  /** Lets queued reconciles run until the store stops changing. */
  settle(): Promise<void>
  /** Advances simulated time, then settles. */
  advance(ms: number): Promise<void>
  pods(ns?: string): PodObject[]
  /** Binds pending pods to their pinned (or given) node and marks them Running+Ready, as scheduler and kubelet would. */
  runPods(filter?: (p: PodObject) => boolean): Promise<void>
  /** Sets a pod's phase (and container termination) as the kubelet would on exit. */
  finishPod(ns: string, name: string, phase: 'Succeeded' | 'Failed'): Promise<void>
  /** Removes terminating pods (the kubelet's final delete). */
  reapTerminating(): Promise<void>
  close(): void
}

/** Starts a harness with the default 4 nodes (or `nodes`) and only `factories` running. */
export async function startHarness(factories: ControllerFactory[], opts: { nodes?: NodeInput[] } = {}): Promise<Harness> {
  const clock = new SimClock({ speed: 0, start: Date.parse('2025-03-01T10:00:00Z') })
  const store = new MemoryStore({})
  const registry = new Registry({ store, clock, definitions })
  for (const ns of systemNamespaces) await registry.resource('', 'namespaces').create('', { metadata: { name: ns } })
  // The classes the API server creates at boot (the system workloads' pods name them).
  for (const pc of systemPriorityClassObjects()) await registry.resource('scheduling.k8s.io', 'priorityclasses').create('', pc)
  const version = kubeVersion()
  for (const [i, n] of (opts.nodes ?? defaultNodes()).entries()) {
    const node = nodeObject(n, i, version, rfc3339(clock.now()))
    const created = await registry.resource('', 'nodes').create('', { ...node, status: undefined } as KubeObject, { trusted: true })
    await registry.resource('', 'nodes').update('', n.name, { ...node, metadata: { ...created.obj.metadata } }, { subresource: 'status', trusted: true })
  }
  const manager = new ControllerManager(registry, clock)
  const errors: unknown[] = []
  manager.onError = (c, k, e) => errors.push([c, k, e])
  const deps: ControllerDeps = { registry, clock, events: createEventRecorder(registry, clock), manager, sim: {}, timings: {}, images: new ImageCatalogue() }
  for (const f of factories) {
    const made = f(deps)
    for (const c of Array.isArray(made) ? made : [made]) manager.add(c)
  }
  manager.start()
  const pods = registry.resource('', 'pods')

  const settle = async () => {
    let last = -1
    let stable = 0
    for (let i = 0; i < 2000 && stable < 5; i++) {
      await new Promise<void>((r) => setImmediate(r))
      const rv = store.currentRV()
      stable = rv === last && manager.pending() === 0 ? stable + 1 : 0
      last = rv
    }
  }

  const h: Harness = {
    registry,
    clock,
    manager,
    deps,
    settle,
    async advance(ms) {
      await clock.advance(ms)
      await settle()
    },
    pods: (ns) => pods.list(ns).items.map((s) => s.obj as PodObject),
    async runPods(filter = () => true) {
      const now = rfc3339(clock.now())
      for (const p of h.pods()) {
        if (!filter(p) || p.metadata.deletionTimestamp || p.status?.phase === 'Running' || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
          continue
        const ns = p.metadata.namespace ?? ''
        const name = p.metadata.name ?? ''
        const node = targetNodeName(p) ?? 'kubemock-worker'
        if (!p.spec?.nodeName) await pods.guaranteedUpdate(ns, name, (o) => ({ ...o, spec: { ...(o.spec as object), nodeName: node } }), { trusted: true })
        await pods.guaranteedUpdate(
          ns,
          name,
          (o) => {
            const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })
            o.status = { ...(o.status as object), phase: 'Running', conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond) }
            return o
          },
          { subresource: 'status' },
        )
      }
      await settle()
    },
    async finishPod(ns, name, phase) {
      await pods.guaranteedUpdate(
        ns,
        name,
        (o) => {
          const now = rfc3339(clock.now())
          const containers = ((o as PodObject).spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image,
            imageID: '',
            ready: false,
            restartCount: 0,
            started: false,
            state: {
              terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now },
            },
          }))
          const cond = (type: string, status: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: now })
          o.status = { ...(o.status as object), phase, containerStatuses: containers, conditions: [cond('Ready', 'False'), cond('PodScheduled', 'True')] }
          return o
        },
        { subresource: 'status' },
      )
      await settle()
    },
    async reapTerminating() {
      for (const p of h.pods()) {
        if (!p.metadata.deletionTimestamp) continue
        try {
          await pods.delete(p.metadata.namespace ?? '', p.metadata.name ?? '', { gracePeriodSeconds: 0 })
        } catch {
          // already gone
        }
      }
      await settle()
    },
    close() {
      manager.stop()
      clock.dispose()
      if (errors.length) throw new Error(`controller errors: ${errors.map((e) => String((e as unknown[])[2])).join('; ')}`)
    },
  }
  return h
}
