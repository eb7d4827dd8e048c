/** @module kubelet-node: per-node kubelet state and the node heartbeat loop (Lease renewals, node status reports, images). */
import type { NodeCondition } from 'kubernetes-types/core/v1.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import { nodeLease } from '../sim/default-cluster.js'
import { type ImageCatalogue, preloadedImages, type PulledImage } from '../sim/images.js'
import { PodIPAllocator } from '../sim/pod-ip.js'
import type { Clock, TimerHandle } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { rfc3339, rfc3339Micro } from '../util/time.js'
import type { ControllerDeps } from './index.js'
import { type Controller, yieldIfBusy } from './runtime.js'
import { deepFreeze } from '../util/deep-freeze.js'
import { GenerationalLru } from '../util/lru.js'
import { perObject } from '../util/per-object.js'

/** Heartbeat timings (simulated ms); override through `deps.timings`. */
export const defaultNodeTimings = {
  /** nodeLeaseRenewInterval: 25 % of the 40 s lease duration. */
  'kubelet.leaseRenewMs': 10_000,
  /** nodeStatusUpdateFrequency: how often the kubelet computes its node status. */
  'kubelet.nodeStatusUpdateMs': 10_000,
  /** nodeStatusReportFrequency: an unchanged status is still posted this often. */
  'kubelet.nodeStatusReportMs': 300_000,
}

/** nodeStatusMaxImages: the kubelet reports at most this many images, largest first. */
const maxImages = 50

/** One entry of node.status.images. */
export interface StatusImage {
  readonly names: readonly string[]
  readonly sizeBytes: number
}

/**
 * The status.images lists of the process by their JSON, deep-frozen (parsed, so each array is
 * exactly as long as it is): every node of 300 default clusters reports the same preloaded images,
 * ~10 KB of arrays per cluster when each node kept its own. The 32 to 64 most recent lists are
 * kept; a node holding an older one keeps it, only no longer shared.
 */
const imageLists = new GenerationalLru<string, readonly StatusImage[]>(32)
function sharedImageList(json: string): readonly StatusImage[] {
  let list = imageLists.get(json)
  if (!list) imageLists.set(json, (list = deepFreeze(JSON.parse(json) as StatusImage[])))
  return list
}

/** What one node's kubelet keeps in memory. */
export class KubeletNode {
  readonly allocator: PodIPAllocator
  /** Images on the node by runtime name (`docker.io/library/nginx:1.15.12`). */
  readonly images = new Map<string, PulledImage>()
  lastLease = 0
  lastStatusCheck = 0
  lastReport: number
  lastUnschedulable = false
  /** Bumped whenever the image set changes (so the status list is rebuilt only then). */
  private imagesVersion = 0
  private imagesMemo: { version: number; list: readonly StatusImage[]; json: string } | undefined

  constructor(
    readonly name: string,
    readonly hostIP: string,
    podCIDR: string,
    lastReport: number,
    catalogue: ImageCatalogue,
  ) {
    this.allocator = new PodIPAllocator(podCIDR)
    this.lastReport = lastReport
    for (const ref of preloadedImages) this.add(catalogue.describe(ref))
  }

  has(image: string): boolean {
    return this.images.has(image)
  }

  add(image: PulledImage): void {
    if (this.images.get(image.image) !== image) this.imagesVersion++
    this.images.set(image.image, image)
  }

  /**
   * node.status.images: names `[<repo>@<digest>, <repo>:<tag>…]`, largest first, at most 50.
   * Deep-frozen and shared by every node of the process that reports the same images.
   */
  statusImages(): readonly StatusImage[] {
    return this.statusImagesMemo().list
  }

  /** {@link statusImages} and its JSON, rebuilt only when the image set changed. */
  statusImagesMemo(): { list: readonly StatusImage[]; json: string } {
    if (this.imagesMemo?.version === this.imagesVersion) return this.imagesMemo
    const json = JSON.stringify(this.buildStatusImages())
    this.imagesMemo = { version: this.imagesVersion, list: sharedImageList(json), json }
    return this.imagesMemo
  }

  private buildStatusImages(): { names: string[]; sizeBytes: number }[] {
    const byID = new Map<string, { names: string[]; sizeBytes: number }>()
    for (const img of this.images.values()) {
      const e = byID.get(img.imageID) ?? { names: [img.imageID], sizeBytes: img.sizeBytes }
      if (!e.names.includes(img.image)) e.names.push(img.image)
      byID.set(img.imageID, e)
    }
    return [...byID.values()].sort((a, b) => b.sizeBytes - a.sizeBytes || a.names[0].localeCompare(b.names[0])).slice(0, maxImages)
  }
}

/** The pressure and Ready conditions a healthy kubelet reports (nodestatus setters). */
const healthy: Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
]

let fallbackCIDR = 0

/** Builds a node's kubelet state from its object (podCIDR, InternalIP, last heartbeat). */
export function kubeletNodeFor(node: KubeObject, catalogue: ImageCatalogue, now: number): KubeletNode {
  const spec = node.spec as { podCIDR?: string } | undefined
  const status = node.status as { addresses?: { type: string; address: string }[]; conditions?: NodeCondition[] } | undefined
  const ip = status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.250'
  // Nodes created through the API may have no podCIDR yet (node-ipam would assign one).
  const cidr = spec?.podCIDR ?? `10.245.${fallbackCIDR++ % 256}.0/24`
  const beat = Date.parse(status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '')
  const kn = new KubeletNode(node.metadata.name ?? '', ip, cidr, Number.isNaN(beat) ? 0 : beat, catalogue)
  kn.lastUnschedulable = !!(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable
  void now
  return kn
}

const sameCondition = (a: NodeCondition | undefined, b: Pick<NodeCondition, 'status' | 'reason' | 'message'>) =>
  !!a && a.status === b.status && a.reason === b.reason && a.message === b.message

/** The node heartbeat controller's collaborators. */
export interface NodeHeartbeatOptions {
  nodeState(node: KubeObject): KubeletNode
  stopped(node: string): boolean
  timing(name: keyof typeof defaultNodeTimings): number
}

/**
 * Nodes by the simulated time their next heartbeat is due, driven by one clock timer for the
 * earliest due time (not a timer and a work-queue round trip per node): at 5,000 nodes a round is
 * 500 heartbeats a second, run as one batch that yields between slices of work.
 */
export class HeartbeatSchedule {
  private readonly dueAt = new Map<string, number>()
  private readonly buckets = new Map<number, Set<string>>()
  /** The distinct due times, ascending. */
  private readonly times: number[] = []
  private timer: TimerHandle | undefined

  constructor(
    private readonly clock: Clock,
    /** Runs one batch: the nodes due, in due order, and the time they were taken at. */
    private readonly run: (names: string[], now: number) => Promise<void> | void,
  ) {}

  /** When the node's next heartbeat is due, if one is scheduled. */
  due(name: string): number | undefined {
    return this.dueAt.get(name)
  }

  /** How many nodes have a heartbeat scheduled. */
  get size(): number {
    return this.dueAt.size
  }

  /** Schedules (or moves) the node's next heartbeat to simulated time `at`. */
  schedule(name: string, at: number): void {
    if (this.dueAt.get(name) === at) return
    this.cancel(name)
    this.dueAt.set(name, at)
    let bucket = this.buckets.get(at)
    if (!bucket) {
      this.buckets.set(at, (bucket = new Set()))
      let i = this.times.length
      while (i > 0 && this.times[i - 1] > at) i--
      this.times.splice(i, 0, at)
      if (i === 0) this.arm()
    }
    bucket.add(name)
  }

  /** Drops the node's scheduled heartbeat. */
  cancel(name: string): void {
    const at = this.dueAt.get(name)
    if (at === undefined) return
    this.dueAt.delete(name)
    const bucket = this.buckets.get(at)
    bucket?.delete(name)
    if (bucket?.size === 0) {
      this.buckets.delete(at)
      const i = this.times.indexOf(at)
      if (i >= 0) this.times.splice(i, 1)
      if (i === 0) this.arm()
    }
  }

  /** Stops the timer and forgets every node. */
  clear(): void {
    this.clock.clearTimer(this.timer)
    this.timer = undefined
    this.dueAt.clear()
    this.buckets.clear()
    this.times.length = 0
  }

  private arm(): void {
    this.clock.clearTimer(this.timer)
    this.timer = undefined
    if (!this.times.length) return
    this.timer = this.clock.setTimer(Math.max(0, this.times[0] - this.clock.now()), () => this.fire())
  }

  private fire(): void {
    this.timer = undefined
    const now = this.clock.now()
    const names: string[] = []
    while (this.times.length && this.times[0] <= now) {
      const at = this.times.shift()!
      for (const name of this.buckets.get(at) ?? []) {
        this.dueAt.delete(name)
        names.push(name)
      }
      this.buckets.delete(at)
    }
    this.arm()
    if (names.length) void this.run(names, now)
  }
}

/**
 * Per node, every 10 s: renew the Lease (kubelet nodelease controller) and compute the node
 * status; post it when something besides heartbeat times changed or 5 min passed since the last
 * post (kubelet_node_status.go tryUpdateNodeStatus). A stopped kubelet does nothing. The
 * controller only notices nodes arriving or leaving (and `sim.startKubelet`); the beats
 * themselves run from one {@link HeartbeatSchedule}.
 */
export function createNodeHeartbeat(deps: ControllerDeps, opts: NodeHeartbeatOptions): Controller & { schedule: HeartbeatSchedule } {
  const nodes = deps.registry.resource('', 'nodes')
  const leases = deps.registry.resource('coordination.k8s.io', 'leases')
  const nodeCache = deps.manager.informers.for('', 'nodes')
  const leaseEvery = () => opts.timing('kubelet.leaseRenewMs')
  const statusEvery = () => opts.timing('kubelet.nodeStatusUpdateMs')

  /** One node's heartbeat at `now` if due; returns when the next one is due, or undefined to stop. */
  const beat = async (name: string, now: number): Promise<number | undefined> => {
    const node = nodeCache.get('', name)?.obj
    if (!node || opts.stopped(name)) return undefined
    const kn = opts.nodeState(node)
    if (now - kn.lastLease >= leaseEvery()) {
      await renewLease(leases, node, now)
      kn.lastLease = now
    }
    if (now - kn.lastStatusCheck >= statusEvery()) {
      kn.lastStatusCheck = now
      await updateNodeStatus(deps, nodes, nodeCache.get('', name)?.obj ?? node, kn, now, opts.timing('kubelet.nodeStatusReportMs'))
    }
    return Math.max(now + 1, Math.min(kn.lastLease + leaseEvery(), kn.lastStatusCheck + statusEvery()))
  }

  const beatOne = async (name: string, now: number) => {
    try {
      const next = await beat(name, now)
      if (next !== undefined) schedule.schedule(name, next)
      else schedule.cancel(name)
    } catch (err) {
      // A failed heartbeat (say the node is being deleted) is tried again on the next round.
      deps.manager.onError('kubelet-node', name, err)
      schedule.schedule(name, now + leaseEvery())
    }
  }
  // Kubelets are independent: over a store that answers a write after a network round trip (etcd),
  // many beat at once, as real nodes do; in memory one after the other (same order every run).
  const inFlight = deps.registry.store.writesSettleInTurn ? 1 : 64
  const schedule: HeartbeatSchedule = new HeartbeatSchedule(deps.clock, async (names, now) => {
    for (let i = 0; i < names.length; i += inFlight) {
      const y = yieldIfBusy()
      if (y) await y
      if (inFlight === 1) await beatOne(names[i], now)
      else await Promise.all(names.slice(i, i + inFlight).map((name) => beatOne(name, now)))
    }
  })

  return {
    name: 'kubelet-node',
    schedule,
    watches: [
      {
        group: '',
        plural: 'nodes',
        // Only arrival and removal: heartbeats themselves are on the schedule.
        keys: (n, prev) => (!prev || nodeCache.get('', n.metadata.name ?? '')?.obj !== n ? [n.metadata.name ?? ''] : []),
      },
    ],
    async reconcile(name) {
      if (!nodeCache.get('', name) || opts.stopped(name)) {
        schedule.cancel(name)
        return
      }
      const next = await beat(name, deps.clock.now())
      if (next === undefined) schedule.cancel(name)
      else schedule.schedule(name, next)
    },
  }
}

async function renewLease(leases: ResourceStore, node: KubeObject, now: number): Promise<void> {
  const name = node.metadata.name ?? ''
  if (!leases.getStored('kube-node-lease', name)) {
    await leases.create('kube-node-lease', nodeLease(name, node.metadata.uid, rfc3339Micro(now)))
    return
  }
  await leases.guaranteedUpdate(
    'kube-node-lease',
    name,
    (l) => {
      const spec = (l.spec ?? {}) as Record<string, unknown>
      l.spec = { ...spec, holderIdentity: spec.holderIdentity ?? name, leaseDurationSeconds: spec.leaseDurationSeconds ?? 40, renewTime: rfc3339Micro(now) }
      return l
    },
    { shallow: true },
  )
}

function nodeEvent(deps: ControllerDeps, node: string, reason: string): void {
  // The kubelet's nodeRef carries the node name as UID and no apiVersion.
  deps.events.record(
    { component: 'kubelet', host: node },
    { kind: 'Node', metadata: { name: node, uid: node } },
    'Normal',
    reason,
    `Node ${node} status is now: ${reason}`,
  )
}

/** JSON of a stored node's status.images, once per node version (stored objects are immutable). */
const imagesJSON = perObject((images: object): string => JSON.stringify(images))
function reportedImagesJSON(images: unknown): string {
  if (!images || typeof images !== 'object') return JSON.stringify(images ?? [])
  return imagesJSON(images)
}

async function updateNodeStatus(
  deps: ControllerDeps,
  nodes: ResourceStore,
  node: KubeObject,
  kn: KubeletNode,
  now: number,
  reportEvery: number,
): Promise<void> {
  const unschedulable = !!(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable
  if (unschedulable !== kn.lastUnschedulable) {
    nodeEvent(deps, kn.name, unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable')
    kn.lastUnschedulable = unschedulable
  }
  const status = (node.status ?? {}) as { conditions?: NodeCondition[]; images?: unknown }
  const old = status.conditions ?? []
  const memo = kn.statusImagesMemo()
  const changed =
    healthy.some(
      (h) =>
        !sameCondition(
          old.find((c) => c.type === h.type),
          h,
        ),
    ) || reportedImagesJSON(status.images) !== memo.json
  if (!changed && now - kn.lastReport < reportEvery) return
  const images = kn.statusImages()
  const becameReady = !sameCondition(
    old.find((c) => c.type === 'Ready'),
    healthy[3],
  )
  await nodes.guaranteedUpdate(
    '',
    kn.name,
    (n) => {
      const st = (n.status ?? {}) as { conditions?: NodeCondition[]; images?: unknown }
      const prev = st.conditions ?? []
      const mine = healthy.map((h) => {
        const p = prev.find((c) => c.type === h.type)
        return {
          type: h.type,
          status: h.status,
          lastHeartbeatTime: rfc3339(now),
          lastTransitionTime: p && p.status === h.status ? p.lastTransitionTime : rfc3339(now),
          reason: h.reason,
          message: h.message,
        }
      })
      const others = prev.filter((c) => !healthy.some((h) => h.type === c.type))
      n.status = { ...st, conditions: [...mine, ...others], images }
      return n
    },
    { subresource: 'status', shallow: true },
  )
  kn.lastReport = now
  if (becameReady && old.length > 0) nodeEvent(deps, kn.name, 'NodeReady')
}
