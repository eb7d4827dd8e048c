/** @module workload-validation: selector and pod-template rules shared by ReplicaSet-like kinds (pkg/apis/apps/validation/validation.go). */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { validateLabelSelector } from '../shared/validation.js'
import { validatePodTemplateSpec } from '../shared/pod-spec.js'
import { labelSelectorMatches } from '../shared/label-selector-match.js'
import { goSelectorValue } from '../../util/go-value.js'

/**
 * spec.selector: required, a valid selector, and not empty (`empty selector is invalid for <word>`).
 * Note ReplicaSets really say "deployment" here (upstream copy-paste), so the word is a parameter.
 */
export function validateWorkloadSelector(selector: LabelSelector | undefined, field: string, word: string): FieldError[] {
  if (!selector) return [{ type: 'FieldValueRequired', field, detail: '' }]
  const errs = validateLabelSelector(selector, field)
  const n = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0)
  if (n === 0) errs.push({ type: 'FieldValueInvalid', field, badValue: goSelectorValue(selector), detail: `empty selector is invalid for ${word}` })
  return errs
}

/**
 * The pod template of a workload whose pods always run (ValidatePodTemplateSpecForReplicaSet): template
 * labels match the selector, the pod spec is valid, restartPolicy is Always, no activeDeadlineSeconds.
 * `kind` words the activeDeadlineSeconds message ("ReplicaSet", "DaemonSet", "StatefulSet").
 */
export function validateAlwaysRunningTemplate(
  tpl: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
  field: string,
  kind: string,
): FieldError[] {
  if (!tpl) return [{ type: 'FieldValueRequired', field, detail: '' }]
  const nonEmpty = selector && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) > 0
  const errs = validatePodTemplateSpec(tpl, field, nonEmpty ? selector : undefined)
  const rp = tpl.spec?.restartPolicy
  if (rp !== undefined && rp !== 'Always') {
    errs.push({ type: 'FieldValueNotSupported', field: `${field}.spec.restartPolicy`, badValue: rp, detail: 'supported values: "Always"' })
  }
  if (tpl.spec?.activeDeadlineSeconds !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: `${field}.spec.activeDeadlineSeconds`, detail: `activeDeadlineSeconds in ${kind} is not Supported` })
  }
  return errs
}

/** ValidateImmutableField for the selector: `spec.selector: Invalid value: v1.LabelSelector{…}: field is immutable`. */
export function validateSelectorImmutable(selector: LabelSelector | undefined, old: LabelSelector | undefined, field = 'spec.selector'): FieldError[] {
  if (JSON.stringify(selector ?? null) === JSON.stringify(old ?? null)) return []
  return [{ type: 'FieldValueInvalid', field, badValue: goSelectorValue(selector), detail: 'field is immutable' }]
}

/** Deep equality for JSON values (key order independent), like apiequality.Semantic.DeepEqual on API objects. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]))
  }
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined)
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined)
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]))
}

/** Pod templates always serialize `metadata.creationTimestamp: null` (a non-omitempty metav1.Time). */
export function defaultTemplateMetadata(tpl: { metadata?: Record<string, unknown> } | undefined): void {
  if (!tpl) return
  tpl.metadata ??= {}
  if (!('creationTimestamp' in tpl.metadata)) tpl.metadata.creationTimestamp = null
}

/**
 * Whether `labels` satisfy `selector` (LabelSelectorAsSelector(...).Matches). Returns undefined when the
 * selector is missing, where upstream skips its "does not match" check.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean | undefined {
  return selector ? labelSelectorMatches(selector, labels) : undefined
}
