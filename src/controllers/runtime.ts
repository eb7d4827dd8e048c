/** @module runtime: level-based controllers — a deduplicating work queue per controller, driven by watches. */
import type { Registry } from '../registry/registry.js'
import type { Clock, TimerHandle } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { StatusError } from '../errors.js'

/** Synchronous reconcile work one drain may do before it yields to I/O and timers (issue 9: a responsive event loop). */
export const drainSliceMs = 10

/** What a reconcile asks for next. */
export interface ReconcileResult {
  /** Run this key again after this many simulated milliseconds. */
  requeueAfterMs?: number
}

/** Maps changes of one resource onto the keys a controller reconciles. */
export interface WatchSpec {
  group: string
  plural: string
  /** Keys to enqueue for an object (default: `namespace/name`). */
  keys?: (obj: KubeObject) => string[]
}

/** A controller: a name, what it watches, and an idempotent reconcile by key. */
export interface Controller {
  name: string
  watches: WatchSpec[]
  reconcile(key: string): Promise<ReconcileResult | void> | ReconcileResult | void
}

/** The key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata.name ?? '')
}

/** Splits a key back into namespace and name. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/')
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)]
}

/** Failed keys retry after 5 ms doubling to 1000 s, as client-go's default rate limiter does. */
function backoffMs(failures: number): number {
  return Math.min(5 * 2 ** failures, 1_000_000)
}

/** Marks an error as not worth retrying: it is logged and the key dropped. */
export function terminal(err: unknown): Error {
  return Object.assign(err instanceof Error ? err : new Error(String(err)), { terminal: true })
}

interface Queue {
  c: Controller
  dirty: Set<string>
  processing: Set<string>
  failures: Map<string, number>
  timers: Map<string, TimerHandle>
  scheduled: boolean
}

/**
 * Runs controllers. Keys are deduplicated while waiting; one key is never reconciled twice at once;
 * requeues and backoff wait on the simulated clock.
 */
export class ControllerManager {
  private readonly queues: Queue[] = []
  private readonly stops: (() => void)[] = []
  private running = false
  /** Errors by controller, for logs and tests. */
  onError: (controller: string, key: string, err: unknown) => void = () => {}

  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  add(c: Controller): void {
    this.queues.push({ c, dirty: new Set(), processing: new Set(), failures: new Map(), timers: new Map(), scheduled: false })
  }

  /** Starts the watches and enqueues every existing object once. */
  start(): void {
    if (this.running) return
    this.running = true
    for (const q of this.queues) {
      for (const w of q.c.watches) {
        const rs = this.registry.resource(w.group, w.plural)
        const toKeys = w.keys ?? ((o: KubeObject) => [objectKey(o)])
        const { stop } = rs.watch(undefined, { resourceVersion: String(rs.currentRV()) }, (ev) => {
          for (const k of toKeys(ev.stored.obj)) this.enqueue(q, k)
        })
        this.stops.push(stop)
        for (const s of rs.list(undefined).items) for (const k of toKeys(s.obj)) this.enqueue(q, k)
      }
    }
  }

  stop(): void {
    this.running = false
    for (const s of this.stops.splice(0)) s()
    for (const q of this.queues) {
      for (const t of q.timers.values()) this.clock.clearTimer(t)
      q.timers.clear()
      q.dirty.clear()
    }
  }

  /** Enqueues a key on the named controller (for controllers that poke each other). */
  enqueueTo(name: string, key: string): void {
    const q = this.queues.find((x) => x.c.name === name)
    if (q) this.enqueue(q, key)
  }

  private enqueue(q: Queue, key: string): void {
    if (!this.running) return
    q.dirty.add(key)
    if (!q.scheduled) {
      q.scheduled = true
      setImmediate(() => void this.drain(q))
    }
  }

  private enqueueAfter(q: Queue, key: string, ms: number): void {
    if (ms <= 0) return this.enqueue(q, key)
    const prev = q.timers.get(key)
    if (prev && prev.due <= this.clock.now() + ms) return
    this.clock.clearTimer(prev)
    q.timers.set(
      key,
      this.clock.setTimer(ms, () => {
        q.timers.delete(key)
        this.enqueue(q, key)
      }),
    )
  }

  /**
   * Starts the dirty keys' reconciles, for at most {@link drainSliceMs} of synchronous work: the
   * keys left over stay dirty for the next drain, after a setImmediate, so HTTP requests and clock
   * timers run in between however many keys a big change makes dirty.
   */
  private async drain(q: Queue): Promise<void> {
    q.scheduled = false
    const deadline = performance.now() + drainSliceMs
    const started: Promise<void>[] = []
    for (const k of [...q.dirty]) {
      if (q.processing.has(k)) continue
      if (started.length && performance.now() > deadline) {
        q.scheduled = true
        setImmediate(() => void this.drain(q))
        break
      }
      q.dirty.delete(k)
      started.push(this.process(q, k))
    }
    await Promise.all(started)
  }

  private async process(q: Queue, key: string): Promise<void> {
    if (!this.running) return
    q.processing.add(key)
    try {
      const res = await q.c.reconcile(key)
      q.failures.delete(key)
      if (res?.requeueAfterMs !== undefined) this.enqueueAfter(q, key, res.requeueAfterMs)
    } catch (err) {
      const conflict = err instanceof StatusError && err.code === 409
      if (!conflict) this.onError(q.c.name, key, err)
      if (!(err as { terminal?: boolean }).terminal) {
        const n = q.failures.get(key) ?? 0
        q.failures.set(key, n + 1)
        this.enqueueAfter(q, key, conflict ? 0 : backoffMs(n))
      }
    } finally {
      q.processing.delete(key)
      if (q.dirty.has(key) && !q.scheduled) {
        q.scheduled = true
        setImmediate(() => void this.drain(q))
      }
    }
  }
}
