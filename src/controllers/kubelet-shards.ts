/**
 * @module kubelet-shards: which simulated kubelets this process runs when several kubemock
 * processes share one etcd. Nodes fall into a fixed number of shards by a hash of their name;
 * each shard is a kube-system Lease (`kubemock-kubelets-<i>`) that one process holds at a time,
 * elected like the controller manager's. Every process also renews a Lease of its own
 * (`kubemock-process-<uuid>`), so the others know how many share the work. Processes balance: one
 * that holds more than its share (shards ÷ live processes, rounded up) hands one over each round,
 * one with less takes free ones, and the shards of a process that died are taken over when their
 * Leases expire.
 */
import type { Registry } from '../registry/registry.js'
import { fnv32 } from '../util/hash.js'
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js'

/** How many shards the nodes are split into (enough for a few processes to share evenly). */
export const kubeletShardCount = 16

/** The shard of a node. */
export function shardOf(node: string, shards = kubeletShardCount): number {
  return fnv32(node) % shards
}

export interface KubeletShardOptions extends Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'> {
  registry: Registry
  identity: string
  /** This process's own Lease, `kubemock-process-<uuid>`. */
  memberLease: string
  now: () => number
  /** Called with the shard when this process starts or stops simulating its nodes. */
  onChange: (shard: number, owned: boolean) => void
  shards?: number
}

export class KubeletShards {
  private readonly owned = new Set<number>()
  /** Shards whose Lease an attempt of this process is taking right now. */
  private readonly trying = new Set<number>()
  private readonly electors: LeaderElector[] = []
  private readonly shards: number
  private balancer: NodeJS.Timeout | undefined
  private readonly member: LeaderElector

  constructor(private readonly opts: KubeletShardOptions) {
    this.shards = opts.shards ?? kubeletShardCount
    this.member = new LeaderElector({ ...opts, name: opts.memberLease, onStartedLeading: () => {}, onStoppedLeading: () => {} })
    for (let i = 0; i < this.shards; i++) {
      this.electors.push(
        new LeaderElector({
          ...opts,
          name: `kubemock-kubelets-${i}`,
          // The 16 electors run side by side: an attempt still in flight counts as held, or all of
          // them would see room at start-up, take every shard and then hand most of them back.
          eligible: () => {
            if (this.owned.size + this.trying.size >= this.share()) return false
            this.trying.add(i)
            return true
          },
          settled: () => this.trying.delete(i),
          onStartedLeading: () => {
            this.owned.add(i)
            opts.onChange(i, true)
          },
          onStoppedLeading: () => {
            this.owned.delete(i)
            opts.onChange(i, false)
          },
        }),
      )
    }
  }

  /** Whether this process simulates `node`'s kubelet. */
  ownsNode(node: string): boolean {
    return this.owned.has(shardOf(node, this.shards))
  }

  /** The shards held here, ascending. */
  held(): number[] {
    return [...this.owned].sort((a, b) => a - b)
  }

  /** This process's fair number of shards: all of them divided by the live processes (itself included), rounded up. */
  private share(): number {
    const leases = this.opts.registry.resource('coordination.k8s.io', 'leases')
    const members = new Set([this.opts.identity])
    for (const s of leases.list('kube-system').items) {
      if (!s.obj.metadata.name?.startsWith('kubemock-process-')) continue
      const spec = (s.obj as { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } }).spec
      // A process whose Lease is older than its duration is gone (the Lease's clock is the writer's; they roughly agree here).
      if (spec?.holderIdentity && Date.parse(spec.renewTime ?? '') + (spec.leaseDurationSeconds ?? 15) * 1000 > Date.now()) members.add(spec.holderIdentity)
    }
    return Math.ceil(this.shards / members.size)
  }

  /** Deletes the membership Leases of processes gone for four lease durations (compare-and-swap, so a renewal wins). */
  private async forgetGone(): Promise<void> {
    const leases = this.opts.registry.resource('coordination.k8s.io', 'leases')
    for (const s of leases.list('kube-system').items) {
      if (!s.obj.metadata.name?.startsWith('kubemock-process-')) continue
      const spec = (s.obj as { spec?: { renewTime?: string; leaseDurationSeconds?: number } }).spec
      if (Date.parse(spec?.renewTime ?? '') + 4 * (spec?.leaseDurationSeconds ?? 15) * 1000 > Date.now()) continue
      await leases.delete('kube-system', s.obj.metadata.name, { preconditions: { resourceVersion: String(s.rv) } }).catch(() => {})
    }
  }

  start(): void {
    this.member.start()
    for (const e of this.electors) e.start()
    const period = this.opts.retryPeriodMs ?? 2000
    this.balancer = setInterval(() => {
      if (this.owned.size > this.share()) void this.electors[this.held().at(-1)!].release()
      void this.forgetGone()
    }, period)
    this.balancer.unref?.()
  }

  async stop(): Promise<void> {
    if (this.balancer) clearInterval(this.balancer)
    await Promise.all([...this.electors, this.member].map((e) => e.stop()))
  }
}
