/** @module cluster: one simulated cluster — store, clock, registry, controllers — independent of HTTP. */
import { createEventRecorder, type EventRecorder } from './controllers/events.js'
import {
  controllerFactories,
  nodeAgentControllers,
  type ControllerDeps,
  type ControllerFactory,
  type SimControls,
  type SimTimings,
} from './controllers/index.js'
import { ControllerManager } from './controllers/runtime.js'
import { definitions } from './registry/definitions.js'
import { Registry } from './registry/registry.js'
import { seededNames } from './registry/generated-names.js'
import { serveCustomResources } from './registry/apiextensions/serve-custom-resources.js'
import { SimClock, type Clock } from './sim/clock.js'
import { defaultNodes, nodeLease, nodeObject, systemNamespaces, systemObjects, type NodeInput } from './sim/default-cluster.js'
import { ImageCatalogue } from './sim/images.js'
import { systemWorkloads } from './sim/system-workloads.js'
import { apiServerBootObjects } from './sim/api-server-objects.js'
import { deepFreeze } from './util/deep-freeze.js'
import { normalizeGoJSON } from './openapi/go-json.js'
import { reconcileBootstrapPolicy } from './registry/rbac/reconcile-policy.js'
import { invalidateRBACIndex } from './registry/rbac/rbac-state.js'
import { ensureSystemPriorityClasses } from './sim/system-priority-classes.js'
import { applyScenarioImages, type ScenarioOptions } from './sim/scenario.js'
import { ActivityRunner } from './sim/activity/activity-runner.js'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { LeaderElector, type LeaderElectionOptions } from './controllers/leader-election.js'
import { KubeletShards } from './controllers/kubelet-shards.js'
import { clockConfigMap, shareClock } from './controllers/clock-sync.js'
import type { EtcdResource, EtcdStore } from './store/etcd-store.js'
import { StatusError } from './errors.js'
import type { AnyResourceStore } from './registry/generic-registry.js'
import { MemoryStore, type ObjectStore, processArenas } from './store/object-store.js'
import { SqliteJournal } from './store/sqlite-journal.js'
import type { FieldError, KubeObject } from './types.js'
import type { SnapshotState } from './sim/snapshot.js'
import { rfc3339, rfc3339Micro } from './util/time.js'
import type { CertificateAuthority } from './tls.js'
import { dataDirSigningKey, etcdSigningKey } from './service-account-key.js'
import type { ServiceAccountTokenOptions } from './registry/authentication/service-account-tokens.js'
import { kubeVersion, type KubeVersion } from './version.js'
import { createHTTPSTransport } from './webhook/https-transport.js'

export interface ClusterOptions {
  /** `1.32` (default) or another minor the dispatcher bundles. */
  kubeVersion?: string
  /** Simulated-time speed: 1 = real time (default), 0 = manual (advance only). */
  speed?: number
  clock?: Clock
  /** Nodes to create; a number means that many workers plus the control plane. */
  nodes?: NodeInput[] | number
  /** Watch history length (events kept for resuming watches). */
  historySize?: number
  /**
   * Serialized bytes of objects the store holds before creates, updates and patches fail with
   * 500 `etcdserver: mvcc: database space exceeded` (default 2 GiB, etcd's default quota).
   */
  storageQuotaBytes?: number
  /**
   * Keep the cluster in this directory (SQLite, created when missing): every write is on disk
   * before it is acknowledged, and a cluster opened on the same directory again continues from
   * where it was — its objects, resourceVersions and watch history — instead of seeding a new one.
   */
  dataDir?: string
  /**
   * Keep the cluster in etcd (client URLs, `--etcd-servers`): kube-apiserver's key layout, JSON
   * values, resourceVersion = mod_revision. A cluster etcd already holds is continued, not seeded.
   */
  etcdServers?: string[]
  /** How long a write waits for an etcd that does not answer before it fails with 504 (default 60 s). */
  storageTimeoutMs?: number
  /** Leader-election timings over etcd (defaults: kube-controller-manager's 15 s / 10 s / 2 s). */
  leaderElection?: Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>
  /** Extra controllers (tests and later layers plug in here). */
  controllers?: ControllerFactory[]
  /** Overrides of simulation timings (simulated ms), by name. */
  timings?: SimTimings
  /**
   * A loaded scenario (src/sim/scenario.ts `loadScenario`): its nodes replace the default ones
   * (unless `nodes` is given too), its timings add to `timings`, its images change the catalogue
   * and its objects are created at boot and again on `reset()`.
   */
  scenario?: ScenarioOptions
  /** The cluster CA (the one `--tls` serves with): the CSR signer issues from it. */
  ca?: CertificateAuthority
  /**
   * Service-account token keys and issuer (`--service-account-signing-key-file`,
   * `--service-account-key-file`, `--service-account-issuer`). Without a signing key a cluster
   * with `dataDir` keeps one in `<dataDir>/sa.key` and one over etcd in `/kubemock/service-account-key`
   * (made on first start), so tokens outlive restarts; an in-memory cluster uses the process's.
   */
  serviceAccountTokens?: ServiceAccountTokenOptions
  /**
   * Where webhook Services run on this machine (pods are simulated): `namespace/name` (or
   * `namespace/name:port`) → `https://127.0.0.1:9443`. A Service's `kubemock.dev/webhook-url`
   * annotation does the same from inside the cluster.
   */
  webhookServices?: Record<string, string>
}

/** kube-apiserver's --etcd-compaction-interval default. */
const etcdCompactionIntervalMs = 5 * 60_000

/** The name the simulated time is saved under in a data directory. */
const savedClock = 'simulated-time'

/**
 * Where a cluster reopened from a data directory starts its clock: a manual clock (speed 0) where
 * it was, as no time passes for it unless advanced; a running one where it was or at the wall
 * clock, whichever is later (time never runs backwards, and a real-time clock stays real time).
 * Undefined (now) for a new cluster.
 */
function resumedTime(journal: SqliteJournal | undefined, speed: number): number | undefined {
  const saved = journal?.savedValue(savedClock)
  if (saved === undefined) return undefined
  return speed === 0 ? saved : Math.max(saved, Date.now())
}

/**
 * A manual clock's start: the wall clock's last whole second. Object timestamps are whole seconds
 * (as upstream's), and durations computed from them (a Job's pod failure backoff from the
 * container's finishedAt, a kubelet's restart backoff) would otherwise shift by the wall clock's
 * sub-second phase at boot from one run to the next.
 */
function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}

/** The API server's boot objects for the built-in definitions (APIServices, APF configuration), made once per process. */
let bootObjects: KubeObject[] | undefined

/**
 * Objects to create in every cluster, as the create will store them (Go's JSON: empty
 * omitempty fields left out) and frozen, so that each cluster's stored versions share them.
 */
function sharedTemplates(objs: KubeObject[]): KubeObject[] {
  for (const o of objs) normalizeGoJSON(o as KubeObject & Record<string, unknown>)
  return deepFreeze(objs)
}

/** Creates `obj` unless an object of that name exists (a boot object another process made). */
async function createIfMissing(rs: AnyResourceStore, namespace: string, obj: KubeObject): Promise<void> {
  try {
    await rs.create(namespace, obj)
  } catch (err) {
    if (!(err instanceof StatusError && err.status.reason === 'AlreadyExists')) throw err
  }
}

/** Where each served resource lives in etcd: kube-apiserver's prefixes (definitions may rename one). */
function etcdLayout(): EtcdResource[] {
  // Computed kinds (componentstatuses, metrics.k8s.io) are never stored.
  const layout = definitions
    .filter((d) => !d.computed)
    .map((d) => ({
      resource: d.group ? `${d.plural}.${d.group}` : d.plural,
      prefix: d.storagePrefix ?? d.plural,
      compact: d.compactStorage,
      parsed: d.parsedStorage,
    }))
  const seen = new Map<string, string>()
  for (const l of layout) {
    const other = seen.get(l.prefix)
    if (other) throw new Error(`resources ${other} and ${l.resource} share the etcd prefix /registry/${l.prefix}/; give one a storagePrefix`)
    seen.set(l.prefix, l.resource)
  }
  return layout
}

/**
 * What a reset or state import over etcd leaves in place: the kube-system Leases the processes
 * elect the controllers' leader and the kubelet shards with, and the shared clock, so that no
 * process loses its part while the objects are replaced.
 */
function keptOnReset(resource: string, key: string): boolean {
  return (resource === 'leases.coordination.k8s.io' && key.startsWith('kube-system/')) || (resource === 'configmaps' && key === `kube-system/${clockConfigMap}`)
}

/**
 * The boot of the cluster opened last in this process, until its controllers have nothing queued
 * (at most {@link bootSettleMs}): the next {@link Cluster.open} waits for it. Clusters booting at
 * once interleave one boot's short-lived objects with the others' long-lived ones on the same
 * heap pages, which stay part-empty once the garbage goes: 300 default clusters opened back to
 * back held about 35 MB more RSS that way, and were all idle later (5.9 s against 5.3 s).
 */
let previousBoot: Promise<void> = Promise.resolve()
/** How long the next cluster waits at most for the one before it to settle (a big scenario takes longer). */
const bootSettleMs = 500

/** A cluster's parts, created and seeded together; `close()` stops everything it started. */
export class Cluster {
  readonly clock: Clock
  readonly store: ObjectStore
  readonly registry: Registry
  readonly controllers: ControllerManager
  readonly version: KubeVersion
  readonly nodes: NodeInput[]
  readonly events: EventRecorder
  /** Simulation controls published by the controllers (stop a kubelet, crash a container, …). */
  readonly sim: SimControls = {}
  /** The simulated image registry the kubelets pull from (`deps.images`); scenarios and image faults change it. */
  readonly images = new ImageCatalogue()
  /** The scenario this cluster was started from (reset() recreates its objects). */
  readonly scenario?: ScenarioOptions
  /** Whether the store came from a data directory that already held this cluster (not seeded). */
  readonly restored: boolean
  /** The scenario's `activity:` (runs while this process runs the controllers; restarts on reset). */
  readonly activity?: ActivityRunner

  /**
   * A cluster, seeded (unless continued from a data directory) and with its controllers running.
   * It boots once the cluster opened before it in this process has settled ({@link previousBoot}).
   */
  static async open(opts: ClusterOptions = {}): Promise<Cluster> {
    await previousBoot
    if (opts.etcdServers && opts.dataDir) throw new Error('--etcd-servers and --data-dir are two places to keep the cluster: give one')
    // The etcd client (gRPC) is loaded only for --etcd-servers: start-up without it stays as fast.
    const store = opts.etcdServers
      ? await (await import('./store/etcd-store.js')).EtcdStore.open({
          endpoints: opts.etcdServers,
          resources: etcdLayout(),
          keepOnClear: keptOnReset,
          historySize: opts.historySize,
          timeoutMs: opts.storageTimeoutMs,
        })
      : undefined
    const c = new Cluster(opts, store)
    try {
      // Before anything signs a token (the tokens controller, TokenRequests, pod volumes).
      const sa = { kubeMinor: Number(c.version.minor), ...opts.serviceAccountTokens }
      if (!sa.signingKey && opts.dataDir) sa.signingKey = await dataDirSigningKey(opts.dataDir)
      else if (!sa.signingKey && store) sa.signingKey = await etcdSigningKey(store)
      c.registry.serviceAccountTokens.configure(sa)
      if (store) {
        // Several processes may share the etcd: what kube-apiserver creates at boot first (the
        // Lease lives in kube-system), then only the elected one seeds and runs the controllers.
        for (const ns of systemNamespaces) await createIfMissing(c.registry.resource('', 'namespaces'), '', { metadata: { name: ns } })
        await ensureSystemPriorityClasses(c.registry)
        await reconcileBootstrapPolicy(c.registry)
        const uuid = randomUUID()
        const identity = `${hostname()}_${uuid}`
        // Every process simulates the kubelets of the node shards it holds; only the leader runs the rest.
        const nodeAgentsOnly = (name: string) => nodeAgentControllers.has(name)
        c.controllers.setActive(nodeAgentsOnly)
        c.controllers.start()
        // One simulated time for every process: an advance or a speed change anywhere reaches all.
        if (c.clock instanceof SimClock) c.stopSharingClock = shareClock(c.registry, c.controllers.informers, c.clock)
        c.shards = new KubeletShards({
          ...opts.leaderElection,
          registry: c.registry,
          identity,
          memberLease: `kubemock-process-${uuid}`,
          now: () => Date.now(),
          onChange: () => {
            for (const name of nodeAgentControllers) c.controllers.resync(name)
          },
        })
        c.nodeOwner = (node) => c.shards!.ownsNode(node)
        c.shards.start()
        c.elector = new LeaderElector({
          ...opts.leaderElection,
          registry: c.registry,
          name: 'kube-controller-manager',
          alsoHolds: ['kube-scheduler'],
          identity,
          now: () => c.clock.now(),
          onStartedLeading: async () => {
            // Nodes exist once a leader seeded: a process that started on the same empty etcd and
            // leads later (after a failover) does not seed again.
            try {
              if (!c.restored && c.store.count('nodes') === 0) await c.seed()
            } finally {
              // Unless the Lease was lost while seeding (the renewals go on meanwhile).
              if (c.elector?.isLeader()) {
                c.controllers.setActive(() => true)
                c.activity?.start()
              }
            }
          },
          onStoppedLeading: () => {
            c.activity?.stop()
            c.controllers.setActive(nodeAgentsOnly)
          },
        })
        c.elector.start()
        // kube-apiserver's compactor: every 5 minutes, etcd's history up to the revision of 5
        // minutes before (the watch cache keeps its own window); the leader does it.
        let compactTo = 0
        c.compactor = setInterval(() => {
          if (c.elector?.isLeader() && compactTo > 0) void (store as EtcdStore).compact(compactTo).catch(() => {})
          compactTo = c.store.currentRV()
        }, etcdCompactionIntervalMs)
        c.compactor.unref?.()
        return c
      }
      if (!c.restored) await c.seed()
      else {
        await ensureSystemPriorityClasses(c.registry)
        await reconcileBootstrapPolicy(c.registry)
      }
    } catch (err) {
      c.close()
      throw err
    }
    c.controllers.start()
    c.activity?.start()
    previousBoot = c.controllers.whenIdle(10_000, bootSettleMs)
    return c
  }

  /** Over etcd: who runs the controllers and the scheduler (undefined otherwise: this process always does). */
  elector?: LeaderElector
  /** Over etcd: the node shards whose kubelets this process simulates. */
  shards?: KubeletShards
  private stopSharingClock: (() => void) | undefined
  private compactor: NodeJS.Timeout | undefined
  /** Whether this process simulates a node's kubelet (unset: every node). */
  private nodeOwner: ((node: string) => boolean) | undefined

  private constructor(opts: ClusterOptions, store?: ObjectStore) {
    this.version = kubeVersion(opts.kubeVersion)
    const journal = opts.dataDir ? new SqliteJournal(opts.dataDir) : undefined
    const speed = opts.speed ?? 1
    this.clock = opts.clock ?? new SimClock({ speed, start: resumedTime(journal, speed) ?? (speed === 0 ? wholeSecond(Date.now()) : undefined) })
    // Saved with every commit: a restarted cluster's clock goes on from its last durable write.
    if (journal) journal.saveWithCommits(savedClock, () => this.clock.now())
    this.store = store ?? new MemoryStore({ historySize: opts.historySize, quotaBytes: opts.storageQuotaBytes, journal, arenas: processArenas() })
    this.registry = new Registry({
      store: this.store,
      clock: this.clock,
      definitions,
      webhookTransport: createHTTPSTransport(),
      webhookServiceURLs: opts.webhookServices,
      // Upstream's names are random; under a scenario seed they are drawn from it, so that two
      // runs name (and so order, pick and place) their pods alike.
      names: opts.scenario?.activity?.seed !== undefined ? seededNames(opts.scenario.activity.seed) : undefined,
    })
    // Every process serves the established CRDs (stored ones too, after a restart), leader or not.
    serveCustomResources(this.registry)
    this.controllers = new ControllerManager(this.registry, this.clock)
    this.controllers.deterministic = this.registry.names.seeded
    this.scenario = opts.scenario
    this.nodes = typeof opts.nodes === 'number' ? defaultNodes(opts.nodes) : (opts.nodes ?? opts.scenario?.nodes ?? defaultNodes())
    this.events = createEventRecorder(this.registry, this.clock)
    if (opts.scenario?.images) applyScenarioImages(this.images, opts.scenario.images)
    /** A data directory that already holds a cluster: it is continued, not seeded again. */
    this.restored = this.store.count('namespaces') > 0
    const timings = { ...(opts.scenario?.timings ?? {}), ...(opts.timings ?? {}) }
    const deps: ControllerDeps = {
      registry: this.registry,
      clock: this.clock,
      events: this.events,
      manager: this.controllers,
      sim: this.sim,
      timings,
      images: this.images,
      ownsNode: (node) => this.nodeOwner?.(node) ?? true,
      clusterCA: opts.ca,
    }
    for (const make of [...controllerFactories, ...(opts.controllers ?? [])]) {
      const made = make(deps)
      for (const c of Array.isArray(made) ? made : [made]) this.controllers.add(c)
    }
    if (opts.scenario?.activity)
      this.activity = new ActivityRunner({ spec: opts.scenario.activity, registry: this.registry, clock: this.clock, sim: this.sim, images: this.images })
  }

  /** Creates the boot objects through the registry, as the real components would. */
  private async seed(): Promise<void> {
    const r = this.registry
    for (const ns of systemNamespaces) await createIfMissing(r.resource('', 'namespaces'), '', { metadata: { name: ns } })
    await ensureSystemPriorityClasses(r)
    // The RBAC storage's post-start hook: the bootstrap policy, reconciled (every mode has it).
    await reconcileBootstrapPolicy(r)
    const now = this.clock.now()
    const nodes = r.resource('', 'nodes')
    const leases = r.resource('coordination.k8s.io', 'leases')
    const register = async (n: NodeInput, i: number) => {
      // Another process on the same etcd seeded already (it was leader first).
      if (nodes.getStored('', n.name)) return
      const node = nodeObject(n, i, this.version, rfc3339(now))
      const created = await nodes.create('', { ...node, status: undefined } as KubeObject, { trusted: true })
      // The kubelet registers the node, then reports its status. Over etcd another process's
      // simulated kubelet may have written it in between: keep what it reported, fill in the rest.
      await nodes.guaranteedUpdate(
        '',
        n.name,
        (cur) => {
          cur.status = { ...(node.status as object), ...(cur.status as object) }
          return cur
        },
        { subresource: 'status', trusted: true },
      )
      // A simulated kubelet (over etcd, in any process) may have made the Lease first.
      await createIfMissing(leases, 'kube-node-lease', nodeLease(n.name, created.obj.metadata.uid, rfc3339Micro(now)))
    }
    // Nodes register independently: over etcd 64 at a time (each write waits a round trip), in memory in order.
    const batch = this.store.writesSettleInTurn ? 1 : 64
    for (let i = 0; i < this.nodes.length; i += batch) await Promise.all(this.nodes.slice(i, i + batch).map((n, j) => register(n, i + j)))
    for (const o of systemObjects('172.18.0.2')) await createIfMissing(r.forKind(o.apiVersion!, o.kind!)!, o.metadata.namespace ?? '', o)
    // Shared by every cluster of the process, frozen; each create stamps a metadata of its own.
    for (const o of (bootObjects ??= sharedTemplates(apiServerBootObjects(definitions))))
      await createIfMissing(r.forKind(o.apiVersion!, o.kind!)!, '', { ...o, metadata: { ...o.metadata } })
    await this.seedScenarioObjects()
    // kube-proxy and CoreDNS as kubeadm installs them; a scenario that brings its own keeps those.
    for (const o of systemWorkloads(this.version)) {
      const rs = r.forKind(o.apiVersion!, o.kind!)!
      if (!rs.getStored(o.metadata.namespace ?? 'kube-system', o.metadata.name ?? '')) await rs.create(o.metadata.namespace ?? 'kube-system', o)
    }
  }

  /**
   * Creates the scenario's objects as `kubectl create` would (defaulted and validated),
   * namespaces first. Throws an Error naming the scenario file and the object.
   */
  private async seedScenarioObjects(): Promise<void> {
    const sc = this.scenario
    if (!sc) return
    const objs = [...sc.objects.filter((o) => o.kind === 'Namespace'), ...sc.objects.filter((o) => o.kind !== 'Namespace')]
    for (const o of objs) {
      const where = `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? o.metadata?.generateName ?? ''}`
      const rs = this.registry.forKind(o.apiVersion ?? '', o.kind ?? '')
      if (!rs) throw new Error(`scenario ${sc.source}: ${where}: no kind "${o.kind}" is served in version "${o.apiVersion}"`)
      try {
        await rs.create(rs.def.namespaced ? o.metadata.namespace || 'default' : '', structuredClone(o))
      } catch (err) {
        throw new Error(`scenario ${sc.source}: ${where}: ${(err as Error).message}`)
      }
    }
  }

  /**
   * Replaces every object: stops the controllers, runs `beforeClear` (the HTTP layer ends open
   * watches there with 410 Expired), clears the store (watch history too, so old
   * resourceVersions are Expired), runs `load`, and starts the controllers again, which then
   * reconcile everything that exists. All or nothing: if `load` throws (say the quota runs out
   * part-way), the objects from before are put back and the error is rethrown.
   */
  async replaceState(load: () => Promise<void>, beforeClear?: () => void, state?: SnapshotState): Promise<void> {
    // The activity holds still meanwhile; then it goes on from the snapshot's position when the
    // snapshot has one, else from where it was.
    const paused = this.activity?.state()
    let resume = paused
    this.activity?.suspend()
    this.controllers.stop()
    try {
      beforeClear?.()
      const rollback = await this.store.checkpoint()
      await this.store.clear()
      try {
        await load()
        // An imported state without the bootstrap policy gets it back, as a restart would.
        await reconcileBootstrapPolicy(this.registry)
        if (paused && state?.activity) resume = state.activity
        if (state?.names && this.registry.names.seeded) this.registry.names.restore(state.names.drawn)
      } catch (err) {
        await rollback()
        throw err
      } finally {
        // The store was replaced without watch events: the RBAC binding index must be rebuilt.
        invalidateRBACIndex(this.registry)
      }
    } finally {
      this.controllers.start()
      if (resume) this.activity!.restore(resume)
    }
  }

  /** What a snapshot carries beside the objects: the running activity's position, the seeded name counters. */
  snapshotState(): SnapshotState {
    return { activity: this.activity?.state(), names: this.registry.names.seeded ? { drawn: this.registry.names.drawn() } : undefined }
  }

  /**
   * Why a snapshot's `kubemock` cannot be restored here. An activity state is checked only when
   * this cluster runs activity (elsewhere it is ignored): it must be of the same plan.
   */
  snapshotStateErrors(state: SnapshotState): FieldError[] {
    return state.activity && this.activity?.running ? this.activity.stateErrors(state.activity) : []
  }

  /** Returns to the initial state: the boot objects and the scenario's objects, created afresh (new uids and timestamps). */
  async reset(beforeClear?: () => void): Promise<void> {
    // Activity starts over with the objects: the same seed replays the same sequence from here.
    const active = this.activity?.running ?? false
    this.activity?.stop()
    try {
      await this.replaceState(async () => {
        // The scenario's names come out as at boot.
        this.registry.names.restore()
        await this.seed()
      }, beforeClear)
    } finally {
      if (active) this.activity?.start()
    }
  }

  /** Over etcd: steps down as leader and releases the Leases, so another process takes over at once (graceful shutdown). */
  async resign(): Promise<void> {
    if (!this.elector && !this.shards) return
    // With etcd away the releases cannot be written: the Leases then expire instead (at most 3 s wait).
    let timer: NodeJS.Timeout | undefined
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 3000)
    })
    await Promise.race([Promise.all([this.elector?.stop(), this.shards?.stop()]), giveUp])
    clearTimeout(timer)
  }

  /** Stops controllers and timers; the cluster can no longer change. */
  close(): void {
    void this.elector?.stop()
    void this.shards?.stop()
    this.stopSharingClock?.()
    this.activity?.stop()
    if (this.compactor) clearInterval(this.compactor)
    this.controllers.stop()
    this.clock.dispose()
    this.store.close()
  }
}
