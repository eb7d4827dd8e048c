/** @module runtime: level-based controllers — a deduplicating work queue per controller, driven by watches. */
import type { Registry } from '../registry/registry.js'
import type { Clock, TimerHandle } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { StatusError } from '../errors.js'
import { InformerFactory, type Informer, type InformerEvent } from './informers.js'
import { KeyQueue } from './key-queue.js'
import { PriorityKeyQueue } from './priority-key-queue.js'
import { objectKey } from '../util/object-key.js'

export { objectKey, splitKey } from '../util/object-key.js'

/**
 * Synchronous controller work one turn of the event loop may do before it yields to I/O and timers
 * (issue 9: an HTTP request never waits behind more than a few milliseconds of controller work).
 */
export const drainSliceMs = 5

let turnDeadline = 0

/**
 * For long reconciles (a ReplicaSet creating hundreds of pods): resolves at once while the current
 * turn has budget left, else on the next turn, after pending I/O and timers ran.
 */
export function yieldIfBusy(): Promise<void> | undefined {
  if (performance.now() < turnDeadline) return undefined
  return new Promise((resolve) =>
    setImmediate(() => {
      turnDeadline = performance.now() + drainSliceMs
      resolve()
    }),
  )
}

/** What a reconcile asks for next. */
export interface ReconcileResult {
  /** Run this key again after this many simulated milliseconds. */
  requeueAfterMs?: number
}

/** Maps changes of one resource onto the keys a controller reconciles. */
export interface WatchSpec {
  group: string
  plural: string
  /**
   * Keys to enqueue for a change: the object as it is now (its last state when deleted) and, on
   * update or delete, before (default: `namespace/name`); `type` is absent when the runtime
   * enqueues every cached object (start, resync).
   */
  keys?: (obj: KubeObject, prev?: KubeObject, type?: InformerEvent['type']) => string[]
}

/** A controller: a name, what it watches, and an idempotent reconcile by key. */
export interface Controller {
  name: string
  /** Read at start and again whenever the registry's definitions change (so it may follow custom resources). */
  watches: WatchSpec[]
  reconcile(key: string): Promise<ReconcileResult | void> | ReconcileResult | void
  /** Called on every (re)start once the informers are filled, before any key is enqueued (to fill caches derived from them). */
  start?(): void
  /**
   * Orders the queue: keys with a higher value are taken first, equal ones in the order they
   * became dirty (the scheduler: pod priority). Read once when a key is queued. Default FIFO.
   */
  queuePriority?(key: string): number
}

/** Failed keys retry after 5 ms doubling to 1000 s, as client-go's default rate limiter does. */
function backoffMs(failures: number): number {
  return Math.min(5 * 2 ** failures, 1_000_000)
}

/**
 * The overall half of client-go's DefaultControllerRateLimiter: retries of one controller share a
 * token bucket of 10 per second with a burst of 100 (on the simulated clock), so a storm of
 * failures is spread out rather than retried all at once.
 */
class RetryBucket {
  private tokens = 100
  private last: number
  constructor(private readonly now: () => number) {
    this.last = now()
  }

  /** Simulated milliseconds until the next retry may run (reserving its token). */
  reserve(): number {
    const t = this.now()
    this.tokens = Math.min(100, this.tokens + ((t - this.last) / 1000) * 10)
    this.last = t
    this.tokens -= 1
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / 10) * 1000)
  }
}

/** Marks an error as not worth retrying: it is logged and the key dropped. */
export function terminal(err: unknown): Error {
  return Object.assign(err instanceof Error ? err : new Error(String(err)), { terminal: true })
}

interface Queue {
  c: Controller
  dirty: KeyQueue | PriorityKeyQueue
  processing: Set<string>
  // failures, timers, cooling and deferred are made by their first entry: most controllers of a
  // quiet cluster never fill them (33 controllers, 300 clusters in a process).
  failures?: Map<string, number>
  timers?: Map<string, TimerHandle>
  retries: RetryBucket
  /** Expensive keys wait until this performance.now() before they run again (coalescing). */
  cooling?: Map<string, number>
  /**
   * With a manual clock: expensive keys that run only when no other key of any controller can
   * (the manual clock's coalescing, where cooling in real time would make results depend on the
   * machine's speed more than this does).
   */
  deferred?: Set<string>
  /** Milliseconds of synchronous work this controller did, relative to the others (fair shares). */
  spent: number
  /** The watches followed now, by `group/plural`: the informer and the handler's unregister function. */
  attached: Map<string, { inf: Informer; stop: () => void }>
}

/** How many keys one turn of a deterministic pump runs (see ControllerManager.deterministic). */
const keysPerDeterministicTurn = 200

/** A reconcile whose synchronous part takes longer than this (ms) is coalesced: see {@link coolingFor}. */
const expensiveMs = 2

/**
 * How long an expensive key waits before it runs again: 20 times what it cost, at most 250 ms
 * (times the number of its controller’s keys cooling down, at most 1 s).
 * A ReplicaSet of 10,000 pods sees thousands of pod events a second and each sync walks all its
 * pods; running it back to back would spend the controllers' whole share on recounting. Its events
 * coalesce meanwhile (the key stays dirty), so it then syncs once for all of them. Cheap keys never
 * wait. Nothing waits in real time while the clock is manual: an expensive key is deferred
 * instead, behind every other runnable key (see Queue.deferred).
 */
function coolingFor(costMs: number): number {
  return costMs > expensiveMs ? Math.min(20 * costMs, 250) : 0
}

/**
 * Runs controllers over shared informers. Keys are deduplicated while waiting; one key is never
 * reconciled twice at once; requeues and backoff wait on the simulated clock. All controllers
 * share one cooperative pump: each turn of the event loop runs dirty keys round-robin across
 * controllers for at most {@link drainSliceMs}, then yields, so requests and timers run in between
 * however much work a big change makes.
 */
export class ControllerManager {
  private readonly queues: Queue[] = []
  private readonly stops: (() => void)[] = []
  private running = false
  private pumpScheduled = false
  /** A turn is under way (it may wait for a reconcile that yields the event loop). */
  private pumping = false
  /**
   * Whether a write settles within the turn that made it (the memory store, with or without a
   * journal): then the pump runs one reconcile at a time to its end, so a turn's budget and a key's
   * cost count all of its work, not only what ran before its first write. Over a store that waits
   * for I/O (etcd), reconciles overlap instead and a key's cost is what ran before it waited.
   */
  private readonly settlesInTurn: boolean
  private coolTimer: NodeJS.Timeout | undefined
  /** The caches every controller reads (and the runtime's watches are fed from). */
  readonly informers: InformerFactory
  /** Errors by controller, for logs and tests. */
  onError: (controller: string, key: string, err: unknown) => void = () => {}
  /** Which controllers run (all by default); see {@link setActive}. */
  private active: (name: string) => boolean = () => true
  /**
   * With a manual clock, take turns by keys reconciled instead of by time spent, and defer no key
   * for its cost: the order of the controllers' work (which pod is created, scheduled, placed
   * first), hence every Event, is then the same on every run and machine. Set under a scenario
   * seed; it gives up the deferral that keeps 10,000-pod owners fast at --speed 0.
   */
  deterministic = false

  constructor(
    readonly registry: Registry,
    private readonly clock: Clock,
  ) {
    this.informers = new InformerFactory(registry)
    this.settlesInTurn = registry.store.writesSettleInTurn
    clock.addSettler?.(() => this.whenIdle())
  }

  /**
   * Resolves once no key is waiting or being reconciled (after at most `maxTurns` turns of the event
   * loop, so a controller that keeps making itself dirty cannot hang a clock advance, and at most
   * `maxMs` of wall-clock time when given).
   */
  async whenIdle(maxTurns = 10_000, maxMs = Infinity): Promise<void> {
    const until = performance.now() + maxMs
    for (let i = 0; i < maxTurns && this.running && this.pending() > 0 && performance.now() < until; i++) await new Promise<void>((r) => setImmediate(r))
  }

  add(c: Controller): void {
    this.queues.push({
      c,
      dirty: c.queuePriority ? new PriorityKeyQueue((k) => c.queuePriority!(k)) : new KeyQueue(),
      processing: new Set(),
      retries: new RetryBucket(() => this.clock.now()),
      spent: 0,
      attached: new Map(),
    })
  }

  /** Fills the informers, follows their changes, and enqueues every existing object once. */
  start(): void {
    if (this.running) return
    this.running = true
    for (const q of this.queues) for (const w of q.c.watches) this.informers.for(w.group, w.plural)
    this.informers.start()
    for (const q of this.queues) if (this.active(q.c.name)) q.c.start?.()
    for (const q of this.queues) for (const w of q.c.watches) this.attach(q, w)
    this.stops.push(this.registry.onDefinitionsChanged(() => this.followDefinitions()))
  }

  /**
   * Follows a controller's watch: its changes enqueue keys from now on and every cached object is
   * enqueued once.
   */
  private attach(q: Queue, w: WatchSpec): void {
    const inf = this.informers.for(w.group, w.plural)
    const toKeys = w.keys ?? ((o: KubeObject) => [objectKey(o)])
    const stop = inf.addHandler((ev) => {
      for (const k of toKeys(ev.stored.obj, ev.prev?.obj, ev.type)) this.enqueue(q, k)
    })
    q.attached.set(`${w.group}/${w.plural}`, { inf, stop })
    for (const s of inf.list()) for (const k of toKeys(s.obj)) this.enqueue(q, k)
  }

  /**
   * A definition was added or removed at run time (a CRD became served, changed or went): informers
   * of resources no longer served as they were are dropped, and each controller's watches are read
   * again — those that went are detached, new ones attached (the garbage collector watches every
   * served resource, as upstream's GraphBuilder resyncs its monitors from discovery).
   */
  private followDefinitions(): void {
    if (!this.running) return
    this.informers.prune()
    for (const q of this.queues) {
      const want = new Map(q.c.watches.map((w) => [`${w.group}/${w.plural}`, w]))
      for (const [key, a] of q.attached) {
        if (want.has(key) && a.inf.running) continue
        a.stop()
        q.attached.delete(key)
      }
      for (const [key, w] of want) if (!q.attached.has(key)) this.attach(q, w)
    }
  }

  stop(): void {
    this.running = false
    for (const s of this.stops.splice(0)) s()
    for (const q of this.queues) {
      for (const a of q.attached.values()) a.stop()
      q.attached.clear()
    }
    if (this.coolTimer) clearTimeout(this.coolTimer)
    this.coolTimer = undefined
    this.informers.stop()
    for (const q of this.queues) {
      for (const t of q.timers?.values() ?? []) this.clock.clearTimer(t)
      q.timers?.clear()
      q.dirty.clear()
      q.cooling?.clear()
      q.deferred?.clear()
    }
  }

  /**
   * Chooses which controllers run: over etcd, a process that is not the leader runs only its
   * kubelets. One that becomes active starts afresh (its start hook, then every object it watches,
   * as at {@link start}); one that stops being active drops its waiting keys and timers.
   */
  setActive(filter: (name: string) => boolean): void {
    const was = this.active
    this.active = filter
    for (const q of this.queues) {
      const on = filter(q.c.name)
      if (on && !was(q.c.name)) this.resync(q.c.name)
      else if (!on) {
        for (const t of q.timers?.values() ?? []) this.clock.clearTimer(t)
        q.timers?.clear()
        q.dirty.clear()
        q.cooling?.clear()
        q.deferred?.clear()
      }
    }
  }

  /** Runs the named controller's start hook again and enqueues every object it watches (a resync). */
  resync(name: string): void {
    if (!this.running) return
    const q = this.queues.find((x) => x.c.name === name)
    if (!q || !this.active(name)) return
    q.c.start?.()
    for (const w of q.c.watches) {
      const toKeys = w.keys ?? ((o: KubeObject) => [objectKey(o)])
      for (const s of this.informers.for(w.group, w.plural).list()) for (const k of toKeys(s.obj)) this.enqueue(q, k)
    }
  }

  /** Enqueues a key on the named controller (for controllers that poke each other). */
  enqueueTo(name: string, key: string): void {
    const q = this.queues.find((x) => x.c.name === name)
    if (q) this.enqueue(q, key)
  }

  /** Keys waiting or being reconciled, over all controllers (0 = idle; for tests and metrics). */
  pending(): number {
    let n = 0
    for (const q of this.queues) n += q.dirty.size + q.processing.size
    return n
  }

  private enqueue(q: Queue, key: string): void {
    if (!this.running || !this.active(q.c.name)) return
    q.dirty.add(key)
    this.schedulePump()
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    if (this.coolTimer) clearTimeout(this.coolTimer)
    this.coolTimer = undefined
    setImmediate(() => void this.pump())
  }

  /** Wakes the pump when the first cooling key may run (only cooling keys are left). */
  private scheduleCooled(at: number): void {
    if (this.pumpScheduled || this.coolTimer) return
    this.coolTimer = setTimeout(
      () => {
        this.coolTimer = undefined
        this.schedulePump()
      },
      Math.max(1, Math.ceil(at - performance.now())),
    )
  }

  private enqueueAfter(q: Queue, key: string, ms: number): void {
    if (ms <= 0) return this.enqueue(q, key)
    const timers = (q.timers ??= new Map())
    const prev = timers.get(key)
    if (prev && prev.due <= this.clock.now() + ms) return
    this.clock.clearTimer(prev)
    timers.set(
      key,
      this.clock.setTimer(ms, () => {
        q.timers?.delete(key)
        this.enqueue(q, key)
      }),
    )
  }

  /**
   * One turn: runs dirty keys until the slice is used up, each time from the controller that has
   * spent the least time so far (fair shares by time, not by key: a kubelet with 70,000 cheap pod
   * keys and a scheduler whose keys cost ten times more each get half), then schedules the next
   * turn after I/O if keys are left.
   */
  private async pump(): Promise<void> {
    this.pumpScheduled = false
    // The turn under way schedules the next one when it ends.
    if (!this.running || this.pumping) return
    this.pumping = true
    // Deterministic turns end after a number of keys, not of milliseconds (and reconciles do not
    // yield part-way), so what else runs between them comes at the same points on every run.
    const byKeys = this.byKeys()
    let keysLeft = keysPerDeterministicTurn
    turnDeadline = byKeys ? Number.POSITIVE_INFINITY : performance.now() + drainSliceMs
    turn: for (;;) {
      // The least-spent controller with a runnable key, and what the next one has spent: it keeps
      // the turn until it passes that (choosing among ~20 controllers for every cheap key cost
      // more than the keys).
      let best: Queue | undefined
      let next = Infinity
      let withDeferred = false
      for (let pass = 0; pass < 2 && !best; pass++) {
        // The second pass, when only deferred keys are left, lets them run, fairly among themselves.
        withDeferred = pass === 1
        next = Infinity
        for (const q of this.queues) {
          if (this.runnableAt(q, withDeferred) !== 0) continue
          if (!best || q.spent < best.spent) {
            if (best) next = best.spent
            best = q
          } else if (q.spent < next) next = q.spent
        }
      }
      if (!best) break
      for (let ran = 0; ; ran++) {
        const key = this.takeKey(best, withDeferred)
        if (key === undefined) {
          if (ran === 0) break turn
          break
        }
        const t0 = performance.now()
        const processed = this.process(best, key)
        if (this.settlesInTurn) await processed
        const t1 = performance.now()
        best.spent += byKeys ? 1 : t1 - t0
        if (byKeys ? --keysLeft <= 0 : t1 >= turnDeadline) break turn
        if (best.spent > next || this.runnableAt(best, withDeferred) !== 0) break
      }
    }
    if (byKeys) turnDeadline = 0
    // Keep the shares relative: the least-spent busy controller is at 0, idle ones start there.
    let cooledAt = Infinity
    let least = Infinity
    for (const q of this.queues) {
      const at = this.runnableAt(q)
      if (at < cooledAt) cooledAt = at
      if (at < Infinity && q.spent < least) least = q.spent
    }
    for (const q of this.queues) q.spent = this.runnableAt(q) < Infinity ? q.spent - least : 0
    this.pumping = false
    if (!this.running) return
    if (cooledAt <= performance.now()) this.schedulePump()
    else if (cooledAt < Infinity) this.scheduleCooled(cooledAt)
  }

  /** Whether shares count keys, not milliseconds (see {@link deterministic}). */
  private byKeys(): boolean {
    return this.deterministic && this.clock.speed === 0
  }

  private takeKey(q: Queue, withDeferred = true): string | undefined {
    const now = q.cooling?.size ? performance.now() : 0
    return q.dirty.take((k) => {
      if (q.processing.has(k)) return false
      if (q.deferred?.size && q.deferred.has(k)) {
        if (!withDeferred) return false
        q.deferred.delete(k)
      }
      if (q.cooling?.size) {
        const until = q.cooling.get(k)
        if (until !== undefined) {
          if (until > now) return false
          q.cooling.delete(k)
        }
      }
      return true
    })
  }

  /**
   * When a dirty key of `q` may run next: now, a later performance.now(), or Infinity (none).
   * Without `withDeferred`, deferred keys do not count.
   */
  private runnableAt(q: Queue, withDeferred = true): number {
    const skipDeferred = !withDeferred && (q.deferred?.size ?? 0) > 0
    // More dirty keys than keys that may be held back: one of them is runnable.
    if (q.dirty.size > q.processing.size + (q.cooling?.size ?? 0) + (skipDeferred ? q.deferred!.size : 0)) return 0
    let at = Infinity
    const now = performance.now()
    for (const k of q.dirty.keys()) {
      if (q.processing.has(k)) continue
      if (skipDeferred && q.deferred!.has(k)) continue
      const until = q.cooling?.get(k) ?? 0
      // A cooling period that is over makes the key runnable now.
      if (until <= now) return 0
      if (until < at) at = until
    }
    return at
  }

  private async process(q: Queue, key: string): Promise<void> {
    if (!this.running) return
    q.processing.add(key)
    try {
      const t0 = performance.now()
      const pending = q.c.reconcile(key)
      let res = this.settlesInTurn ? await pending : undefined
      // With a manual clock nothing waits in real time, so results never depend on the machine's speed.
      // Several expensive keys of one controller (10 ReplicaSets of 10,000 pods) share one such
      // allowance between them, not one each.
      const cost = performance.now() - t0
      let cooling = this.clock.speed > 0 ? coolingFor(cost) : 0
      if (cooling) {
        const now = performance.now()
        const waiting = (q.cooling ??= new Map())
        for (const [k, until] of waiting) if (until <= now) waiting.delete(k)
        cooling = Math.min(cooling * (1 + waiting.size), 1000)
        waiting.set(key, performance.now() + cooling)
      } else if (this.clock.speed === 0 && cost > expensiveMs && !this.deterministic) (q.deferred ??= new Set()).add(key)
      if (!this.settlesInTurn) res = await pending
      q.failures?.delete(key)
      if (res?.requeueAfterMs !== undefined) this.enqueueAfter(q, key, res.requeueAfterMs)
    } catch (err) {
      const conflict = err instanceof StatusError && err.code === 409
      if (!conflict) this.onError(q.c.name, key, err)
      if (!(err as { terminal?: boolean }).terminal) {
        const n = q.failures?.get(key) ?? 0
        ;(q.failures ??= new Map()).set(key, n + 1)
        this.enqueueAfter(q, key, conflict ? 0 : Math.max(backoffMs(n), q.retries.reserve()))
      }
    } finally {
      q.processing.delete(key)
      if (q.dirty.has(key)) {
        const until = q.cooling?.get(key)
        if (until !== undefined && until > performance.now()) this.scheduleCooled(until)
        else this.schedulePump()
      }
    }
  }
}
