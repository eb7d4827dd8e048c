/** @module pod-resources: a pod's effective requests and limits (k8s.io/component-helpers/resource PodRequests/PodLimits). */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { type Quantity, addQuantity, quantity } from '../shared/quantity-format.js'

/** A ResourceList of parsed quantities, keys in sorted order. */
export type QuantityList = Map<string, Quantity>

/** Parses a ResourceList (unparsable quantities are skipped: validation reports them). */
export function quantityList(m: unknown): QuantityList {
  const out: QuantityList = new Map()
  for (const [k, v] of Object.entries((m ?? {}) as Record<string, string | number>).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const q = quantity(v)
    if (q) out.set(k, q)
  }
  return out
}

/** `into` += `l`, key by key (quota.Add). Mutates `into`. */
export function addInto(into: QuantityList, l: QuantityList): QuantityList {
  for (const [k, v] of l) into.set(k, into.has(k) ? addQuantity(into.get(k)!, v) : v)
  return into
}

/**
 * PodRequests / PodLimits: the containers summed; each regular init container is a floor (with the
 * sidecars started before it); sidecar init containers (restartPolicy Always) add.
 */
export function podResourceTotals(pod: Pod, which: 'requests' | 'limits'): QuantityList {
  const sum: QuantityList = new Map()
  for (const c of pod.spec?.containers ?? []) addInto(sum, quantityList(c.resources?.[which]))
  const sidecars: QuantityList = new Map()
  for (const c of pod.spec?.initContainers ?? []) {
    const l = quantityList(c.resources?.[which])
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, l)
      addInto(sum, l)
      continue
    }
    for (const [k, v] of addInto(new Map(sidecars), l)) if (!sum.has(k) || sum.get(k)!.nanos < v.nanos) sum.set(k, v)
  }
  return sum
}
