/** @module service-printer: the services Table (printService, getServiceExternalIP, makePortString in printers.go). */
import type { ServiceSpec, ServiceStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { Cell, ColumnDef } from '../resource-definition.js'
import { ageColumn, formatLabels, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'

/** A Service as stored. */
export type ServiceObject = KubeObject & { spec?: ServiceSpec; status?: ServiceStatus }

/** NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR. */
export const serviceColumns: ColumnDef[] = [
  nameColumn,
  {
    name: 'Type',
    type: 'string',
    description: 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.',
  },
  { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service and is usually assigned randomly.' },
  {
    name: 'External-IP',
    type: 'string',
    description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
  },
  { name: 'Port(s)', type: 'string', description: 'The list of ports that are exposed by this service.' },
  ageColumn,
  { name: 'Selector', type: 'string', priority: 1, description: 'Route service traffic to pods with label keys and values matching this selector.' },
]

/** loadBalancerStatusStringer with wide=true (the server always renders wide rows): sorted unique IPs/hostnames. */
function loadBalancerIPs(svc: ServiceObject): string {
  const set = new Set<string>()
  for (const i of svc.status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip)
    else if (i.hostname) set.add(i.hostname)
  }
  return [...set].sort().join(',')
}

/** getServiceExternalIP. */
export function serviceExternalIP(svc: ServiceObject): string {
  const external = svc.spec?.externalIPs ?? []
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>'
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc)
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',')
      return lb || '<pending>'
    }
    case 'ExternalName':
      return svc.spec.externalName ?? ''
    default:
      return '<unknown>'
  }
}

/** makePortString: `80/TCP`, `80:30080/TCP`, joined with ","; `<none>` when there are no ports. */
export function servicePorts(svc: ServiceObject): string {
  const s = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',')
  return s || '<none>'
}

/** One service row in serviceColumns order. */
export function serviceRow(svc: ServiceObject, now: Date): Cell[] {
  return [
    svc.metadata.name ?? '',
    svc.spec?.type ?? '',
    svc.spec?.clusterIPs?.[0] ?? '<none>',
    serviceExternalIP(svc),
    servicePorts(svc),
    translateTimestampSince(svc.metadata.creationTimestamp as string | undefined, now),
    formatLabels(svc.spec?.selector),
  ]
}
