/** @module scheduler: cooperative time slices, cancellation and output backpressure for one exec session's interpreter. */

/** What a Scheduler is built with. */
export interface SchedulerOptions {
  /** Longest stretch of interpreter work between two yields to the event loop (default 5 ms). */
  sliceMs?: number
  /** Bytes written but not yet flushed to the client (e.g. the socket's bufferedAmount); default none. */
  backlog?: () => number
  /** Backlog above which the interpreter pauses (default 1 MiB) … */
  highWater?: number
  /** … until it falls back below this (default 256 KiB). */
  lowWater?: number
}

/** The error every cancelled step, sleep or read rejects with (its `name` is `AbortError`, as DOM aborts). */
export function abortError(): Error {
  return Object.assign(new Error('interrupted'), { name: 'AbortError' })
}

/** True for the error of an aborted step, sleep or fetch. */
export function isAbortError(e: unknown): boolean {
  return (e as Error | undefined)?.name === 'AbortError'
}

/** Thrown at a pipeline writer's next step once its reader has ended (the writer dies of SIGPIPE: status 141). */
export class BrokenPipe extends Error {
  constructor() {
    super('broken pipe')
  }
}

/** What a step may wait on: the output the command writes to (a pipe knows its reader). */
export interface StepSink {
  /** True once nobody reads any more. */
  broken?(): boolean
  /** Resolves when the reader has caught up. */
  drained?(): Promise<void>
}

/** Input chunks are at most this many UTF-16 units, so no single step handles more. */
export const chunkUnits = 64 * 1024

/** Splits a string into pieces of at most `chunkUnits`, never between the halves of a surrogate pair. */
export function chunks(s: string): string[] {
  if (s.length <= chunkUnits) return s ? [s] : []
  const out: string[] = []
  for (let i = 0; i < s.length; ) {
    let end = Math.min(s.length, i + chunkUnits)
    const c = s.charCodeAt(end - 1)
    if (end < s.length && c >= 0xd800 && c <= 0xdbff) end--
    out.push(s.slice(i, end))
    i = end
  }
  return out
}

const immediate = () => new Promise<void>((r) => setImmediate(r))

/**
 * The run state shared by a session's shell and every subshell it starts (`sh -c`, `$(…)`).
 * The interpreter calls `step()` before each command: it throws AbortError once the foreground
 * job was interrupted (^C) or the session closed, yields to the event loop when the current
 * slice is used up, and waits while the client has not read what was written. `steps` counts
 * the calls (tests watch it stop).
 */
export class Scheduler {
  /** Interpreter steps taken so far. */
  steps = 0
  private readonly sliceMs: number
  private readonly backlog: () => number
  private readonly highWater: number
  private readonly lowWater: number
  private sliceStart = performance.now()
  private fg = new AbortController()
  private _closed = false

  constructor(opts: SchedulerOptions = {}) {
    this.sliceMs = opts.sliceMs ?? 5
    this.backlog = opts.backlog ?? (() => 0)
    this.highWater = opts.highWater ?? 1 << 20
    this.lowWater = opts.lowWater ?? 1 << 18
  }

  /** Aborted when the foreground job is interrupted or the session is closed. */
  get signal(): AbortSignal {
    return this.fg.signal
  }

  /** True once `close()` ran: nothing of this session runs again. */
  get closed(): boolean {
    return this._closed
  }

  /** ^C: the foreground job stops at its next step (sleep and reads end at once). Sticky until `resume()`. */
  interrupt(): void {
    this.fg.abort()
  }

  /** Starts a new foreground job after an interrupted one (an interactive shell's next line). No-op once closed. */
  resume(): void {
    if (!this._closed && this.fg.signal.aborted) this.fg = new AbortController()
  }

  /** The session ended (client gone, process killed, container died): everything stops for good. */
  close(): void {
    this._closed = true
    this.fg.abort()
  }

  /**
   * Call before each unit of interpreter work; see the class comment. Throws AbortError when
   * cancelled, BrokenPipe when `out`'s reader is gone; waits while `out`'s reader is behind.
   */
  async step(out?: StepSink): Promise<void> {
    this.steps++
    if (this.fg.signal.aborted) throw abortError()
    if (out?.broken?.()) throw new BrokenPipe()
    if (out?.drained) await out.drained()
    if (performance.now() - this.sliceStart < this.sliceMs) return
    await this.pause()
  }

  /** Yields to the event loop now, then waits while the output backlog is above the high-water mark. */
  async pause(): Promise<void> {
    await immediate()
    if (this.backlog() > this.highWater) {
      while (this.backlog() > this.lowWater && !this.fg.signal.aborted) await this.wait(5)
    }
    this.sliceStart = performance.now()
    if (this.fg.signal.aborted) throw abortError()
  }

  /** Resolves after `ms` real milliseconds, or rejects with AbortError when the job is cancelled first. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.fg.signal
      const done = () => {
        clearTimeout(timer)
        reject(abortError())
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', done)
        resolve()
      }, ms)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
