/** @module priorityclasses: the scheduling.k8s.io/v1 PriorityClass definition (pkg/registry/scheduling/priorityclass/strategy.go). */
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { validatePriorityClass, validatePriorityClassUpdate } from './priorityclass-validation.js'

/** A PriorityClass as stored (no spec: its fields sit at the top level). */
export type PriorityClass = KubeObject & { value?: number; globalDefault?: boolean; description?: string; preemptionPolicy?: string }

/** `pc`: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY (printPriorityClass). */
export const priorityClasses: ResourceDefinition<PriorityClass> = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  shortNames: ['pc'],
  // PrepareForCreate sets generation 1; nothing bumps it (there is no spec).
  hasGeneration: true,
  generationFields: () => undefined,
  applyDefaults(pc) {
    // SetDefaults_PriorityClass.
    pc.preemptionPolicy ??= 'PreemptLowerPriority'
    // `value` has no omitempty: an absent value reads back as 0.
    pc.value ??= 0
  },
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  columns: [
    nameColumn,
    {
      name: 'Value',
      type: 'integer',
      description:
        'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
    },
    {
      name: 'Global-Default',
      type: 'boolean',
      description:
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
    },
    ageColumn,
    {
      name: 'PreemptionPolicy',
      type: 'string',
      description:
        'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
    },
  ],
  row: (pc, now) => [
    pc.metadata.name ?? '',
    pc.value ?? 0,
    pc.globalDefault ?? false,
    translateTimestampSince(pc.metadata.creationTimestamp, now),
    pc.preemptionPolicy ?? '<unset>',
  ],
}
