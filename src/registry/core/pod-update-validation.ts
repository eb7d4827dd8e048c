/** @module pod-update-validation: ValidatePodUpdate's immutability rules (pkg/apis/core/validation/validation.go). */
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { forbidden, invalid, required } from '../shared/field-errors.js'
import { inclusiveRangeError } from '../shared/container-validation.js'

const maxInt32 = 2147483647

/** The Forbidden text for a spec change outside the mutable fields (followed by a diff). */
export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'

/**
 * Pod spec update rules: same containers (count), images required, activeDeadlineSeconds only
 * lowered and never unset, tolerations only added (tolerationSeconds may change), and nothing
 * else in spec may change: `spec: Forbidden: pod updates may not change fields other than …`
 * followed by a diff (upstream prints cmp.Diff of the internal PodSpec; ours is an
 * approximation listing the changed fields with -/+ lines).
 */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec): FieldError[] {
  const errs: FieldError[] = []
  for (const kind of ['containers', 'initContainers'] as const) {
    const a = spec[kind] ?? []
    const b = old[kind] ?? []
    if (a.length !== b.length) return [forbidden(`spec.${kind}`, 'pod updates may not add or remove containers')]
    a.forEach((c, i) => {
      if (!c.image) errs.push(required(`spec.${kind}[${i}].image`))
    })
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds
    if (v < 0 || v > maxInt32) return [...errs, invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, maxInt32))]
    if (old.activeDeadlineSeconds !== undefined && old.activeDeadlineSeconds !== null && old.activeDeadlineSeconds < v) {
      return [...errs, invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value')]
    }
  } else if (old.activeDeadlineSeconds !== undefined && old.activeDeadlineSeconds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'))
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations ?? [], old.tolerations ?? []))

  // Munge the mutable fields to their old values; whatever still differs is forbidden.
  const munged: PodSpec = structuredClone(spec)
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: old.containers?.[i]?.image }))
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: old.initContainers?.[i]?.image }))
  setOrDelete(munged, 'activeDeadlineSeconds', old.activeDeadlineSeconds)
  setOrDelete(munged, 'schedulingGates', old.schedulingGates)
  setOrDelete(munged, 'tolerations', old.tolerations)
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds
  }
  const diff = specDiff(old, munged)
  if (diff) errs.push(forbidden('spec', `${podUpdateForbiddenMessage}\n${diff}`))
  return errs
}

function setOrDelete<K extends keyof PodSpec>(spec: PodSpec, key: K, value: PodSpec[K] | undefined): void {
  if (value === undefined) delete spec[key]
  else spec[key] = structuredClone(value)
}

/** validateOnlyAddedTolerations: every old toleration must still exist (tolerationSeconds aside). */
function validateOnlyAddedTolerations(now: Toleration[], old: Toleration[]): FieldError[] {
  const key = (t: Toleration): string => JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? ''])
  const present = new Set(now.map(key))
  for (const t of old) {
    if (!present.has(key(t))) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')]
  }
  return []
}

/** A cmp.Diff-like rendering of the top-level PodSpec fields that differ; '' when equal. */
function specDiff(old: PodSpec, now: PodSpec): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()
  const o = old as unknown as Record<string, unknown>
  const n = now as unknown as Record<string, unknown>
  const lines: string[] = []
  for (const k of keys) {
    const a = JSON.stringify(o[k])
    const b = JSON.stringify(n[k])
    if (a === b) continue
    const goName = k.charAt(0).toUpperCase() + k.slice(1)
    if (a !== undefined) lines.push(`- \t${goName}: ${a},`)
    if (b !== undefined) lines.push(`+ \t${goName}: ${b},`)
  }
  if (lines.length === 0) return ''
  return ['  core.PodSpec{', ...lines, '  }', ''].join('\n')
}
