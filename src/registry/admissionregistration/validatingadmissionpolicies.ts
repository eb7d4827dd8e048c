/** @module validatingadmissionpolicies: the admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy definition (pkg/registry/admissionregistration/validatingadmissionpolicy/strategy.go). */
import { loadCel } from '../cel/load-cel.js'
import { statusSubresource } from '../apps/deployments.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { specStatusUpdates } from '../shared/spec-status.js'
import { defaultPolicy, validatePolicy } from './policy-validation.js'
import type { ValidatingAdmissionPolicy } from './policy-types.js'

/** Cluster-scoped, spec/status, printed NAME VALIDATIONS PARAMKIND AGE. */
export const validatingAdmissionPolicies: ResourceDefinition<ValidatingAdmissionPolicy> = {
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies',
  singular: 'validatingadmissionpolicy',
  namespaced: false,
  categories: ['api-extensions'],
  hasGeneration: true,
  generationFields: (p) => p.spec,
  subresources: [statusSubresource],
  prepareForCreate(p) {
    delete p.status
  },
  ...specStatusUpdates<ValidatingAdmissionPolicy>(),
  applyDefaults: defaultPolicy,
  validate: validatePolicy,
  load: loadCel,
  columns: [
    nameColumn,
    { name: 'Validations', type: 'integer', description: 'Validations indicates the number of validation rules defined in this configuration' },
    { name: 'ParamKind', type: 'string', description: 'ParamKind specifies the kind of resources used to parameterize this policy' },
    ageColumn,
  ],
  row: (p, now) => [
    p.metadata.name ?? '',
    p.spec?.validations?.length ?? 0,
    p.spec?.paramKind ? `${p.spec.paramKind.apiVersion}/${p.spec.paramKind.kind}` : '<unset>',
    translateTimestampSince(p.metadata.creationTimestamp, now),
  ],
}
