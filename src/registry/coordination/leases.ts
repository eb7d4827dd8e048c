/** @module leases: the coordination.k8s.io/v1 Lease definition (pkg/apis/coordination/validation/validation.go). */
import type { LeaseSpec } from 'kubernetes-types/coordination/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'

/** A Lease as stored. */
export type Lease = KubeObject & { spec?: LeaseSpec & { strategy?: string; preferredHolder?: string } }

/** ValidateLeaseSpec. */
function validate(obj: Lease): FieldError[] {
  const spec = obj.spec ?? {}
  const errs: FieldError[] = []
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.leaseDurationSeconds', badValue: spec.leaseDurationSeconds, detail: 'must be greater than 0' })
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.leaseTransitions', badValue: spec.leaseTransitions, detail: 'must be greater than or equal to 0' })
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push({ type: 'FieldValueForbidden', field: 'spec.preferredHolder', detail: 'may only be specified if `strategy` is defined' })
  }
  return errs
}

/** NAME HOLDER AGE (printLease); HOLDER is `spec.holderIdentity` or empty. */
export const leases: ResourceDefinition<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  validate,
  columns: [
    nameColumn,
    stringColumn(
      'Holder',
      'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
    ),
    ageColumn,
  ],
  row: (obj, now) => [obj.metadata.name ?? '', obj.spec?.holderIdentity ?? '', translateTimestampSince(obj.metadata.creationTimestamp, now)],
}
