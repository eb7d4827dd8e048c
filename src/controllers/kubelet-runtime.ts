/** @module kubelet-runtime: a fake container runtime — container IDs, process lifetimes and exits, on the simulated clock. */
import type { Clock, TimerHandle } from '../sim/clock.js'
import type { ProcessPlan } from '../sim/images.js'
import { randomHex } from '../util/random.js'

/** How a container's process ended. */
export interface ContainerExit {
  at: number
  exitCode: number
  reason: string
  /** containerd's message (a StartError's text). */
  message?: string
}

/** One container the runtime knows. */
export interface RuntimeContainer {
  /** `containerd://<64 hex>` */
  id: string
  /** Pod key (`namespace/name`) whose kubelet is told about exits. */
  podKey: string
  name: string
  startedAt: number
  plan: ProcessPlan
  exit?: ContainerExit
  /** The kubelet has sent the stop signal; the exit follows (after the grace period for a process that ignores SIGTERM). */
  stopping?: boolean
}

/** The reason containerd reports for an exit code (OOM kills are reported by the caller). */
export function exitReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error'
}

/**
 * Containers by ID: the one record of how each container's process ended. Exits arrive three
 * ways: a simulated program ends (the sim's ProcessTable.endContainer → `sim.exitContainer` →
 * `exit`), the image's own behaviour ends it (a timer here: postgres without a password), or the
 * kubelet kills it. Every exit but a StartError calls `onExit(podKey)` so the kubelet resyncs the
 * pod (what PLEG does with containerd events). A plan that `runs` is handed to `onRun` once
 * started: the simulation runs it as PID 1.
 */
export class ContainerRuntime {
  private readonly containers = new Map<string, RuntimeContainer>()
  private readonly timers = new Map<string, TimerHandle>()
  private readonly byPod = new Map<string, Set<string>>()

  constructor(
    private readonly clock: Clock,
    private readonly onExit: (podKey: string) => void,
    private readonly newID: () => string = () => `containerd://${randomHex(32)}`,
    private readonly onRun: (c: RuntimeContainer) => void = () => {},
  ) {}

  /** Creates and starts a container; returns it. */
  start(podKey: string, name: string, plan: ProcessPlan): RuntimeContainer {
    const c: RuntimeContainer = { id: this.newID(), podKey, name, startedAt: this.clock.now(), plan }
    this.containers.set(c.id, c)
    let ids = this.byPod.get(podKey)
    if (!ids) this.byPod.set(podKey, (ids = new Set()))
    ids.add(c.id)
    if (plan.startError) {
      // The task never started: the exit is known at once and the caller reports it.
      c.exit = { at: c.startedAt, exitCode: plan.exitCode, reason: 'StartError', message: plan.startError }
      return c
    }
    if (plan.runs) this.onRun(c)
    if (plan.exitAfterMs !== undefined && Number.isFinite(plan.exitAfterMs)) {
      this.timers.set(
        c.id,
        this.clock.setTimer(plan.exitAfterMs, () => this.exit(c.id, plan.exitCode)),
      )
    }
    return c
  }

  get(id: string | undefined): RuntimeContainer | undefined {
    return id ? this.containers.get(id) : undefined
  }

  /** Ends a running container's process now (no effect once it has exited). */
  exit(id: string, exitCode: number, reason = exitReason(exitCode)): void {
    const c = this.containers.get(id)
    if (!c || c.exit) return
    this.clock.clearTimer(this.timers.get(id))
    this.timers.delete(id)
    c.exit = { at: this.clock.now(), exitCode, reason }
    this.onExit(c.podKey)
  }

  /**
   * Stops a running container as the kubelet's killContainer does: the process ends `afterMs`
   * from now with `exitCode` (reported like any exit); no effect once it exited or is stopping.
   */
  kill(id: string, afterMs: number, exitCode: number): void {
    const c = this.containers.get(id)
    if (!c || c.exit || c.stopping) return
    c.stopping = true
    this.clock.clearTimer(this.timers.get(id))
    this.timers.set(
      id,
      this.clock.setTimer(afterMs, () => this.exit(id, exitCode)),
    )
  }

  /** Forgets a pod's containers (the pod is gone). */
  removePod(podKey: string): void {
    for (const id of this.byPod.get(podKey) ?? []) {
      this.clock.clearTimer(this.timers.get(id))
      this.timers.delete(id)
      this.containers.delete(id)
    }
    this.byPod.delete(podKey)
  }

  /** Stops every pending exit timer (cluster close). */
  dispose(): void {
    for (const t of this.timers.values()) this.clock.clearTimer(t)
    this.timers.clear()
  }
}
