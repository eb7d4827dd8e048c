/** @module tolerations: does a pod tolerate a node taint (k8s.io/api/core/v1 toleration.go, taint.go). */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js'

/**
 * Toleration.ToleratesTaint: an empty effect matches every effect, an empty key with `Exists`
 * matches every key; `Equal` (or no operator) compares values. Pure.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  if (t.operator === 'Exists') return true
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '')
  return false
}

/** TolerationsTolerateTaint: true when any toleration in the list tolerates `taint`. */
export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint))
}

/**
 * FindMatchingUntoleratedTaint (component-helpers/scheduling/corev1): the first taint, in node
 * order, that passes `filter` and no toleration tolerates; undefined when all are tolerated.
 */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint))
}

/** The scheduler's TaintToleration filter only looks at these effects (PreferNoSchedule is a score). */
export const isSchedulingTaint = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute'
