/** @module policy-types: the ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding shapes (k8s.io/api/admissionregistration/v1). */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { KubeObject } from '../../types.js'

/** A NamedRuleWithOperations (resourceRules, excludeResourceRules). */
export interface PolicyRule {
  resourceNames?: string[]
  operations?: string[]
  apiGroups?: string[]
  apiVersions?: string[]
  resources?: string[]
  scope?: string
}

/** MatchResources: what a policy (or binding) applies to. */
export interface MatchResources {
  namespaceSelector?: LabelSelector
  objectSelector?: LabelSelector
  resourceRules?: PolicyRule[]
  excludeResourceRules?: PolicyRule[]
  matchPolicy?: string
}

/** One validation, variable, match condition or audit annotation. */
export interface PolicyExpression {
  name?: string
  key?: string
  expression?: string
  valueExpression?: string
  message?: string
  messageExpression?: string
  reason?: string
}

/** A ValidatingAdmissionPolicy as stored. */
export type ValidatingAdmissionPolicy = KubeObject & {
  spec?: {
    paramKind?: { apiVersion?: string; kind?: string }
    matchConstraints?: MatchResources
    validations?: PolicyExpression[]
    failurePolicy?: string
    auditAnnotations?: PolicyExpression[]
    matchConditions?: PolicyExpression[]
    variables?: PolicyExpression[]
  }
  status?: { observedGeneration?: number; typeChecking?: unknown; conditions?: unknown[] }
}

/** A ValidatingAdmissionPolicyBinding as stored. */
export type ValidatingAdmissionPolicyBinding = KubeObject & {
  spec?: {
    policyName?: string
    paramRef?: { name?: string; namespace?: string; selector?: LabelSelector; parameterNotFoundAction?: string }
    matchResources?: MatchResources
    validationActions?: string[]
  }
}
