/**
 * @module endpointslice-mirroring: the EndpointSlice mirroring controller
 * (pkg/controller/endpointslicemirroring) — Endpoints written by hand for a Service without a
 * selector are mirrored into EndpointSlices, one per address type and port set, at most 1000
 * addresses per subset, owned by the Endpoints.
 */
import { isIPv6 } from 'node:net'
import type { EndpointAddress, EndpointPort as CorePort, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js'
import { StatusError } from '../errors.js'
import type { EndpointsObject } from '../registry/core/endpoints.js'
import type { EndpointSlice } from '../registry/discovery/endpointslices.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import { triggerTimeAnnotation } from './endpoint-pods.js'
import { repackSubsets } from './endpoint-subsets.js'
import { endpointKey, managedByLabel, portMapKey, serviceNameLabel, sortPorts } from './endpointslice-reconciler.js'
import type { ControllerDeps } from './index.js'
import { indexes } from './informers.js'
import { namespaceTerminating } from './replicaset.js'
import { type Controller, objectKey, splitKey } from './runtime.js'

/** The controller's name, in the managed-by label of its slices. */
export const mirroringControllerName = 'endpointslicemirroring-controller.k8s.io'
/** --mirroring-max-endpoints-per-subset's default. */
export const maxEndpointsPerSubset = 1000
const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror'
const leaderAnnotation = 'control-plane.alpha.kubernetes.io/leader'
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration'

/** shouldMirror: not marked skip-mirror, not a leader-election lock. */
function shouldMirror(ep: KubeObject | undefined): boolean {
  return !!ep && ep.metadata.labels?.[skipMirrorLabel] !== 'true' && ep.metadata.annotations?.[leaderAnnotation] === undefined
}

/** The slice annotations: the Endpoints' own but the trigger time and kubectl's last-applied configuration. */
function mirroredAnnotations(ep: EndpointsObject): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) if (k !== triggerTimeAnnotation && k !== lastAppliedAnnotation) out[k] = v
  return out
}

function mirroredLabels(ep: EndpointsObject): Record<string, string> {
  return { ...(ep.metadata.labels ?? {}), [serviceNameLabel]: ep.metadata.name ?? '', [managedByLabel]: mirroringControllerName }
}

/** addressToEndpoint: one address, ready or not, with its node, hostname and target. */
function addressToEndpoint(a: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [a.ip], conditions: { ready } }
  if (a.hostname) ep.hostname = a.hostname
  if (a.nodeName) ep.nodeName = a.nodeName
  if (a.targetRef) ep.targetRef = a.targetRef
  return ep
}

const validIP = (ip: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || isIPv6(ip)

/** newEndpointSlice of the mirroring controller: owned by the Endpoints. */
function mirroredSlice(ep: EndpointsObject, ports: EndpointPort[], addressType: string, name?: string): EndpointSlice {
  const annotations = mirroredAnnotations(ep)
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(name ? { name } : { generateName: `${ep.metadata.name}-` }),
      namespace: ep.metadata.namespace,
      labels: mirroredLabels(ep),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name ?? '', uid: ep.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType,
    endpoints: [],
    ports,
  }
}

/** What the mirroring reconciler changes, and the warnings it records on the Endpoints. */
export interface MirrorPlan {
  create: EndpointSlice[]
  update: EndpointSlice[]
  delete: EndpointSlice[]
  invalid: number
  skipped: number
}

/** reconcile: the desired endpoints by address type and port set, one slice each; unchanged slices are left alone. */
export function reconcileMirror(ep: EndpointsObject, existing: EndpointSlice[]): MirrorPlan {
  const desired = new Map<string, { type: string; ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>()
  let invalid = 0
  let skipped = 0
  for (const ss of repackSubsets(structuredClone(ep.subsets ?? []))) {
    const ports = sortPorts(
      (ss.ports ?? []).map((p: CorePort) => {
        const out: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }
        if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol
        return out
      }),
    )
    const keyOf = (type: string) => `${type}${portMapKey(ports)}`
    for (const type of ['IPv4', 'IPv6']) if (!desired.has(keyOf(type))) desired.set(keyOf(type), { type, ports, endpoints: new Map() })
    const total = (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0)
    let added = 0
    const add = (a: EndpointAddress, ready: boolean) => {
      if (added >= maxEndpointsPerSubset) return
      if (!validIP(a.ip)) {
        invalid++
        return
      }
      const e = addressToEndpoint(a, ready)
      desired.get(keyOf(a.ip.includes(':') ? 'IPv6' : 'IPv4'))!.endpoints.set(endpointKey(e), e)
      added++
    }
    for (const a of ss.addresses ?? []) add(a, true)
    for (const a of ss.notReadyAddresses ?? []) add(a, false)
    skipped += total - added
  }
  const existingByKey = new Map<string, EndpointSlice[]>()
  for (const s of existing) {
    const k = `${s.addressType}${portMapKey(s.ports)}`
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s])
  }
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalid, skipped }
  const labelsNoReserved = (s: EndpointSlice) => {
    const l = { ...(s.metadata.labels ?? {}) }
    delete l[managedByLabel]
    delete l[serviceNameLabel]
    return l
  }
  for (const [k, d] of desired) {
    const slices = existingByKey.get(k) ?? []
    if (d.endpoints.size === 0) {
      plan.delete.push(...slices)
      continue
    }
    if (slices.length) {
      plan.delete.push(...slices.slice(1))
      const first = slices[0]
      let same = (first.endpoints ?? []).length === d.endpoints.size
      if (same) for (const e of first.endpoints ?? []) if (!deepEqual(d.endpoints.get(endpointKey(e)), e)) same = false
      if (same && deepEqual(ep.metadata.labels ?? {}, labelsNoReserved(first)) && deepEqual(mirroredAnnotations(ep), first.metadata.annotations ?? {})) continue
    }
    const slice = mirroredSlice(ep, d.ports, d.type, slices[0]?.metadata.name)
    slice.endpoints = [...d.endpoints.values()].slice(0, maxEndpointsPerSubset)
    ;(slices.length ? plan.update : plan.create).push(slice)
  }
  for (const [k, slices] of existingByKey) if (!desired.has(k)) plan.delete.push(...slices)
  // recycleSlices: a slice to create takes the name of one to delete, per address type.
  for (const type of ['IPv4', 'IPv6']) {
    const creates = plan.create.filter((s) => s.addressType === type)
    const deletes = plan.delete.filter((s) => s.addressType === type)
    for (let i = 0; i < creates.length && i < deletes.length; i++) {
      plan.create.splice(plan.create.indexOf(creates[i]), 1)
      plan.delete.splice(plan.delete.indexOf(deletes[i]), 1)
      const { generateName: _g, ...meta } = creates[i].metadata
      plan.update.push({ ...creates[i], metadata: { ...meta, name: deletes[i].metadata.name } })
    }
  }
  return plan
}

/** Creates the controller; keys are Endpoints (= Service) keys. */
export function createEndpointSliceMirroringController(deps: ControllerDeps): Controller {
  const { events } = deps
  const source = { component: 'endpointslice-mirroring-controller' }
  const slices = deps.registry.resource<EndpointSlice>('discovery.k8s.io', 'endpointslices')
  const informers = deps.manager.informers
  const services = informers.for('', 'services')
  const endpoints = informers.for<EndpointsObject>('', 'endpoints')
  const cache = informers.for<EndpointSlice>('discovery.k8s.io', 'endpointslices')
  const syncing = new Set<string>()
  const mirrored = (ns: string, name: string) =>
    cache
      .byIndex(indexes.label, `${serviceNameLabel}=${name}`)
      .map((s) => s.obj as EndpointSlice)
      .filter((s) => (s.metadata.namespace ?? '') === ns && s.metadata.labels?.[managedByLabel] === mirroringControllerName)
  const hasSelector = (s: KubeObject) => !!(s as Service).spec?.selector

  return {
    name: 'endpointslice-mirroring',
    watches: [
      { group: '', plural: 'services', keys: (s, prev) => (!hasSelector(s) || (prev && hasSelector(prev) !== hasSelector(s)) ? [objectKey(s)] : []) },
      {
        group: '',
        plural: 'endpoints',
        keys: (e, prev) => {
          if (!shouldMirror(e) && !(prev && shouldMirror(prev))) return []
          // The endpoints controller's own Endpoints (a Service with a selector) have nothing mirrored.
          const svc = services.getObject(e.metadata.namespace ?? '', e.metadata.name ?? '')
          if (svc && hasSelector(svc) && !mirrored(e.metadata.namespace ?? '', e.metadata.name ?? '').length) return []
          return [objectKey(e)]
        },
      },
      {
        group: 'discovery.k8s.io',
        plural: 'endpointslices',
        keys: (s, _prev, type) => {
          const name = s.metadata.labels?.[serviceNameLabel]
          if (!type || !name || s.metadata.labels?.[managedByLabel] !== mirroringControllerName) return []
          const key = `${s.metadata.namespace ?? ''}/${name}`
          return syncing.has(key) ? [] : [key]
        },
      },
    ],
    async reconcile(key) {
      syncing.add(key)
      try {
        await sync(key)
      } finally {
        syncing.delete(key)
      }
    },
  }

  async function remove(ns: string, list: EndpointSlice[]): Promise<void> {
    for (const s of list) {
      try {
        await slices.delete(ns, s.metadata.name ?? '')
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const ep = endpoints.getObject(ns, name)
    const svc = services.getObject(ns, name)
    // No Endpoints, nothing to mirror, no Service, or one with a selector (the EndpointSlice controller's): no mirrored slices.
    if (!ep || !shouldMirror(ep) || !svc || hasSelector(svc)) return await remove(ns, mirrored(ns, name))
    const plan = reconcileMirror(ep, mirrored(ns, name))
    if (plan.invalid > 0)
      events.record(source, ep, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalid} invalid IP addresses when mirroring to EndpointSlices`)
    if (plan.skipped > plan.invalid)
      events.record(
        source,
        ep,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${maxEndpointsPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skipped} addresses were skipped`,
      )
    if (!ep.metadata.deletionTimestamp) {
      for (const s of plan.create) {
        try {
          await slices.create(ns, s)
        } catch (err) {
          if (namespaceTerminating(err)) return
          throw new Error(`failed to create EndpointSlice for Endpoints ${ns}/${name}: ${(err as Error).message}`)
        }
      }
    }
    for (const s of plan.update) await slices.update(ns, s.metadata.name ?? '', s)
    await remove(ns, plan.delete)
  }
}
