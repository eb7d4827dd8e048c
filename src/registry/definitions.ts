/** @module definitions: the single list of every served resource kind. */
import type { AnyResourceDefinition } from './resource-definition.js'
import { namespaces } from './core/namespaces.js'
import { nodes } from './core/nodes.js'
import { pods } from './core/pods.js'
import { services } from './core/services.js'
import { endpoints } from './core/endpoints.js'
import { configMaps } from './core/configmaps.js'
import { secrets } from './core/secrets.js'
import { serviceAccounts } from './core/serviceaccounts.js'
import { events } from './core/events.js'
import { deployments } from './apps/deployments.js'
import { replicaSets } from './apps/replicasets.js'
import { daemonSets } from './apps/daemonsets.js'
import { statefulSets } from './apps/statefulsets.js'
import { controllerRevisions } from './apps/controllerrevisions.js'
import { podDisruptionBudgets } from './policy/poddisruptionbudgets.js'
import { eventsV1 } from './events/events.js'
import { leases } from './coordination/leases.js'
import { priorityClasses } from './scheduling/priorityclasses.js'
import { runtimeClasses } from './node/runtimeclasses.js'
import { endpointSlices } from './discovery/endpointslices.js'
import { horizontalPodAutoscalers } from './autoscaling/horizontalpodautoscalers.js'
import { jobs } from './batch/jobs.js'
import { cronJobs } from './batch/cronjobs.js'
import { ingressClasses } from './networking/ingressclasses.js'
import { ingresses } from './networking/ingresses.js'
import { networkPolicies } from './networking/networkpolicies.js'
import { apiServices } from './apiregistration/apiservices.js'
import { certificateSigningRequests } from './certificates/certificatesigningrequests.js'
import { flowSchemas } from './flowcontrol/flowschemas.js'
import { priorityLevelConfigurations } from './flowcontrol/prioritylevelconfigurations.js'
import { persistentVolumes } from './core/persistentvolumes.js'
import { persistentVolumeClaims } from './core/persistentvolumeclaims.js'
import { storageClasses } from './storage/storageclasses.js'
import { csiDrivers } from './storage/csidrivers.js'
import { csiNodes } from './storage/csinodes.js'
import { csiStorageCapacities } from './storage/csistoragecapacities.js'
import { volumeAttachments } from './storage/volumeattachments.js'
import { replicationControllers } from './core/replicationcontrollers.js'
import { podTemplates } from './core/podtemplates.js'
import { limitRanges } from './core/limitranges.js'
import { resourceQuotas } from './core/resourcequotas.js'
import { componentStatuses } from './core/componentstatuses.js'
import { bindings } from './core/bindings.js'
import { nodeMetrics } from './metrics/nodemetrics.js'
import { podMetrics } from './metrics/podmetrics.js'
import { mutatingWebhookConfigurations } from './admissionregistration/mutatingwebhookconfigurations.js'
import { validatingWebhookConfigurations } from './admissionregistration/validatingwebhookconfigurations.js'
import { validatingAdmissionPolicies } from './admissionregistration/validatingadmissionpolicies.js'
import { validatingAdmissionPolicyBindings } from './admissionregistration/validatingadmissionpolicybindings.js'
import { clusterRoleBindings } from './rbac/clusterrolebindings.js'
import { clusterRoles } from './rbac/clusterroles.js'
import { roleBindings } from './rbac/rolebindings.js'
import { roles } from './rbac/roles.js'
import { localSubjectAccessReviews } from './authorization/localsubjectaccessreviews.js'
import { selfSubjectAccessReviews } from './authorization/selfsubjectaccessreviews.js'
import { selfSubjectRulesReviews } from './authorization/selfsubjectrulesreviews.js'
import { subjectAccessReviews } from './authorization/subjectaccessreviews.js'
import { customResourceDefinitions } from './apiextensions/customresourcedefinitions.js'
import { tokenReviews } from './authentication/tokenreviews.js'
import { selfSubjectReviews } from './authentication/selfsubjectreviews.js'

/**
 * Every kind the API serves, in discovery order: core first, then the groups in the order
 * kube-apiserver lists them under /apis (by their APIServices' groupPriorityMinimum: apiregistration
 * 18000, apps 17800, events 17750, autoscaling 17500, … flowcontrol 16100). Adding a kind means
 * adding its definition file and one line here.
 */
export const definitions: AnyResourceDefinition[] = [
  pods,
  services,
  endpoints,
  namespaces,
  nodes,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  replicationControllers,
  podTemplates,
  limitRanges,
  resourceQuotas,
  componentStatuses,
  bindings,
  persistentVolumes,
  persistentVolumeClaims,
  apiServices,
  deployments,
  replicaSets,
  daemonSets,
  statefulSets,
  controllerRevisions,
  eventsV1,
  tokenReviews,
  selfSubjectReviews,
  localSubjectAccessReviews,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  subjectAccessReviews,
  horizontalPodAutoscalers,
  jobs,
  cronJobs,
  certificateSigningRequests,
  ingressClasses,
  ingresses,
  networkPolicies,
  podDisruptionBudgets,
  clusterRoleBindings,
  clusterRoles,
  roleBindings,
  roles,
  storageClasses,
  csiDrivers,
  csiNodes,
  csiStorageCapacities,
  volumeAttachments,
  mutatingWebhookConfigurations,
  validatingWebhookConfigurations,
  validatingAdmissionPolicies,
  validatingAdmissionPolicyBindings,
  customResourceDefinitions,
  priorityClasses,
  leases,
  runtimeClasses,
  endpointSlices,
  flowSchemas,
  priorityLevelConfigurations,
  // Served in-process for the metrics-server APIService (groupPriorityMinimum 100: listed last).
  nodeMetrics,
  podMetrics,
]
