/** @module runtime: the processes behind running containers, derived level-based from pod status, one runtime per cluster. */
import type { Pod, ContainerStatus } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import { startupLogs } from './behaviours.js'
import { containerEnv } from './env.js'
import { podContainerSpec } from './pod-container-spec.js'
import { podHostname } from './pod-hostname.js'
import { RegistryMap } from '../../registry/with-field-manager.js'

/**
 * One run of a container's main process. A restart is a new instance (new containerID, new start
 * time, fresh logs, fresh filesystem), exactly as a real container runtime creates a new
 * container. Treat as read-only outside this module.
 */
export interface ContainerInstance {
  namespace: string
  pod: string
  podUID: string
  container: string
  /** `containerd://<64 hex>` as in the pod status. */
  containerID: string
  /** The image as the pod spec names it (`nginx:1.15.12`). */
  image: string
  /** Milliseconds since the epoch (status `startedAt`, whole seconds). */
  startedAt: number
  running: boolean
  restartCount: number
  podIP?: string
  nodeName?: string
  /** What `hostname` prints (pod-hostname.ts: spec.hostname, the pod name, or the node's for hostNetwork). */
  hostname: string
  /** `<subdomain>.<namespace>.svc.cluster.local` when the pod has spec.subdomain. */
  domain?: string
  /** The process environment, resolved once at start as the kubelet does. */
  env: Record<string, string>
  /** The pod's `command` and `args` for this container, when it sets them (they replace the image's ENTRYPOINT/CMD). */
  command?: string[]
  args?: string[]
  /** Where the pod mounts volumes into this container (data there outlives a restart). */
  mounts?: string[]
  finishedAt?: number
  exitCode?: number
}

/** One line a process wrote; `ts` is simulated milliseconds. */
export interface LogLine {
  ts: number
  stream: 'stdout' | 'stderr'
  text: string
}

/** Everything an instance wrote to stdout/stderr, in order; subscribers see later lines (logs -f, attach). */
export interface LogBuffer {
  readonly lines: LogLine[]
  /** Appends one line (no trailing newline); `ts` defaults to the cluster clock's now. */
  append(text: string, stream?: 'stdout' | 'stderr', ts?: number): void
  /** Calls `fn` for every line appended from now on; returns the unsubscribe function. */
  subscribe(fn: (line: LogLine) => void): () => void
}

/** The per-cluster view of container processes. */
export interface ContainerRuntime {
  /** The running (or, when none runs, the last) instance; `container` defaults to the pod's first container. */
  current(ns: string, pod: string, container?: string): ContainerInstance | undefined
  /** The instance before the current one (what `logs --previous` reads), from `lastState.terminated`. */
  previous(ns: string, pod: string, container?: string): ContainerInstance | undefined
  /** The log buffer of an instance (an empty one is created for unknown IDs). */
  logs(containerID: string): LogBuffer
  /** The instance with this containerID, if seen. */
  byID(containerID: string): ContainerInstance | undefined
  /**
   * Per-instance state owned by other modules (process table, filesystem): created by `make` on
   * first use and dropped with the instance.
   */
  slot<T>(containerID: string, key: string, make: (inst: ContainerInstance) => T): T
  /**
   * Records that the main process of an instance ended now (e.g. `kill 1` in a shell) before the
   * kubelet reports it, so sessions on it end at once. Listeners registered with `onExit` run.
   */
  markExited(containerID: string, exitCode: number): void
  /** Calls `fn` when an instance stops running (seen in status or marked); returns unsubscribe. */
  onExit(fn: (inst: ContainerInstance) => void): () => void
}

interface Entry {
  inst: ContainerInstance
  logs: LogBuffer
  slots: Map<string, unknown>
}

/** The kubelet's containerLogMaxSize default: the log file is rotated past 10 MiB, and `kubectl logs` reads only the current one. */
export const containerLogMaxBytes = 10 * 1024 * 1024

/** A LogBuffer over an array; `now` supplies default timestamps. Past {@link containerLogMaxBytes} it starts again empty, as a rotation does. */
export function createLogBuffer(now: () => number): LogBuffer {
  const subs = new Set<(line: LogLine) => void>()
  const lines: LogLine[] = []
  let bytes = 0
  return {
    lines,
    append(text, stream = 'stdout', ts = now()) {
      const line = { ts, stream, text }
      // A CRI log line: timestamp, stream, tag, text, newline (about 40 bytes besides the text).
      bytes += text.length + 40
      if (bytes > containerLogMaxBytes) {
        lines.length = 0
        bytes = text.length + 40
      }
      lines.push(line)
      for (const fn of [...subs]) fn(line)
    },
    subscribe(fn) {
      subs.add(fn)
      return () => subs.delete(fn)
    },
  }
}

/** CPUs of a node (status.capacity.cpu, whole cores; 4 when unknown) — nginx starts one worker per CPU. */
export function nodeCPUs(registry: Registry, nodeName: string | undefined): number {
  const node = nodeName
    ? (registry.find('', 'nodes')?.getStored('', nodeName)?.obj as { status?: { capacity?: Record<string, string> } } | undefined)
    : undefined
  const cpu = node?.status?.capacity?.cpu
  const n = cpu ? (cpu.endsWith('m') ? Math.ceil(Number(cpu.slice(0, -1)) / 1000) : Number(cpu)) : 4
  return Number.isFinite(n) && n > 0 ? Math.min(n, 64) : 4
}

const runtimes = new RegistryMap<ContainerRuntime>()

/** The container runtime of the cluster behind `registry` (created on first use, then shared). */
export function runtimeFor(registry: Registry): ContainerRuntime {
  let rt = runtimes.get(registry)
  if (!rt) {
    rt = createRuntime(registry)
    runtimes.set(registry, rt)
  }
  return rt
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

function allStatuses(pod: Pod): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])]
}

function createRuntime(registry: Registry): ContainerRuntime {
  const entries = new Map<string, Entry>()
  const byPod = new Map<string, Set<string>>()
  const exitListeners = new Set<(inst: ContainerInstance) => void>()
  const now = () => registry.clock.now()

  const readPod = (ns: string, name: string): Pod | undefined => registry.find('', 'pods')?.getStored(ns, name)?.obj as Pod | undefined

  const fireExit = (inst: ContainerInstance) => {
    for (const fn of [...exitListeners]) fn(inst)
  }

  /** Finds or creates the entry for one containerID seen in a pod's status. */
  const ensure = (pod: Pod, cs: ContainerStatus, id: string, fields: Partial<ContainerInstance>): Entry => {
    const ns = pod.metadata?.namespace ?? ''
    const podName = pod.metadata?.name ?? ''
    let e = entries.get(id)
    if (!e) {
      const spec = podContainerSpec(pod, cs.name)
      const inst: ContainerInstance = {
        namespace: ns,
        pod: podName,
        podUID: pod.metadata?.uid ?? '',
        container: cs.name,
        containerID: id,
        image: spec?.image ?? cs.image ?? '',
        startedAt: fields.startedAt ?? now(),
        running: fields.running ?? false,
        restartCount: fields.restartCount ?? cs.restartCount ?? 0,
        podIP: pod.status?.podIP,
        nodeName: pod.spec?.nodeName,
        ...podHostname(pod),
        env: {},
        command: spec?.command,
        args: spec?.args,
        mounts: spec?.volumeMounts?.map((m) => m.mountPath),
        finishedAt: fields.finishedAt,
        exitCode: fields.exitCode,
      }
      try {
        inst.env = containerEnv(registry, pod, cs.name)
      } catch {
        // A missing ConfigMap key would have kept the container from starting; keep what we can.
      }
      e = { inst, logs: createLogBuffer(now), slots: new Map() }
      entries.set(id, e)
      const key = `${ns}/${podName}`
      let set = byPod.get(key)
      if (!set) byPod.set(key, (set = new Set()))
      set.add(id)
      for (const line of startupLogs(inst, nodeCPUs(registry, inst.nodeName))) e.logs.append(line.text, line.stream, inst.startedAt + (line.offsetMs ?? 0))
    } else {
      if (!e.inst.podIP && pod.status?.podIP) e.inst.podIP = pod.status.podIP
      if (fields.running === false && e.inst.running) {
        e.inst.running = false
        e.inst.finishedAt ??= fields.finishedAt
        e.inst.exitCode ??= fields.exitCode
        fireExit(e.inst)
      }
    }
    return e
  }

  /** Brings the entries of one pod up to date with its status; returns its statuses by name. */
  const sync = (pod: Pod): void => {
    for (const cs of allStatuses(pod)) {
      const prev = cs.lastState?.terminated
      if (prev?.containerID) {
        ensure(pod, cs, prev.containerID, {
          running: false,
          startedAt: parseTime(prev.startedAt),
          finishedAt: parseTime(prev.finishedAt),
          exitCode: prev.exitCode,
          restartCount: Math.max(0, (cs.restartCount ?? 1) - 1),
        })
      }
      if (!cs.containerID) continue
      if (cs.state?.running) {
        ensure(pod, cs, cs.containerID, { running: true, startedAt: parseTime(cs.state.running.startedAt), restartCount: cs.restartCount })
      } else if (cs.state?.terminated) {
        const t = cs.state.terminated
        ensure(pod, cs, t.containerID ?? cs.containerID, {
          running: false,
          startedAt: parseTime(t.startedAt),
          finishedAt: parseTime(t.finishedAt),
          exitCode: t.exitCode,
          restartCount: cs.restartCount,
        })
      }
    }
  }

  const dropPod = (ns: string, name: string) => {
    const key = `${ns}/${name}`
    for (const id of byPod.get(key) ?? []) {
      const e = entries.get(id)
      if (e?.inst.running) {
        e.inst.running = false
        e.inst.finishedAt = now()
        fireExit(e.inst)
      }
      entries.delete(id)
    }
    byPod.delete(key)
  }

  // Materialize instances as the kubelet starts them, so startup log lines and exits happen at
  // the right moment even when nobody is looking (logs -f, attach).
  try {
    registry.store.watch('pods', undefined, registry.store.currentRV(), (ev) => {
      if (ev.type === 'DELETED') dropPod(ev.namespace, ev.stored.obj.metadata.name ?? '')
      else sync(ev.stored.obj as Pod)
    })
    for (const s of registry.store.list('pods')) sync(s.obj as Pod)
  } catch {
    // A store without history still works: every lookup below syncs on demand.
  }

  const statusOf = (pod: Pod, container?: string): ContainerStatus | undefined => {
    const name = container ?? pod.spec?.containers?.[0]?.name
    return allStatuses(pod).find((s) => s.name === name)
  }

  return {
    current(ns, podName, container) {
      const pod = readPod(ns, podName)
      if (!pod) return undefined
      sync(pod)
      const cs = statusOf(pod, container)
      if (!cs) return undefined
      const id = cs.state?.terminated?.containerID ?? cs.containerID ?? cs.lastState?.terminated?.containerID
      return id ? entries.get(id)?.inst : undefined
    },
    previous(ns, podName, container) {
      const pod = readPod(ns, podName)
      if (!pod) return undefined
      sync(pod)
      const id = statusOf(pod, container)?.lastState?.terminated?.containerID
      return id ? entries.get(id)?.inst : undefined
    },
    logs(containerID) {
      return entries.get(containerID)?.logs ?? createLogBuffer(now)
    },
    byID(containerID) {
      return entries.get(containerID)?.inst
    },
    slot<T>(containerID: string, key: string, make: (inst: ContainerInstance) => T): T {
      const e = entries.get(containerID)
      if (!e) throw new Error(`no container ${containerID}`)
      if (!e.slots.has(key)) e.slots.set(key, make(e.inst))
      return e.slots.get(key) as T
    },
    markExited(containerID, exitCode) {
      const e = entries.get(containerID)
      if (!e?.inst.running) return
      e.inst.running = false
      e.inst.exitCode = exitCode
      e.inst.finishedAt = now()
      fireExit(e.inst)
    },
    onExit(fn) {
      exitListeners.add(fn)
      return () => exitListeners.delete(fn)
    },
  }
}
