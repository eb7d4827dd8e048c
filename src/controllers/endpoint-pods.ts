/**
 * @module endpoint-pods: what the Endpoints and EndpointSlice controllers share about pods and
 * Services (staging/src/k8s.io/endpointslice/util/controller_utils.go, podutil.FindPort).
 */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../types.js'
import type { Informer } from './informers.js'
import { isPodReady } from './replicaset-pods.js'
import { objectKey } from './runtime.js'

export { isPodReady }

/** The label the controllers put on the Endpoints and EndpointSlices of headless Services (v1.IsHeadlessService). */
export const headlessLabel = 'service.kubernetes.io/headless'
/** v1.EndpointsLastChangeTriggerTime. */
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time'

/** isServiceIPSet: a ClusterIP that is neither empty nor `None`. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? ''
  return ip !== '' && ip !== 'None'
}

/**
 * ShouldPodBeInEndpoints: the pod has an IP; it is not being deleted unless terminating pods are
 * included; a pod that will never run again (terminal under its restartPolicy) is left out.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false
  const phase = pod.status?.phase
  const policy = pod.spec?.restartPolicy
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded'
  if (policy === 'OnFailure') return phase !== 'Succeeded'
  return true
}

/** ShouldSetHostname: the pod names a hostname and its subdomain is this Service, in the same namespace. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace
}

/**
 * FindPort: a numeric targetPort as is; a named one looked up in the containers' ports (then the
 * sidecars'), name and protocol matching; undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port
  if (typeof target === 'number') return target
  if (/^\d+$/.test(target)) return Number(target)
  const protocol = sp.protocol ?? 'TCP'
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
  }
  return undefined
}

/** Whether a selector map selects a label set (labels.Set(selector).AsSelectorPreValidated(); an empty map selects all). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const k in selector) if (labels?.[k] !== selector[k]) return false
  return true
}

/** The pods a Service selects (from the pods cache, narrowed by its label index). */
export function servicePods(pods: Informer, svc: Service): Pod[] {
  const selector = svc.spec?.selector ?? {}
  return pods.select(svc.metadata?.namespace ?? '', (p) => selectorMatches(selector, p.metadata.labels), selector) as Pod[]
}

/** GetPodServiceMemberships: keys of the Services in the pod's namespace whose selector selects it (one namespace scanned, not the cluster). */
export function podServiceKeys(services: Informer, pod: KubeObject): string[] {
  const out: string[] = []
  for (const s of services.list(pod.metadata.namespace ?? '')) {
    const selector = (s.obj as Service).spec?.selector
    if (selector && selectorMatches(selector, pod.metadata.labels)) out.push(objectKey(s.obj))
  }
  return out
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {})
  if (ak.length !== Object.keys(b ?? {}).length) return false
  for (const k of ak) if (a![k] !== b?.[k]) return false
  return true
}

/**
 * podEndpointsChanged: whether the pod's Service membership may have changed (labels, hostname,
 * subdomain) and whether its endpoint did (deletion, readiness, IPs).
 */
export function podEndpointsChanged(old: Pod, cur: Pod): { labelsChanged: boolean; podChanged: boolean } {
  const labelsChanged =
    !sameLabels(old.metadata?.labels, cur.metadata?.labels) || old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain
  const oldIPs = old.status?.podIPs ?? []
  const curIPs = cur.status?.podIPs ?? []
  const podChanged =
    old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp ||
    isPodReady(old as KubeObject) !== isPodReady(cur as KubeObject) ||
    oldIPs.length !== curIPs.length ||
    oldIPs.some((ip, i) => ip.ip !== curIPs[i].ip) ||
    // Terminal phases take a pod out (ShouldPodBeInEndpoints); kubemock may write them apart from readiness.
    old.status?.phase !== cur.status?.phase
  return { labelsChanged, podChanged }
}

/**
 * GetServicesToUpdateOnPodChange (and addPod/deletePod): the Service keys a pod event concerns.
 * A status write that changes nothing an endpoint shows enqueues nothing.
 */
export function serviceKeysForPodChange(services: Informer, cur: KubeObject, old?: KubeObject, type?: string): string[] {
  if (!old || type !== 'MODIFIED') return podServiceKeys(services, cur)
  if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return []
  const { labelsChanged, podChanged } = podEndpointsChanged(old as Pod, cur as Pod)
  if (!labelsChanged && !podChanged) return []
  const now = podServiceKeys(services, cur)
  if (!labelsChanged) return now
  const before = podServiceKeys(services, old)
  if (podChanged) return [...new Set([...before, ...now])]
  // Only membership changed: the Services the pod joined or left.
  const b = new Set(before)
  const n = new Set(now)
  return [...before.filter((k) => !n.has(k)), ...now.filter((k) => !b.has(k))]
}
