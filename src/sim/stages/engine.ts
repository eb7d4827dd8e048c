/** @module engine: kwok-style stages — typed `match → delay → steps` rules, and the bookkeeping that times them. */

/** How long a stage waits once it matches. `from` (absolute ms) replaces "when it started matching". */
export interface Delay {
  ms: number
  /** Adds 0…jitterMs, drawn once per match. */
  jitterMs?: number
  from?: number
}

/**
 * One lifecycle rule. `match` must depend only on the object and the context (never on the time
 * alone), so that a stage keeps matching until its steps change the object.
 */
export interface Stage<O, C, S> {
  name: string
  match(obj: O, ctx: C): boolean
  delay: Delay | ((obj: O, ctx: C) => Delay)
  /** The typed steps to apply once due (computed then, from the object as it is then). */
  steps(obj: O, ctx: C): S[]
}

/** The first stage that matches, in list order (earlier stages win, like kwok's weights but ordered). */
export function selectStage<O, C, S>(stages: readonly Stage<O, C, S>[], obj: O, ctx: C): Stage<O, C, S> | undefined {
  for (const s of stages) if (s.match(obj, ctx)) return s
  return undefined
}

/** When a matched stage is due: `from` (or `since`, when it first matched) + ms + jitter. */
export function stageDueAt<O, C, S>(stage: Stage<O, C, S>, obj: O, ctx: C, since: number, jitter = 0): number {
  const d = typeof stage.delay === 'function' ? stage.delay(obj, ctx) : stage.delay
  return (d.from ?? since) + d.ms + Math.floor(jitter * (d.jitterMs ?? 0))
}

interface Pending {
  stage: string
  version: string
  since: number
  jitter: number
}

/**
 * Remembers, per object, which stage matched since when (kwok's delay queue). A stage that keeps
 * matching keeps its start time; a different stage or a new object identity starts over.
 */
export class StageTracker {
  private readonly pending = new Map<string, Pending>()

  constructor(private readonly random: () => number = Math.random) {}

  /** Start time and jitter draw of `stage` for `key` (identity = e.g. the UID). */
  track(key: string, identity: string, stage: string, now: number): { since: number; jitter: number } {
    const p = this.pending.get(key)
    if (p && p.stage === stage && p.version === identity) return p
    const next = { stage, version: identity, since: now, jitter: this.random() }
    this.pending.set(key, next)
    return next
  }

  /** Forgets the key (its stage ran, or the object is gone). */
  clear(key: string): void {
    this.pending.delete(key)
  }
}
