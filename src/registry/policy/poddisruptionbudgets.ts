/** @module poddisruptionbudgets: the policy/v1 PodDisruptionBudget definition (pkg/registry/policy/poddisruptionbudget/strategy.go). */
import type { PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { validateLabelSelector } from '../shared/validation.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../apps/int-or-percent.js'
import { GoLiteral } from '../../util/go-value.js'
import { statusSubresource } from '../apps/deployments.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A PodDisruptionBudget as stored. */
export type PodDisruptionBudget = KubeObject & { spec?: PodDisruptionBudgetSpec; status?: PodDisruptionBudgetStatus }

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget']

/** ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation/validation.go). */
function validate(obj: PodDisruptionBudget): FieldError[] {
  const spec = obj.spec ?? {}
  const errs: FieldError[] = []
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    // Upstream prints the whole spec struct with %#v; its pointers are heap addresses, so only the shape matches.
    const bad = new GoLiteral(
      'policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), Selector:(*v1.LabelSelector)(0xc000000000), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}',
    )
    errs.push({ type: 'FieldValueInvalid', field: 'spec', badValue: bad, detail: 'minAvailable and maxUnavailable cannot be both set' })
  }
  for (const k of ['minAvailable', 'maxUnavailable'] as const) {
    if (spec[k] === undefined) continue
    errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...isNotMoreThan100Percent(spec[k], `spec.${k}`))
  }
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'))
  const p = spec.unhealthyPodEvictionPolicy
  if (p !== undefined && !evictionPolicies.includes(p)) {
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'spec.unhealthyPodEvictionPolicy',
      badValue: p,
      detail: 'supported values: "AlwaysAllow", "IfHealthyBudget"',
    })
  }
  return errs
}

/** IntOrString.String(): ints as decimals, strings verbatim; `N/A` when unset. */
function intOrStringCell(v: number | string | undefined): string {
  return v === undefined ? 'N/A' : String(v)
}

/** `pdb`: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE (printPodDisruptionBudget). */
export const podDisruptionBudgets: ResourceDefinition<PodDisruptionBudget> = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: [statusSubresource],
  hasGeneration: true,
  prepareForCreate(obj) {
    // The four counters have no omitempty, so they read back as zeros.
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }
  },
  ...specStatusUpdates<PodDisruptionBudget>(),
  validate,
  columns: [
    nameColumn,
    stringColumn('Min Available', 'The minimum number of pods that must be available.'),
    stringColumn('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.' },
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    intOrStringCell(obj.spec?.minAvailable),
    intOrStringCell(obj.spec?.maxUnavailable),
    obj.status?.disruptionsAllowed ?? 0,
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
