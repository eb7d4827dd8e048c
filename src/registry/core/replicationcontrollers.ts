/** @module replicationcontrollers: the core/v1 ReplicationController definition (pkg/registry/core/replicationcontroller/strategy.go). */
import type { PodTemplateSpec, ReplicationControllerSpec, ReplicationControllerStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { replicatedRow } from '../shared/workload-columns.js'
import { ageColumn, containersColumn, imagesColumn, intColumn, nameColumn } from '../apps/columns.js'
import { validateNonnegative } from '../apps/int-or-percent.js'
import { defaultTemplateMetadata, validateAlwaysRunningTemplate } from '../apps/workload-validation.js'
import { scaleSubresource, statusSubresource } from '../apps/deployments.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A ReplicationController as stored. */
export type ReplicationController = KubeObject & { spec?: ReplicationControllerSpec; status?: ReplicationControllerStatus }

/** labels.SelectorFromSet(m).String(): sorted `k=v` joined by ",", "" when empty. */
export function selectorFromSet(m: Record<string, string> | undefined | null): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${m![k]}`)
    .join(',')
}

/**
 * SetDefaults_ReplicationController (pkg/apis/core/v1/defaults.go): the selector and the object's
 * labels default to the template's labels when empty, replicas to 1.
 */
function applyDefaults(obj: ReplicationController): void {
  const spec = (obj.spec ??= {} as ReplicationControllerSpec)
  const labels = spec.template?.metadata?.labels
  if (labels) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels }
    if (Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels }
  }
  spec.replicas ??= 1
  if (spec.template) {
    defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
    if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
  }
}

/** ValidateReplicationControllerSpec (pkg/apis/core/validation/validation.go). */
function validateSpec(spec: ReplicationControllerSpec): ReturnType<typeof validateNonnegative> {
  const selector = spec.selector ?? {}
  const errs = validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds')
  if (Object.keys(selector).length === 0) errs.push({ type: 'FieldValueRequired', field: 'spec.selector', detail: '' })
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'))
  // ValidatePodTemplateSpecForRC: the selector must match the template labels (when not empty).
  errs.push(...validateAlwaysRunningTemplate(spec.template as PodTemplateSpec | undefined, { matchLabels: selector }, 'spec.template', 'ReplicationController'))
  return errs
}

/** ValidateReplicationControllerStatus: non-negative counts, none above status.replicas, available ≤ ready. */
function validateStatus(st: ReplicationControllerStatus): ReturnType<typeof validateNonnegative> {
  const p = (f: string) => `status.${f}`
  const n = (v: number | undefined) => v ?? 0
  const errs = (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const).flatMap((f) =>
    validateNonnegative(st[f], p(f)),
  )
  const over = 'cannot be greater than status.replicas'
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const)
    if (n(st[f]) > n(st.replicas)) errs.push({ type: 'FieldValueInvalid', field: p(f), badValue: n(st[f]), detail: over })
  if (n(st.availableReplicas) > n(st.readyReplicas))
    errs.push({ type: 'FieldValueInvalid', field: p('availableReplicas'), badValue: n(st.availableReplicas), detail: 'cannot be greater than readyReplicas' })
  return errs
}

/** `rc`: NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR (printReplicationController). */
export const replicationControllers: ResourceDefinition<ReplicationController> = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: [statusSubresource, scaleSubresource],
  hasGeneration: true,
  storagePrefix: 'controllers',
  applyDefaults,
  prepareForCreate(obj) {
    // status.replicas has no omitempty: a fresh RC reads back `status: {replicas: 0}`.
    obj.status = { replicas: 0 }
  },
  ...specStatusUpdates<ReplicationController>(),
  validate: (obj) => validateSpec(obj.spec ?? ({} as ReplicationControllerSpec)),
  validateStatusUpdate: (obj) => validateStatus(obj.status ?? ({} as ReplicationControllerStatus)),
  // ControllerToSelectableFields adds status.replicas.
  selectableFields: (obj) => ({ 'status.replicas': String(obj.status?.replicas ?? 0) }),
  scaleSelector: (obj) => selectorFromSet(obj.spec?.selector),
  columns: [
    nameColumn,
    intColumn(
      'Desired',
      'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
    ),
    intColumn(
      'Current',
      'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
    ),
    intColumn('Ready', 'The number of ready replicas for this replication controller.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    },
  ],
  row: (obj, now) => replicatedRow(obj, now, selectorFromSet(obj.spec?.selector)),
}
