/** @module expect-kubectl: assertions and polling the end-to-end tests share. */
import { expect } from 'vitest'
import type { KubectlResult } from './kubemock-process.js'

/** Asserts kubectl exited 0 (showing everything it said otherwise) and returns its stdout. */
export function ok(r: KubectlResult): string {
  expect(r, `kubectl failed\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toMatchObject({ code: 0 })
  return r.stdout
}

/** Polls `check` every 100 ms until it returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * Polls `fn` every 200 ms until it returns a truthy value; on timeout the error carries `context()`
 * (e.g. the server's last log lines).
 */
export async function until<T>(fn: () => Promise<T | undefined | false>, ms = 15_000, context: () => string = () => ''): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms\n${context()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
