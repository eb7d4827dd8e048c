/** @module mutatingwebhookconfigurations: the admissionregistration.k8s.io/v1 MutatingWebhookConfiguration definition. */
import { webhookConfigurationDefinition } from './webhook-configuration-definition.js'

/** Webhooks the MutatingAdmissionWebhook plugin calls (in name order of the configurations). */
export const mutatingWebhookConfigurations = webhookConfigurationDefinition('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', true)
