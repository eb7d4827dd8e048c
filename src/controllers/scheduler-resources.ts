/** @module scheduler-resources: a pod's resource requests as the scheduler counts them (component-helpers/resource/helpers.go). */
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js'
import { parseQuantity } from '../registry/shared/quantity.js'

/** Requests in base units: cpu in millicores, memory/storage in bytes, other names as counts. */
export type ResourceList = Record<string, number>

/** Defaults the scorer assumes for containers that request nothing (pkg/scheduler/util/pod_resources.go). */
export const nonZeroDefaults = { cpu: 100, memory: 200 * 1024 * 1024 }

/** Parsed quantity strings: a cluster uses few distinct ones ("100m", "2Gi", "110"), parsed once each. */
const parsed = new Map<string, number | undefined>()
const parsedMax = 10_000

function cachedQuantity(v: string | number): number | undefined {
  if (typeof v === 'number') return v
  let n = parsed.get(v)
  if (n === undefined && !parsed.has(v)) {
    if (parsed.size >= parsedMax) parsed.clear()
    n = parseQuantity(v)
    parsed.set(v, n)
  }
  return n
}

/** Parses a Quantity map; cpu becomes millicores (rounded up, as MilliValue does). */
export function toResourceList(q: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {}
  for (const k in q ?? {}) {
    const n = cachedQuantity(q![k])
    if (n === undefined) continue
    out[k] = k === 'cpu' ? Math.ceil(n * 1000 - 1e-9) : Math.ceil(n - 1e-9)
  }
  return out
}

/** Whether two Quantity maps hold the same strings (so their parsed lists are equal). */
export function sameQuantities(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === b) return true
  const ka = Object.keys(a ?? {})
  if (ka.length !== Object.keys(b ?? {}).length) return false
  return ka.every((k) => a![k] === b?.[k])
}

/**
 * Adds `r` times `sign` (1 or -1) into `into`. A name that falls to 0 stays, at 0 (deleting
 * properties would push these hot objects into V8's slow dictionary mode). Mutates `into`.
 */
export function addResources(into: ResourceList, r: ResourceList, sign = 1): void {
  for (const k in r) into[k] = (into[k] ?? 0) + sign * r[k]
}

function add(into: ResourceList, r: ResourceList): void {
  for (const [k, v] of Object.entries(r)) into[k] = (into[k] ?? 0) + v
}

function maxInto(into: ResourceList, r: ResourceList): void {
  for (const [k, v] of Object.entries(r)) into[k] = Math.max(into[k] ?? 0, v)
}

function containerRequests(c: Container, nonZero: boolean): ResourceList {
  const r = toResourceList(c.resources?.requests as Record<string, string> | undefined)
  if (nonZero) {
    r.cpu ??= nonZeroDefaults.cpu
    r.memory ??= nonZeroDefaults.memory
  }
  return r
}

/**
 * PodRequests: the sum over containers, raised to any single init container's request
 * (restartable "sidecar" init containers add to everything after them), plus overhead.
 * `nonZero` substitutes the scorer's defaults for missing cpu/memory requests. Pure.
 */
export function podRequests(spec: PodSpec | undefined, nonZero = false): ResourceList {
  const total: ResourceList = {}
  for (const c of spec?.containers ?? []) add(total, containerRequests(c, nonZero))
  const sidecars: ResourceList = {}
  const initMax: ResourceList = {}
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero)
    if (c.restartPolicy === 'Always') {
      add(sidecars, r)
      maxInto(initMax, { ...sidecars })
    } else {
      const withSidecars = { ...r }
      add(withSidecars, sidecars)
      maxInto(initMax, withSidecars)
    }
  }
  add(total, sidecars)
  maxInto(total, initMax)
  add(total, toResourceList(spec?.overhead as Record<string, string> | undefined))
  return total
}
