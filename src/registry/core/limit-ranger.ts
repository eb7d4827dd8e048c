/**
 * @module limit-ranger: the LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go):
 * defaults container requests/limits from the namespace's LimitRanges, then enforces min, max and
 * maxLimitRequestRatio per Container, per Pod and per PersistentVolumeClaim.
 */
import type { Container, LimitRangeItem, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { type AdmissionAttributes, type AdmissionPlugin, admissionName } from '../admission.js'
import type { Registry } from '../registry.js'
import type { Quantity } from '../shared/quantity-format.js'
import { maxConstraint, maxRequestConstraint, minConstraint, ratioConstraint } from './limit-constraints.js'
import { podResourceTotals, quantityList as qlist } from './pod-resources.js'
import type { LimitRange } from './limitranges.js'

type Lists = Record<string, string | number>
type QList = Map<string, Quantity>

/** The annotation the plugin leaves on pods whose resources it defaulted. */
export const limitRangerAnnotation = 'kubernetes.io/limit-ranger'

/** mergeContainerResources: fills missing limits and requests; returns the annotation phrases. */
function mergeContainer(c: Container, defaults: { limits: Lists; requests: Lists }, prefix: string, notes: string[]): void {
  const res = (c.resources ??= {})
  const limits = (res.limits ??= {}) as Lists
  const requests = (res.requests ??= {}) as Lists
  const setLimits = Object.keys(defaults.limits).filter((k) => !(k in limits))
  const setRequests = Object.keys(defaults.requests).filter((k) => !(k in requests))
  for (const k of setLimits) limits[k] = defaults.limits[k]
  for (const k of setRequests) requests[k] = defaults.requests[k]
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`)
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`)
}

/** PodMutateLimitFunc: the Container items' default/defaultRequest applied to every (init) container. */
export function mutatePod(lr: LimitRange, pod: Pod): void {
  const defaults = { limits: {} as Lists, requests: {} as Lists }
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue
    Object.assign(defaults.requests, item.defaultRequest ?? {})
    Object.assign(defaults.limits, item.default ?? {})
  }
  const spec = pod.spec
  if (!spec) return
  const notes: string[] = []
  for (const c of spec.containers ?? []) mergeContainer(c, defaults, 'container', notes)
  for (const c of spec.initContainers ?? []) mergeContainer(c, defaults, 'init container', notes)
  if (notes.length)
    pod.metadata = {
      ...pod.metadata,
      annotations: { ...(pod.metadata?.annotations ?? {}), [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` },
    }
}

/** One item's min/max/ratio checks against a requests/limits pair, in key order. */
function checkItem(item: LimitRangeItem, type: string, requests: QList, limits: QList, out: string[]): void {
  for (const [k, v] of qlist(item.min)) out.push(minConstraint(type, k, v, requests, limits) ?? '')
  for (const [k, v] of qlist(item.max)) out.push(maxConstraint(type, k, v, requests, limits) ?? '')
  for (const [k, v] of qlist(item.maxLimitRequestRatio)) out.push(ratioConstraint(type, k, v, requests, limits) ?? '')
}

/** PodValidateLimitFunc: the messages of every violated constraint. */
export function validatePodLimits(lr: LimitRange, pod: Pod): string[] {
  const out: string[] = []
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])])
        checkItem(item, 'Container', qlist(c.resources?.requests), qlist(c.resources?.limits), out)
    } else if (item.type === 'Pod') checkItem(item, 'Pod', podResourceTotals(pod, 'requests'), podResourceTotals(pod, 'limits'), out)
  }
  return out.filter(Boolean)
}

/** PersistentVolumeClaimValidateLimitFunc: min and max storage requests. */
export function validateClaimLimits(lr: LimitRange, pvc: PersistentVolumeClaim): string[] {
  const out: string[] = []
  const requests = qlist(pvc.spec?.resources?.requests)
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue
    for (const [k, v] of qlist(item.min)) out.push(minConstraint('PersistentVolumeClaim', k, v, requests, new Map()) ?? '')
    for (const [k, v] of qlist(item.max)) out.push(maxRequestConstraint('PersistentVolumeClaim', k, v, requests) ?? '')
  }
  return out.filter(Boolean)
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]` (duplicates dropped). */
export function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)]
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`
}

/**
 * The LimitRanger plugin: pod creates are mutated then validated; claims are validated on create and
 * update. Pod updates are skipped, as upstream (containers cannot change).
 */
export function createLimitRanger(registry: Registry): AdmissionPlugin {
  const ranges = (ns: string): LimitRange[] => {
    const rs = registry.find('', 'limitranges')
    return rs ? (rs.list(ns).items.map((x) => x.obj) as LimitRange[]) : []
  }
  const handles = (a: AdmissionAttributes) =>
    a.resource.group === '' && ((a.resource.resource === 'pods' && a.operation === 'CREATE') || a.resource.resource === 'persistentvolumeclaims')
  return {
    name: 'LimitRanger',
    admit(a) {
      if (!handles(a) || a.resource.resource !== 'pods') return
      for (const lr of ranges(a.namespace)) mutatePod(lr, a.obj as Pod & KubeObject)
    },
    validate(a) {
      if (!handles(a)) return
      for (const lr of ranges(a.namespace)) {
        const msgs = a.resource.resource === 'pods' ? validatePodLimits(lr, a.obj as Pod) : validateClaimLimits(lr, a.obj as PersistentVolumeClaim)
        if (msgs.length) throw StatusError.forbidden(a.resource, admissionName(a), aggregate(msgs))
      }
    },
  }
}
