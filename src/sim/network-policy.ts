/**
 * @module network-policy: whether the simulated pod network lets one pod reach another's port,
 * as a NetworkPolicy-enforcing CNI decides it (the semantics of the networking.k8s.io/v1 API
 * docs: a pod selected by a policy of a type is isolated for that direction; then only what some
 * rule of those policies allows passes, and a connection needs both the source's egress and the
 * destination's ingress).
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js'
import { labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import { cidrContains, parseCIDR } from '../registry/shared/network-validation.js'
import type { KubeObject } from '../types.js'

/** One end of a connection. */
export interface Endpoint {
  pod: Pod
  /** The namespace's labels (namespaceSelector matches them). */
  namespaceLabels: Record<string, string>
}

/** A stored NetworkPolicy. */
type Policy = KubeObject & { spec?: NetworkPolicySpec }

function ipIn(ip: string | undefined, block: { cidr: string; except?: string[] }): boolean {
  const addr = ip ? parseCIDR(`${ip}/${ip.includes(':') ? 128 : 32}`) : undefined
  const outer = parseCIDR(block.cidr)
  if (!addr || !outer || !cidrContains(outer, addr)) return false
  return !(block.except ?? []).some((e) => {
    const ex = parseCIDR(e)
    return ex ? cidrContains(ex, addr) : false
  })
}

/** Does `peer` (of a policy in `policyNamespace`) name the endpoint `other`? */
function peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return ipIn(other.pod.status?.podIP, peer.ipBlock)
  const ns = other.pod.metadata?.namespace ?? ''
  const nsOK = peer.namespaceSelector ? labelSelectorMatches(peer.namespaceSelector, other.namespaceLabels) : ns === policyNamespace
  if (!nsOK) return false
  return peer.podSelector ? labelSelectorMatches(peer.podSelector, other.pod.metadata?.labels) : true
}

/** Does a rule's port list admit `port` on `dst` (named ports resolve against dst's containers)? */
function portMatches(ports: NetworkPolicyPort[] | undefined, dst: Pod, port: number, protocol: string): boolean {
  if (!ports?.length) return true
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false
    if (p.port === undefined) return true
    if (typeof p.port === 'string')
      return (dst.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === port))
    return p.endPort != null ? port >= p.port && port <= p.endPort : port === p.port
  })
}

/** Policies of the pod's namespace that select it for `type`. */
function isolating(policies: Policy[], pod: Pod, type: 'Ingress' | 'Egress'): Policy[] {
  const ns = pod.metadata?.namespace ?? ''
  return policies.filter((p) => {
    if ((p.metadata.namespace ?? '') !== ns) return false
    // Stored policies carry policyTypes (SetDefaults_NetworkPolicy); Ingress is its default.
    const types = p.spec?.policyTypes ?? ['Ingress']
    return types.includes(type) && labelSelectorMatches(p.spec?.podSelector, pod.metadata?.labels)
  })
}

/**
 * True when `src` may open a connection to `dst`'s `port`. Pure: `policies` are every stored
 * NetworkPolicy; traffic of a pod to itself is never filtered.
 */
export function connectionAllowed(policies: readonly KubeObject[], src: Endpoint, dst: Endpoint, port: number, protocol = 'TCP'): boolean {
  if (src.pod.metadata?.uid && src.pod.metadata.uid === dst.pod.metadata?.uid) return true
  const all = policies as Policy[]
  const egress = isolating(all, src.pod, 'Egress')
  const egressOK =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec?.egress ?? []).some(
        (r) => portMatches(r.ports, dst.pod, port, protocol) && (!r.to?.length || r.to.some((peer) => peerMatches(peer, p.metadata.namespace ?? '', dst))),
      ),
    )
  if (!egressOK) return false
  const ingress = isolating(all, dst.pod, 'Ingress')
  return (
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec?.ingress ?? []).some(
        (r) => portMatches(r.ports, dst.pod, port, protocol) && (!r.from?.length || r.from.some((peer) => peerMatches(peer, p.metadata.namespace ?? '', src))),
      ),
    )
  )
}
