/**
 * @module endpoints: the endpoints controller (pkg/controller/endpoint/endpoints_controller.go) —
 * one Endpoints object per Service with a selector, its pods' IPs as ready or not-ready
 * addresses, the Service's ports resolved against each pod.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { EndpointsObject } from '../registry/core/endpoints.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import {
  findPort,
  headlessLabel,
  isPodReady,
  isServiceIPSet,
  serviceKeysForPodChange,
  servicePods,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  triggerTimeAnnotation,
} from './endpoint-pods.js'
import { maxEndpointsCapacity, overCapacityAnnotation, repackSubsets, truncateSubsets } from './endpoint-subsets.js'
import { rfc3339Nano, TriggerTimeTracker } from './endpoint-trigger-time.js'
import type { ControllerDeps } from './index.js'
import { namespaceTerminating } from './replicaset.js'
import { type Controller, objectKey, splitKey } from './runtime.js'

/** The event source of this controller. */
export const endpointsSource = { component: 'endpoint-controller' }

/** resourcelock.LeaderElectionRecordAnnotationKey: Endpoints used as a leader lock have no Service. */
const leaderAnnotation = 'control-plane.alpha.kubernetes.io/leader'

/** podToEndpointAddressForService: the pod's IP of the Service's first family, its node and a reference to it. */
export function podEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean
  if (svc.spec?.ipFamilies?.length) v6 = svc.spec.ipFamilies[0] === 'IPv6'
  else if (isServiceIPSet(svc)) v6 = (svc.spec?.clusterIP ?? '').includes(':')
  else v6 = (pod.status?.podIP ?? '').includes(':')
  const ip = (pod.status?.podIPs ?? []).find((p) => (p.ip ?? '').includes(':') === v6)?.ip
  if (!ip) return undefined
  return {
    ip,
    nodeName: pod.spec?.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  }
}

/** The subsets of a Service's Endpoints from its pods (the loop of syncService, then RepackSubsets). */
export function serviceSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses ?? false
  const ports = svc.spec?.ports ?? []
  const subsets: EndpointSubset[] = []
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined) => {
    const ss: EndpointSubset = publishNotReady || isPodReady(pod as KubeObject) ? { addresses: [addr] } : { notReadyAddresses: [addr] }
    if (port) ss.ports = [port]
    subsets.push(ss)
  }
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue
    const addr = podEndpointAddress(svc, pod)
    if (!addr) continue
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname
    if (ports.length === 0) {
      // A headless Service may have no ports.
      if (svc.spec?.clusterIP === 'None') add(pod, addr, undefined)
      continue
    }
    for (const sp of ports) {
      const port = findPort(pod, sp)
      if (port === undefined) continue
      const ep: EndpointPort = { name: sp.name, port, protocol: sp.protocol }
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol
      add(pod, { ...addr }, ep)
    }
  }
  return repackSubsets(subsets)
}

const orEmpty = (m: Record<string, string> | undefined) => m ?? {}

function withoutKey(m: Record<string, string> | undefined, key: string): Record<string, string> {
  const out = { ...orEmpty(m) }
  delete out[key]
  return out
}

/** capacityAnnotationSetCorrectly: within capacity and not marked truncated. */
function capacityAnnotationSetCorrectly(ep: EndpointsObject): boolean {
  let n = 0
  for (const ss of ep.subsets ?? []) n += (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0)
  return n <= maxEndpointsCapacity && ep.metadata.annotations?.[overCapacityAnnotation] === undefined
}

const nonEmpty = (m: Record<string, string>) => (Object.keys(m).length ? m : undefined)

/** Creates the controller; keys are Service keys. */
export function createEndpointsController(deps: ControllerDeps): Controller {
  const { registry, events } = deps
  const endpoints = registry.resource<EndpointsObject>('', 'endpoints')
  const informers = deps.manager.informers
  const services = informers.for('', 'services')
  const pods = informers.for('', 'pods')
  const cache = informers.for<EndpointsObject>('', 'endpoints')
  const triggers = new TriggerTimeTracker()

  return {
    name: 'endpoint',
    watches: [
      { group: '', plural: 'services' },
      // Every Service is enqueued at start anyway: pods only matter when they change.
      { group: '', plural: 'pods', keys: (p, prev, type) => (type ? serviceKeysForPodChange(services, p, prev, type) : []) },
      // Deleted Endpoints are made again; at start every Endpoints is checked for a Service (checkLeftoverEndpoints).
      {
        group: '',
        plural: 'endpoints',
        keys: (ep, _prev, type) => (type === 'DELETED' || (!type && !ep.metadata.annotations?.[leaderAnnotation]) ? [objectKey(ep)] : []),
      },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const svc = services.getObject(ns, name) as Service | undefined
      if (!svc) {
        // The Service is gone: so are its Endpoints.
        triggers.delete(key)
        if (!cache.get(ns, name)) return
        try {
          await endpoints.delete(ns, name)
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err
        }
        return
      }
      // ExternalName Services and Services without a selector get no Endpoints from this controller.
      if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return
      const selected = servicePods(pods, svc)
      const triggerTime = triggers.compute(key, svc, selected)
      const subsets = serviceSubsets(svc, selected)

      const current = cache.getObject(ns, name)
      const svcLabels = svc.metadata?.labels
      if (
        current &&
        deepEqual(current.subsets ?? [], subsets) &&
        deepEqual(withoutKey(current.metadata.labels, headlessLabel), orEmpty(svcLabels)) &&
        capacityAnnotationSetCorrectly(current)
      )
        return

      const annotations = { ...orEmpty(current?.metadata.annotations) }
      if (triggerTime) annotations[triggerTimeAnnotation] = rfc3339Nano(triggerTime)
      else delete annotations[triggerTimeAnnotation]
      const next: EndpointsObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: current ? { ...current.metadata } : { name, namespace: ns },
        subsets,
      }
      if (truncateSubsets(subsets)) annotations[overCapacityAnnotation] = 'truncated'
      else delete annotations[overCapacityAnnotation]
      const labels = { ...orEmpty(svcLabels) }
      if (isServiceIPSet(svc)) delete labels[headlessLabel]
      else labels[headlessLabel] = ''
      next.metadata.labels = nonEmpty(labels)
      next.metadata.annotations = nonEmpty(annotations)
      if (!subsets.length) delete next.subsets
      try {
        if (current) await endpoints.update(ns, name, next)
        else await endpoints.create(ns, next)
      } catch (err) {
        if (!current && namespaceTerminating(err)) return
        const message = err instanceof Error ? err.message : String(err)
        if (current) events.record(endpointsSource, next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${ns}/${name}: ${message}`)
        else events.record(endpointsSource, next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${ns}/${name}: ${message}`)
        throw err
      }
    },
  }
}
