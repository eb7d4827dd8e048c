/** @module resourcequotas: the core/v1 ResourceQuota definition (pkg/registry/core/resourcequota/strategy.go, ValidateResourceQuota). */
import type { ResourceQuotaSpec, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { statusSubresource } from '../apps/deployments.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { invalid, notSupported } from '../shared/field-errors.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { canonicalQuantity, quantity } from '../shared/quantity-format.js'
import { isQualifiedName } from '../shared/validation.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A ResourceQuota as stored. */
export type ResourceQuota = KubeObject & { spec?: ResourceQuotaSpec; status?: ResourceQuotaStatus }

const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating']
const podCompute = ['pods', 'count/pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']
/** IsResourceQuotaScopeValidForResource. */
const scopeResources: Record<string, string[]> = {
  BestEffort: ['pods', 'count/pods'],
  Terminating: podCompute,
  NotTerminating: podCompute,
  NotBestEffort: podCompute,
  PriorityClass: podCompute,
  CrossNamespacePodAffinity: ['pods', 'count/pods'],
}
/** IsStandardQuotaResourceName (standardQuotaResources). */
const standard = new Set([
  ...podCompute,
  'ephemeral-storage',
  'requests.ephemeral-storage',
  'limits.ephemeral-storage',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
])
const isStandard = (n: string) => standard.has(n) || n.startsWith('requests.hugepages-') || n.startsWith('hugepages-')

function validateSpec(spec: ResourceQuotaSpec): FieldError[] {
  const errs: FieldError[] = []
  const hard = Object.keys(spec.hard ?? {}).sort()
  for (const k of hard) {
    const field = `spec.hard[${k}]`
    errs.push(...isQualifiedName(k).map((m) => invalid(field, k, m)))
    if (!k.includes('/') && !isStandard(k)) errs.push(invalid(field, k, 'must be a standard resource for quota'))
    const q = quantity((spec.hard as Record<string, string>)[k])
    if (q && q.nanos < 0n) errs.push(invalid(field, canonicalQuantity((spec.hard as Record<string, string>)[k]), 'must be a valid resource quantity'))
  }
  const list = spec.scopes ?? []
  for (const s of list) {
    if (!scopes.includes(s)) errs.push(invalid('spec.scopes', list, 'unsupported scope'))
    for (const k of hard)
      if (isStandard(k) && !(scopeResources[s] ?? []).includes(k)) errs.push(invalid('spec.scopes', list, 'unsupported scope applied to resource'))
  }
  for (const [a, b] of [
    ['BestEffort', 'NotBestEffort'],
    ['Terminating', 'NotTerminating'],
  ])
    if (list.includes(a) && list.includes(b)) errs.push(invalid('spec.scopes', list, 'conflicting scopes'))
  ;(spec.scopeSelector?.matchExpressions ?? []).forEach((e, i) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`
    if (!scopes.includes(e.scopeName)) errs.push(notSupported(`${p}.scopeName`, e.scopeName, scopes))
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator))
      errs.push(notSupported(`${p}.operator`, e.operator, ['DoesNotExist', 'Exists', 'In', 'NotIn']))
  })
  return errs
}

/** printResourceQuota: `resource: used/hard` pairs, `limits.*` in the LIMIT column, the rest in REQUEST. */
export function quotaColumns(q: ResourceQuota): [string, string] {
  const hard = (q.status?.hard ?? {}) as Record<string, string>
  const used = (q.status?.used ?? {}) as Record<string, string>
  const request: string[] = []
  const limit: string[] = []
  for (const k of Object.keys(hard).sort()) {
    const cell = `${k}: ${canonicalQuantity(used[k] ?? '0')}/${canonicalQuantity(hard[k])}`
    ;(k.split('.').length > 1 && k.split('.')[0] === 'limits' ? limit : request).push(cell)
  }
  return [request.join(', '), limit.join(', ')]
}

/** `quota`: NAME AGE REQUEST LIMIT. */
export const resourceQuotas: ResourceDefinition<ResourceQuota> = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: [statusSubresource],
  prepareForCreate(obj) {
    obj.status = {}
  },
  ...specStatusUpdates<ResourceQuota>(),
  validate: (obj) => validateSpec(obj.spec ?? {}),
  columns: [
    nameColumn,
    ageColumn,
    { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.' },
    {
      name: 'Limit',
      type: 'string',
      description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    },
  ],
  row(obj, now) {
    return [obj.metadata.name ?? '', translateTimestampSince(obj.metadata.creationTimestamp, now), ...quotaColumns(obj)]
  },
}
