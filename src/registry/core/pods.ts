/** @module pods: the core/v1 Pod definition (pkg/registry/core/pod/strategy.go + admission defaults). */
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec, validatePodSpec } from '../shared/pod-spec.js'
import { forbidden } from '../shared/field-errors.js'
import { admitPod } from './pod-admission.js'
import { ephemeralContainersStrategy } from './pod-ephemeral-containers.js'
import { computePodQOS } from './pod-qos.js'
import { validatePodSpecUpdate } from './pod-update-validation.js'
import { podColumns, podRow, podRowConditions, type PodObject } from './pod-printer.js'

export type { PodObject } from './pod-printer.js'

const emptySpec = { containers: [] }

/** Connect-style subresources accept every HTTP method; discovery lists these verbs. */
const proxyVerbs = ['create', 'delete', 'get', 'patch', 'update']

/**
 * Pods: defaults (PodSpec + Pod-only), admission additions on create (service account token
 * volume, default tolerations, priority), `status: {phase: Pending, qosClass}` on create,
 * spec immutability on update, the pod printer and graceful deletion.
 */
export const pods: ResourceDefinition<PodObject> = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: [
    { name: 'attach', verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
    { name: 'binding', verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
    { name: 'ephemeralcontainers', verbs: ['get', 'patch', 'update'] },
    { name: 'eviction', verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
    { name: 'exec', verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
    { name: 'log', verbs: ['get'] },
    { name: 'portforward', verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
    { name: 'proxy', verbs: proxyVerbs, kind: { group: '', version: 'v1', kind: 'PodProxyOptions' } },
    { name: 'status', verbs: ['get', 'patch', 'update'] },
  ],

  applyDefaults(pod) {
    pod.spec ??= { containers: [] }
    defaultPodSpec(pod.spec, { template: false })
  },

  // In the order of the default plugin chain (Priority before RuntimeClass).

  prepareForCreate(pod, ctx) {
    admitPod(pod.spec!, ctx.randomSuffix)
    pod.status = { phase: 'Pending', qosClass: computePodQOS(pod.spec) }
    // applySchedulingGatedCondition: gated pods say why they are not scheduled yet.
    if ((pod.spec?.schedulingGates ?? []).length > 0) {
      pod.status.conditions = [
        { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
      ]
    }
  },

  prepareForUpdate(pod, old) {
    pod.status = structuredClone(old.status)
  },

  prepareForStatusUpdate(pod, old) {
    // Stored objects are immutable, so the old spec can be shared instead of copied (status writes
    // are the kubelet's hot path).
    pod.spec = old.spec
    // Old kubelets corrupt ownerReferences through /status; upstream ignores them there.
    if (old.metadata.ownerReferences) pod.metadata.ownerReferences = old.metadata.ownerReferences
    else delete pod.metadata.ownerReferences
  },

  validate(pod) {
    return validatePodSpec(pod.spec, 'spec')
  },

  // ValidatePodCreate: ephemeral containers only come through pods/ephemeralcontainers.
  validateCreate(pod) {
    return (pod.spec?.ephemeralContainers ?? []).length > 0 ? [forbidden('spec.ephemeralContainers', 'cannot be set on create')] : []
  },

  subresourceStrategies: { ephemeralcontainers: ephemeralContainersStrategy },

  validateUpdate(pod, old) {
    return validatePodSpecUpdate(pod.spec ?? emptySpec, old.spec ?? emptySpec)
  },

  fieldLabelAliases: { 'spec.host': 'spec.nodeName' },

  selectableFields(pod) {
    const nodeName = pod.spec?.nodeName ?? ''
    return {
      'spec.nodeName': nodeName,
      'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
      'spec.schedulerName': pod.spec?.schedulerName ?? '',
      'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
      'status.phase': pod.status?.phase ?? '',
      'status.podIP': pod.status?.podIPs?.[0]?.ip ?? '',
      // Accepted by the field-label conversion but absent from ToSelectableFields, so it only matches "".
      'status.podIPs': '',
      'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
    }
  },

  columns: podColumns,
  row: podRow,
  rowConditions: podRowConditions,

  returnDeletedObject: true,

  // CheckGracefulDelete: unscheduled or finished pods go at once; negative periods become 1.
  gracePeriod(pod, requested) {
    let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30
    if (!pod.spec?.nodeName) period = 0
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') period = 0
    return period < 0 ? 1 : period
  },
}
