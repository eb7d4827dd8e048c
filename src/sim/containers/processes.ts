/** @module processes: a container's process table — PID 1 and its children, exec'd shells, signals, `kill 1`. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js'
import type { SimControls } from '../../controllers/index.js'
import type { Registry } from '../../registry/registry.js'
import { behaviourContext, behaviourFor } from './behaviours.js'
import { createHash } from 'node:crypto'
import { nodeDaemons, nodeHostFacts, pauseProcess, shimProcess } from '../node-host.js'
import { podContainerSpec } from './pod-container-spec.js'
import { nodeCPUs, runtimeFor, type ContainerInstance } from './runtime.js'
import { RegistryMap } from '../../registry/with-field-manager.js'

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
  /**
   * The containerID of the container the process runs in, in a namespace several containers
   * share (a debug container targeting another, `shareProcessNamespace`); absent for the
   * namespace owner's own processes.
   */
  owner?: string
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

const sims = new RegistryMap<SimControls>()

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

/**
 * A PID namespace: the process table of one running instance (its PID 1 is the instance's main
 * process), or of a pod sharing one namespace (`inst` undefined, PID 1 `/pause`). Other
 * containers can join it: a debug container targeting a container, every container of a pod
 * with `shareProcessNamespace`. Each member's main process is an ordinary PID there.
 */
export class ProcessTable {
  private readonly procs = new Map<number, Process>()
  /** The main process of each member container other than the owner of PID 1, by PID. */
  private readonly mains = new Map<number, ContainerInstance>()
  protected nextPid: number

  constructor(
    protected readonly registry: Registry,
    readonly inst: ContainerInstance | undefined,
    initial: ProcessSeed[],
  ) {
    let pid = 1
    for (const p of initial) {
      const use = p.pid ?? pid
      this.procs.set(use, { ...p, pid: use, ppid: use === 1 ? 0 : 1, startedAt: inst?.startedAt ?? registry.clock.now() })
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

  /** A container enters this namespace: its main process (the first seed) and children get the next PIDs. */
  join(member: ContainerInstance, seeds: ProcessSeed[]): void {
    let main: Process | undefined
    for (const seed of seeds) {
      const { pid: _fixed, ...rest } = seed
      const p = this.spawn({ ...rest, ppid: main?.pid ?? 0, owner: member.containerID, startedAt: member.startedAt })
      if (!main) {
        main = p
        this.mains.set(p.pid, member)
      }
    }
  }

  /** A member container stopped: its processes are gone (the kernel killed the rest of its cgroup). */
  leave(containerID: string): void {
    for (const [pid, m] of this.mains) if (m.containerID === containerID) this.mains.delete(pid)
    for (const p of this.list()) {
      if (p.owner !== containerID) continue
      this.procs.delete(p.pid)
      p.onKill?.(signals.KILL)
    }
  }

  /** The main process of a container in this namespace (PID 1 for the namespace's owner). */
  mainOf(inst: ContainerInstance): Process | undefined {
    if (this.inst === inst) return this.procs.get(1)
    for (const [pid, m] of this.mains) if (m.containerID === inst.containerID) return this.procs.get(pid)
    return undefined
  }

  /** A container's main process ended by itself (`exit` in an attached shell) with `exitCode`. */
  endMain(inst: ContainerInstance, exitCode: number): void {
    if (this.inst === inst) this.endContainer(exitCode, exitCode === 0 ? 'Completed' : 'Error')
    else if (this.mainOf(inst)) this.endMember(inst, exitCode)
  }

  /** Whether any container other than the PID 1 owner is still in this namespace. */
  hasMembers(): boolean {
    return this.mains.size > 0
  }

  /**
   * Delivers `signal` to `pid` as `kill` would from inside the container (as root). PID 1 ends
   * only on a signal its program handles; then every process dies and the kubelet is told. A
   * member container's main process is no init here, so SIGKILL ends it too. Signal 0 only
   * checks existence.
   */
  kill(pid: number, signal: number): KillResult {
    const p = this.procs.get(pid)
    if (!p || (this.inst && !this.inst.running)) return { error: `(${pid}) - No such process` }
    if (signal === 0) return {}
    const member = this.mains.get(pid)
    if (member) {
      const code = pid1Reaction(p.command, signal) ?? (signal === signals.KILL ? 128 + signal : undefined)
      if (code !== undefined) this.endMember(member, code)
      return {}
    }
    if (pid === 1) {
      // The pod's /pause ignores what reaches it from inside.
      if (!this.inst) return {}
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
   * A signal from an ancestor namespace (root on the node): unlike signals from inside, SIGKILL
   * does reach this namespace's init, which then ends the container with 137.
   */
  killFromParent(pid: number, signal: number): KillResult {
    const p = this.procs.get(pid)
    if (pid !== 1 || !this.inst || !p) return this.kill(pid, signal)
    if (!this.inst.running) return { error: `(${pid}) - No such process` }
    const code = pid1Reaction(p.command, signal) ?? (signal === signals.KILL ? 128 + signal : undefined)
    if (code === undefined) return {}
    this.endContainer(code, code === 0 ? 'Completed' : 'Error')
    return {}
  }

  /**
   * PID 1 ends with `exitCode`: the kernel SIGKILLs the rest of the namespace (exec'd shells see
   * signal 9, member containers end with 137), the runtime marks the instance exited and the
   * kubelet applies restartPolicy.
   */
  endContainer(exitCode: number, reason?: string): void {
    if (!this.inst?.running) return
    const members = [...this.mains.values()]
    const others = this.list().filter((p) => p.pid !== 1)
    this.procs.clear()
    this.mains.clear()
    for (const m of members) tellKubelet(this.registry, m, 137)
    tellKubelet(this.registry, this.inst, exitCode, reason)
    for (const p of others) p.onKill?.(signals.KILL)
  }

  /** A member container's main process ended: its processes go, the kubelet hears of it. */
  private endMember(member: ContainerInstance, exitCode: number): void {
    this.leave(member.containerID)
    tellKubelet(this.registry, member, exitCode)
  }
}

/** Marks an instance exited in the runtime and tells the kubelet (which may already know). */
function tellKubelet(registry: Registry, inst: ContainerInstance, exitCode: number, reason?: string): void {
  if (!inst.running) return
  runtimeFor(registry).markExited(inst.containerID, exitCode)
  try {
    sims.get(registry)?.exitContainer?.(inst.namespace, inst.pod, inst.container, exitCode, reason)
  } catch {
    // The kubelet already saw the container stop (or the pod is going away).
  }
}

/**
 * A node's host PID namespace, as `hostPID` pods see it: the node's daemons (node-host.ts) and the
 * pods' processes, listed from their own namespaces at each look (a shim and `/pause` per pod
 * sandbox, then its containers' processes) with host PIDs that stay stable once given.
 */
class HostProcessTable extends ProcessTable {
  private readonly hostPids = new Map<string, number>()
  /** Where each pod process seen by the last look lives: its table and PID there. */
  private readonly targets = new Map<number, { table: ProcessTable; pid: number }>()

  constructor(
    registry: Registry,
    private readonly node: string,
    daemons: ProcessSeed[],
  ) {
    super(registry, undefined, daemons)
    // The pods already on the node started before whoever looks: they get the lower PIDs.
    this.podProcesses()
  }

  override list(): Process[] {
    return [...super.list(), ...this.podProcesses()].sort((a, b) => a.pid - b.pid)
  }

  override get(pid: number): Process | undefined {
    return super.get(pid) ?? this.podProcesses().find((p) => p.pid === pid)
  }

  /** A pod's process gets the signal in its own namespace, sent from the host (SIGKILL reaches a container's init). */
  override kill(pid: number, signal: number): KillResult {
    if (super.get(pid)) return super.kill(pid, signal)
    const p = this.podProcesses().find((x) => x.pid === pid)
    if (!p) return { error: `(${pid}) - No such process` }
    const target = this.targets.get(pid)
    // Shims and /pause are the runtime's: left alone here.
    return target ? target.table.killFromParent(target.pid, signal) : {}
  }

  /** The host's view of one process of a pod: the same process under its host PID. */
  private view(key: string, p: Omit<Process, 'pid' | 'ppid' | 'startedAt'>, startedAt: number, target?: { table: ProcessTable; pid: number }): Process {
    let pid = this.hostPids.get(key)
    if (pid === undefined) this.hostPids.set(key, (pid = this.nextPid++))
    if (target) this.targets.set(pid, target)
    return { user: p.user, command: p.command, vszKb: p.vszKb, rssKb: p.rssKb, pid, ppid: 1, startedAt }
  }

  private podProcesses(): Process[] {
    this.targets.clear()
    const out: Process[] = []
    const rt = runtimeFor(this.registry)
    for (const s of this.registry.store.list('pods')) {
      const pod = s.obj as Pod
      if (pod.spec?.nodeName !== this.node || pod.spec?.hostPID || !pod.status?.podIP) continue
      const uid = pod.metadata?.uid ?? ''
      const started = Date.parse(pod.status.startTime ?? '') || this.registry.clock.now()
      out.push(this.view(`${uid}/shim`, shimProcess(createHash('sha256').update(uid).digest('hex')), started))
      out.push(this.view(`${uid}/pause`, pauseProcess, started))
      const seen = new Set<ProcessTable>()
      for (const cs of [
        ...(pod.status.initContainerStatuses ?? []),
        ...(pod.status.containerStatuses ?? []),
        ...(pod.status.ephemeralContainerStatuses ?? []),
      ]) {
        const inst = cs.state?.running ? rt.current(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', cs.name) : undefined
        if (!inst?.running) continue
        const table = processesFor(this.registry, inst)
        if (seen.has(table)) continue
        seen.add(table)
        for (const p of table.list())
          if (p.command !== pauseProcess.command) out.push(this.view(`${inst.containerID}/${p.pid}`, p, p.startedAt, { table, pid: p.pid }))
      }
    }
    return out
  }
}

/** Each node's host PID namespace, per cluster. */
const hostNamespaces = new RegistryMap<Map<string, HostProcessTable>>()

function hostNamespace(registry: Registry, node: string): HostProcessTable {
  let byNode = hostNamespaces.get(registry)
  if (!byNode) hostNamespaces.set(registry, (byNode = new Map()))
  let t = byNode.get(node)
  if (!t) {
    const facts = nodeHostFacts(registry.find('', 'nodes')?.getStored('', node)?.obj, node)
    byNode.set(node, (t = new HostProcessTable(registry, node, nodeDaemons(facts))))
  }
  return t
}

/** The pods that share one PID namespace (`shareProcessNamespace`), by pod UID, per cluster. */
const podNamespaces = new RegistryMap<Map<string, ProcessTable>>()
const cleaning = new WeakSet<Registry>()

/** Drops a stopped container from the namespace it joined, and a pod namespace nobody is left in. */
function watchExits(registry: Registry): void {
  if (cleaning.has(registry)) return
  cleaning.add(registry)
  const rt = runtimeFor(registry)
  rt.onExit((inst) => {
    const joined = rt.slot<ProcessTable | undefined>(inst.containerID, 'processes', () => undefined)
    joined?.leave(inst.containerID)
    const shared = podNamespaces.get(registry)
    if (joined && shared?.get(inst.podUID) === joined && !joined.hasMembers()) shared.delete(inst.podUID)
  })
}

/** The processes an instance starts with: PID 1 from the pod command or the image's entrypoint. */
function initialProcesses(registry: Registry, inst: ContainerInstance, c: { command?: string[]; args?: string[] } | undefined): ProcessSeed[] {
  const b = behaviourFor(inst.image)
  if (c?.command?.length || (c?.args?.length && (b.argsReplaceCmd ?? b.shell === 'busybox'))) {
    // The pod's command replaces the image's entrypoint; the image's own children do not start.
    const argv = [...(c.command ?? []), ...(c.args ?? [])]
    return [{ user: 'root', command: argv.join(' '), vszKb: 1612, rssKb: 768 }]
  }
  return b.processes(behaviourContext(inst, c?.command, nodeCPUs(registry, inst.nodeName)))
}

/**
 * The PID namespace an instance's processes live in (created on first use): with
 * `shareProcessNamespace` the pod's one namespace (PID 1 `/pause`), for an ephemeral container
 * with `targetContainerName` the target's (when it runs), else its own with its main process as
 * PID 1. Instances joining another namespace add their processes to it; there is one table per
 * namespace, never copies.
 */
export function processesFor(registry: Registry, inst: ContainerInstance): ProcessTable {
  return runtimeFor(registry).slot(inst.containerID, 'processes', () => {
    const pod = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj as Pod | undefined
    const c = podContainerSpec(pod, inst.container) as (Container & { targetContainerName?: string }) | undefined
    const seeds = initialProcesses(registry, inst, c)
    // A container with `tty: true` has its main process on the terminal the runtime allocated.
    if (c?.tty && seeds[0]) seeds[0] = { ...seeds[0], tty: 'pts/0' }
    let shared: ProcessTable | undefined
    if (pod?.spec?.hostPID && inst.nodeName) {
      shared = hostNamespace(registry, inst.nodeName)
    } else if (pod?.spec?.shareProcessNamespace) {
      let byPod = podNamespaces.get(registry)
      if (!byPod) podNamespaces.set(registry, (byPod = new Map()))
      shared = byPod.get(inst.podUID)
      if (!shared) {
        byPod.set(inst.podUID, (shared = new ProcessTable(registry, undefined, [pauseProcess])))
        watchExits(registry)
        // Everything already running joins in start order (PIDs follow it), this instance in its place.
        for (const s of [
          ...(pod.status?.initContainerStatuses ?? []),
          ...(pod.status?.containerStatuses ?? []),
          ...(pod.status?.ephemeralContainerStatuses ?? []),
        ]) {
          if (s.name === inst.container) shared.join(inst, seeds)
          else {
            const other = runtimeFor(registry).current(inst.namespace, inst.pod, s.name)
            if (other?.running) processesFor(registry, other)
          }
        }
        return shared
      }
    } else if (c?.targetContainerName) {
      const target = runtimeFor(registry).current(inst.namespace, inst.pod, c.targetContainerName)
      if (target?.running) shared = processesFor(registry, target)
    }
    if (!shared) return new ProcessTable(registry, inst, seeds)
    watchExits(registry)
    shared.join(inst, seeds)
    return shared
  })
}
