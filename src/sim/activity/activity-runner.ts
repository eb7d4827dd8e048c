/**
 * @module activity-runner: carries out a scenario's activity plan on the simulated clock —
 * rollouts, scaling, container crashes, failing image pulls, node outages and Jobs — through the
 * registry (as field manager `kubemock-activity`) and the simulation controls the control API
 * uses, so watches, events and every controller see the changes as they would see a user's.
 */
import type { SimControls } from '../../controllers/index.js'
import type { AnyResourceStore } from '../../registry/generic-registry.js'
import type { Registry } from '../../registry/registry.js'
import { withFieldManager } from '../../registry/with-field-manager.js'
import type { KubeObject } from '../../types.js'
import { rfc3339, rfc3339Micro } from '../../util/time.js'
import type { Clock, TimerHandle } from '../clock.js'
import { parseImageRef, type ImageCatalogue } from '../images.js'
import { createActivityPlanner, pickWith, type ActivityPlanner, type ActivityStep } from './activity-planner.js'
import { activityLabelSelector, type ActivityAction, type ActivitySpec } from './activity-spec.js'
import { activityStateErrors, planFingerprint, positionOf, type ActivityState, type PendingUndo } from './activity-state.js'
import type { FieldError } from '../../types.js'

/** The field manager activity writes as (metadata.managedFields shows it). */
export const activityFieldManager = 'kubemock-activity'

/** Label of the Jobs a `job` action makes: its name prefix. */
export const activityJobLabel = 'kubemock.dev/activity-job'

/** The tag an `imagePullFailure` rolls to when the action names no image. */
export const missingTag = 'kubemock-missing'

/** What one step did. */
export interface ActivityRecord {
  n: number
  /** Simulated epoch ms. */
  at: number
  kind: ActivityStep['kind'] | 'recover' | 'restoreImage'
  /** `Deployment shop/web`, `Node worker-1`, … (absent when nothing matched). */
  target?: string
  /** What changed (`replicas 2 → 4`), or why nothing did (`no target`). */
  detail: string
}

/** What a runner needs from its cluster. */
export interface ActivityRunnerOptions {
  spec: ActivitySpec
  registry: Registry
  clock: Clock
  sim: SimControls
  images: ImageCatalogue
  /** Records kept (oldest dropped first; default 1000). */
  logSize?: number
}

interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: { name: string; image?: string }[] } } }
}

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string }[] }
  status?: { phase?: string; containerStatuses?: { name: string; state?: { running?: unknown } }[] }
}

/**
 * Targets sort by namespace and name, a pod's pod-template-hash left out first: it hashes the
 * template, which a rollout restart stamps with the time, so the same seed would otherwise order
 * (and pick) an old and a new ReplicaSet's pods differently on runs started at other times.
 */
const sortKey = (o: KubeObject) => {
  const name = o.metadata.name ?? ''
  const hash = o.metadata.labels?.['pod-template-hash']
  return `${o.metadata.namespace ?? ''}/${hash ? name.replace(`-${hash}-`, '-') : name}\u0000${name}`
}

const byKey = (a: KubeObject, b: KubeObject) => {
  const ka = sortKey(a)
  const kb = sortKey(b)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/** An undo waiting on the clock: its timer, and what a snapshot records of it. */
interface Undo {
  timer: TimerHandle
  what: DistributiveOmit<PendingUndo, 'dueInMs'>
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never

/**
 * Runs one activity spec. `start()` begins the plan afresh (from the seed) at the current
 * simulated time; `stop()` cancels what is pending and ends the outages it started; `state()`
 * and `restore()` take and put back where the plan is (snapshots).
 */
export class ActivityRunner {
  /** The records of what happened since the last start(), oldest first. */
  readonly log: ActivityRecord[] = []
  private readonly registry: Registry
  private planner: ActivityPlanner | undefined
  private startedAt = 0
  private timer: TimerHandle | undefined
  /** The step the timer waits for (drawn already). */
  private nextStep: ActivityStep | undefined
  private readonly undo = new Map<string, Undo>()
  /** Nodes whose kubelet this plan stopped and has not started again (kept across a restore's pause). */
  private readonly stoppedNodes = new Set<string>()
  private readonly jobCounters = new Map<number, number>()
  private queue: Promise<void> = Promise.resolve()
  private worked = false
  /** Bumped by start and stop: work of an earlier run is dropped. */
  private generation = 0

  constructor(private readonly opts: ActivityRunnerOptions) {
    this.registry = withFieldManager(opts.registry, activityFieldManager)
    // clock.advance() waits for the steps its timers started, like it waits for the controllers.
    opts.clock.addSettler?.(async () => {
      await this.queue
      const w = this.worked
      this.worked = false
      return w
    })
  }

  /** Whether a plan is under way (between start() and stop()). */
  get running(): boolean {
    return this.planner !== undefined
  }

  /** Starts the plan from its first step, timed from now; an earlier run is stopped first and its log cleared. */
  start(): void {
    this.stop()
    this.log.length = 0
    this.jobCounters.clear()
    this.planner = createActivityPlanner(this.opts.spec)
    this.startedAt = this.opts.clock.now()
    this.scheduleNext()
  }

  /** Cancels the pending steps; nodes it stopped get their kubelet back. */
  stop(): void {
    this.cancel()
    for (const node of this.stoppedNodes) this.opts.sim.startKubelet?.(node)
    this.stoppedNodes.clear()
  }

  /** Holds the plan still (no step runs, outages stay as they are) until {@link restore}. */
  suspend(): void {
    this.cancel()
  }

  /** Cancels every timer and drops queued work, leaving the outages as they are. */
  private cancel(): void {
    this.generation++
    this.opts.clock.clearTimer(this.timer)
    this.timer = undefined
    this.nextStep = undefined
    this.planner = undefined
    for (const u of this.undo.values()) this.opts.clock.clearTimer(u.timer)
    this.undo.clear()
  }

  /** Where the plan is (undefined when it is not running): what a snapshot records. */
  state(): ActivityState | undefined {
    if (!this.planner || !this.nextStep) return undefined
    const now = this.opts.clock.now()
    const spec = this.opts.spec
    return {
      seed: spec.seed ?? 1,
      plan: planFingerprint(spec),
      elapsedMs: now - this.startedAt,
      next: { ...this.nextStep },
      rng: this.planner.position().rng,
      jobs: Object.fromEntries([...this.jobCounters].map(([i, n]) => [String(i), n])),
      pending: [...this.undo.values()].map((u) => ({ ...u.what, dueInMs: Math.max(0, u.timer.due - now) })),
      log: this.log.map((r) => ({ n: r.n, time: rfc3339Micro(r.at), kind: r.kind, ...(r.target !== undefined ? { target: r.target } : {}), detail: r.detail })),
    }
  }

  /** Problems of a snapshot's state for this plan (field paths under `kubemock.activity`). */
  stateErrors(s: ActivityState): FieldError[] {
    return activityStateErrors(this.opts.spec, s)
  }

  /**
   * Goes on from `s` (must have passed {@link stateErrors}), timed from now: the log, the job
   * numbers, the next step and the pending undos as they were. Nodes the state has down stay or go
   * down (their kubelet stopped); nodes this run stopped that the state has up get their kubelet back.
   */
  restore(s: ActivityState): void {
    this.cancel()
    const now = this.opts.clock.now()
    this.log.length = 0
    for (const r of s.log) this.log.push({ n: r.n, at: Date.parse(r.time), kind: r.kind as ActivityRecord['kind'], target: r.target, detail: r.detail })
    this.jobCounters.clear()
    for (const [i, n] of Object.entries(s.jobs)) this.jobCounters.set(Number(i), n)
    this.planner = createActivityPlanner(this.opts.spec, positionOf(s))
    this.startedAt = now - s.elapsedMs
    this.arm({ ...s.next })
    const down = new Set<string>()
    for (const p of s.pending) {
      if (p.kind === 'recover') {
        down.add(p.node)
        if (!this.stoppedNodes.has(p.node) && this.registry.resource('', 'nodes').getStored('', p.node)) this.opts.sim.stopKubelet?.(p.node)
        this.stoppedNodes.add(p.node)
        this.scheduleRecover(p.n, p.node, p.dueInMs)
      } else this.scheduleImageRestore(p.n, p.namespace, p.name, p.image, p.broken, p.dueInMs)
    }
    for (const node of [...this.stoppedNodes]) {
      if (down.has(node)) continue
      this.stoppedNodes.delete(node)
      this.opts.sim.startKubelet?.(node)
    }
  }

  private scheduleNext(): void {
    this.arm(this.planner!.next())
  }

  /** Sets the timer of `step`, the next one of the plan. */
  private arm(step: ActivityStep): void {
    const gen = this.generation
    this.nextStep = step
    this.timer = this.opts.clock.setTimer(this.startedAt + step.atMs - this.opts.clock.now(), () => {
      if (gen !== this.generation) return
      // The next step is timed from the plan, not from when this one finishes.
      this.scheduleNext()
      this.enqueue(gen, () => this.run(step))
    })
  }

  private enqueue(gen: number, work: () => Promise<void> | void): void {
    this.queue = this.queue.then(async () => {
      if (gen !== this.generation) return
      await work()
      this.worked = true
    })
    // Steps catch their own failures; this keeps one unexpected throw from stopping the queue.
    this.queue = this.queue.catch(() => {})
  }

  private record(r: ActivityRecord): void {
    this.log.push(r)
    const max = this.opts.logSize ?? 1000
    if (this.log.length > max) this.log.splice(0, this.log.length - max)
  }

  private async run(step: ActivityStep): Promise<void> {
    const a = this.opts.spec.actions[step.action]
    const at = this.opts.clock.now()
    const done = (target: string | undefined, detail: string) => this.record({ n: step.n, at, kind: step.kind, target, detail })
    try {
      switch (a.kind) {
        case 'scale':
          return await this.scale(a, step, done)
        case 'rollout':
          return await this.rollout(a, step, done)
        case 'imagePullFailure':
          return await this.imagePullFailure(a, step, done)
        case 'crash':
          return this.crash(a, step, done)
        case 'nodeOutage':
          return this.nodeOutage(a, step, done)
        case 'job':
          return await this.job(a, step, done)
      }
    } catch (err) {
      // A conflict with a user's write, a quota, a deleted target: this step is skipped, the plan goes on.
      done(undefined, `failed: ${(err as Error).message}`)
    }
  }

  /** The live objects of `resource` an action targets, in namespace/name order. */
  private targets(rs: AnyResourceStore, a: ActivityAction, defaultSelector = activityLabelSelector): KubeObject[] {
    const labelSelector = a.selector ?? (a.namespaces ? undefined : defaultSelector)
    const lists = rs.def.namespaced && a.namespaces ? a.namespaces.map((ns) => rs.list(ns, { labelSelector })) : [rs.list(undefined, { labelSelector })]
    return lists
      .flatMap((l) => l.items.map((s) => s.obj as KubeObject))
      .filter((o) => !o.metadata.deletionTimestamp)
      .sort(byKey)
  }

  private deployments(): AnyResourceStore {
    return this.registry.resource('apps', 'deployments')
  }

  private async scale(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): Promise<void> {
    const d = pickWith(this.targets(this.deployments(), a), step.pick) as DeploymentLike | undefined
    if (!d) return done(undefined, 'no target')
    const min = a.minReplicas ?? 1
    const max = a.maxReplicas ?? Math.max(5, min)
    const cur = d.spec?.replicas ?? 1
    let want = min + Math.min(max - min, Math.floor(step.value * (max - min + 1)))
    if (want === cur && max > min) want = want + 1 > max ? min : want + 1
    const ns = d.metadata.namespace!
    await this.deployments().guaranteedUpdate(ns, d.metadata.name!, (o: DeploymentLike) => {
      o.spec = { ...o.spec, replicas: want }
      return o
    })
    done(`Deployment ${ns}/${d.metadata.name}`, `replicas ${cur} → ${want}`)
  }

  private async setImage(ns: string, name: string, image: string, only?: (current: string | undefined) => boolean): Promise<string | undefined> {
    let before: string | undefined
    let changed = false
    await this.deployments().guaranteedUpdate(ns, name, (o: DeploymentLike) => {
      const c = o.spec?.template?.spec?.containers?.[0]
      before = c?.image
      if (c && (!only || only(c.image))) {
        c.image = image
        changed = true
      }
      return o
    })
    return changed ? before : undefined
  }

  private async rollout(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): Promise<void> {
    const d = pickWith(this.targets(this.deployments(), a), step.pick) as DeploymentLike | undefined
    if (!d) return done(undefined, 'no target')
    const ns = d.metadata.namespace!
    const target = `Deployment ${ns}/${d.metadata.name}`
    if (a.images?.length) {
      const cur = d.spec?.template?.spec?.containers?.[0]?.image
      let i = Math.min(a.images.length - 1, Math.floor(step.value * a.images.length))
      if (a.images[i] === cur && a.images.length > 1) i = (i + 1) % a.images.length
      const before = await this.setImage(ns, d.metadata.name!, a.images[i])
      return done(target, `image ${before} → ${a.images[i]}`)
    }
    // What `kubectl rollout restart` writes.
    const stamp = rfc3339(this.opts.clock.now())
    await this.deployments().guaranteedUpdate(ns, d.metadata.name!, (o: DeploymentLike) => {
      const t = (o.spec ??= {}).template ?? (o.spec.template = {})
      t.metadata = { ...t.metadata, annotations: { ...t.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': stamp } }
      return o
    })
    done(target, 'restarted (kubectl.kubernetes.io/restartedAt)')
  }

  private async imagePullFailure(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): Promise<void> {
    const candidates = this.targets(this.deployments(), a).filter((d) => !this.undo.has(`image/${d.metadata.namespace}/${d.metadata.name}`))
    const d = pickWith(candidates, step.pick) as DeploymentLike | undefined
    if (!d) return done(undefined, 'no target')
    const ns = d.metadata.namespace!
    const name = d.metadata.name!
    const cur = d.spec?.template?.spec?.containers?.[0]?.image ?? ''
    const ref = parseImageRef(cur || 'unknown')
    const broken = a.image ?? `${ref.repository}:${missingTag}`
    // A repository the registry does not know pulls whatever the tag: make it known, with the tag in use.
    const brokenRef = parseImageRef(broken)
    if (!this.opts.images.repository(broken)) {
      const keep = brokenRef.repository === ref.repository && ref.tag ? { [ref.tag]: this.opts.images.describe(cur).sizeBytes } : {}
      this.opts.images.addTags(brokenRef.repository, keep)
    }
    const before = await this.setImage(ns, name, broken)
    done(`Deployment ${ns}/${name}`, `image ${before} → ${broken}`)
    if (before === undefined) return
    this.scheduleImageRestore(step.n, ns, name, before, broken, (a.durationSeconds ?? 120) * 1000)
  }

  /** In `ms`, puts Deployment ns/name's image back to `image` unless it changed from `broken` since. */
  private scheduleImageRestore(n: number, ns: string, name: string, image: string, broken: string, ms: number): void {
    const gen = this.generation
    const key = `image/${ns}/${name}`
    const run = () =>
      this.enqueue(gen, async () => {
        this.undo.delete(key)
        const restored = await this.setImage(ns, name, image, (img) => img === broken).catch(() => undefined)
        this.record({
          n,
          at: this.opts.clock.now(),
          kind: 'restoreImage',
          target: `Deployment ${ns}/${name}`,
          detail: restored ? `image ${broken} → ${image}` : 'changed since: left alone',
        })
      })
    this.undo.set(key, { timer: this.opts.clock.setTimer(ms, run), what: { kind: 'restoreImage', n, namespace: ns, name, image, broken } })
  }

  private crash(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): void {
    const pods = this.targets(this.registry.resource('', 'pods'), a).filter((p) => {
      const pod = p as PodLike
      const container = a.container ?? pod.spec?.containers?.[0]?.name
      // A pod on a node whose kubelet activity stopped only looks Running: nothing there can crash.
      if (this.undo.has(`node/${pod.spec?.nodeName}`)) return false
      return pod.status?.phase === 'Running' && pod.status.containerStatuses?.some((s) => s.name === container && s.state?.running)
    }) as PodLike[]
    const pod = pickWith(pods, step.pick)
    if (!pod) return done(undefined, 'no target')
    if (!this.opts.sim.exitContainer) return done(undefined, 'no simulated kubelet')
    const container = a.container ?? pod.spec!.containers![0].name
    const exitCode = a.exitCode ?? 1
    this.opts.sim.exitContainer(pod.metadata.namespace!, pod.metadata.name!, container, exitCode)
    done(`Pod ${pod.metadata.namespace}/${pod.metadata.name}`, `container ${container} exited with ${exitCode}`)
  }

  private nodeOutage(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): void {
    const nodes = this.targets(this.registry.resource('', 'nodes'), a, '!node-role.kubernetes.io/control-plane').filter(
      (n) => !this.undo.has(`node/${n.metadata.name}`),
    )
    const node = pickWith(nodes, step.pick)
    const { stopKubelet, startKubelet } = this.opts.sim
    if (!node) return done(undefined, 'no target')
    if (!stopKubelet || !startKubelet) return done(undefined, 'no simulated kubelet')
    const name = node.metadata.name!
    const seconds = a.durationSeconds ?? 120
    stopKubelet(name)
    this.stoppedNodes.add(name)
    done(`Node ${name}`, `kubelet stopped for ${seconds}s`)
    this.scheduleRecover(step.n, name, seconds * 1000)
  }

  /** In `ms`, starts the kubelet of `node` again (stopped by step `n`). */
  private scheduleRecover(n: number, node: string, ms: number): void {
    const key = `node/${node}`
    const run = () => {
      this.undo.delete(key)
      this.stoppedNodes.delete(node)
      this.opts.sim.startKubelet?.(node)
      this.record({ n, at: this.opts.clock.now(), kind: 'recover', target: `Node ${node}`, detail: 'kubelet started' })
    }
    this.undo.set(key, { timer: this.opts.clock.setTimer(ms, run), what: { kind: 'recover', n, node } })
  }

  private async job(a: ActivityAction, step: ActivityStep, done: (t: string | undefined, d: string) => void): Promise<void> {
    const jobs = this.registry.resource('batch', 'jobs')
    const ns = a.namespaces?.[0] ?? 'default'
    const prefix = a.namePrefix ?? 'activity-job'
    // Jobs come and go: the oldest finished ones beyond `keep` are deleted (as a TTL would).
    const finished = jobs
      .list(ns, { labelSelector: `${activityJobLabel}=${prefix}` })
      .items.map((s) => s.obj as KubeObject & { status?: { conditions?: { type: string; status: string }[] } })
      .filter((j) => !j.metadata.deletionTimestamp && j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True'))
      .sort((x, y) => jobNumber(x.metadata.name!) - jobNumber(y.metadata.name!))
    for (const j of finished.slice(0, Math.max(0, finished.length - (a.keep ?? 3))))
      await jobs.delete(ns, j.metadata.name!, { propagationPolicy: 'Background' }).catch(() => undefined)
    const n = (this.jobCounters.get(step.action) ?? 0) + 1
    this.jobCounters.set(step.action, n)
    const name = `${prefix}-${n}`
    const fails = step.value < (a.failureRatio ?? 0)
    const seconds = a.durationSeconds ?? 30
    const labels = { [activityJobLabel]: prefix }
    await jobs.create(ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: ns, labels },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'job', image: a.jobImage ?? 'busybox:1.36', command: ['sh', '-c', `sleep ${seconds}; exit ${fails ? 1 : 0}`] }],
          },
        },
      },
    } as KubeObject)
    done(`Job ${ns}/${name}`, fails ? `created; fails after ${seconds}s` : `created; completes after ${seconds}s`)
  }
}

function jobNumber(name: string): number {
  const m = /-(\d+)$/.exec(name)
  return m ? Number(m[1]) : 0
}
