/**
 * @module pod-ephemeral-containers: the pods/ephemeralcontainers update strategy
 * (pkg/registry/core/pod/strategy.go podEphemeralContainersStrategy) and
 * ValidatePodEphemeralContainersUpdate (pkg/apis/core/validation/validation.go).
 */
import type { EphemeralContainer } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import type { SubresourceStrategy } from '../resource-definition.js'
import { forbidden } from '../shared/field-errors.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { validatePodSpec } from '../shared/pod-spec-validation.js'
import { deepEqual } from '../../util/deep-equal.js'
import type { PodObject } from './pod-printer.js'

const mirrorPodAnnotation = 'kubernetes.io/config.mirror'

/**
 * dropNonEphemeralContainerUpdates: the stored pod with only `spec.ephemeralContainers` (defaulted
 * as SetDefaults_EphemeralContainer does) taken from the request, plus its resourceVersion.
 */
function prepareForUpdate(pod: PodObject, old: PodObject): void {
  const requested = structuredClone(pod.spec?.ephemeralContainers ?? [])
  const spec = { ...(old.spec ?? { containers: [] }), ephemeralContainers: requested }
  if (requested.length === 0 && !old.spec?.ephemeralContainers) delete (spec as { ephemeralContainers?: unknown }).ephemeralContainers
  defaultPodSpec({ containers: [], ephemeralContainers: requested }, { template: false })
  pod.spec = spec
  pod.status = old.status
  pod.metadata = { ...old.metadata, resourceVersion: pod.metadata.resourceVersion }
}

/** A cmp.Diff-like rendering of the fields of an ephemeral container that changed. */
function containerDiff(old: EphemeralContainer, now: EphemeralContainer): string {
  const o = old as unknown as Record<string, unknown>
  const n = now as unknown as Record<string, unknown>
  const lines: string[] = ['  core.EphemeralContainer{']
  for (const k of [...new Set([...Object.keys(o), ...Object.keys(n)])]) {
    if (deepEqual(o[k], n[k])) continue
    const goName = k.charAt(0).toUpperCase() + k.slice(1)
    if (o[k] !== undefined) lines.push(`- \t${goName}: ${JSON.stringify(o[k])},`)
    if (n[k] !== undefined) lines.push(`+ \t${goName}: ${JSON.stringify(n[k])},`)
  }
  lines.push('  }', '')
  return lines.join('\n')
}

/**
 * ValidatePodEphemeralContainersUpdate: the whole pod validates, static pods take none, and the
 * existing ephemeral containers are neither removed nor changed (looked up by name: a patch
 * does not keep their order).
 */
export function validateEphemeralContainersUpdate(pod: PodObject, old: PodObject): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec')
  if (old.metadata.annotations?.[mirrorPodAnnotation] !== undefined) return [forbidden('', 'static pods do not support ephemeral containers')]
  const byName = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]))
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const next = byName.get(prev.name)
    if (!next) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${prev.name}" may not be removed\n`))
    else if (!deepEqual(prev, next)) {
      errs.push(
        forbidden(`spec.ephemeralContainers[${prev.name}]`, `existing ephemeral containers "${prev.name}" may not be changed\n${containerDiff(prev, next)}`),
      )
    }
  }
  return errs
}

/** The strategy the generic registry runs for writes to pods/ephemeralcontainers. */
export const ephemeralContainersStrategy: SubresourceStrategy<PodObject> = {
  prepareForUpdate,
  validateUpdate: validateEphemeralContainersUpdate,
}
