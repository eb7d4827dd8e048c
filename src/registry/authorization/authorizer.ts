/**
 * @module authorizer: the authorization contract (k8s.io/apiserver/pkg/authorization/authorizer):
 * what a request asks to do, and a decision. The HTTP layer's authorization filter asks it for
 * every request; the registry asks it for what upstream checks inside storage (RBAC escalation
 * and bind checks, SubjectAccessReviews, impersonation).
 */
import type { RequestUser } from '../resource-definition.js'

/** authorizer.Attributes. */
export interface AuthorizationAttributes {
  user: RequestUser
  /**
   * Resource requests: get, list, watch, create, update, patch, delete, deletecollection, or a
   * special verb (impersonate, bind, escalate, use, approve, sign). Non-resource requests: the
   * lower-cased HTTP method (get, post, put, patch, delete, head, options).
   */
  verb: string
  resourceRequest: boolean
  /** Resource requests: the API group ("" for core), version, plural, subresource, namespace and name. */
  apiGroup?: string
  apiVersion?: string
  resource?: string
  subresource?: string
  namespace?: string
  name?: string
  /** Non-resource requests: the URL path (`/healthz`, `/api`). */
  path?: string
}

/** authorizer.Decision. */
export type Decision = 'Allow' | 'Deny' | 'NoOpinion'

/** What an authorizer answers: the decision and its reason (for audit and the review APIs). */
export interface AuthorizationResult {
  decision: Decision
  reason: string
}

/** authorizer.ResourceRuleInfo / NonResourceRuleInfo as SelfSubjectRulesReview lists them. */
export interface ResourceRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
}
export interface NonResourceRule {
  verbs: string[]
  nonResourceURLs?: string[]
}

/** What authorizer.RuleResolver.RulesFor answers: the rules, and whether the list may lack some. */
export interface SubjectRules {
  resourceRules: ResourceRule[]
  nonResourceRules: NonResourceRule[]
  incomplete: boolean
  /** Why the list is incomplete (EvaluationError). */
  errors: string[]
}

/** One authorization mode (`--authorization-mode`): AlwaysAllow, RBAC, … */
export interface Authorizer {
  authorize(a: AuthorizationAttributes): AuthorizationResult
  /** The rules `user` holds in `namespace` (authorizer.RuleResolver), for SelfSubjectRulesReview; absent: no rules known. */
  rulesFor?(user: RequestUser, namespace: string): SubjectRules
}

/** `--authorization-mode AlwaysAllow` (the default): everything is allowed. */
export const alwaysAllow: Authorizer = {
  authorize: () => ({ decision: 'Allow', reason: '' }),
  // alwaysAllowAuthorizer.RulesFor: everything, complete.
  rulesFor: () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
    errors: [],
  }),
}
