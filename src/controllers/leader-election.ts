/**
 * @module leader-election: client-go's leaderelection over a coordination.k8s.io Lease, so that of
 * several kubemock processes on one etcd exactly one runs the controllers and the scheduler.
 *
 * As client-go: a candidate takes the Lease when it is missing, or when its record has not changed
 * for leaseDuration by the candidate's own clock (observed time, not the holder's renewTime, so
 * clocks need not agree); the holder renews every retryPeriod and gives up when it could not renew
 * for renewDeadline. Writes are compare-and-swap on the Lease's resourceVersion.
 */
import type { ResourceStore } from '../registry/generic-registry.js'
import type { Registry } from '../registry/registry.js'
import type { KubeObject } from '../types.js'
import { rfc3339Micro } from '../util/time.js'

/** kube-controller-manager's defaults (--leader-elect-lease-duration, -renew-deadline, -retry-period). */
export const leaseDurationMs = 15_000
export const renewDeadlineMs = 10_000
export const retryPeriodMs = 2_000

export interface LeaderElectionOptions {
  registry: Registry
  /** The Lease every candidate competes for, in kube-system. */
  name: string
  /** Leases the leader holds along with it (the scheduler's), taken only while leading. */
  alsoHolds?: string[]
  /** This candidate (upstream: `<hostname>_<uuid>`). */
  identity: string
  /** Timestamps written into the Lease (the cluster's clock). */
  now: () => number
  onStartedLeading: () => Promise<void> | void
  onStoppedLeading: () => void
  leaseDurationMs?: number
  renewDeadlineMs?: number
  retryPeriodMs?: number
  /** Whether to take the Lease when it is free (default always): a holder keeps renewing regardless. */
  eligible?: () => boolean
  /**
   * Called at the end of every round, after onStartedLeading when the round took the Lease: with
   * {@link eligible}, what lets several electors count the attempts still in flight.
   */
  settled?: () => void
}

interface LeaseSpec {
  holderIdentity?: string
  leaseDurationSeconds?: number
  acquireTime?: string
  renewTime?: string
  leaseTransitions?: number
}

export class LeaderElector {
  private readonly leases: ResourceStore
  private leading = false
  private timer: NodeJS.Timeout | undefined
  private stopped = true
  /** The record last seen, and when (wall clock): what expiry is judged by. */
  private readonly observed = new Map<string, { record: string; at: number }>()
  private lastRenew = 0
  private readonly durationMs: number
  private readonly deadlineMs: number
  private readonly periodMs: number

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leases = opts.registry.resource('coordination.k8s.io', 'leases')
    this.durationMs = opts.leaseDurationMs ?? leaseDurationMs
    this.deadlineMs = opts.renewDeadlineMs ?? renewDeadlineMs
    this.periodMs = opts.retryPeriodMs ?? retryPeriodMs
  }

  isLeader(): boolean {
    return this.leading
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    void this.tick()
  }

  /** Stops competing; a leader steps down and releases its Leases (ReleaseOnCancel), so another takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (!this.leading) return
    this.leading = false
    this.opts.onStoppedLeading()
    for (const name of [this.opts.name, ...(this.opts.alsoHolds ?? [])]) {
      await this.write(name, (spec) =>
        spec.holderIdentity === this.opts.identity ? { ...spec, holderIdentity: '', leaseDurationSeconds: 1 } : undefined,
      ).catch(() => {})
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    let held = false
    try {
      held = await this.tryAcquireOrRenew(this.opts.name)
    } catch {
      held = false
    }
    if (this.stopped) return this.opts.settled?.()
    const now = Date.now()
    if (held) {
      this.lastRenew = now
      for (const name of this.opts.alsoHolds ?? []) await this.tryAcquireOrRenew(name).catch(() => false)
      if (!this.leading) {
        this.leading = true
        // Not awaited: the work of a new leader (seeding hundreds of nodes) must not hold up the
        // renewals, or the Lease expires under it and another process takes over mid-way.
        void (async () => {
          try {
            await this.opts.onStartedLeading()
          } catch {
            // Seeding failed part-way (etcd went away): the controllers start anyway and reconcile.
          }
        })()
      }
    } else if (this.leading && now - this.lastRenew >= this.deadlineMs) {
      this.leading = false
      this.opts.onStoppedLeading()
    }
    this.opts.settled?.()
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.periodMs)
      this.timer.unref?.()
    }
  }

  /** Hands the Lease over without leaving the competition (a shard another process should take). */
  async release(): Promise<void> {
    if (!this.leading) return
    this.leading = false
    this.opts.onStoppedLeading()
    await this.write(this.opts.name, (spec) =>
      spec.holderIdentity === this.opts.identity ? { ...spec, holderIdentity: '', leaseDurationSeconds: 1 } : undefined,
    ).catch(() => {})
  }

  /** One round of client-go's tryAcquireOrRenew on Lease `name`: whether this candidate holds it now. */
  private async tryAcquireOrRenew(name: string): Promise<boolean> {
    const id = this.opts.identity
    const stamp = rfc3339Micro(this.opts.now())
    const cur = this.leases.getStored('kube-system', name)
    const holds = (cur?.obj as { spec?: LeaseSpec } | undefined)?.spec?.holderIdentity === id
    if (!holds && this.opts.eligible && !this.opts.eligible()) return false
    if (!cur) {
      await this.leases.create('kube-system', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-system' },
        spec: { holderIdentity: id, leaseDurationSeconds: this.durationMs / 1000, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
      } as KubeObject)
      return true
    }
    const spec = ((cur.obj as { spec?: LeaseSpec }).spec ?? {}) as LeaseSpec
    const record = JSON.stringify(spec)
    const seen = this.observed.get(name)
    const now = Date.now()
    if (!seen || seen.record !== record) this.observed.set(name, { record, at: now })
    const observedAt = this.observed.get(name)!.at
    const holder = spec.holderIdentity ?? ''
    const duration = (spec.leaseDurationSeconds ?? this.durationMs / 1000) * 1000
    if (holder && holder !== id && now < observedAt + duration) return false
    const next: LeaseSpec =
      holder === id
        ? { ...spec, renewTime: stamp, leaseDurationSeconds: this.durationMs / 1000 }
        : {
            holderIdentity: id,
            leaseDurationSeconds: this.durationMs / 1000,
            acquireTime: stamp,
            renewTime: stamp,
            leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
          }
    await this.leases.update('kube-system', name, { ...cur.obj, metadata: { ...cur.obj.metadata, resourceVersion: String(cur.rv) }, spec: next } as KubeObject)
    return true
  }

  /** A compare-and-swap write of Lease `name`'s spec; `change` returns undefined to leave it. */
  private async write(name: string, change: (spec: LeaseSpec) => LeaseSpec | undefined): Promise<void> {
    const cur = this.leases.getStored('kube-system', name)
    if (!cur) return
    const next = change(((cur.obj as { spec?: LeaseSpec }).spec ?? {}) as LeaseSpec)
    if (!next) return
    await this.leases.update('kube-system', name, { ...cur.obj, metadata: { ...cur.obj.metadata, resourceVersion: String(cur.rv) }, spec: next } as KubeObject)
  }
}
