/** @module processes: a container's process table — PID 1 and its children, exec'd shells, signals, `kill 1`. */
import type { SimControls } from '../../controllers/index.js'
import type { Registry } from '../../registry/registry.js'
import { behaviourContext, behaviourFor } from './behaviours.js'
import { nodeCPUs, runtimeFor, type ContainerInstance } from './runtime.js'

/** One simulated process. */
export interface Process {
  pid: number
  ppid: number
  user: string
  /** Command line as `ps` prints it. */
  command: string
  startedAt: number
  /** `pts/0` for processes on a terminal. */
  tty?: string
  vszKb: number
  rssKb: number
  /** Called when a signal ends this process (exec sessions end their shell). */
  onKill?: (signal: number) => void
}

/** Signal numbers by name (Linux x86-64), for `kill -TERM`, `kill -s KILL`, `kill -15`. */
export const signals: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
}

/** Parses `9`, `KILL`, `SIGKILL`; undefined when unknown. */
export function parseSignal(s: string): number | undefined {
  if (/^\d+$/.test(s)) {
    const n = Number(s)
    return n >= 0 && n <= 64 ? n : undefined
  }
  const name = s.toUpperCase().replace(/^SIG/, '')
  return signals[name]
}

/**
 * How PID 1 of each main program reacts to a signal: the exit code it ends with, or undefined
 * when it ignores it. A namespace's init only receives signals it handles (kernel rule), so
 * SIGKILL from inside the container never reaches it; nginx stops fast on TERM/INT and gracefully
 * on QUIT, both exiting 0 (src/os/unix/ngx_process.c signal table).
 */
function pid1Reaction(command: string, signal: number): number | undefined {
  if (signal === signals.KILL || signal === signals.STOP) return undefined
  const handles = /^nginx: master|^httpd |^redis-server|^\/coredns|kube-proxy/.test(command)
  if (!handles) return undefined
  if (command.startsWith('nginx') && [signals.TERM, signals.INT, signals.QUIT].includes(signal)) return 0
  if (command.startsWith('httpd') && [signals.TERM, signals.INT, signals.WINCH].includes(signal)) return 0
  if ([signals.TERM, signals.INT].includes(signal)) return 0
  return undefined
}

/** The result of a `kill`: an error text for the shell, or nothing. */
export interface KillResult {
  error?: string
  /** True when this signal ended PID 1 (the container stops). */
  containerExited?: boolean
}

/** A process the table starts with (PID assigned unless fixed). */
export type ProcessSeed = Omit<Process, 'pid' | 'ppid' | 'startedAt'> & { pid?: number }

const sims = new WeakMap<Registry, SimControls>()

/** Lets processes end containers through the kubelet (`sim.exitContainer`); wired per cluster by a controller factory. */
export function bindSimControls(registry: Registry, sim: SimControls): void {
  sims.set(registry, sim)
  // A crash from outside (control API, faults) ends the process at once, as the kernel would: the
  // port stops answering now, not when the kubelet next looks.
  const exit = sim.exitContainer
  if (exit && !(exit as { marksRuntime?: boolean }).marksRuntime) {
    const wrapped = (namespace: string, pod: string, container: string, exitCode: number, reason?: string) => {
      const inst = runtimeFor(registry).current(namespace, pod, container)
      exit(namespace, pod, container, exitCode, reason)
      if (inst?.running) runtimeFor(registry).markExited(inst.containerID, exitCode)
    }
    sim.exitContainer = Object.assign(wrapped, { marksRuntime: true })
  }
}

/** The process table of one running instance. */
export class ProcessTable {
  private readonly procs = new Map<number, Process>()
  private nextPid: number

  constructor(
    private readonly registry: Registry,
    readonly inst: ContainerInstance,
    initial: ProcessSeed[],
  ) {
    let pid = 1
    for (const p of initial) {
      const use = p.pid ?? pid
      this.procs.set(use, { ...p, pid: use, ppid: use === 1 ? 0 : 1, startedAt: inst.startedAt })
      pid = use + 1
    }
    this.nextPid = pid
  }

  /** Processes in PID order. */
  list(): Process[] {
    return [...this.procs.values()].sort((a, b) => a.pid - b.pid)
  }

  get(pid: number): Process | undefined {
    return this.procs.get(pid)
  }

  /** Starts a process (an exec'd shell, a command it runs) with the next PID. */
  spawn(p: Omit<Process, 'pid' | 'startedAt'> & { startedAt?: number }): Process {
    const proc: Process = { ...p, pid: this.nextPid++, startedAt: p.startedAt ?? this.registry.clock.now() }
    this.procs.set(proc.pid, proc)
    return proc
  }

  /** Removes a process that ended by itself. */
  exit(pid: number): void {
    this.procs.delete(pid)
  }

  /**
   * Delivers `signal` to `pid` as `kill` would from inside the container (as root). PID 1 ends
   * only on a signal its program handles; then every process dies and the kubelet is told.
   * Signal 0 only checks existence.
   */
  kill(pid: number, signal: number): KillResult {
    const p = this.procs.get(pid)
    if (!p || !this.inst.running) return { error: `(${pid}) - No such process` }
    if (signal === 0) return {}
    if (pid === 1) {
      const code = pid1Reaction(p.command, signal)
      if (code === undefined) return {}
      this.endContainer(code, code === 0 ? 'Completed' : 'Error')
      return { containerExited: true }
    }
    if (p.onKill) {
      p.onKill(signal)
      return {}
    }
    // Ignorable signals leave a process alone; the rest end it (nginx's master respawns a worker).
    if ([signals.CHLD, signals.CONT, signals.URG, signals.WINCH].includes(signal)) return {}
    this.procs.delete(pid)
    if (p.ppid === 1 && this.procs.get(1)?.command.startsWith('nginx: master')) this.spawn({ ...p, ppid: 1, startedAt: undefined })
    return {}
  }

  /**
   * PID 1 ends with `exitCode`: the kernel SIGKILLs the rest of the namespace (exec'd shells see
   * signal 9), the runtime marks the instance exited and the kubelet applies restartPolicy.
   */
  endContainer(exitCode: number, reason?: string): void {
    if (!this.inst.running) return
    const others = this.list().filter((p) => p.pid !== 1)
    this.procs.clear()
    runtimeFor(this.registry).markExited(this.inst.containerID, exitCode)
    for (const p of others) p.onKill?.(signals.KILL)
    try {
      sims.get(this.registry)?.exitContainer?.(this.inst.namespace, this.inst.pod, this.inst.container, exitCode, reason)
    } catch {
      // The kubelet already saw the container stop (or the pod is going away).
    }
  }
}

/** The process table of an instance (created on first use: PID 1 from the pod command or the image's entrypoint). */
export function processesFor(registry: Registry, inst: ContainerInstance): ProcessTable {
  return runtimeFor(registry).slot(inst.containerID, 'processes', () => {
    const pod = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj as
      | {
          spec?: {
            containers?: { name: string; command?: string[]; args?: string[] }[]
            initContainers?: { name: string; command?: string[]; args?: string[] }[]
          }
        }
      | undefined
    const c = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find((x) => x.name === inst.container)
    const b = behaviourFor(inst.image)
    const ctx = behaviourContext(inst, c?.command, nodeCPUs(registry, inst.nodeName))
    const initial = b.processes(ctx)
    if (c?.command?.length || (c?.args?.length && (b.argsReplaceCmd ?? b.shell === 'busybox'))) {
      // The pod's command replaces the image's entrypoint; the image's own children do not start.
      const argv = [...(c.command ?? []), ...(c.args ?? [])]
      return new ProcessTable(registry, inst, [{ user: 'root', command: argv.join(' '), vszKb: 1612, rssKb: 768 }])
    }
    return new ProcessTable(registry, inst, initial)
  })
}
