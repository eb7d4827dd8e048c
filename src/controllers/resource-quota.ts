/**
 * @module resource-quota: the resource quota controller (pkg/controller/resourcequota): keeps each
 * quota's status.hard equal to spec.hard and status.used equal to what the namespace's objects use.
 */
import type { ResourceRef } from '../errors.js'
import { StatusError } from '../errors.js'
import type { ResourceQuota } from '../registry/core/resourcequotas.js'
import { matchingResources, quotaSelects, usageOf } from '../registry/core/quota-usage.js'
import { type Quantity, addQuantity, canonicalQuantity, formatQuantity, zeroQuantity } from '../registry/shared/quantity-format.js'
import type { KubeObject } from '../types.js'
import { deepEqual } from '../util/deep-equal.js'
import type { ControllerDeps } from './index.js'
import type { Controller, WatchSpec } from './runtime.js'
import { splitKey } from './runtime.js'

/** The kinds whose objects the controller counts from informer caches (others are listed on demand). */
const watched: ResourceRef[] = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'services' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'secrets' },
  { group: '', resource: 'replicationcontrollers' },
  { group: '', resource: 'resourcequotas' },
  { group: '', resource: 'persistentvolumeclaims' },
]

/** The resource a `count/<resource>[.<group>]` name counts. */
function countedResource(name: string): ResourceRef | undefined {
  if (!name.startsWith('count/')) return undefined
  const rest = name.slice('count/'.length)
  const dot = rest.indexOf('.')
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) }
}

/** The quota controller: reconcile by quota key; any counted object's change re-syncs its namespace's quotas. */
export function createResourceQuotaController(deps: ControllerDeps): Controller {
  const { registry, clock } = deps
  const quotas = registry.resource<ResourceQuota>('', 'resourcequotas')
  const informers = deps.manager.informers
  const quotaCache = informers.for<ResourceQuota>('', 'resourcequotas')
  const present = watched.filter((r) => registry.find(r.group, r.resource))
  const caches = new Map(present.map((r) => [`${r.group}/${r.resource}`, informers.for(r.group, r.resource)]))
  const quotasOf = (obj: KubeObject) => {
    const ns = obj.metadata.namespace ?? ''
    return quotaCache.list(ns).map((s) => `${ns}/${s.obj.metadata.name}`)
  }

  /** The objects of `r` in `ns`: from the informer when there is one, else a registry list. */
  function objectsOf(r: ResourceRef, ns: string): KubeObject[] {
    const cache = caches.get(`${r.group}/${r.resource}`)
    if (cache) return cache.list(ns).map((s) => s.obj)
    const rs = registry.find(r.group, r.resource)
    return rs ? rs.list(ns).items.map((s) => s.obj) : []
  }

  /** CalculateUsage: for every resource evaluator that tracks a hard name, the sum over matching objects. */
  function usage(q: ResourceQuota): Record<string, string> {
    const ns = q.metadata.namespace ?? ''
    const hard = Object.keys(q.spec?.hard ?? {})
    const kinds = new Map<string, ResourceRef>(present.map((r) => [`${r.group}/${r.resource}`, r]))
    for (const n of hard) {
      const r = countedResource(n)
      if (r && registry.find(r.group, r.resource)) kinds.set(`${r.group}/${r.resource}`, r)
    }
    const sums = new Map<string, Quantity>()
    const now = clock.now()
    for (const r of kinds.values()) {
      const names = matchingResources(r, hard)
      if (!names.length) continue
      for (const obj of objectsOf(r, ns)) {
        if (!quotaSelects(q, r, obj)) continue
        for (const [k, v] of usageOf(r, obj, now)) if (names.includes(k)) sums.set(k, addQuantity(sums.get(k) ?? zeroQuantity, v))
      }
    }
    const used: Record<string, string> = {}
    for (const k of hard) used[k] = formatQuantity(sums.get(k) ?? zeroQuantity)
    return used
  }

  const watches: WatchSpec[] = [
    // A quota's own key too: the cache may not list a quota yet when its ADDED event is mapped.
    { group: '', plural: 'resourcequotas', keys: (o) => [...new Set([...quotasOf(o), `${o.metadata.namespace ?? ''}/${o.metadata.name}`])] },
    ...present.filter((r) => r.resource !== 'resourcequotas').map((r) => ({ group: r.group, plural: r.resource, keys: quotasOf })),
  ]
  return {
    name: 'resourcequota',
    watches,
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const stored = quotaCache.get(ns, name)
      if (!stored || stored.obj.metadata.deletionTimestamp) return
      const q = stored.obj as ResourceQuota
      // Quantities read back canonical (`1000m` → `1`), as the apiserver serializes them.
      const hard = Object.fromEntries(Object.entries((q.spec?.hard ?? {}) as Record<string, string>).map(([k, v]) => [k, canonicalQuantity(v)]))
      const status = { hard, used: usage(q) }
      if (deepEqual(q.status ?? {}, status)) return
      try {
        await quotas.guaranteedUpdate(
          ns,
          name,
          (cur) => {
            if (cur.metadata.uid !== q.metadata.uid) throw StatusError.notFound(quotas.ref, name)
            return { ...cur, status }
          },
          { subresource: 'status', shallow: true },
        )
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    },
  }
}
