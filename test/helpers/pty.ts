/** @module pty: runs kubectl on a pseudo-terminal (its `-t` needs one) through test/e2e/pty-driver.py, typing steps. */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kubemock } from './kubemock-process.js'
import { runProcess } from './run-process.js'

const driver = fileURLToPath(new URL('../e2e/pty-driver.py', import.meta.url))

/** One step: keys to type, then read until `until` shows up (or `seconds` pass). */
export interface PtyStep {
  send: string
  until?: string
  seconds?: number
}

/** What the terminal showed, and kubectl's exit code (null when killed). */
export interface PtyResult {
  output: string
  code: number | null
}

/**
 * Runs `kubectl <args>` against `km` on a pseudo-terminal, typing `steps`. `binary` replaces the
 * server's kubectl (the compat matrix); `timeoutMs` bounds the whole run (default 60 s).
 */
export async function onTerminal(km: Kubemock, args: string[], steps: PtyStep[], opts: { binary?: string; timeoutMs?: number } = {}): Promise<PtyResult> {
  const argv = [opts.binary ?? km.kubectlPath, '--kubeconfig', km.kubeconfigPath, '--cache-dir', km.cacheDir, ...args]
  const r = await runProcess('python3', [driver, JSON.stringify(argv), JSON.stringify(steps)], {
    timeoutMs: opts.timeoutMs ?? 60_000,
    env: { ...process.env, KUBECONFIG: km.kubeconfigPath, HOME: dirname(km.kubeconfigPath) },
  })
  if (r.code !== 0) throw new Error(`pty driver failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as PtyResult
}
