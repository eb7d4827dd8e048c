/** @module pod-hostname: the hostname and domain a pod's containers see — the one place that reads spec.hostname, spec.subdomain and hostNetwork. */
import type { Pod } from 'kubernetes-types/core/v1.js'

/** The cluster's DNS domain (the kubelet's --cluster-domain; kind's default). */
export const clusterDomain = 'cluster.local'

/** What a container's UTS namespace and the kubelet-managed /etc/hosts carry. */
export interface PodHostname {
  /** `hostname` prints it; HOSTNAME, /etc/hostname, the echo images' answer. */
  hostname: string
  /** `<subdomain>.<namespace>.svc.<cluster domain>` when spec.subdomain is set (FQDN = hostname.domain). */
  domain?: string
}

/**
 * As the kubelet's GeneratePodHostNameAndDomain: spec.hostname, else the pod name, cut to 63
 * characters without a trailing `-` or `.`; the domain from spec.subdomain. A hostNetwork pod has
 * no sandbox hostname of its own: it sees the node's (in kind, the node name).
 */
export function podHostname(pod: Pod): PodHostname {
  if (pod.spec?.hostNetwork) return { hostname: pod.spec.nodeName ?? '' }
  let hostname = pod.spec?.hostname || pod.metadata?.name || ''
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '')
  const sub = pod.spec?.subdomain
  return sub ? { hostname, domain: `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` } : { hostname }
}
