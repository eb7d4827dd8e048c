/** @module with-timeout: bounds a promise so an e2e test fails with a message instead of hanging. */

/**
 * Resolves/rejects like `p`, or rejects with `timed out after <ms> ms waiting for <what>` first;
 * pass `what` as a function to describe the state at the moment of the timeout.
 * The timer is always cleared, so a settled promise leaves nothing pending.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
