/** @module ingressclasses: the cluster-scoped networking.k8s.io/v1 IngressClass definition (pkg/registry/networking/ingressclass/strategy.go). */
import type { IngressClassParametersReference, IngressClassSpec } from 'kubernetes-types/networking/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { forbidden, invalid, notSupported, required, tooLong } from '../shared/field-errors.js'
import { invalidEach, isDNS1123Label, isDNS1123Subdomain, regexError, validateImmutable } from '../shared/validation.js'
import { validateTypedLocalObjectReference } from './ingress-validation.js'

/** An IngressClass as stored. */
export type IngressClass = KubeObject & { spec?: IngressClassSpec }

/** networkingv1.AnnotationIsDefaultIngressClass. */
export const isDefaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class'

/** The class the DefaultIngressClass admission plugin hands to Ingresses that name none. */
export function isDefaultIngressClass(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[isDefaultClassAnnotation] === 'true'
}

const pathSegmentFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
const pathSegmentRe = new RegExp(`^${pathSegmentFmt}$`)

/** validation.IsDomainPrefixedPath: `<dns-subdomain>/<path>`. */
function validateDomainPrefixedPath(path: string, value: string): FieldError[] {
  if (!value) return [required(path)]
  const slash = value.indexOf('/')
  if (slash < 0) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
  const host = value.slice(0, slash)
  const rest = value.slice(slash + 1)
  const errs = invalidEach(path, host, isDNS1123Subdomain(host))
  if (!pathSegmentRe.test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', pathSegmentFmt)))
  return errs
}

/** validateIngressClassParametersReference: scope Cluster or Namespace, and a namespace only with Namespace. */
function validateParameters(p: IngressClassParametersReference | undefined, path: string): FieldError[] {
  if (!p) return []
  const errs = validateTypedLocalObjectReference(p, path)
  if (p.scope === undefined || p.scope === null) return [...errs, required(`${path}.scope`)]
  if (p.scope !== 'Cluster' && p.scope !== 'Namespace') errs.push(notSupported(`${path}.scope`, p.scope, ['Cluster', 'Namespace']))
  if (p.scope === 'Namespace') {
    if (p.namespace == null) errs.push(required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"))
    else errs.push(...invalidEach(`${path}.namespace`, p.namespace, isDNS1123Label(p.namespace)))
  }
  if (p.scope === 'Cluster' && p.namespace != null) errs.push(forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"))
  return errs
}

/** ValidateIngressClassSpec. */
function validate(obj: IngressClass): FieldError[] {
  const controller = obj.spec?.controller ?? ''
  const errs: FieldError[] = []
  if (controller.length > 250) errs.push(tooLong('spec.controller', 250))
  errs.push(...validateDomainPrefixedPath('spec.controller', controller))
  errs.push(...validateParameters(obj.spec?.parameters, 'spec.parameters'))
  return errs
}

/** printIngressClass's PARAMETERS: `Kind[.apiGroup]/name`, `<none>` without parameters. */
function formatParameters(p: IngressClassParametersReference | undefined): string {
  if (!p) return '<none>'
  return `${p.kind}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name}`
}

/** NAME CONTROLLER PARAMETERS AGE (printIngressClass). */
export const ingressClasses: ResourceDefinition<IngressClass> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  hasGeneration: true,
  applyDefaults(obj) {
    // SetDefaults_IngressClass: parameters without a scope are cluster-scoped.
    const p = obj.spec?.parameters
    if (p && p.scope == null) p.scope = 'Cluster'
  },
  validate,
  validateUpdate: (obj, old) => validateImmutable(obj.spec?.controller, old.spec?.controller, 'spec.controller'),
  columns: [
    nameColumn,
    stringColumn('Controller', 'Controller that is responsible for handling this class'),
    stringColumn('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.spec?.controller ?? '',
    formatParameters(obj.spec?.parameters),
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
