/** @module networkpolicy-validation: ValidateNetworkPolicySpec of pkg/apis/networking/validation/validation.go. */
import type { IPBlock, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js'
import type { FieldError } from '../../types.js'
import { GoLiteral } from '../../util/go-value.js'
import { forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { invalidEach, validateLabelSelector } from '../shared/validation.js'
import { isValidPortName, isValidPortNum } from '../shared/container-validation.js'
import { cidrContains, parseCIDR, validateCIDR } from '../shared/network-validation.js'

/** ValidateNetworkPolicyPort: protocol, a port number or name, and endPort only after a numeric port. */
function validatePort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = []
  if (port.protocol != null && !['TCP', 'UDP', 'SCTP'].includes(port.protocol))
    errs.push(notSupported(`${path}.protocol`, port.protocol, ['TCP', 'UDP', 'SCTP']))
  const p = port.port
  const end = port.endPort
  if (typeof p === 'number') {
    errs.push(...invalidEach(`${path}.port`, p, isValidPortNum(p)))
    if (end != null) {
      if (end < p) errs.push(invalid(`${path}.endPort`, p, 'must be greater than or equal to `port`'))
      errs.push(...invalidEach(`${path}.endPort`, end, isValidPortNum(end)))
    }
  } else if (typeof p === 'string') {
    if (end != null) errs.push(invalid(`${path}.endPort`, end, 'may not be specified when `port` is non-numeric'))
    errs.push(...invalidEach(`${path}.port`, p, isValidPortName(p)))
  } else if (end != null) {
    errs.push(invalid(`${path}.endPort`, end, 'may not be specified when `port` is not specified'))
  }
  return errs
}

/** ValidateIPBlock: a CIDR, and each except a strict subset of it. */
function validateIPBlock(b: IPBlock, path: string): FieldError[] {
  if (!b.cidr) return [required(`${path}.cidr`)]
  const errs = validateCIDR(`${path}.cidr`, b.cidr)
  const outer = parseCIDR(b.cidr)
  if (!outer) return errs
  ;(b.except ?? []).forEach((ex, i) => {
    const p = `${path}.except[${i}]`
    errs.push(...validateCIDR(p, ex))
    const inner = parseCIDR(ex)
    if (inner && (!cidrContains(outer, inner) || outer.prefix >= inner.prefix)) errs.push(invalid(p, ex, 'must be a strict subset of `cidr`'))
  })
  return errs
}

/** ValidateNetworkPolicyPeer: one of podSelector/namespaceSelector/ipBlock (the two selectors may combine). */
function validatePeer(peer: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = []
  let n = 0
  if (peer.podSelector) {
    n++
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`))
  }
  if (peer.namespaceSelector) {
    n++
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`))
  }
  if (peer.ipBlock) {
    n++
    errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`))
  }
  if (n === 0) errs.push(required(path, 'must specify a peer'))
  else if (n > 1 && peer.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'))
  return errs
}

/** ValidateNetworkPolicySpec. */
export function validateNetworkPolicySpec(spec: NetworkPolicySpec | undefined): FieldError[] {
  const s = spec ?? ({} as NetworkPolicySpec)
  const errs = validateLabelSelector(s.podSelector, 'spec.podSelector')
  ;(s.ingress ?? []).forEach((rule, i) => {
    ;(rule.ports ?? []).forEach((p, j) => {
      errs.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`))
    })
    ;(rule.from ?? []).forEach((p, j) => {
      errs.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`))
    })
  })
  ;(s.egress ?? []).forEach((rule, i) => {
    ;(rule.ports ?? []).forEach((p, j) => {
      errs.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`))
    })
    ;(rule.to ?? []).forEach((p, j) => {
      errs.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`))
    })
  })
  const types = s.policyTypes ?? []
  if (types.length > 2) {
    // field.Error dereferences &spec.PolicyTypes and prints the slice with %#v.
    const bad = new GoLiteral(`[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`)
    errs.push(invalid('spec.policyTypes', bad, 'may not specify more than two policyTypes'))
    return errs
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']))
  })
  return errs
}
