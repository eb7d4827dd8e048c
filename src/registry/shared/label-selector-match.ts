/** @module label-selector-match: does a metav1.LabelSelector select a label set (LabelSelectorAsSelector + Matches). */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import { labelSelectorFromObject, matchRequirements } from '../../store/selectors.js'

/**
 * True when every matchLabels pair and every matchExpressions requirement holds for `labels`.
 * An empty selector matches everything (callers that treat empty as "nothing" check first); an
 * invalid one matches nothing. The matching itself is the one in store/selectors.ts.
 */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true
  try {
    return matchRequirements(labelSelectorFromObject(sel), labels ?? {})
  } catch {
    return false
  }
}

/** True when the selector has neither matchLabels nor matchExpressions (selector.Empty()). */
export function labelSelectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
}
