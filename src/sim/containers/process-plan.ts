/** @module process-plan: how the fake containerd runs a container's PID 1 — simulated, the image's own behaviour, or not at all (StartError). */
import { entrypointFailure, entrypointRunsDaemon } from '../catalogue/catalogue-behaviour.js'
import type { ImageEnv } from '../catalogue/catalogue-image.js'
import { parseImageRef, type ImageBehaviour, type ProcessPlan } from '../images.js'
import { pid1Program, type Pid1Container } from './pid1-program.js'

/** Options for `planProcess`. */
export interface PlanOptions {
  /** How long a program of an image the simulation knows nothing about runs when the pod does not restart it (a Job): simulated ms. */
  commandRunMs: number
}

/** The container fields planning reads. */
export type PlanContainer = Pid1Container & { volumeMounts?: { mountPath: string }[] }

/**
 * How a container's process will run. A simulated program (pid1-program.ts) runs in the simulated
 * shell, which reports its exit (`runs`); it has no signal handlers, so SIGTERM does nothing and
 * the kubelet waits out the grace period (one fact: a simulated PID 1 ignores SIGTERM). A program
 * the image lacks never starts (`startError`). Otherwise the image's behaviour decides: its
 * entrypoint checks (postgres without a password exits 1), its server (runs until stopped), its
 * default that ends by itself. `env` is the container's resolved environment.
 */
export function planProcess(
  behaviour: ImageBehaviour | undefined,
  container: PlanContainer,
  restartPolicy: string | undefined,
  opts: PlanOptions,
  env: () => ImageEnv = () => ({}),
): ProcessPlan {
  let resolved: Record<string, string> | undefined
  const envOnce = () => (resolved ??= Object.fromEntries(Object.entries(env()).filter((e): e is [string, string] => e[1] !== undefined)))
  // Servers without a command (the common case at scale) decide nothing here; the environment
  // (service links and all) is resolved only when a `$(VAR)` needs it.
  const words = [...(container.command ?? []), ...(container.args ?? [])]
  const program = words.length || behaviour?.shell ? pid1Program(container, words.some((w) => w.includes('$(')) ? envOnce() : {}) : { kind: 'image' as const }
  if (program.kind === 'run') return { exitCode: 0, runs: true, ignoresSigterm: true }
  if (program.kind === 'start-error') return { exitCode: 128, startError: program.message }
  if (program.kind === 'opaque') {
    return restartPolicy === 'Always' || restartPolicy === undefined ? { exitCode: 0 } : { exitAfterMs: opts.commandRunMs, exitCode: 0 }
  }
  const cat = behaviour?.catalogue
  if (cat) {
    const mounts = container.volumeMounts?.map((m) => m.mountPath)
    const failed = cat.preflight && entrypointFailure(cat, envOnce(), parseImageRef(container.image || 'x').tag, { ...container, mounts })
    if (failed) return { exitAfterMs: failed.afterMs, exitCode: failed.exitCode }
    // A server started by its entrypoint (`redis --appendonly yes`) runs until stopped, whatever the restart policy.
    if (cat.daemon && entrypointRunsDaemon(cat, container)) return { exitCode: 0 }
  }
  return behaviour?.defaultRun ?? { exitCode: 0 }
}
