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
import { type Quantity, formatQuantity, milliValue, unitValue } from '../shared/quantity-format.js'
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

/** requestLimitEnforcedValues: milli-values when the enforced amount allows, else whole units. */
function values(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const milli = unitValue(enforced) <= 9223372036854775n
  const v = (q: Quantity | undefined) => (q ? (milli ? milliValue(q) : unitValue(q)) : 0n)
  return [v(req), v(lim), v(enforced)]
}

const s = formatQuantity

function minConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const req = requests.get(name)
  const lim = limits.get(name)
  const [r, l, e] = values(req, lim, enforced)
  if (!req) return `minimum ${name} usage per ${type} is ${s(enforced)}.  No request is specified`
  if (r < e) return `minimum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${s(enforced)}, but limit is ${s(lim)}`
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const req = requests.get(name)
  const lim = limits.get(name)
  const [r, l, e] = values(req, lim, enforced)
  if (!lim) return `maximum ${name} usage per ${type} is ${s(enforced)}.  No limit is specified`
  if (l > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but limit is ${s(lim)}`
  if (req && r > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: QList): string | undefined {
  const req = requests.get(name)
  const [r, , e] = values(req, undefined, enforced)
  if (!req) return `maximum ${name} usage per ${type} is ${s(enforced)}.  No request is specified`
  if (r > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const [r, l] = values(requests.get(name), limits.get(name), enforced)
  const e = s(enforced)
  if (!requests.has(name) || r === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`
  if (!limits.has(name) || l === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`
  const observed = Number(l) / Number(r)
  const milli = unitValue(enforced) <= 9223372036854775n
  const [obs, max] = milli ? [observed * 1000, Number(milliValue(enforced))] : [observed, Number(unitValue(enforced))]
  if (obs > max) return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${observed.toFixed(6)}`
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
