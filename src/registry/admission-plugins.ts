/** @module admission-plugins: the admission plugins a cluster runs, in kube-apiserver's order (--enable-admission-plugins defaults). */
import type { AdmissionPlugin } from './admission.js'
import type { Registry } from './registry.js'
import { createLimitRanger } from './core/limit-ranger.js'
import { createResourceQuotaAdmission } from './core/resource-quota-admission.js'

/** Builds one plugin over the registry. */
export type AdmissionPluginFactory = (registry: Registry) => AdmissionPlugin

/** LimitRanger before ResourceQuota, as upstream orders them (quota sees the defaulted resources). */
export const defaultAdmissionPlugins: AdmissionPluginFactory[] = [(r) => createLimitRanger(r), (r) => createResourceQuotaAdmission(r)]
