/**
 * @module endpoint-trigger-time: TriggerTimeTracker (staging/src/k8s.io/endpointslice/util/
 * trigger_time_tracker.go) — the `endpoints.kubernetes.io/last-change-trigger-time` value: the
 * earliest change (a pod's Ready transition, the Service's creation) since the last sync.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js'

interface State {
  pods: Map<string, number>
  service: number
}

const readyTransition = (pod: Pod): number => {
  const at = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime
  const ms = at ? Date.parse(at) : 0
  return Number.isNaN(ms) ? 0 : ms
}

/** One tracker per controller, keyed by Service key. */
export class TriggerTimeTracker {
  private readonly states = new Map<string, State>()

  /**
   * The trigger time to publish for this sync (0: none, so the annotation is cleared), recording
   * what was observed. The first sync of a Service publishes none.
   */
  compute(key: string, svc: Service, pods: Pod[]): number {
    const state = this.states.get(key)
    let min = 0
    const seen = new Map<string, number>()
    for (const pod of pods) {
      const t = readyTransition(pod)
      if (!t) continue
      const name = pod.metadata?.name ?? ''
      seen.set(name, t)
      if (t > (state?.pods.get(name) ?? 0) && (min === 0 || t < min)) min = t
    }
    const created = svc.metadata?.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) || 0 : 0
    if (created > (state?.service ?? 0) && (min === 0 || created < min)) min = created
    this.states.set(key, { pods: seen, service: created })
    return state ? min : 0
  }

  /** Forgets a deleted Service. */
  delete(key: string): void {
    this.states.delete(key)
  }
}

/** time.RFC3339Nano of a whole-second time (what metav1.Time round-trips to). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString()
  const frac = iso.slice(20, 23).replace(/0+$/, '')
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`
}
