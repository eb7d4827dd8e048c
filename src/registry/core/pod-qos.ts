/** @module pod-qos: the pod QoS class (ComputePodQOS in pkg/apis/core/helper/qos/qos.go). */
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import { parseQuantity } from '../shared/quantity.js'

/** Only cpu and memory decide QoS (isSupportedQoSComputeResource). */
const qosResources = ['cpu', 'memory']

/**
 * `Guaranteed` when every container (init included) sets positive cpu and memory limits and
 * the summed requests equal the summed limits for every resource; `BestEffort` when nothing
 * positive is requested or limited; otherwise `Burstable`. Call after requests were defaulted
 * from limits.
 */
export function computePodQOS(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>()
  const limits = new Map<string, number>()
  let guaranteed = true
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      const v = parseQuantity(q)
      if (!qosResources.includes(name) || !v || v <= 0) continue
      requests.set(name, (requests.get(name) ?? 0) + v)
    }
    const found = new Set<string>()
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      const v = parseQuantity(q)
      if (!qosResources.includes(name) || !v || v <= 0) continue
      found.add(name)
      limits.set(name, (limits.get(name) ?? 0) + v)
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort'
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name)
      if (lim === undefined || Math.abs(lim - req) > 1e-9 * Math.max(1, lim)) {
        guaranteed = false
        break
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable'
}
