/**
 * @module endpointslice: the EndpointSlice controller (pkg/controller/endpointslice/
 * endpointslice_controller.go) — keeps every Service with a selector described by EndpointSlices
 * of at most 100 endpoints, owned by the Service (the garbage collector removes them with it).
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { EndpointSlice } from '../registry/discovery/endpointslices.js'
import type { KubeObject } from '../types.js'
import { serviceKeysForPodChange, servicePods, triggerTimeAnnotation } from './endpoint-pods.js'
import { rfc3339Nano, TriggerTimeTracker } from './endpoint-trigger-time.js'
import { endpointSliceControllerName, managedByLabel, reconcileSlices, serviceNameLabel } from './endpointslice-reconciler.js'
import type { ControllerDeps } from './index.js'
import { indexes } from './informers.js'
import { namespaceTerminating } from './replicaset.js'
import { type Controller, splitKey } from './runtime.js'

/** The Service key of a slice this controller manages (ServiceControllerKey), if it is one. */
function managedServiceKey(slice: KubeObject): string | undefined {
  const labels = slice.metadata.labels
  if (labels?.[managedByLabel] !== endpointSliceControllerName || !labels[serviceNameLabel]) return undefined
  return `${slice.metadata.namespace ?? ''}/${labels[serviceNameLabel]}`
}

/** addTriggerTimeAnnotation. */
function withTriggerTime(slice: EndpointSlice, triggerTime: number): EndpointSlice {
  const annotations = { ...(slice.metadata.annotations ?? {}) }
  if (triggerTime) annotations[triggerTimeAnnotation] = rfc3339Nano(triggerTime)
  else delete annotations[triggerTimeAnnotation]
  return { ...slice, metadata: { ...slice.metadata, annotations: Object.keys(annotations).length ? annotations : undefined } }
}

/** Creates the controller; keys are Service keys. */
export function createEndpointSliceController(deps: ControllerDeps): Controller {
  const slices = deps.registry.resource<EndpointSlice>('discovery.k8s.io', 'endpointslices')
  const informers = deps.manager.informers
  const services = informers.for('', 'services')
  const pods = informers.for('', 'pods')
  const nodes = informers.for('', 'nodes')
  const cache = informers.for<EndpointSlice>('discovery.k8s.io', 'endpointslices')
  const triggers = new TriggerTimeTracker()
  // EndpointSliceTracker: the generation this controller last wrote of each slice, so its own writes do not wake it.
  const written = new Map<string, number>()
  const sliceKey = (s: KubeObject) => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`
  // The Service being synced: the events of its own writes arrive before they return and must not wake it again.
  const syncing = new Set<string>()
  const deleting = new Set<string>()

  return {
    name: 'endpointslice',
    watches: [
      { group: '', plural: 'services' },
      { group: '', plural: 'pods', keys: (p, prev, type) => (type ? serviceKeysForPodChange(services, p, prev, type) : []) },
      {
        group: 'discovery.k8s.io',
        plural: 'endpointslices',
        keys: (s, _prev, type) => {
          const key = type && managedServiceKey(s)
          if (!key) return []
          if (type === 'DELETED') {
            written.delete(sliceKey(s))
            return deleting.has(sliceKey(s)) ? [] : [key]
          }
          if (syncing.has(key)) return []
          // Changed by someone else (ShouldSync): put it back.
          return written.get(sliceKey(s)) === (s.metadata.generation ?? 0) ? [] : [key]
        },
      },
      { group: '', plural: 'nodes', keys: () => [] },
    ],
    async reconcile(key) {
      syncing.add(key)
      try {
        return await sync(key)
      } finally {
        syncing.delete(key)
      }
    },
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key)
    const svc = services.getObject(ns, name) as Service | undefined
    if (!svc) {
      // The garbage collector deletes the slices (they are owned by the Service).
      triggers.delete(key)
      return
    }
    if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return
    const selected = servicePods(pods, svc)
    const existing = cache
      .byIndex(indexes.label, `${serviceNameLabel}=${name}`)
      .map((s) => s.obj as EndpointSlice)
      .filter(
        (s) => (s.metadata.namespace ?? '') === ns && s.metadata.labels?.[managedByLabel] === endpointSliceControllerName && !s.metadata.deletionTimestamp,
      )
    const triggerTime = triggers.compute(key, svc, selected)
    const plan = reconcileSlices(svc, selected, existing, (n) => nodes.getObject('', n) as Node | undefined)
    const track = (s: KubeObject) => written.set(sliceKey(s), s.metadata.generation ?? 0)
    // Slices are not created for a Service being deleted (the garbage collector is removing them).
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of plan.create) {
        try {
          track((await slices.create(ns, withTriggerTime(s, triggerTime))).obj)
        } catch (err) {
          if (namespaceTerminating(err)) return
          throw new Error(`failed to create EndpointSlice for Service ${ns}/${name}: ${(err as Error).message}`)
        }
      }
    }
    for (const s of plan.update) {
      try {
        track((await slices.update(ns, s.metadata.name ?? '', withTriggerTime(s, triggerTime))).obj)
      } catch (err) {
        if (err instanceof StatusError) throw err
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for Service ${ns}/${name}: ${(err as Error).message}`)
      }
    }
    for (const s of plan.delete) {
      deleting.add(sliceKey(s))
      try {
        await slices.delete(ns, s.metadata.name ?? '')
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      } finally {
        deleting.delete(sliceKey(s))
      }
      written.delete(sliceKey(s))
    }
    // A pod on a missing node is retried (with backoff) once the rest is written.
    if (plan.errors.length) throw new Error(plan.errors.join('; '))
  }
}
