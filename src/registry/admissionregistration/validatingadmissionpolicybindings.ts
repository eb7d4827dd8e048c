/** @module validatingadmissionpolicybindings: the admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding definition (pkg/registry/admissionregistration/validatingadmissionpolicybinding/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { loadCel } from '../cel/load-cel.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { defaultMatchResources, validateBinding } from './policy-validation.js'
import type { ValidatingAdmissionPolicyBinding } from './policy-types.js'

/** Cluster-scoped, printed NAME POLICYNAME PARAMREF AGE. */
export const validatingAdmissionPolicyBindings: ResourceDefinition<ValidatingAdmissionPolicyBinding> = {
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings',
  singular: 'validatingadmissionpolicybinding',
  namespaced: false,
  categories: ['api-extensions'],
  hasGeneration: true,
  generationFields: (b) => b.spec,
  applyDefaults: (b) => defaultMatchResources(b.spec?.matchResources),
  validate: validateBinding,
  load: loadCel,
  columns: [
    nameColumn,
    {
      name: 'PolicyName',
      type: 'string',
      description: 'PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.',
    },
    { name: 'ParamRef', type: 'string', description: 'paramRef specifies the parameter resource used to configure the admission control policy.' },
    ageColumn,
  ],
  row: (b, now) => {
    const ref = b.spec?.paramRef
    return [
      b.metadata.name ?? '',
      b.spec?.policyName ?? '',
      ref ? (ref.name ? `${ref.namespace ? `${ref.namespace}/` : '*/'}${ref.name}` : '*/*') : '<unset>',
      translateTimestampSince(b.metadata.creationTimestamp, now),
    ]
  },
}
