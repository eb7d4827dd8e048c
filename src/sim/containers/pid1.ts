/**
 * @module pid1: runs the simulated programs that are containers' main processes — their output is the
 * container log, their exit ends the container (ProcessTable.endContainer), their stdin is what
 * attached clients type, and `clock.advance` waits for them to go idle.
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import { loadSession } from '../shell/load-session.js'
import type { ExecSession } from '../shell/session.js'
import { pid1Program } from './pid1-program.js'
import { podContainerSpec } from './pod-container-spec.js'
import { processesFor } from './processes.js'
import { runtimeFor, type ContainerInstance, type LogBuffer } from './runtime.js'
import { RegistryMap } from '../../registry/with-field-manager.js'

type SessionModule = typeof import('../shell/session.js')

/** What PID 1 writes, as it writes it (attach shows prompts and partial lines; the log keeps whole lines). */
export type Pid1Listener = (stream: 'stdout' | 'stderr', text: string) => void

/** A running simulated PID 1, for attach. */
export interface Pid1Process {
  readonly containerID: string
  /** The container has `tty: true` (stderr is merged into stdout, CRLF line ends). */
  readonly tty: boolean
  /** The container has `stdin: true`: attached clients' input reaches the program. */
  readonly stdin: boolean
  /** Calls `fn` for everything written from now on; returns the unsubscribe function. */
  subscribe(fn: Pid1Listener): () => void
  input(data: string): void
  resize(width: number, height: number): void
  /** An attached client went away: with `stdinOnce` the program sees EOF. */
  detached(): void
}

/** The per-cluster driver of simulated PID 1s. */
export interface Pid1Driver {
  /** The kubelet started container `containerID` of pod `podKey` with a simulated program: run it once its status says running. */
  run(podKey: string, container: string, containerID: string): void
  /** The running simulated PID 1 of a container, if it has one. */
  process(containerID: string): Pid1Process | undefined
}

const drivers = new RegistryMap<Pid1Driver>()

/** The PID 1 driver of the cluster behind `registry` (created on first use). */
export function pid1For(registry: Registry): Pid1Driver {
  let d = drivers.get(registry)
  if (!d) drivers.set(registry, (d = createDriver(registry)))
  return d
}

const immediate = () => new Promise<void>((r) => setImmediate(r))

/** Appends whole lines to a log buffer; a partial line waits for its newline (or `flush`). */
function lineWriter(logs: LogBuffer, stream: 'stdout' | 'stderr') {
  let partial = ''
  return {
    write(s: string) {
      const parts = (partial + s).split('\n')
      partial = parts.pop() ?? ''
      for (const p of parts) logs.append(p.endsWith('\r') ? p.slice(0, -1) : p, stream)
    },
    flush() {
      if (partial) logs.append(partial, stream)
      partial = ''
    },
  }
}

interface Running {
  session: ExecSession
  proc: Pid1Process
}

function createDriver(registry: Registry): Pid1Driver {
  /** Started by the kubelet, status not yet seen: pod key → containerID → container name. */
  const waiting = new Map<string, Map<string, string>>()
  const running = new Map<string, Running>()
  let loading = 0

  const podOf = (ns: string, name: string) => registry.find('', 'pods')?.getStored(ns, name)?.obj as Pod | undefined

  const launch = (mod: SessionModule, pod: Pod, inst: ContainerInstance) => {
    const spec = podContainerSpec(pod, inst.container)
    const program = spec && pid1Program(spec, inst.env)
    if (!spec || program?.kind !== 'run' || !inst.running) return
    const rt = runtimeFor(registry)
    const logs = rt.logs(inst.containerID)
    const out = lineWriter(logs, 'stdout')
    const err = lineWriter(logs, spec.tty ? 'stdout' : 'stderr')
    const listeners = new Set<Pid1Listener>()
    const emit = (stream: 'stdout' | 'stderr', s: string) => {
      for (const fn of [...listeners]) fn(stream, s)
    }
    const session = new mod.ExecSession(registry, inst, {
      command: program.argv,
      tty: !!spec.tty,
      stdin: !!spec.stdin,
      pid1: true,
      io: {
        stdout: (s) => {
          out.write(s)
          emit('stdout', s)
        },
        stderr: (s) => {
          err.write(s)
          emit('stderr', s)
        },
      },
    })
    const proc: Pid1Process = {
      containerID: inst.containerID,
      tty: !!spec.tty,
      stdin: !!spec.stdin,
      subscribe(fn) {
        listeners.add(fn)
        return () => listeners.delete(fn)
      },
      input: (data) => spec.stdin && session.input(data),
      resize: (w, h) => session.resize(w, h),
      detached: () => {
        if (spec.stdinOnce) session.closeStdin()
      },
    }
    running.set(inst.containerID, { session, proc })
    try {
      session.start()
    } catch {
      // pid1Program found the program; nothing else stops it from starting.
    }
    // Without `stdin: true` the runtime gives PID 1 /dev/null: a shell reads EOF at once.
    if (!spec.stdin) session.closeStdin()
    void session.done.then((code) => {
      out.flush()
      err.flush()
      running.delete(inst.containerID)
      // The one way a simulated program ends its container (no effect once the kubelet killed it).
      // In a shared PID namespace (a debug target's, shareProcessNamespace) it is a member's main process, not the namespace's PID 1.
      // A force-deleted pod's containers are gone from the runtime already: nothing is left to end.
      if (runtimeFor(registry).byID(inst.containerID)) processesFor(registry, inst).endMain(inst, code)
    })
  }

  const start = (pod: Pod, name: string, id: string) => {
    const ns = pod.metadata?.namespace ?? ''
    const inst = runtimeFor(registry).current(ns, pod.metadata?.name ?? '', name)
    if (!inst || inst.containerID !== id || !inst.running || running.has(id)) return
    loading++
    void loadSession()
      .then((mod) => {
        const cur = podOf(ns, pod.metadata?.name ?? '')
        if (cur) launch(mod, cur, inst)
      })
      .finally(() => loading--)
  }

  const onPod = (pod: Pod, deleted: boolean) => {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`
    const want = waiting.get(key)
    if (!want) return
    if (deleted) return void waiting.delete(key)
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])]
    for (const [id, name] of want) {
      const s = statuses.find((x) => x.name === name)
      if (s?.containerID !== id) continue
      want.delete(id)
      if (s.state?.running) start(pod, name, id)
    }
    if (!want.size) waiting.delete(key)
  }

  registry.store.watch('pods', undefined, registry.store.currentRV(), (ev) => {
    // Pods without a program waiting cost one map lookup per event.
    if (waiting.size) onPod(ev.stored.obj as Pod, ev.type === 'DELETED')
  })

  // `advance` waits while programs run: a `sleep 3; exit 4` has ended and reported when it returns.
  // A program waiting on the clock (sleep) or on stdin takes no steps: it counts as idle. One that
  // never waits (`while true; do :; done`) is a spinner: it goes on in its time slices and is not
  // waited for again.
  const spinners = new WeakSet<ExecSession>()
  const fingerprint = () => {
    let steps = 0
    for (const r of running.values()) if (!spinners.has(r.session)) steps += r.session.scheduler.steps
    return `${running.size}/${loading}/${steps}`
  }
  registry.clock.addSettler?.(async () => {
    if (!running.size && !loading) return false
    let worked = false
    let deadline = Number.POSITIVE_INFINITY
    for (;;) {
      const before = fingerprint()
      const stepsBefore = new Map([...running.values()].map((r) => [r.session, r.session.scheduler.steps]))
      await immediate()
      await immediate()
      // Loading the shell module is bounded work: wait for it.
      if (loading) {
        worked = true
        continue
      }
      if (fingerprint() === before) return worked
      worked = true
      if (deadline === Number.POSITIVE_INFINITY) deadline = performance.now() + 200
      if (performance.now() > deadline) {
        for (const r of running.values()) if (stepsBefore.get(r.session) !== r.session.scheduler.steps) spinners.add(r.session)
        return worked
      }
    }
  })

  return {
    run(podKey, container, containerID) {
      let want = waiting.get(podKey)
      if (!want) waiting.set(podKey, (want = new Map()))
      want.set(containerID, container)
    },
    process(containerID) {
      return running.get(containerID)?.proc
    },
  }
}
