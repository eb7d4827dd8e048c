/** @module policy-rule-builder: compact constructors for the bootstrap policy's rules (rbacv1helpers.NewRule(...).Groups(...).Resources(...).RuleOrDie()). */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'

/** The eight verbs of full access (bootstrappolicy.ReadWrite), and read access (Read). */
export const readWrite = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']
export const read = ['get', 'list', 'watch']
/** Writes without reads (the aggregate-to-edit role's `Write`). */
export const write = ['create', 'update', 'patch', 'delete', 'deletecollection']

const sorted = (xs: readonly string[]): string[] => [...xs].sort()

/** A resource rule; like RuleOrDie, every list comes out sorted. */
export function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], names?: readonly string[]): PolicyRule {
  return {
    verbs: sorted(verbs),
    apiGroups: sorted(groups),
    resources: sorted(resources),
    ...(names?.length ? { resourceNames: sorted(names) } : {}),
  }
}

/** A non-resource rule. */
export function urlRule(verbs: readonly string[], urls: readonly string[]): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(urls) }
}

/** eventsRule(): create, update and patch of events in both event groups. */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events'])
