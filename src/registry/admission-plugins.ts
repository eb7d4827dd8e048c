/** @module admission-plugins: the admission plugins a cluster runs, in kube-apiserver's order (--enable-admission-plugins defaults). */
import type { AdmissionPlugin } from './admission.js'
import type { Registry } from './registry.js'
import { createValidatingAdmissionPolicy } from './admissionregistration/validating-admission-policy.js'
import { createLimitRanger } from './core/limit-ranger.js'
import { createRBACEscalationCheck } from './rbac/escalation-check.js'
import { createResourceQuotaAdmission } from './core/resource-quota-admission.js'
import { createPriorityAdmission } from './scheduling/priority-admission.js'
import { createRuntimeClassAdmission } from './node/runtimeclass-admission.js'
import { createDefaultStorageClassAdmission } from './storage/default-storage-class.js'
import { createDefaultIngressClassAdmission } from './networking/default-ingress-class.js'
import { createMutatingWebhookAdmission, createValidatingWebhookAdmission } from './admissionregistration/webhook-admission.js'

/** Builds one plugin over the registry. */
export type AdmissionPluginFactory = (registry: Registry) => AdmissionPlugin

/**
 * In kube-apiserver's order (AllOrderedPlugins): LimitRanger, Priority, DefaultStorageClass,
 * RuntimeClass, DefaultIngressClass, MutatingAdmissionWebhook, ValidatingAdmissionPolicy,
 * ValidatingAdmissionWebhook, then
 * ResourceQuota last, so quota sees the defaulted resources and the resolved priority.
 */
export const defaultAdmissionPlugins: AdmissionPluginFactory[] = [
  // Not an admission plugin upstream but RBAC's policy-based storage, which checks before admission.
  (r) => createRBACEscalationCheck(r),
  (r) => createLimitRanger(r),
  (r) => createPriorityAdmission(r),
  (r) => createDefaultStorageClassAdmission(r),
  (r) => createRuntimeClassAdmission(r),
  (r) => createDefaultIngressClassAdmission(r),
  (r) => createMutatingWebhookAdmission(r),
  (r) => createValidatingAdmissionPolicy(r),
  (r) => createValidatingWebhookAdmission(r),
  (r) => createResourceQuotaAdmission(r),
]
