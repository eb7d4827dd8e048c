/** @module ingresses: the networking.k8s.io/v1 Ingress definition (pkg/registry/networking/ingress/strategy.go). */
import type { IngressRule, IngressSpec, IngressStatus, IngressTLS } from 'kubernetes-types/networking/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { validateIngressSpec, validateIngressStatus } from './ingress-validation.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** An Ingress as stored. */
export type Ingress = KubeObject & { spec?: IngressSpec; status?: IngressStatus }

/** formatHosts: the first three rule hosts, `* ` when none, `+ N more...` past three. */
function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = []
  const all = rules ?? []
  let more = false
  for (const r of all) {
    if (list.length === 3) more = true
    if (!more && r.host) list.push(r.host)
  }
  if (list.length === 0) return '*'
  return more ? `${list.join(',')} + ${all.length - 3} more...` : list.join(',')
}

/** formatPorts: `80, 443` with TLS, else `80`. */
function formatPorts(tls: IngressTLS[] | undefined): string {
  return tls?.length ? '80, 443' : '80'
}

/** ingressLoadBalancerStatusStringer with wide=true (server-side tables are always wide): sorted unique IPs/hostnames. */
function formatAddress(status: IngressStatus | undefined): string {
  const set = new Set<string>()
  for (const i of status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip)
    else if (i.hostname) set.add(i.hostname)
  }
  return [...set].sort().join(',')
}

/** `ing`: NAME CLASS HOSTS ADDRESS PORTS AGE (printIngress). */
export const ingresses: ResourceDefinition<Ingress> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  subresources: [statusSubresource],
  hasGeneration: true,
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} }
  },
  ...specStatusUpdates<Ingress>(),
  validate: (obj) => validateIngressSpec(obj.spec),
  validateStatusUpdate: (obj) => validateIngressStatus(obj.status),
  columns: [
    nameColumn,
    stringColumn('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    stringColumn('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    stringColumn('Address', 'Address is a list containing ingress points for the load-balancer'),
    stringColumn('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.spec?.ingressClassName ?? '<none>',
    formatHosts(obj.spec?.rules),
    formatAddress(obj.status),
    formatPorts(obj.spec?.tls),
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
