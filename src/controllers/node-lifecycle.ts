/**
 * @module node-lifecycle: the node lifecycle controller — condition taints and the cordon taint,
 * NotReady/Unknown for nodes whose kubelet went quiet, pods marked not ready
 * (pkg/controller/nodelifecycle/node_lifecycle_controller.go).
 */
import { StatusError } from '../errors.js'
import type { ControllerDeps } from './index.js'
import { lastHeartbeat, markConditionsUnknown, readyStatus, reconcileTaints } from './node-lifecycle-taints.js'
import { nodeNameIndex, podInformer } from './informers.js'
import type { Controller } from './runtime.js'
import { setPodCondition } from '../registry/core/pod-binding.js'
import type { Node, Pod } from './scheduler-filters.js'

/** Timing names (simulated ms) this module reads from `deps.timings`. */
export const nodeLifecycleTimings = {
  /** --node-monitor-grace-period: 50 s since 1.32 (it was 40 s before). */
  gracePeriod: 'node-monitor-grace-period',
  /** --node-monitor-period: how often heartbeats are checked. */
  monitorPeriod: 'node-monitor-period',
}
const defaults: Record<string, number> = { [nodeLifecycleTimings.gracePeriod]: 50_000, [nodeLifecycleTimings.monitorPeriod]: 5_000 }

/** The event source of this controller. */
export const nodeControllerSource = { component: 'node-controller' }

/**
 * Creates the controller; keys are node names (a node Lease change maps to its node).
 * Heartbeats are only judged when a kubelet simulation runs in this cluster (it publishes
 * `sim.stopKubelet`): without one nobody renews leases, and every node would go Unknown.
 */
export function createNodeLifecycleController(deps: ControllerDeps): Controller {
  const { registry, clock, events, sim } = deps
  const nodes = registry.resource('', 'nodes')
  const pods = registry.resource('', 'pods')
  const nodeCache = deps.manager.informers.for('', 'nodes')
  const leaseCache = deps.manager.informers.for('coordination.k8s.io', 'leases')
  const podCache = podInformer(deps.manager.informers)
  const timing = (name: string) => deps.timings[name] ?? defaults[name]
  /** The Ready status last observed per node, to notice transitions (nodeHealthMap). */
  const observedReady = new Map<string, string>()
  /**
   * When this controller (re)started: a heartbeat older than that counts from then, as upstream's
   * tryUpdateNodeHealth assumes "now" for a node it has no probe timestamp for (a restarted
   * kube-controller-manager, or a snapshot restore whose Leases were renewed long ago, gives every
   * node a full grace period instead of marking it NotReady at once).
   */
  let observingSince = Number.NEGATIVE_INFINITY

  /** MarkPodsNotReady: every pod on the node gets Ready=False, with a NodeNotReady warning. */
  const markPodsNotReady = async (nodeName: string, now: number) => {
    for (const s of podCache.byIndex(nodeNameIndex, nodeName)) {
      const pod = s.obj as Pod
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
      if (!ready || ready.status === 'False') continue
      try {
        await pods.guaranteedUpdate(
          pod.metadata.namespace ?? '',
          pod.metadata.name ?? '',
          (p) => {
            const cur = (p as Pod).status?.conditions?.find((c) => c.type === 'Ready')
            if (cur) setPodCondition(p as Pod, { type: 'Ready', status: 'False', reason: cur.reason, message: cur.message }, now)
            return p
          },
          { subresource: 'status' },
        )
        events.record(nodeControllerSource, pod, 'Warning', 'NodeNotReady', 'Node is not ready')
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
  }

  return {
    name: 'node-lifecycle',
    start() {
      observingSince = clock.now()
    },
    watches: [
      { group: '', plural: 'nodes' },
      // A renewal only moves the deadline, which the requeue timer reads when it fires: only a
      // Lease appearing or going away needs a look now (5,000 nodes renew 500 a second).
      {
        group: 'coordination.k8s.io',
        plural: 'leases',
        keys: (l, prev) => {
          if (l.metadata.namespace !== 'kube-node-lease') return []
          const name = l.metadata.name ?? ''
          return !prev || leaseCache.get('kube-node-lease', name)?.obj !== l ? [name] : []
        },
      },
    ],
    async reconcile(name) {
      let node = nodeCache.get('', name)?.obj as Node | undefined
      if (!node) {
        observedReady.delete(name)
        return
      }
      const now = clock.now()
      let requeueAfterMs: number | undefined
      if (typeof sim.stopKubelet === 'function') {
        const renew = (leaseCache.get('kube-node-lease', name)?.obj.spec as { renewTime?: string } | undefined)?.renewTime
        const deadline = Math.max(lastHeartbeat(node, renew), observingSince) + timing(nodeLifecycleTimings.gracePeriod)
        if (now > deadline) {
          const conditions = markConditionsUnknown(node.status?.conditions, now)
          if (conditions)
            node = (await nodes.guaranteedUpdate('', name, (n) => ({ ...n, status: { ...(n.status as object), conditions } }), { subresource: 'status' }))
              .obj as Node
        } else {
          // Checked on the monitor period's ticks, as monitorNodeHealth runs every 5 s.
          const period = timing(nodeLifecycleTimings.monitorPeriod)
          requeueAfterMs = Math.ceil((deadline - now + 1) / period) * period
        }
      }
      const ready = readyStatus(node)
      const before = observedReady.get(name)
      observedReady.set(name, ready)
      if (before !== undefined && before !== ready) {
        // RecordNodeStatusChange refers to the node with its name as UID.
        const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }
        if (ready === 'True') events.record(nodeControllerSource, ref, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`)
        else if (before === 'True') events.record(nodeControllerSource, ref, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`)
      }
      if (ready !== 'True' && ready !== '') await markPodsNotReady(name, now)
      const taints = reconcileTaints(node, now)
      if (taints) {
        await nodes.guaranteedUpdate('', name, (n) => {
          const next = reconcileTaints(n as Node, now) ?? (n as Node).spec?.taints ?? []
          return { ...n, spec: { ...(n.spec as object), taints: next.length ? next : undefined } }
        })
      }
      return requeueAfterMs === undefined ? undefined : { requeueAfterMs }
    },
  }
}
