/** @module long-timeout: setTimeout for delays beyond Node's 2^31-1 ms limit (longer ones would fire at once). */

/** Node's largest timer delay; setTimeout treats anything above it as 1 ms. */
export const maxTimerDelayMs = 2 ** 31 - 1

/** A pending {@link longTimeout}; `clear()` cancels it (idempotent). */
export interface LongTimeout {
  clear(): void
}

/**
 * Calls `fn` once after `ms` milliseconds, however long: delays above {@link maxTimerDelayMs} are
 * re-armed in steps, and Infinity or NaN never fire. Non-positive delays fire on the next tick.
 * The timers are unref'd, so a pending one never keeps the process alive.
 */
export function longTimeout(fn: () => void, ms: number): LongTimeout {
  let timer: NodeJS.Timeout | undefined
  let cleared = false
  const due = Date.now() + Math.max(0, ms)
  const arm = (left: number) => {
    if (cleared || !Number.isFinite(left)) return
    timer = setTimeout(
      () => {
        const rest = due - Date.now()
        if (rest > 0) arm(rest)
        else fn()
      },
      Math.min(Math.max(0, left), maxTimerDelayMs),
    )
    timer.unref?.()
  }
  arm(ms)
  return {
    clear() {
      cleared = true
      if (timer) clearTimeout(timer)
    },
  }
}
