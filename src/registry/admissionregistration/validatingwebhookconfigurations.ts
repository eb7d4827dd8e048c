/** @module validatingwebhookconfigurations: the admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration definition. */
import { webhookConfigurationDefinition } from './webhook-configuration-definition.js'

/** Webhooks the ValidatingAdmissionWebhook plugin calls (in parallel). */
export const validatingWebhookConfigurations = webhookConfigurationDefinition('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false)
