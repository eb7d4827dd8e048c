/** @module webhook-configuration-definition: what MutatingWebhookConfiguration and ValidatingWebhookConfiguration share (pkg/registry/admissionregistration/*webhookconfiguration/strategy.go). */
import type { ResourceDefinition } from '../resource-definition.js'
import { loadCel } from '../cel/load-cel.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import type { WebhookConfiguration } from './webhook-types.js'
import { defaultWebhooks, validateWebhookConfiguration, validateWebhookConfigurationUpdate } from './webhook-validation.js'

/**
 * The definition of one of the two kinds: cluster-scoped, no spec/status, generation bumped on any
 * change of `webhooks` (the strategies compare the webhooks list); printed NAME WEBHOOKS AGE.
 */
export function webhookConfigurationDefinition(kind: string, plural: string, mutating: boolean): ResourceDefinition<WebhookConfiguration> {
  return {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind,
    plural,
    singular: plural.slice(0, -1),
    namespaced: false,
    categories: ['api-extensions'],
    hasGeneration: true,
    generationFields: (c) => c.webhooks ?? [],
    applyDefaults: (c) => defaultWebhooks(c, mutating),
    validate: (c) => validateWebhookConfiguration(c, mutating),
    load: loadCel,
    validateUpdate: (c, old) => validateWebhookConfigurationUpdate(c, old, mutating),
    columns: [
      nameColumn,
      { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks the configuration contains.' },
      ageColumn,
    ],
    row: (c, now) => [c.metadata.name ?? '', (c.webhooks ?? []).length, translateTimestampSince(c.metadata.creationTimestamp, now)],
  }
}
