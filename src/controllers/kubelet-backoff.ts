/** @module kubelet-backoff: client-go's flowcontrol.Backoff, as the kubelet uses it for image pulls and container restarts. */

interface Entry {
  backoff: number
  lastUpdate: number
}

/**
 * Per-item exponential back-off without jitter (the kubelet passes none in 1.32):
 * staging/src/k8s.io/client-go/util/flowcontrol/backoff.go. An entry is forgotten once more than
 * 2 × max passed between its last update and the event being judged.
 */
export class Backoff {
  private readonly entries = new Map<string, Entry>()

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number,
  ) {}

  /** The current back-off of `id` (0 when none). */
  get(id: string): number {
    return this.entries.get(id)?.backoff ?? 0
  }

  /** When `id` was last moved on (undefined when unknown). */
  lastUpdate(id: string): number | undefined {
    return this.entries.get(id)?.lastUpdate
  }

  /** Next: start at `initialMs`, or double (capped) unless the entry expired relative to `eventTime`. */
  next(id: string, eventTime: number = this.now()): void {
    const e = this.entries.get(id)
    if (!e || this.expired(eventTime, e.lastUpdate)) this.entries.set(id, { backoff: this.initialMs, lastUpdate: this.now() })
    else this.entries.set(id, { backoff: Math.min(e.backoff * 2, this.maxMs), lastUpdate: this.now() })
  }

  /** IsInBackOffSince: true while less than the back-off passed since `eventTime` (e.g. a container's finishedAt). */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const e = this.entries.get(id)
    if (!e || this.expired(eventTime, e.lastUpdate)) return false
    return this.now() - eventTime < e.backoff
  }

  /** IsInBackOffSinceUpdate: true while less than the back-off passed since the last `next`. */
  isInBackOffSinceUpdate(id: string, eventTime: number = this.now()): boolean {
    const e = this.entries.get(id)
    if (!e || this.expired(eventTime, e.lastUpdate)) return false
    return eventTime - e.lastUpdate < e.backoff
  }

  /** Drops entries no longer relevant (GC). */
  gc(): void {
    const now = this.now()
    for (const [id, e] of this.entries) if (this.expired(now, e.lastUpdate)) this.entries.delete(id)
  }

  /** Drops every entry whose id starts with `prefix` (a deleted pod's). */
  forgetPrefix(prefix: string): void {
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id)
  }

  private expired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs
  }
}
