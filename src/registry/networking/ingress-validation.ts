/**
 * @module ingress-validation: ValidateIngressSpec and ValidateIngressStatusUpdate of
 * pkg/apis/networking/validation/validation.go: rules, paths and pathType, backends, TLS hosts.
 */
import type { HTTPIngressPath, IngressBackend, IngressSpec, IngressStatus, IngressTLS, IngressRule } from 'kubernetes-types/networking/v1.js'
import type { TypedLocalObjectReference } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { GoLiteral } from '../../util/go-value.js'
import { invalid, notSupported, required } from '../shared/field-errors.js'
import { invalidEach, isDNS1035Label, isDNS1123Subdomain } from '../shared/validation.js'
import { isValidPortName, isValidPortNum } from '../shared/container-validation.js'
import { isIPAddress, isValidPathSegmentName, isWildcardDNS1123Subdomain, validateIP } from '../shared/network-validation.js'

/** supportedPathTypes, sorted as sets.List returns them. */
const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix']
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F']
const invalidPathSuffixes = ['/..', '/.']

/** DNS names of rules and TLS hosts: a wildcard subdomain when it holds `*`, else a plain one. */
function hostErrors(host: string): string[] {
  return host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)
}

/** validateIngressTypedLocalObjectReference. */
export function validateTypedLocalObjectReference(ref: TypedLocalObjectReference | undefined, path: string): FieldError[] {
  if (!ref) return []
  const errs: FieldError[] = []
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) errs.push(...invalidEach(`${path}.apiGroup`, ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)))
  if (!ref.kind) errs.push(required(`${path}.kind`, 'kind is required'))
  else errs.push(...invalidEach(`${path}.kind`, ref.kind, isValidPathSegmentName(ref.kind)))
  if (!ref.name) errs.push(required(`${path}.name`, 'name is required'))
  else errs.push(...invalidEach(`${path}.name`, ref.name, isValidPathSegmentName(ref.name)))
  return errs
}

/** validateIngressBackend: exactly one of service and resource; a service names a port by name or number. */
function validateBackend(b: IngressBackend, path: string): FieldError[] {
  if (b.resource && b.service) return [invalid(path, '', 'cannot set both resource and service backends')]
  if (b.resource) return validateTypedLocalObjectReference(b.resource, `${path}.resource`)
  if (!b.service) return [invalid(path, '', 'resource or service backend is required')]
  const errs: FieldError[] = []
  const svc = b.service
  if (!svc.name) errs.push(required(`${path}.service.name`))
  else errs.push(...invalidEach(`${path}.service.name`, svc.name, isDNS1035Label(svc.name)))
  const name = svc.port?.name ?? ''
  const number = svc.port?.number ?? 0
  if (name && number) errs.push(invalid(path, '', 'cannot set both port name & port number'))
  else if (name) errs.push(...invalidEach(`${path}.service.port.name`, name, isValidPortName(name)))
  else if (number) errs.push(...invalidEach(`${path}.service.port.number`, number, isValidPortNum(number)))
  else errs.push(required(path, 'port name or number is required'))
  return errs
}

/** validateHTTPIngressPath. */
function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${path}.pathType`, 'pathType must be specified')]
  const errs: FieldError[] = []
  const value = p.path ?? ''
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'))
    for (const seq of invalidPathSequences) if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`))
    for (const suf of invalidPathSuffixes) if (value.endsWith(suf)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suf}'`))
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'))
  } else {
    errs.push(notSupported(`${path}.pathType`, p.pathType, pathTypes))
  }
  errs.push(...validateBackend(p.backend ?? {}, `${path}.backend`))
  return errs
}

/** validateIngressRules: hosts are DNS names (never IPs); an http rule needs paths. */
function validateRules(rules: IngressRule[], path: string): FieldError[] {
  const errs: FieldError[] = []
  rules.forEach((r, i) => {
    const p = `${path}[${i}]`
    if (r.host) {
      if (isIPAddress(r.host)) errs.push(invalid(`${p}.host`, r.host, 'must be a DNS name, not an IP address'))
      errs.push(...invalidEach(`${p}.host`, r.host, hostErrors(r.host)))
    }
    if (!r.http) return
    const paths = r.http.paths ?? []
    if (paths.length === 0) errs.push(required(`${p}.http.paths`))
    paths.forEach((hp, j) => {
      errs.push(...validatePath(hp, `${p}.http.paths[${j}]`))
    })
  })
  return errs
}

/** validateIngressTLS: hosts are (wildcard) DNS names; a secretName is a DNS subdomain. */
function validateTLS(tls: IngressTLS[], path: string): FieldError[] {
  const errs: FieldError[] = []
  tls.forEach((t, i) => {
    ;(t.hosts ?? []).forEach((h, j) => {
      errs.push(...invalidEach(`${path}[${i}].hosts[${j}]`, h, hostErrors(h)))
    })
    if (t.secretName) errs.push(...invalidEach(`${path}[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)))
  })
  return errs
}

/** ValidateIngressSpec. */
export function validateIngressSpec(spec: IngressSpec | undefined, path = 'spec'): FieldError[] {
  const s = spec ?? {}
  const errs: FieldError[] = []
  const rules = s.rules ?? []
  if (rules.length === 0 && !s.defaultBackend) {
    const bad = new GoLiteral(s.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)')
    errs.push(invalid(path, bad, 'either `defaultBackend` or `rules` must be specified'))
  }
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, `${path}.defaultBackend`))
  errs.push(...validateRules(rules, `${path}.rules`))
  errs.push(...validateTLS(s.tls ?? [], `${path}.tls`))
  if (s.ingressClassName !== undefined && s.ingressClassName !== null)
    errs.push(...invalidEach(`${path}.ingressClassName`, s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)))
  return errs
}

/** ValidateIngressLoadBalancerStatus: ingress points carry a valid IP, or a hostname that is not one. */
export function validateIngressStatus(status: IngressStatus | undefined): FieldError[] {
  const errs: FieldError[] = []
  ;(status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`
    if (ing.ip) errs.push(...validateIP(`${p}.ip`, ing.ip))
    if (ing.hostname) {
      errs.push(...invalidEach(`${p}.hostname`, ing.hostname, isDNS1123Subdomain(ing.hostname)))
      if (isIPAddress(ing.hostname)) errs.push(invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'))
    }
  })
  return errs
}
