/**
 * @module resource-quota-admission: the ResourceQuota admission plugin
 * (plugin/pkg/admission/resourcequota/controller.go checkRequest): charges a new object's usage to
 * every quota of its namespace that covers it, refusing it when a quota would be exceeded.
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../../errors.js'
import { type AdmissionAttributes, type AdmissionPlugin, admissionName } from '../admission.js'
import type { Registry } from '../registry.js'
import { type Quantity, addQuantity, formatQuantity, quantity, zeroQuantity } from '../shared/quantity-format.js'
import type { QuantityList } from './pod-resources.js'
import { matchingResources, podConstraints, quotaCovers, usageOf } from './quota-usage.js'
import type { ResourceQuota } from './resourcequotas.js'

/** prettyPrint: `k=v` sorted by key, joined by ",". */
function prettyPrint(m: Map<string, Quantity>): string {
  return [...m.keys()]
    .sort()
    .map((k) => `${k}=${formatQuantity(m.get(k)!)}`)
    .join(',')
}

const parse = (m: Record<string, string> | undefined): QuantityList => {
  const out: QuantityList = new Map()
  for (const [k, v] of Object.entries(m ?? {})) {
    const q = quantity(v)
    if (q) out.set(k, q)
  }
  return out
}

/**
 * What charging `delta` does to one quota: the new status.used, or the refusal. Pure: the plugin
 * runs it inside the quota's compare-and-swap, so two creates never both take the last unit.
 */
export function chargeQuota(q: ResourceQuota, delta: QuantityList): { used: Record<string, string> } | { exceeded: string } {
  const hard = parse(q.status?.hard as Record<string, string>)
  const used = parse(q.status?.used as Record<string, string>)
  const requested = new Map([...delta].filter(([k, v]) => hard.has(k) && v.nanos !== 0n))
  const next = new Map(used)
  const exceeded: string[] = []
  for (const [k, v] of requested) {
    const n = addQuantity(used.get(k) ?? zeroQuantity, v)
    next.set(k, n)
    if (n.nanos > hard.get(k)!.nanos) exceeded.push(k)
  }
  if (exceeded.length) {
    const mask = (m: QuantityList) => new Map([...m].filter(([k]) => exceeded.includes(k)))
    return {
      exceeded: `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested))}, used: ${prettyPrint(mask(used))}, limited: ${prettyPrint(mask(hard))}`,
    }
  }
  const out = { ...((q.status?.used ?? {}) as Record<string, string>) }
  for (const k of requested.keys()) out[k] = formatQuantity(next.get(k)!)
  return { used: out }
}

/** Evaluators that charge updates too (Handles): services (type changes) and claims (resizes); pod resizes are not simulated. */
const chargesUpdates = new Set(['services', 'persistentvolumeclaims'])

/** The ResourceQuota plugin: every create; updates of services and claims, charged by what they add. */
export function createResourceQuotaAdmission(registry: Registry): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(a: AdmissionAttributes) {
      if (!a.namespace) return
      if (a.operation === 'UPDATE' && !(a.resource.group === '' && chargesUpdates.has(a.resource.resource) && a.old)) return
      const quotas = registry.find('', 'resourcequotas')
      if (!quotas) return
      const list = quotas.list(a.namespace).items.map((s) => s.obj as ResourceQuota)
      if (list.length === 0) return
      const name = admissionName(a)
      const interesting: ResourceQuota[] = []
      for (const q of list) {
        if (!quotaCovers(q, a.resource, a.obj)) continue
        const hard = Object.keys(q.status?.hard ?? {})
        const restricted = matchingResources(a.resource, hard)
        const isPod = a.resource.group === '' && a.resource.resource === 'pods'
        const missing = isPod ? podConstraints(restricted, a.obj as Pod) : undefined
        if (missing) throw StatusError.forbidden(a.resource, name, `failed quota: ${q.metadata.name}: ${missing}`)
        const unknown = restricted.filter((r) => !(r in (q.status?.used ?? {})))
        if (unknown.length)
          throw StatusError.forbidden(a.resource, name, `status unknown for quota: ${q.metadata.name}, resources: ${unknown.sort().join(',')}`)
        interesting.push(q)
      }
      if (!interesting.length) return
      const now = registry.clock.now()
      const delta = usageOf(a.resource, a.obj, now)
      // An update is charged what it adds (quota.Subtract of the old usage; zeros removed below).
      if (a.old) for (const [k, v] of usageOf(a.resource, a.old, now)) delta.set(k, addQuantity(delta.get(k) ?? zeroQuantity, { ...v, nanos: -v.nanos }))
      for (const [k, v] of delta) if (v.nanos <= 0n) delta.delete(k)
      if (!delta.size) return
      // Check every quota first (a dry run, or a refusal by a later quota, charges nothing) ...
      for (const q of interesting) {
        const r = chargeQuota(q, delta)
        if ('exceeded' in r) throw StatusError.forbidden(a.resource, name, r.exceeded)
      }
      if (a.dryRun) return
      // ... then charge each quota atomically against its current version.
      for (const q of interesting) {
        await quotas.guaranteedUpdate(
          a.namespace,
          q.metadata.name ?? '',
          (cur) => {
            const r = chargeQuota(cur as ResourceQuota, delta)
            if ('exceeded' in r) throw StatusError.forbidden(a.resource, name, r.exceeded)
            return { ...cur, status: { ...(cur.status as object), used: r.used } }
          },
          { subresource: 'status', shallow: true },
        )
      }
    },
  }
}
