/**
 * @module lifecycle-hooks: postStart and preStop handlers (exec, httpGet, sleep) as the kubelet runs them
 * (pkg/kubelet/lifecycle/handlers.go, kuberuntime_container.go startContainer/killContainer/executePreStopHook, 1.32),
 * on the simulated clock.
 */
import type { Container, ContainerStatus, LifecycleHandler } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import type { Registry } from '../../registry/registry.js'
import type { Clock } from '../clock.js'
import { connectPort, serveHTTP } from '../containers/http.js'
import { runtimeFor, type ContainerInstance } from '../containers/runtime.js'
import { execInContainer, hostPort, resolveContainerPort } from './run-probe.js'

/** killContainer never gives a container less than this to stop once its preStop hook ran (minimumGracePeriodInSeconds). */
export const minimumGracePeriodSeconds = 2

/** What the kubelet gives the hook runner. */
export interface HookDeps {
  clock: Clock
  registry: Registry
  record(pod: PodObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath: string): void
  /** Ends a container's main process (the fake containerd's exit). */
  exitContainer(containerID: string, exitCode: number): void
  /** Whether the container's main process ignores SIGTERM (then only SIGKILL ends it: 137). */
  ignoresSigterm(containerID: string): boolean
  /** SIGTERM → a well-behaved process has exited (kubelet.stopMs). */
  stopMs: number
  onChange(podKey: string): void
  /** `kube-lifecycle/1.32` for the pod's node. */
  userAgent(pod: PodObject): string
}

/** What pod stages read and do through the hooks. */
export interface PodHooks {
  /**
   * Pod deletion: starts the preStop hooks of the running containers (once each) and returns when
   * the last of them is stopped — the hook, then SIGTERM with what is left of the grace period (at
   * least 2 s). `start` is when the first hook started. Undefined when no running container has one.
   */
  preStopDueAt(pod: PodObject, graceSeconds: number): { start: number; due: number } | undefined
  /** killContainer: `Killing` with `message`, the preStop hook, then SIGTERM; the process exits on its own schedule. */
  killContainer(pod: PodObject, s: ContainerStatus, graceSeconds: number, message: string): void
}

interface PreStopRun {
  startedAt: number
  doneAt?: number
}

const podFull = (pod: PodObject) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`

/** The container specs of a pod by name, with whether each is an init container. */
function specOf(pod: PodObject, name: string): { c: Container; init: boolean } | undefined {
  const c = pod.spec?.containers?.find((x) => x.name === name)
  if (c) return { c, init: false }
  const i = pod.spec?.initContainers?.find((x) => x.name === name)
  return i ? { c: i, init: true } : undefined
}

const fieldPath = (name: string, init: boolean) => `spec.${init ? 'initContainers' : 'containers'}{${name}}`

/** postStart after a container starts, preStop before it stops; per container ID, so a restart runs them again. */
export class LifecycleHooks implements PodHooks {
  private readonly postStarted = new Set<string>()
  private readonly preStops = new Map<string, PreStopRun>()
  private readonly byPod = new Map<string, Set<string>>()

  constructor(private readonly deps: HookDeps) {}

  /** Runs the postStart hook of every running container that has one and has not run it yet. */
  syncPod(podKey: string, pod: PodObject): void {
    if (pod.metadata.deletionTimestamp) return
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      if (!s.state?.running || !s.containerID || this.postStarted.has(s.containerID)) continue
      const spec = specOf(pod, s.name)
      const handler = spec?.c.lifecycle?.postStart
      if (!spec || !handler) continue
      const inst = runtimeFor(this.deps.registry).byID(s.containerID)
      if (!inst) continue
      this.remember(podKey, s.containerID)
      this.postStarted.add(s.containerID)
      void this.run(pod, spec.c, inst, handler).then((msg) => {
        if (msg === undefined || !inst.running) return
        this.deps.record(pod, 'Warning', 'FailedPostStartHook', msg, fieldPath(s.name, spec.init))
        this.killContainer(pod, s, pod.spec?.terminationGracePeriodSeconds ?? 30, 'FailedPostStartHook')
      })
    }
  }

  /** Forgets a pod's containers (the pod is gone). */
  forgetPod(podKey: string): void {
    for (const id of this.byPod.get(podKey) ?? []) {
      this.postStarted.delete(id)
      this.preStops.delete(id)
    }
    this.byPod.delete(podKey)
  }

  preStopDueAt(pod: PodObject, graceSeconds: number): { start: number; due: number } | undefined {
    if (graceSeconds <= 0) return undefined
    let out: { start: number; due: number } | undefined
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      if (!s.state?.running || !s.containerID) continue
      const spec = specOf(pod, s.name)
      if (!spec?.c.lifecycle?.preStop) continue
      const run = this.preStop(pod, s, spec.c, spec.init)
      if (!run) continue
      const due = this.stoppedAt(s.containerID, run, graceSeconds)
      out = { start: Math.min(out?.start ?? run.startedAt, run.startedAt), due: Math.max(out?.due ?? due, due) }
    }
    return out
  }

  killContainer(pod: PodObject, s: ContainerStatus, graceSeconds: number, message: string): void {
    const id = s.containerID
    const spec = specOf(pod, s.name)
    if (!id || !spec) return
    this.deps.record(pod, 'Normal', 'Killing', message, fieldPath(s.name, spec.init))
    const run = spec.c.lifecycle?.preStop && graceSeconds > 0 ? this.preStop(pod, s, spec.c, spec.init) : undefined
    const schedule = () => {
      const due = run ? this.stoppedAt(id, run, graceSeconds) : this.deps.clock.now() + this.sigtermMs(id, graceSeconds * 1000)
      this.deps.clock.setTimer(due - this.deps.clock.now(), () => this.deps.exitContainer(id, this.deps.ignoresSigterm(id) ? 137 : 0))
    }
    if (!run || run.doneAt !== undefined) return schedule()
    // Wait for the hook, or for the grace period, whichever ends first.
    const startedAt = run.startedAt
    const poll = () => {
      if (run.doneAt !== undefined || this.deps.clock.now() >= startedAt + graceSeconds * 1000) schedule()
      else this.deps.clock.setTimer(Math.min(1000, startedAt + graceSeconds * 1000 - this.deps.clock.now()), poll)
    }
    poll()
  }

  /** When a container whose preStop started at `run.startedAt` is down: the hook (at most the grace period), then SIGTERM's share. */
  private stoppedAt(id: string, run: PreStopRun, graceSeconds: number): number {
    const graceMs = graceSeconds * 1000
    const hookEnd = Math.min(run.doneAt ?? run.startedAt + graceMs, run.startedAt + graceMs)
    const left = Math.max(minimumGracePeriodSeconds * 1000, graceMs - Math.floor((hookEnd - run.startedAt) / 1000) * 1000)
    return hookEnd + this.sigtermMs(id, left)
  }

  /** How long SIGTERM takes with `graceMs` left: quick for a process that handles it, all of it for one that does not. */
  private sigtermMs(id: string, graceMs: number): number {
    return this.deps.ignoresSigterm(id) ? graceMs : Math.min(this.deps.stopMs, graceMs)
  }

  /** executePreStopHook: starts the hook once per container; a failure is `FailedPreStopHook` (the message is withheld, as upstream). */
  private preStop(pod: PodObject, s: ContainerStatus, c: Container, init: boolean): PreStopRun | undefined {
    const id = s.containerID!
    const known = this.preStops.get(id)
    if (known) return known
    const inst = runtimeFor(this.deps.registry).byID(id)
    if (!inst) return undefined
    const run: PreStopRun = { startedAt: this.deps.clock.now() }
    this.preStops.set(id, run)
    this.remember(`${pod.metadata.namespace}/${pod.metadata.name}`, id)
    void this.run(pod, c, inst, c.lifecycle!.preStop!).then((msg) => {
      run.doneAt = this.deps.clock.now()
      if (msg !== undefined) this.deps.record(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', fieldPath(c.name, init))
      this.deps.onChange(`${pod.metadata.namespace}/${pod.metadata.name}`)
    })
    return run
  }

  private remember(podKey: string, id: string): void {
    let set = this.byPod.get(podKey)
    if (!set) this.byPod.set(podKey, (set = new Set()))
    set.add(id)
  }

  /** handlerRunner.Run: undefined on success, else the message upstream records. */
  private async run(pod: PodObject, c: Container, inst: ContainerInstance, h: LifecycleHandler): Promise<string | undefined> {
    const where = `for Container ${JSON.stringify(c.name)} in Pod ${JSON.stringify(podFull(pod))}`
    if (h.exec) {
      const cmd = h.exec.command ?? []
      const r = await execInContainer(this.deps.registry, this.deps.clock, inst, cmd, 0)
      if (!('error' in r) && r.code === 0) return undefined
      // remote_runtime ExecSync: a non-zero exit is `command '…' exited with N: <stderr>`.
      const err = 'error' in r ? r.error : `command '${cmd.join(' ')}' exited with ${r.code}: ${r.output}`
      return `Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${err}, message: ${JSON.stringify('error' in r ? '' : r.output)}`
    }
    if (h.httpGet) {
      const get = h.httpGet
      const fail = (err: string) => `HTTP lifecycle hook (${get.path ?? ''}) ${where} failed - error: ${err}`
      const p = resolveContainerPort(get.port, c)
      if ('error' in p) return fail(p.error)
      const host = get.host || inst.podIP || ''
      const path = get.path ?? ''
      const url = `${(get.scheme ?? 'HTTP').toLowerCase()}://${hostPort(host, p.port)}${path && !path.startsWith('/') ? '/' : ''}${path}`
      if (connectPort(inst, p.port) === 'refused') return fail(`Get ${JSON.stringify(url)}: dial tcp ${hostPort(host, p.port)}: connect: connection refused`)
      // HTTPS against a plain HTTP server is retried over HTTP (runHTTPHandler's fallback), with an event.
      if ((get.scheme ?? 'HTTP').toUpperCase() === 'HTTPS')
        this.deps.record(
          pod,
          'Warning',
          'LifecycleHTTPFallback',
          `request to HTTPS lifecycle hook ${hostPort(host, p.port)} got HTTP response, retry with HTTP succeeded`,
          '',
        )
      // Any answer will do: the kubelet only discards the body.
      const headers: Record<string, string> = { host: hostPort(host, p.port), 'user-agent': this.deps.userAgent(pod), accept: '*/*', connection: 'close' }
      for (const x of get.httpHeaders ?? []) headers[x.name.toLowerCase()] = x.value
      serveHTTP(
        inst,
        { method: 'GET', path: path || '/', headers },
        { logs: runtimeFor(this.deps.registry).logs(inst.containerID), now: this.deps.clock.now() },
      )
      return undefined
    }
    if (h.sleep) {
      await new Promise<void>((r) => this.deps.clock.setTimer((h.sleep!.seconds ?? 0) * 1000, r))
      return undefined
    }
    return `Cannot run handler: invalid handler: ${JSON.stringify(h)}`
  }
}
