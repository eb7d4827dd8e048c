/**
 * @module prober-manager: the kubelet's probe workers (pkg/kubelet/prober worker.go, prober_manager.go, 1.32) on the
 * simulated clock — one timer per probe and period, results per container ID, the Unhealthy events, and what the pod
 * status and the kill stage read from them.
 */
import type { Container, ContainerStatus, Probe } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import type { Registry } from '../../registry/registry.js'
import type { Clock, TimerHandle } from '../clock.js'
import { runtimeFor } from '../containers/runtime.js'
import { runProbe, type ProbeOutcome } from './run-probe.js'

/** The three probe kinds, spelled as upstream's probeType.String() (the event texts use it). */
export type ProbeType = 'Liveness' | 'Readiness' | 'Startup'

const probeField = { Liveness: 'livenessProbe', Readiness: 'readinessProbe', Startup: 'startupProbe' } as const

/** What the kubelet gives the prober. */
export interface ProberDeps {
  clock: Clock
  registry: Registry
  /** The pod as the kubelet's cache holds it now. */
  getPod(podKey: string): PodObject | undefined
  /** A result changed: the kubelet resyncs the pod (status, kill). */
  onChange(podKey: string): void
  /** Records a kubelet Event about a container of the pod. */
  record(pod: PodObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath: string): void
  /** `kube-probe/1.32` for the pod's node. */
  userAgent(pod: PodObject): string
  /** The node's kubelet is stopped or simulated elsewhere: probes do nothing there. */
  idle(node: string): boolean
}

/** What pod stages read: the probe view of one running container, and the kill of one that failed. */
export interface PodProbes {
  /** `started` and `ready` of a running container as its probes have it (prober_manager UpdatePodStatus). */
  state(pod: PodObject, s: ContainerStatus): { started: boolean; ready: boolean }
  /** `liveness` / `startup` when that probe failed past its threshold for this container and it was not killed yet. */
  killReason(pod: PodObject, s: ContainerStatus): 'liveness' | 'startup' | undefined
  /** Notes that the container is being killed for its failed probe (the kill stage stops matching at once). */
  markKilled(containerID: string): void
}

type Result = 'success' | 'failure'

interface Worker {
  podKey: string
  uid: string
  container: string
  type: ProbeType
  spec: Probe
  containerID?: string
  /** The results manager's value for `containerID` (undefined = Unknown). */
  result?: Result
  lastResult?: Result
  resultRun: number
  onHold: boolean
  inFlight: boolean
  stopped: boolean
  timer?: TimerHandle
}

const initialValue: Record<ProbeType, Result | undefined> = { Liveness: 'success', Readiness: 'failure', Startup: undefined }
const workerKey = (uid: string, container: string, type: ProbeType) => `${uid}/${container}/${type}`

/** Containers that may carry probes: regular ones and sidecars (restartable init containers). */
function probedContainers(pod: PodObject): { c: Container; init: boolean }[] {
  const spec = pod.spec
  if (!spec) return []
  const out: { c: Container; init: boolean }[] = []
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === 'Always') out.push({ c, init: true })
  for (const c of spec.containers ?? []) out.push({ c, init: false })
  return out
}

const hasProbe = (c: Container) => !!(c.livenessProbe || c.readinessProbe || c.startupProbe)

/**
 * Probe workers by pod UID, container and type. A worker ticks every periodSeconds from the
 * moment the kubelet first syncs the pod; pods without probes have no workers and cost nothing.
 */
export class ProberManager implements PodProbes {
  private readonly workers = new Map<string, Worker>()
  private readonly byPod = new Map<string, Set<string>>()
  /** Containers whose probes were made to fail through the control API: container names by pod UID. */
  private readonly unhealthy = new Map<string, Set<string>>()
  private readonly killed = new Set<string>()

  constructor(private readonly deps: ProberDeps) {}

  /** AddPod: creates the workers of a pod's probes (idempotent; called on every kubelet sync of the pod). */
  syncPod(podKey: string, pod: PodObject): void {
    const uid = pod.metadata.uid ?? ''
    for (const { c, init } of probedContainers(pod)) {
      if (!hasProbe(c)) continue
      for (const type of ['Startup', 'Readiness', 'Liveness'] as const) {
        const spec = c[probeField[type]]
        if (!spec) continue
        const k = workerKey(uid, c.name, type)
        let w = this.workers.get(k)
        if (!w) {
          w = { podKey, uid, container: c.name, type, spec, resultRun: 0, onHold: false, inFlight: false, stopped: false }
          this.workers.set(k, w)
          let set = this.byPod.get(podKey)
          if (!set) this.byPod.set(podKey, (set = new Set()))
          set.add(k)
          this.schedule(w)
          // worker.run probes once when it starts, then every period.
          this.trigger(w)
        }
        // UpdatePodStatus triggers a readiness run at once while the container is not ready yet.
        const s = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((x) => x.name === c.name)
        if (type === 'Readiness' && s?.state?.running && s.containerID && s.containerID !== w.containerID) this.trigger(w)
      }
    }
  }

  /** RemovePod: stops and forgets the pod's workers (and its health settings, by the UID it had). */
  removePod(podKey: string, uid?: string): void {
    if (uid) this.unhealthy.delete(uid)
    for (const k of this.byPod.get(podKey) ?? []) {
      const w = this.workers.get(k)
      if (!w) continue
      w.stopped = true
      this.deps.clock.clearTimer(w.timer)
      this.workers.delete(k)
      if (w.containerID) this.killed.delete(w.containerID)
    }
    this.byPod.delete(podKey)
  }

  /** Makes the container's probe endpoints fail (httpGet 500, tcp refused, grpc NOT_SERVING, exec exit 1) or work again. */
  setHealth(uid: string, container: string, healthy: boolean): void {
    let set = this.unhealthy.get(uid)
    if (!healthy) {
      if (!set) this.unhealthy.set(uid, (set = new Set()))
      set.add(container)
    } else if (set?.delete(container) && set.size === 0) this.unhealthy.delete(uid)
  }

  state(pod: PodObject, s: ContainerStatus): { started: boolean; ready: boolean } {
    if (!s.state?.running) return { started: false, ready: false }
    const uid = pod.metadata.uid ?? ''
    const startup = this.workers.get(workerKey(uid, s.name, 'Startup'))
    const started = startup ? this.resultFor(startup, s) === 'success' : true
    if (!started) return { started, ready: false }
    const readiness = this.workers.get(workerKey(uid, s.name, 'Readiness'))
    return { started, ready: readiness ? this.resultFor(readiness, s) === 'success' : true }
  }

  killReason(pod: PodObject, s: ContainerStatus): 'liveness' | 'startup' | undefined {
    if (!s.state?.running || !s.containerID || this.killed.has(s.containerID)) return undefined
    const uid = pod.metadata.uid ?? ''
    const live = this.workers.get(workerKey(uid, s.name, 'Liveness'))
    if (live && this.resultFor(live, s) === 'failure') return 'liveness'
    const startup = this.workers.get(workerKey(uid, s.name, 'Startup'))
    if (startup && this.resultFor(startup, s) === 'failure') return 'startup'
    return undefined
  }

  markKilled(containerID: string): void {
    this.killed.add(containerID)
  }

  /** The results manager's value for the container in `s` (the initial value until the worker has seen it). */
  private resultFor(w: Worker, s: ContainerStatus): Result | undefined {
    return w.containerID === s.containerID ? w.result : initialValue[w.type]
  }

  private schedule(w: Worker): void {
    const periodMs = Math.max(1, w.spec.periodSeconds ?? 10) * 1000
    w.timer = this.deps.clock.setTimer(periodMs, () => {
      if (w.stopped) return
      this.schedule(w)
      this.run(w)
    })
  }

  /** manualTriggerCh: one extra run now, off the caller's stack. */
  private trigger(w: Worker): void {
    this.deps.clock.setTimer(0, () => this.run(w))
  }

  private run(w: Worker): void {
    if (w.stopped || w.inFlight) return
    w.inFlight = true
    void this.doProbe(w)
      .catch(() => undefined)
      .finally(() => {
        w.inFlight = false
      })
  }

  private set(w: Worker, result: Result | undefined): void {
    if (w.result === result) return
    w.result = result
    this.deps.onChange(w.podKey)
    // A container that just started gets its readiness probed at once.
    if (w.type === 'Startup' && result === 'success') {
      const r = this.workers.get(workerKey(w.uid, w.container, 'Readiness'))
      if (r) this.trigger(r)
    }
  }

  /** worker.doProbe: one tick. */
  private async doProbe(w: Worker): Promise<void> {
    const pod = this.deps.getPod(w.podKey)
    if (!pod || pod.metadata.uid !== w.uid) return
    if (pod.spec?.nodeName && this.deps.idle(pod.spec.nodeName)) return
    const phase = pod.status?.phase
    if (phase === 'Failed' || phase === 'Succeeded') return this.stop(w)
    const init = probedContainers(pod).find((x) => x.c.name === w.container)?.init ?? false
    const s = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((x) => x.name === w.container)
    if (!s?.containerID) return
    if (w.containerID !== s.containerID) {
      if (w.containerID) this.killed.delete(w.containerID)
      w.containerID = s.containerID
      this.set(w, initialValue[w.type])
      w.onHold = false
    }
    if (w.onHold) return
    if (!s.state?.running) {
      this.set(w, 'failure')
      if (s.state?.terminated && pod.spec?.restartPolicy === 'Never') this.stop(w)
      return
    }
    if (pod.metadata.deletionTimestamp && (w.type === 'Liveness' || w.type === 'Startup')) {
      // A quiet shutdown: no liveness or startup kill while the pod terminates.
      this.set(w, 'success')
      return this.stop(w)
    }
    const startedAt = Date.parse(s.state.running.startedAt ?? '') || 0
    if (Math.floor((this.deps.clock.now() - startedAt) / 1000) < (w.spec.initialDelaySeconds ?? 0)) return
    if (s.started ? w.type === 'Startup' : w.type !== 'Startup') return
    const inst = runtimeFor(this.deps.registry).byID(s.containerID)
    const container = probedContainers(pod).find((x) => x.c.name === w.container)?.c
    if (!inst || !container) return
    const outcome = await runProbe(w.spec, {
      registry: this.deps.registry,
      clock: this.deps.clock,
      inst,
      container,
      podIP: pod.status?.podIP ?? '',
      healthy: !this.unhealthy.get(w.uid)?.has(w.container),
      userAgent: this.deps.userAgent(pod),
    })
    // The pod or the container may have gone while the probe ran.
    if (w.stopped || w.containerID !== s.containerID) return
    this.recordOutcome(w, pod, init, outcome)
    if (outcome.error) return
    const result: Result = outcome.result === 'success' || outcome.result === 'warning' ? 'success' : 'failure'
    if (w.lastResult === result) w.resultRun++
    else {
      w.lastResult = result
      w.resultRun = 1
    }
    const threshold = result === 'failure' ? (w.spec.failureThreshold ?? 3) : (w.spec.successThreshold ?? 1)
    if (w.resultRun < threshold) return
    this.set(w, result)
    if ((w.type === 'Liveness' || w.type === 'Startup') && result === 'failure') {
      // Stop probing until a new container ID shows up.
      w.onHold = true
      w.resultRun = 0
    }
  }

  /** prober.probe's events: Unhealthy for failures and errors, ProbeWarning for redirects. */
  private recordOutcome(w: Worker, pod: PodObject, init: boolean, o: ProbeOutcome): void {
    const fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${w.container}}`
    if (o.error) this.deps.record(pod, 'Warning', 'Unhealthy', `${w.type} probe errored and resulted in unknown state: ${o.error}`, fieldPath)
    else if (o.result === 'warning') this.deps.record(pod, 'Warning', 'ProbeWarning', `${w.type} probe warning: ${o.output}`, fieldPath)
    else if (o.result === 'failure') this.deps.record(pod, 'Warning', 'Unhealthy', `${w.type} probe failed: ${o.output}`, fieldPath)
  }

  private stop(w: Worker): void {
    w.stopped = true
    this.deps.clock.clearTimer(w.timer)
  }
}
