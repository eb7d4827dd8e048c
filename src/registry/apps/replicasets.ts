/** @module replicasets: the apps/v1 ReplicaSet definition (pkg/registry/apps/replicaset/strategy.go). */
import type { ReplicaSetSpec, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { replicatedRow } from '../shared/workload-columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { ageColumn, containersColumn, imagesColumn, intColumn, nameColumn, selectorColumn } from './columns.js'
import { validateNonnegative } from './int-or-percent.js'
import { defaultTemplateMetadata, validateAlwaysRunningTemplate, validateSelectorImmutable, validateWorkloadSelector } from './workload-validation.js'
import { scaleSubresource, statusSubresource } from './deployments.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A ReplicaSet as stored. */
export type ReplicaSet = KubeObject & { spec?: ReplicaSetSpec; status?: ReplicaSetStatus }

/** `rs`: NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR (printReplicaSet). */
export const replicaSets: ResourceDefinition<ReplicaSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: [statusSubresource, scaleSubresource],
  hasGeneration: true,
  applyDefaults(obj) {
    const spec = (obj.spec ??= {} as ReplicaSetSpec)
    spec.replicas ??= 1
    spec.template ??= {}
    defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
    if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
  },
  prepareForCreate(obj) {
    // status.replicas has no omitempty, so a fresh ReplicaSet reads back `status: {replicas: 0}`.
    obj.status = { replicas: 0 }
  },
  ...specStatusUpdates<ReplicaSet>(),
  validate(obj) {
    const spec = obj.spec ?? ({} as ReplicaSetSpec)
    return [
      ...validateNonnegative(spec.replicas, 'spec.replicas'),
      ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
      // Upstream ValidateReplicaSetSpec really says "deployment" here.
      ...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'),
      ...validateAlwaysRunningTemplate(spec.template, spec.selector, 'spec.template', 'ReplicaSet'),
    ]
  },
  validateUpdate: (obj, old) => validateSelectorImmutable(obj.spec?.selector, old.spec?.selector),
  // ReplicaSetToSelectableFields adds status.replicas.
  selectableFields: (obj) => ({ 'status.replicas': String(obj.status?.replicas ?? 0) }),
  columns: [
    nameColumn,
    intColumn('Desired', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
    intColumn('Current', 'Replicas is the most recently observed number of replicas.'),
    intColumn('Ready', 'The number of ready replicas for this replica set.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      ...selectorColumn,
      description:
        'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.',
    },
  ],
  row: (obj, now) => replicatedRow(obj, now, labelSelectorAsString(obj.spec?.selector)),
}
