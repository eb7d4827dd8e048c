/** @module service-validation: ValidateService / ValidateServiceUpdate (pkg/apis/core/validation/validation.go), common rules. */
import type { FieldError } from '../../types.js'
import { duplicate, forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { isValidPortNum, supportedPortProtocols, validatePortNumOrName } from '../shared/container-validation.js'
import { invalidEach, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, validateLabels } from '../shared/validation.js'
import type { ServiceObject } from './service-printer.js'

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']

/** The default --service-node-port-range. */
export const nodePortRange = { min: 30000, max: 32767 }

/** Create/update validation of a defaulted, allocated Service. */
export function validateService(svc: ServiceObject): FieldError[] {
  const errs: FieldError[] = []
  const name = svc.metadata.name ?? ''
  // Service names are DNS-1035 labels; the registry's ObjectMeta check reports non-subdomains.
  if (name && isDNS1123Subdomain(name).length === 0) errs.push(...invalidEach('metadata.name', name, isDNS1035Label(name)))
  const spec = svc.spec ?? {}
  const type = spec.type ?? ''
  const ports = spec.ports ?? []
  const headless = spec.clusterIP === 'None'
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports'))
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'))
    else errs.push(...invalidEach('spec.externalName', spec.externalName, isDNS1123Subdomain(spec.externalName.replace(/\.$/, ''))))
  }
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const ip = `spec.ports[${i}]`
    if (ports.length > 1 && !p.name) errs.push(required(`${ip}.name`))
    if (p.name) {
      errs.push(...invalidEach(`${ip}.name`, p.name, isDNS1123Label(p.name)))
      if (names.has(p.name)) errs.push(duplicate(`${ip}.name`, p.name))
      names.add(p.name)
    }
    errs.push(...invalidEach(`${ip}.port`, p.port, isValidPortNum(p.port)))
    if (!p.protocol) errs.push(required(`${ip}.protocol`))
    else if (!supportedPortProtocols.includes(p.protocol)) errs.push(notSupported(`${ip}.protocol`, p.protocol, supportedPortProtocols))
    if (p.targetPort !== undefined) errs.push(...validatePortNumOrName(p.targetPort, `${ip}.targetPort`))
    if (p.nodePort && type === 'ClusterIP') errs.push(forbidden(`${ip}.nodePort`, "may not be used when `type` is 'ClusterIP'"))
    else if (p.nodePort && (p.nodePort < nodePortRange.min || p.nodePort > nodePortRange.max)) {
      errs.push(
        invalid(`${ip}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`),
      )
    }
  })
  if (!type) errs.push(required('spec.type'))
  else if (!serviceTypes.includes(type)) errs.push(notSupported('spec.type', type, serviceTypes))
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity))
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']))
  errs.push(...validateLabels(spec.selector, 'spec.selector'))
  return errs
}

/**
 * validateUpgradeDowngradeClusterIPs: the primary cluster IP may not change once set
 * (`spec.clusterIPs[0]: Invalid value: []string{"10.96.0.9"}: may not change once set`).
 * ExternalName on either side, or headless on both, is exempt.
 */
export function validateServiceUpdate(svc: ServiceObject, old: ServiceObject): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return []
  if (svc.spec?.clusterIP === 'None' && old.spec?.clusterIP === 'None') return []
  const now = svc.spec?.clusterIPs ?? []
  const before = old.spec?.clusterIPs ?? []
  const errs: FieldError[] = []
  if (now.length === 0 && before.length > 0) return [invalid('spec.clusterIPs[0]', now, 'primary clusterIP can not be unset')]
  const n = Math.min(now.length, before.length)
  for (let i = 0; i < n; i++) if (now[i] !== before[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, now, 'may not change once set'))
  return errs
}
