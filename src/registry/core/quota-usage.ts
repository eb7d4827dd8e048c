/**
 * @module quota-usage: what one object charges against a ResourceQuota and which quotas cover it
 * (pkg/quota/v1/evaluator/core: pods.go, services.go, persistent_volume_claims.go, object_count.go).
 * Pure: the admission plugin charges a new object's usage, the controller sums it over a namespace.
 */
import type { Pod, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js'
import type { ResourceQuota } from './resourcequotas.js'
import type { ResourceRef } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { type Quantity, quantity } from '../shared/quantity-format.js'
import { computePodQOS } from './pod-qos.js'
import { addInto, podResourceTotals, type QuantityList } from './pod-resources.js'

const one = (): Quantity => ({ nanos: 1_000_000_000n, format: 'DecimalSI' })
const count = (n: number): Quantity => ({ nanos: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' })

/** The quota name counting objects of a resource (`count/pods`, `count/deployments.apps`). */
export function objectCountName(r: ResourceRef): string {
  return r.group ? `count/${r.resource}.${r.group}` : `count/${r.resource}`
}

/** The legacy object-count names of core resources. */
const legacyCounts = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims'])

const podComputeNames = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
])

/** podComputeUsageHelper: pods=1 plus bare/requests./limits. names for cpu, memory and ephemeral storage, requests.<extended>. */
function podComputeUsage(requests: QuantityList, limits: QuantityList): QuantityList {
  const out: QuantityList = new Map([['pods', one()]])
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r)
    if (req) out.set(r, req).set(`requests.${r}`, req)
    const lim = limits.get(r)
    if (lim) out.set(`limits.${r}`, lim)
  }
  for (const [k, v] of requests) {
    if (k.startsWith('hugepages-')) out.set(k, v).set(`requests.${k}`, v)
    else if (k.includes('/') && !k.startsWith('kubernetes.io/') && !k.startsWith('requests.')) out.set(`requests.${k}`, v)
  }
  return out
}

/** QuotaV1Pod: a terminal pod, or one past its deletion grace, no longer uses compute quota. */
export function podCountsForCompute(pod: Pod, nowMs: number): boolean {
  const phase = pod.status?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return false
  const del = pod.metadata?.deletionTimestamp
  if (del && pod.metadata?.deletionGracePeriodSeconds !== undefined && nowMs > Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000) return false
  return true
}

/** The usage one object of `r` charges (Usage of its evaluator). */
export function usageOf(r: ResourceRef, obj: KubeObject, nowMs: number): QuantityList {
  const out: QuantityList = new Map([[objectCountName(r), one()]])
  if (r.group !== '') return out
  if (r.resource === 'pods') {
    const pod = obj as Pod
    if (!podCountsForCompute(pod, nowMs)) return out
    return addInto(out, podComputeUsage(podResourceTotals(pod, 'requests'), podResourceTotals(pod, 'limits')))
  }
  if (legacyCounts.has(r.resource)) out.set(r.resource, one())
  if (r.resource === 'services') {
    const spec = (obj as Service).spec ?? {}
    const ports = spec.ports ?? []
    if (spec.type === 'NodePort') out.set('services.nodeports', count(ports.length))
    if (spec.type === 'LoadBalancer') {
      const n = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length
      out.set('services.nodeports', count(n)).set('services.loadbalancers', one())
    }
  }
  if (r.resource === 'persistentvolumeclaims') {
    const spec = (obj as { spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } } }).spec
    const storage = quantity(spec?.resources?.requests?.storage)
    if (storage) out.set('requests.storage', storage)
    const sc = spec?.storageClassName
    if (sc) {
      out.set(`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`, one())
      if (storage) out.set(`${sc}.storageclass.storage.k8s.io/requests.storage`, storage)
    }
  }
  return out
}

/** MatchingResources: the quota names `r`'s evaluator tracks, among `names`. */
export function matchingResources(r: ResourceRef, names: string[]): string[] {
  const countName = objectCountName(r)
  return names.filter((n) => {
    if (n === countName) return true
    if (r.group !== '') return false
    switch (r.resource) {
      case 'pods':
        return (
          n === 'pods' ||
          podComputeNames.has(n) ||
          n.startsWith('requests.hugepages-') ||
          n.startsWith('hugepages-') ||
          (n.startsWith('requests.') && n.includes('/'))
        )
      case 'services':
        return n === 'services' || n === 'services.nodeports' || n === 'services.loadbalancers'
      case 'persistentvolumeclaims':
        return (
          n === 'persistentvolumeclaims' || n === 'requests.storage' || /\.storageclass\.storage\.k8s\.io\/(persistentvolumeclaims|requests\.storage)$/.test(n)
        )
      default:
        return legacyCounts.has(r.resource) && n === r.resource
    }
  })
}

/** getScopeSelectorsFromQuota: spec.scopes as Exists requirements, then scopeSelector's expressions. */
export function quotaScopes(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])]
}

/** podMatchesScopeFunc for one requirement. */
function podMatchesScope(s: ScopedResourceSelectorRequirement, pod: Pod): boolean {
  const ads = pod.spec?.activeDeadlineSeconds
  switch (s.scopeName) {
    case 'Terminating':
      return ads !== undefined && ads !== null && ads >= 0
    case 'NotTerminating':
      return ads === undefined || ads === null
    case 'BestEffort':
      return computePodQOS(pod.spec) === 'BestEffort'
    case 'NotBestEffort':
      return computePodQOS(pod.spec) !== 'BestEffort'
    case 'PriorityClass': {
      // The selector runs against {PriorityClass: <name>}: the key is always there, possibly empty.
      const v = pod.spec?.priorityClassName ?? ''
      if (s.operator === 'Exists') return true
      if (s.operator === 'DoesNotExist') return false
      const inValues = (s.values ?? []).includes(v)
      return s.operator === 'In' ? inValues : !inValues
    }
    default:
      return false
  }
}

/** Matches: the quota tracks one of the evaluator's resources (in status.hard) and every scope selects the object. */
export function quotaCovers(q: ResourceQuota, r: ResourceRef, obj: KubeObject): boolean {
  if (matchingResources(r, Object.keys(q.status?.hard ?? {})).length === 0) return false
  const isPod = r.group === '' && r.resource === 'pods'
  return quotaScopes(q).every((s) => isPod && podMatchesScope(s, obj as Pod))
}

/** Like quotaCovers, for the controller: against spec.hard (status may not be written yet). */
export function quotaSelects(q: ResourceQuota, r: ResourceRef, obj: KubeObject): boolean {
  const isPod = r.group === '' && r.resource === 'pods'
  return quotaScopes(q).every((s) => isPod && podMatchesScope(s, obj as Pod))
}

/** The validation set: if a quota limits cpu or memory, every container must say how much it uses. */
const constrained = ['cpu', 'limits.cpu', 'limits.memory', 'memory', 'requests.cpu', 'requests.memory']

/** podEvaluator.Constraints: `must specify limits.cpu for: a,b; requests.memory for: a`, or undefined. */
export function podConstraints(required: string[], pod: Pod): string | undefined {
  const need = constrained.filter((n) => required.includes(n))
  if (!need.length) return undefined
  const missing = new Map<string, Set<string>>()
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const reqs = new Map<string, Quantity>()
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) reqs.set(k, quantity(v as string)!)
    const lims = new Map<string, Quantity>()
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) lims.set(k, quantity(v as string)!)
    const has = podComputeUsage(reqs, lims)
    for (const n of need) if (!has.has(n)) (missing.get(n) ?? missing.set(n, new Set()).get(n)!).add(c.name)
  }
  if (!missing.size) return undefined
  const parts = [...missing.keys()].sort().map((n) => `${n} for: ${[...missing.get(n)!].sort().join(',')}`)
  return `must specify ${parts.join('; ')}`
}
