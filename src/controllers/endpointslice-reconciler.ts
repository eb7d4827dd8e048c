/**
 * @module endpointslice-reconciler: what the EndpointSlice controller changes for one Service
 * (staging/src/k8s.io/endpointslice/reconciler.go, utils.go): the desired endpoints grouped by
 * their port set, placed into the existing slices where they fit, then into new ones. Pure: it
 * returns the slices to create, update and delete.
 */
import { createHash } from 'node:crypto'
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js'
import type { EndpointSlice } from '../registry/discovery/endpointslices.js'
import { deepEqual } from '../util/deep-equal.js'
import { findPort, headlessLabel, isPodReady, isServiceIPSet, shouldPodBeInEndpoints, shouldSetHostname } from './endpoint-pods.js'
import type { KubeObject } from '../types.js'

/** The controller's name, in the managed-by label of its slices. */
export const endpointSliceControllerName = 'endpointslice-controller.k8s.io'
/** discovery.LabelServiceName and discovery.LabelManagedBy. */
export const serviceNameLabel = 'kubernetes.io/service-name'
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by'
/** --max-endpoints-per-slice's default. */
export const maxEndpointsPerSlice = 100
/** v1.LabelTopologyZone. */
const zoneLabel = 'topology.kubernetes.io/zone'

/** What the reconciler decided; `update` slices carry the resourceVersion they were read at (none when a delete became an update). */
export interface SlicePlan {
  create: EndpointSlice[]
  update: EndpointSlice[]
  delete: EndpointSlice[]
  /** Pods left out because their node is missing (upstream retries the Service). */
  errors: string[]
}

/** getAddressTypesForService: the Service's IP families, else guessed from its ClusterIP (both for headless). */
export function addressTypesFor(svc: Service): string[] {
  const fams = svc.spec?.ipFamilies ?? []
  if (fams.length) return [...new Set(fams.map((f) => (f === 'IPv6' ? 'IPv6' : 'IPv4')))]
  if (isServiceIPSet(svc)) return [(svc.spec?.clusterIP ?? '').includes(':') ? 'IPv6' : 'IPv4']
  return ['IPv4', 'IPv6']
}

/** The md5 of an EndpointPort's go-spew rendering: how NewPortMapKey orders ports (kube-dns: metrics, dns, dns-tcp). */
function portHash(p: EndpointPort): string {
  const ptr = (v: string | number | undefined | null) => (v === undefined || v === null ? '<nil>' : String(v))
  const s = `(v1.EndpointPort){Name:(*string)${ptr(p.name)} Protocol:(*v1.Protocol)${ptr(p.protocol)} Port:(*int32)${ptr(p.port)} AppProtocol:(*string)${ptr(p.appProtocol)}}`
  return createHash('md5').update(s).digest('hex')
}

/** NewPortMapKey sorts the ports in place (by hash) and keys them; the slices carry them in that order. */
export function sortPorts(ports: EndpointPort[]): EndpointPort[] {
  return ports
    .map((p) => ({ p, h: portHash(p) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((e) => e.p)
}

/** NewPortMapKey: one key per set of ports, whatever their order. */
export const portMapKey = (ports: EndpointPort[] | undefined) =>
  JSON.stringify(sortPorts(ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? null]))

/** getEndpointPorts: the Service's ports this pod offers, named as the Service names them. */
function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = []
  const ports = svc.spec?.ports ?? []
  if (ports.length === 0 && svc.spec?.clusterIP === 'None') return out
  for (const sp of ports) {
    const port = findPort(pod, sp)
    if (port === undefined) continue
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' }
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol
    out.push(ep)
  }
  return sortPorts(out)
}

/** podToEndpoint: the pod's addresses of one type, its conditions, node, zone and hostname. */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: string): Endpoint {
  const serving = isPodReady(pod as KubeObject)
  const terminating = !!pod.metadata?.deletionTimestamp
  const ready = (svc.spec?.publishNotReadyAddresses ?? false) || (serving && !terminating)
  const ep: Endpoint = {
    addresses: (pod.status?.podIPs ?? []).map((p) => p.ip ?? '').filter((ip) => ip && ip.includes(':') === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  }
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName
  const zone = node?.metadata?.labels?.[zoneLabel]
  if (zone) ep.zone = zone
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname
  return ep
}

/** The EndpointSet key of an endpoint: its sorted addresses, hostname and pod. */
export function endpointKey(ep: Endpoint): string {
  return `${[...ep.addresses].sort().join(',')}|${ep.hostname ?? ''}|${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}`
}

/** setEndpointSliceLabels: the Service's labels (reserved ones aside), the headless mark, the service name and manager; and whether the slice's own differ. */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const reserved = (k: string) => k === serviceNameLabel || k === managedByLabel || k === headlessLabel
  const own: Record<string, string> = {}
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!reserved(k)) own[k] = v
  const labels: Record<string, string> = {}
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!reserved(k)) labels[k] = v
  const changed = !deepEqual(own, labels)
  if (!isServiceIPSet(svc)) labels[headlessLabel] = ''
  labels[serviceNameLabel] = svc.metadata?.name ?? ''
  labels[managedByLabel] = endpointSliceControllerName
  return { labels, changed }
}

/** ownedBy: a v1 Service ownerReference with the Service's UID. */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1')
}

/** getEndpointSlicePrefix: `<service>-` (the bare name when the dash would make it invalid). */
function slicePrefix(name: string): string {
  return `${name}-`.length <= 253 ? `${name}-` : name
}

/** newEndpointSlice: named by generateName, owned by the Service (controller, blockOwnerDeletion). */
export function newSlice(svc: Service, ports: EndpointPort[], addressType: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata?.name ?? ''),
      namespace: svc.metadata?.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType,
    endpoints: [],
    ports,
  }
}

const copySlice = (s: EndpointSlice): EndpointSlice => ({
  ...s,
  metadata: { ...s.metadata, labels: { ...s.metadata.labels } },
  endpoints: [...(s.endpoints ?? [])],
})

/** reconcileByPortMapping for one port set. */
function byPortMapping(
  svc: Service,
  existing: EndpointSlice[],
  desired: Map<string, Endpoint>,
  ports: EndpointPort[],
  addressType: string,
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const byName = new Map<string, EndpointSlice>()
  const unchanged = new Set<string>()
  const toUpdate = new Set<string>()
  const toDelete = new Set<string>()
  // 1. Drop endpoints no longer desired, refresh the changed ones, follow the Service's labels.
  for (const slice of existing) {
    const name = slice.metadata.name ?? ''
    byName.set(name, slice)
    const kept: Endpoint[] = []
    let updated = false
    for (const ep of slice.endpoints ?? []) {
      const k = endpointKey(ep)
      const want = desired.get(k)
      if (!want) continue
      kept.push(want)
      if (!deepEqual(want, ep)) updated = true
      desired.delete(k)
    }
    const { labels, changed } = sliceLabels(slice, svc)
    if (updated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name)
      else {
        const next = copySlice(slice)
        next.endpoints = kept
        next.metadata.labels = labels
        byName.set(name, next)
        toUpdate.add(name)
      }
    } else if (changed) {
      const next = copySlice(slice)
      next.metadata.labels = labels
      byName.set(name, next)
      toUpdate.add(name)
    } else unchanged.add(name)
  }
  const remaining = desired.values()
  let left = desired.size
  const take = (slice: EndpointSlice) => {
    while (left > 0 && (slice.endpoints ?? []).length < max) {
      slice.endpoints!.push(remaining.next().value as Endpoint)
      left--
    }
  }
  // 2. Fill the slices being updated anyway, fullest first.
  if (left > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0))
    for (const s of slices) take(s)
  }
  // 3. Then one unchanged slice the rest fits in best, else new slices.
  const create: EndpointSlice[] = []
  while (left > 0) {
    let fill: EndpointSlice | undefined
    if (left < max && unchanged.size > 0) {
      let closest = max
      for (const n of unchanged) {
        const s = byName.get(n)!
        const diff = max - (left + (s.endpoints?.length ?? 0))
        if (diff >= 0 && diff < closest) {
          closest = diff
          fill = s
          if (diff === 0) break
        }
      }
    }
    if (fill) {
      fill = copySlice(fill)
      byName.set(fill.metadata.name ?? '', fill)
      toUpdate.add(fill.metadata.name ?? '')
      unchanged.delete(fill.metadata.name ?? '')
    } else {
      fill = newSlice(svc, ports, addressType)
      create.push(fill)
    }
    take(fill)
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) }
}

/** placeholderSliceCompare: same namespace, labels, owners, address type, and neither endpoints nor ports. */
function isPlaceholder(slice: EndpointSlice, svc: Service, addressType: string): boolean {
  const p = newSlice(svc, [], addressType)
  return (
    slice.metadata.namespace === p.metadata.namespace &&
    deepEqual(slice.metadata.labels ?? {}, p.metadata.labels) &&
    deepEqual(slice.metadata.ownerReferences ?? [], p.metadata.ownerReferences) &&
    slice.addressType === addressType &&
    !(slice.endpoints ?? []).length &&
    !(slice.ports ?? []).length
  )
}

/** reconcileByAddressType, then finalize's turning of creates into updates of slices it would delete. */
function byAddressType(
  svc: Service,
  pods: Pod[],
  existing: EndpointSlice[],
  addressType: string,
  nodeOf: (name: string) => Node | undefined,
  max: number,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [], errors: [] }
  const existingByPorts = new Map<string, EndpointSlice[]>()
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      plan.delete.push(s)
      continue
    }
    const k = portMapKey(s.ports)
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s])
  }
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>()
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue
    const ports = endpointPorts(svc, pod)
    const k = portMapKey(ports)
    let d = desired.get(k)
    if (!d) desired.set(k, (d = { ports, endpoints: new Map() }))
    const nodeName = pod.spec?.nodeName ?? ''
    const node = nodeOf(nodeName)
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      plan.errors.push(`skipping Pod ${pod.metadata?.name} for Service ${svc.metadata?.namespace}/${svc.metadata?.name}: Node ${nodeName} Not Found`)
      continue
    }
    const ep = podToEndpoint(pod, node, svc, addressType)
    if (ep.addresses.length) d.endpoints.set(endpointKey(ep), ep)
  }
  for (const [k, d] of desired) {
    const r = byPortMapping(svc, existingByPorts.get(k) ?? [], d.endpoints, d.ports, addressType, max)
    plan.create.push(...r.create)
    plan.update.push(...r.update)
    plan.delete.push(...r.delete)
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) plan.delete.push(...slices)
  // A Service with no endpoints keeps one empty placeholder slice.
  if (existing.length === plan.delete.length && plan.create.length < 1) {
    if (plan.delete.length === 1 && isPlaceholder(plan.delete[0], svc, addressType)) plan.delete = []
    else plan.create.push(newSlice(svc, [], addressType))
  }
  // finalize: a slice to create takes the place of one to delete (an update in place).
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const gone = plan.delete[i]
    const slice = plan.create[plan.create.length - 1]
    if (gone.addressType === slice.addressType && ownedBy(gone, svc)) {
      slice.metadata = { ...slice.metadata, name: gone.metadata.name }
      delete slice.metadata.generateName
      plan.create.pop()
      plan.update.push(slice)
      plan.delete.splice(i, 1)
    } else i++
  }
  return plan
}

/** The changes that bring a Service's EndpointSlices (those this controller manages) to its pods. */
export function reconcileSlices(
  svc: Service,
  pods: Pod[],
  existing: EndpointSlice[],
  nodeOf: (name: string) => Node | undefined,
  max = maxEndpointsPerSlice,
): SlicePlan {
  const types = addressTypesFor(svc)
  const plan: SlicePlan = { create: [], update: [], delete: [], errors: [] }
  const byType = new Map<string, EndpointSlice[]>()
  for (const s of existing) {
    if (!types.includes(s.addressType ?? '')) plan.delete.push(s)
    else byType.set(s.addressType!, [...(byType.get(s.addressType!) ?? []), s])
  }
  for (const t of types) {
    const p = byAddressType(svc, pods, byType.get(t) ?? [], t, nodeOf, max)
    plan.create.push(...p.create)
    plan.update.push(...p.update)
    plan.delete.push(...p.delete)
    plan.errors.push(...p.errors)
  }
  return plan
}
