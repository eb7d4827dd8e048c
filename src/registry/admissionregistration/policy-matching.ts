/**
 * @module policy-matching: whether a write matches a policy's matchConstraints and a binding's
 * matchResources (namespaceSelector, objectSelector, resourceRules minus excludeResourceRules,
 * matchPolicy), as k8s.io/apiserver/pkg/admission/plugin/policy/matching.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/policy/matching/matching.go
 */
import type { KubeObject } from '../../types.js'
import type { AdmissionAttributes } from '../admission.js'
import type { Registry } from '../registry.js'
import { labelSelectorMatches } from '../shared/label-selector-match.js'
import type { MatchResources, PolicyRule } from './policy-types.js'
import { requestVersionsOf } from './request-versions.js'

function anyOf(items: string[] | undefined, v: string): boolean {
  return (items ?? []).some((x) => x === '*' || x === v)
}

function ruleMatches(r: PolicyRule, a: AdmissionAttributes, version: string): boolean {
  const scope = r.scope ?? '*'
  const clusterScoped = !a.namespace || (a.resource.group === '' && a.resource.resource === 'namespaces')
  if (scope === 'Namespaced' && clusterScoped) return false
  if (scope === 'Cluster' && !clusterScoped) return false
  if (!anyOf(r.operations, a.operation) || !anyOf(r.apiGroups, a.resource.group) || !anyOf(r.apiVersions, version)) return false
  if (r.resourceNames?.length && !r.resourceNames.includes(a.name)) return false
  const sub = a.subresource ?? ''
  return (r.resources ?? []).some((rs) => {
    const [res, s = ''] = rs.split('/')
    return (res === '*' || res === a.resource.resource) && (s === '*' || s === sub)
  })
}

/** The namespace object of a namespaced write (null for cluster-scoped ones or when missing). */
export function namespaceObjectFor(registry: Registry, a: AdmissionAttributes): KubeObject | null {
  if (a.resource.group === '' && a.resource.resource === 'namespaces') return a.operation === 'DELETE' ? (a.old ?? null) : a.obj
  if (!a.namespace) return null
  return registry.find('', 'namespaces')?.getStored('', a.namespace)?.obj ?? null
}

/** Whether `m` selects the write (`version` candidates: storage first, then equivalent served ones). */
export function matchesResources(registry: Registry, m: MatchResources | undefined, a: AdmissionAttributes, requireRules: boolean): boolean {
  if (!m) return !requireRules
  if (m.namespaceSelector && Object.keys(m.namespaceSelector).length) {
    const ns = namespaceObjectFor(registry, a)
    // Cluster-scoped objects (other than namespaces) always pass the namespace selector.
    if (ns && !labelSelectorMatches(m.namespaceSelector, ns.metadata.labels ?? {})) return false
  }
  if (m.objectSelector && Object.keys(m.objectSelector).length) {
    const hit = (o: KubeObject | undefined | null) => !!o && labelSelectorMatches(m.objectSelector, o.metadata.labels ?? {})
    if (!hit(a.operation === 'DELETE' ? null : a.obj) && !hit(a.old)) return false
  }
  const versions = requestVersionsOf(registry, a)
  const candidates = m.matchPolicy === 'Exact' ? versions.slice(0, 1) : versions
  const included = m.resourceRules === undefined ? !requireRules : candidates.some((v) => (m.resourceRules ?? []).some((r) => ruleMatches(r, a, v)))
  if (!included) return false
  return !candidates.some((v) => (m.excludeResourceRules ?? []).some((r) => ruleMatches(r, a, v)))
}
