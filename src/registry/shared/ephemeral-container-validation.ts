/**
 * @module ephemeral-container-validation: validateEphemeralContainers from
 * pkg/apis/core/validation/validation.go (1.32): the common container rules, names unique across
 * every container of the pod, `targetContainerName` naming a regular or init container, and an
 * allow-list of fields (ports, probes, lifecycle, resources, resize and restart policies are
 * forbidden).
 */
import type { Container, EphemeralContainer, PodSpec } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { validateContainer } from './container-validation.js'
import { duplicate, forbidden, notFound } from './field-errors.js'

/**
 * The EphemeralContainerCommon fields an ephemeral container may not set, in the struct's order
 * (validateFieldAllowList walks the fields in order; allowedEphemeralContainerFields has them false).
 */
const disallowedFields = ['ports', 'resources', 'resizePolicy', 'restartPolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const

const cannotBeSet = 'cannot be set for an Ephemeral Container'

/** reflect.Value.IsZero on the Go field: absent, or a struct (resources) with nothing set. */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null) return true
  if (typeof v === 'object' && !Array.isArray(v)) return Object.values(v).every((x) => x === undefined || x === null)
  return false
}

/**
 * Validates `spec.ephemeralContainers` (at `path`) against the rest of the spec; pure.
 * `volumeNames` are the pod's volumes (mounts must name one).
 */
export function validateEphemeralContainers(spec: PodSpec, path: string, volumeNames: Set<string>): FieldError[] {
  const list = spec.ephemeralContainers ?? []
  if (list.length === 0) return []
  const errs: FieldError[] = []
  const others = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name))
  const all = new Set(others)
  list.forEach((ec: EphemeralContainer, i) => {
    const p = `${path}[${i}]`
    // validateContainerCommon: the probes and lifecycle are not checked for ephemeral containers
    // (the allow-list below forbids them instead).
    const { livenessProbe: _l, readinessProbe: _r, startupProbe: _s, lifecycle: _lc, targetContainerName: _t, ...common } = ec
    errs.push(...validateContainer(common as Container, p, { volumeNames }))
    if (all.has(ec.name)) errs.push(duplicate(`${p}.name`, ec.name))
    else all.add(ec.name)
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) errs.push(notFound(`${p}.targetContainerName`, ec.targetContainerName))
    const fields = ec as unknown as Record<string, unknown>
    for (const f of disallowedFields) if (!isZero(fields[f])) errs.push(forbidden(`${p}.${f}`, cannotBeSet))
    ;(ec.volumeMounts ?? []).forEach((m, j) => {
      if (m.subPath) errs.push(forbidden(`${p}.volumeMounts[${j}].subPath`, cannotBeSet))
      if (m.subPathExpr) errs.push(forbidden(`${p}.volumeMounts[${j}].subPathExpr`, cannotBeSet))
    })
  })
  return errs
}
