/** @module webhook-types: admissionregistration.k8s.io/v1 webhook configuration types, as stored (k8s.io/api/admissionregistration/v1/types.go). */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { KubeObject } from '../../types.js'

/** RuleWithOperations: operations plus apiGroups/apiVersions/resources/scope. */
export interface WebhookRule {
  operations?: string[]
  apiGroups?: string[]
  apiVersions?: string[]
  resources?: string[]
  scope?: string
}

/** ServiceReference: where an in-cluster webhook listens (kubemock maps it to a local URL, see service-url.ts). */
export interface WebhookService {
  namespace: string
  name: string
  path?: string
  port?: number
}

/** WebhookClientConfig: exactly one of `url` and `service`; `caBundle` is base64 PEM (a []byte). */
export interface WebhookClientConfig {
  url?: string
  service?: WebhookService
  caBundle?: string
}

/** A CEL precondition of a webhook call. */
export interface MatchCondition {
  name: string
  expression: string
}

/** The fields ValidatingWebhook and MutatingWebhook share; `reinvocationPolicy` is the mutating one's. */
export interface Webhook {
  name: string
  clientConfig: WebhookClientConfig
  rules?: WebhookRule[]
  failurePolicy?: string
  matchPolicy?: string
  namespaceSelector?: LabelSelector
  objectSelector?: LabelSelector
  sideEffects?: string
  timeoutSeconds?: number
  admissionReviewVersions?: string[]
  matchConditions?: MatchCondition[]
  reinvocationPolicy?: string
}

/** A MutatingWebhookConfiguration or ValidatingWebhookConfiguration (cluster-scoped, no spec). */
export type WebhookConfiguration = KubeObject & { webhooks?: Webhook[] }
