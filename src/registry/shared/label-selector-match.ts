/** @module label-selector-match: does a metav1.LabelSelector select a label set (LabelSelectorAsSelector + Matches). */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'

/**
 * True when every matchLabels pair and every matchExpressions requirement holds for `labels`.
 * An empty selector matches everything (callers that treat empty as "nothing" check first).
 */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false
  for (const e of sel?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key)
    const values = e.values ?? []
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false
        break
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        return false
    }
  }
  return true
}

/** True when the selector has neither matchLabels nor matchExpressions (selector.Empty()). */
export function labelSelectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
}
