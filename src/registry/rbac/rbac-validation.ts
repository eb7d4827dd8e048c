/**
 * @module rbac-validation: validation and defaults of the rbac.authorization.k8s.io/v1 kinds, as
 * pkg/apis/rbac/validation/validation.go and pkg/apis/rbac/v1/defaults.go.
 */
import type { AggregationRule, PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import { invalid, notSupported, required } from '../shared/field-errors.js'
import { isValidPathSegmentName } from '../shared/network-validation.js'
import { invalidEach, isDNS1123Subdomain, validateLabelSelector } from '../shared/validation.js'

/** The API group of the RBAC kinds, which roleRefs and User/Group subjects name. */
export const rbacGroup = 'rbac.authorization.k8s.io'

/** A Role or ClusterRole as stored. */
export type RoleObject = KubeObject & { rules?: PolicyRule[]; aggregationRule?: AggregationRule }
/** A RoleBinding or ClusterRoleBinding as stored. */
export type BindingObject = KubeObject & { roleRef: RoleRef; subjects?: Subject[] }

/** ValidateRBACName: role and binding names are path segments, not DNS names. */
export function validateRBACName(name: string): string[] {
  return isValidPathSegmentName(name)
}

/** ValidatePolicyRule: verbs always; non-resource URLs only in cluster roles and never mixed with resources. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = []
  if (!rule.verbs?.length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'))
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'))
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length)
      errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'))
    return errs
  }
  if (!rule.apiGroups?.length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'))
  if (!rule.resources?.length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'))
  return errs
}

/** ValidateRole / ValidateClusterRole (the aggregation rule is a ClusterRole's only). */
export function validateRole(role: RoleObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = []
  ;(role.rules ?? []).forEach((r, i) => {
    errs.push(...validatePolicyRule(r ?? {}, namespaced, `rules[${i}]`))
  })
  if (!namespaced && role.aggregationRule) {
    const selectors = role.aggregationRule.clusterRoleSelectors ?? []
    if (selectors.length === 0)
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'))
    selectors.forEach((s, i) => {
      errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`))
    })
  }
  return errs
}

/** ValidateRoleBindingSubject. */
export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = []
  if (!s.name) errs.push(required(`${path}.name`))
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(`${path}.name`, s.name, isDNS1123Subdomain(s.name)))
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']))
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`))
      break
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [rbacGroup]))
      break
    default:
      errs.push(notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']))
  }
  return errs
}

/** ValidateRoleBinding / ValidateClusterRoleBinding. */
export function validateBinding(b: BindingObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = []
  const ref = b.roleRef ?? ({} as RoleRef)
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]))
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds))
  if (!ref.name) errs.push(required('roleRef.name'))
  else errs.push(...invalidEach('roleRef.name', ref.name, validateRBACName(ref.name)))
  ;(b.subjects ?? []).forEach((s, i) => {
    errs.push(...validateSubject(s ?? ({} as Subject), namespaced, `subjects[${i}]`))
  })
  return errs
}

/** ValidateRoleBindingUpdate's own rule: the roleRef never changes (delete and recreate the binding). */
export function validateBindingUpdate(b: BindingObject, old: BindingObject, namespaced: boolean): FieldError[] {
  const errs = validateBinding(b, namespaced)
  const a = b.roleRef ?? ({} as RoleRef)
  const o = old.roleRef ?? ({} as RoleRef)
  if (a.apiGroup !== o.apiGroup || a.kind !== o.kind || a.name !== o.name) {
    const goString = `rbac.RoleRef{APIGroup:${JSON.stringify(a.apiGroup ?? '')}, Kind:${JSON.stringify(a.kind ?? '')}, Name:${JSON.stringify(a.name ?? '')}}`
    errs.push(invalid('roleRef', { goString }, 'cannot change roleRef'))
  }
  return errs
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject: the RBAC group where it was left out. */
export function defaultBinding(b: BindingObject): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup
  for (const s of b.subjects ?? []) if (s && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup
}

/** The subjects of a binding as `kubectl get -o wide` shows them (rbac.SubjectsStrings): users, groups, service accounts. */
export function subjectsStrings(b: BindingObject): [string, string, string] {
  const users: string[] = []
  const groups: string[] = []
  const sas: string[] = []
  for (const s of b.subjects ?? []) {
    if (s.kind === 'User') users.push(s.name)
    else if (s.kind === 'Group') groups.push(s.name)
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`)
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')]
}
