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
  /**
   * Registers work `advance` waits for after firing timers (the controllers becoming idle), so
   * "advance, then look" sees what the timers caused however many turns it takes. A settler that
   * resolves `true` did work another settler may have to follow up (a program's exit wakes the
   * kubelet): every settler then runs again.
   */
  addSettler?(settler: () => Promise<void | boolean>): void
}

interface Timer extends TimerHandle {
  fn: () => void
  cancelled?: boolean
}

/** Earlier due first, then earlier registration. */
function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id)
}

/** A binary min-heap of timers: O(log n) to add and to take the earliest, whatever their number. */
class TimerHeap {
  private items: Timer[] = []
  /** Live (not cancelled) timers. */
  live = 0

  push(t: Timer): void {
    const a = this.items
    a.push(t)
    this.live++
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(a[i], a[p])) break
      ;[a[i], a[p]] = [a[p], a[i]]
      i = p
    }
  }

  /** The earliest live timer, dropping cancelled ones on the way. */
  peek(): Timer | undefined {
    while (this.items.length && this.items[0].cancelled) this.removeTop()
    return this.items[0]
  }

  /** Removes and returns the earliest live timer. */
  shift(): Timer | undefined {
    const t = this.peek()
    if (t) {
      this.removeTop()
      this.live--
    }
    return t
  }

  cancel(t: Timer): boolean {
    if (t.cancelled) return false
    t.cancelled = true
    this.live--
    return true
  }

  clear(): void {
    this.items = []
    this.live = 0
  }

  private removeTop(): void {
    const a = this.items
    const last = a.pop()!
    if (!a.length) return
    a[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < a.length && before(a[l], a[m])) m = l
      if (r < a.length && before(a[r], a[m])) m = r
      if (m === i) break
      ;[a[i], a[m]] = [a[m], a[i]]
      i = m
    }
  }
}

/**
 * Simulated time that runs at `speed` × real time (speed 1 by default), or only when told
 * (speed 0). Timers are kept in our own queue; one real timeout at a time wakes us.
 */
export class SimClock implements Clock {
  private offset: number
  private realBase: number
  private simBase: number
  private readonly timers = new TimerHeap()
  private readonly settlers: (() => Promise<void | boolean>)[] = []
  private nextId = 1
  private wake: NodeJS.Timeout | undefined
  private _speed: number
  private disposed = false
  /** Called after advance() and setSpeed() (a clock shared through the store publishes there). */
  onChange: (() => void) | undefined

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
    this.onChange?.()
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: Timer = { due: this.now() + Math.max(0, ms), id: this.nextId++, fn }
    const first = this.timers.peek()
    this.timers.push(t)
    if (!first || before(t, first)) this.schedule()
    return t
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return
    const t = handle as Timer
    const wasFirst = this.timers.peek() === t
    if (this.timers.cancel(t) && wasFirst) this.schedule()
  }

  /** Timers waiting (for tests and metrics). */
  pendingTimers(): number {
    return this.timers.live
  }

  addSettler(settler: () => Promise<void | boolean>): void {
    this.settlers.push(settler)
  }

  /** Lets promise and immediate callbacks run, then waits for every settler (the controllers going idle), again while one reports work (at most 20 rounds). */
  private async settle(): Promise<void> {
    await settle()
    for (let round = 0; round < 20; round++) {
      let worked = false
      for (const s of this.settlers) if ((await s()) === true) worked = true
      if (!worked) return
    }
  }

  async advance(ms: number): Promise<void> {
    // Work already started (a request just made, input a program just read) runs at the current
    // instant first, so the timers it sets fall inside this advance.
    await this.settle()
    const target = this.now() + ms
    for (;;) {
      const t = this.timers.peek()
      if (!t || t.due > target) break
      this.offset += Math.max(0, t.due - this.now())
      this.timers.shift()
      t.fn()
      // Fire every timer due at the same instant before letting the work they started run.
      const next = this.timers.peek()
      if (next && next.due <= this.now()) continue
      // Let the async work the timers started run (and register follow-up timers) first.
      await this.settle()
    }
    this.offset += Math.max(0, target - this.now())
    await this.settle()
    this.schedule()
    this.onChange?.()
  }

  dispose(): void {
    this.disposed = true
    this.timers.clear()
    if (this.wake) clearTimeout(this.wake)
    this.wake = undefined
  }

  /** Arms one real timeout for the earliest timer (only when time flows by itself). */
  private schedule(): void {
    if (this.wake) clearTimeout(this.wake)
    this.wake = undefined
    const first = this.timers.peek()
    if (this.disposed || this._speed <= 0 || !first) return
    const delay = Math.max(0, (first.due - this.now()) / this._speed)
    this.wake = setTimeout(() => this.fireDue(), Math.min(delay, 2 ** 31 - 1))
    this.wake.unref?.()
  }

  private fireDue(): void {
    this.wake = undefined
    const now = this.now()
    for (let t = this.timers.peek(); t && t.due <= now; t = this.timers.peek()) {
      this.timers.shift()
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
