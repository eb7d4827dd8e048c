/** @module clock: the one injectable source of time; tests advance a manual clock instead of sleeping. */

/** A timer registered on a Clock. */
export interface TimerHandle {
  readonly due: number
  readonly id: number
}

/** Every time-based piece (controllers, kubelet stages, watch timeouts, AGE) asks this. */
export interface Clock {
  /** Milliseconds since the epoch, simulated. */
  now(): number
  /** Runs `fn` once simulated time reaches now + ms. */
  setTimer(ms: number, fn: () => void): TimerHandle
  clearTimer(handle: TimerHandle | undefined): void
  /** Moves simulated time forward, firing everything due in order. */
  advance(ms: number): Promise<void>
  /** Real-time multiple; 0 means manual (time moves only through advance). */
  readonly speed: number
  setSpeed(speed: number): void
  /** Releases every timer (for close()). */
  dispose(): void
}

interface Timer extends TimerHandle {
  fn: () => void
}

/**
 * Simulated time that runs at `speed` × real time (speed 1 by default), or only when told
 * (speed 0). Timers are kept in our own queue; one real timeout at a time wakes us.
 */
export class SimClock implements Clock {
  private offset: number
  private realBase: number
  private simBase: number
  private timers: Timer[] = []
  private nextId = 1
  private wake: NodeJS.Timeout | undefined
  private _speed: number
  private disposed = false

  constructor(opts: { start?: number; speed?: number } = {}) {
    this._speed = opts.speed ?? 1
    this.realBase = Date.now()
    this.simBase = opts.start ?? this.realBase
    this.offset = 0
  }

  get speed(): number {
    return this._speed
  }

  now(): number {
    const elapsed = this._speed > 0 ? (Date.now() - this.realBase) * this._speed : 0
    return Math.floor(this.simBase + elapsed + this.offset)
  }

  setSpeed(speed: number): void {
    const now = this.now()
    this.realBase = Date.now()
    this.simBase = now
    this.offset = 0
    this._speed = speed
    this.schedule()
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: Timer = { due: this.now() + Math.max(0, ms), id: this.nextId++, fn }
    // Keep the queue sorted by due time, then by insertion order.
    let i = this.timers.length
    while (i > 0 && this.timers[i - 1].due > t.due) i--
    this.timers.splice(i, 0, t)
    if (i === 0) this.schedule()
    return t
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return
    const i = this.timers.findIndex((t) => t.id === handle.id)
    if (i >= 0) this.timers.splice(i, 1)
    if (i === 0) this.schedule()
  }

  async advance(ms: number): Promise<void> {
    const target = this.now() + ms
    for (;;) {
      const t = this.timers[0]
      if (!t || t.due > target) break
      this.offset += Math.max(0, t.due - this.now())
      this.timers.shift()
      t.fn()
      // Let the async work the timer started run (and register follow-up timers) first.
      await settle()
    }
    this.offset += Math.max(0, target - this.now())
    await settle()
    this.schedule()
  }

  dispose(): void {
    this.disposed = true
    this.timers = []
    if (this.wake) clearTimeout(this.wake)
    this.wake = undefined
  }

  /** Arms one real timeout for the earliest timer (only when time flows by itself). */
  private schedule(): void {
    if (this.wake) clearTimeout(this.wake)
    this.wake = undefined
    if (this.disposed || this._speed <= 0 || this.timers.length === 0) return
    const delay = Math.max(0, (this.timers[0].due - this.now()) / this._speed)
    this.wake = setTimeout(() => this.fireDue(), Math.min(delay, 2 ** 31 - 1))
    this.wake.unref?.()
  }

  private fireDue(): void {
    this.wake = undefined
    const now = this.now()
    while (this.timers.length && this.timers[0].due <= now) {
      const t = this.timers.shift()!
      try {
        t.fn()
      } catch (err) {
        queueMicrotask(() => {
          throw err
        })
      }
    }
    this.schedule()
  }
}

/** Waits until pending promise callbacks and immediate callbacks have run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r))
}
