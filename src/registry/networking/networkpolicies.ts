/** @module networkpolicies: the networking.k8s.io/v1 NetworkPolicy definition (pkg/registry/networking/networkpolicy/strategy.go). */
import type { NetworkPolicySpec } from 'kubernetes-types/networking/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { validateNetworkPolicySpec } from './networkpolicy-validation.js'

/** A NetworkPolicy as stored (it has no status since 1.28). */
export type NetworkPolicy = KubeObject & { spec?: NetworkPolicySpec }

/** `netpol`: NAME POD-SELECTOR AGE (printNetworkPolicy). */
export const networkPolicies: ResourceDefinition<NetworkPolicy> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  hasGeneration: true,
  applyDefaults(obj) {
    // SetDefaults_NetworkPolicy / SetDefaults_NetworkPolicyPort (pkg/apis/networking/v1/defaults.go).
    const spec = (obj.spec ??= { podSelector: {} })
    spec.podSelector ??= {}
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP'
    if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']
  },
  validate: (obj) => validateNetworkPolicySpec(obj.spec),
  columns: [
    nameColumn,
    stringColumn(
      'Pod-Selector',
      'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
    ),
    ageColumn,
  ],
  row: (obj, now) => [obj.metadata.name ?? '', labelSelectorAsString(obj.spec?.podSelector), translateTimestampSince(obj.metadata.creationTimestamp, now)],
}
