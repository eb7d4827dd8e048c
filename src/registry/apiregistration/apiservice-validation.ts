/** @module apiservice-validation: ValidateAPIService and its status rules (kube-aggregator pkg/apis/apiregistration/validation/validation.go). */
import type { FieldError } from '../../types.js'
import { invalid, notSupported, required } from '../shared/field-errors.js'
import { isDNS1035Label, isDNS1123Subdomain } from '../shared/validation.js'
import type { APIService } from './apiservices.js'

/** path.IsValidPathSegmentName: a name that is one URL path segment. */
function pathSegmentErrors(name: string): string[] {
  for (const bad of ['.', '..']) if (name === bad) return [`may not be '${bad}'`]
  const errs: string[] = []
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`)
  return errs
}

/** The name must be a path segment and exactly `spec.version + "." + spec.group`. */
export function validateAPIServiceName(name: string, obj: APIService): string[] {
  const segment = pathSegmentErrors(name)
  if (segment.length) return segment
  const requiredName = `${obj.spec?.version ?? ''}.${obj.spec?.group ?? ''}`
  return name === requiredName ? [] : [`must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`]
}

/** ValidateAPIService without the ObjectMeta part (the generic registry runs that with validateName). */
export function validateAPIService(obj: APIService): FieldError[] {
  const spec = obj.spec ?? {}
  const group = spec.group ?? ''
  const version = spec.version ?? ''
  const errs: FieldError[] = []
  if (!group && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'))
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m))
  for (const m of isDNS1035Label(version)) errs.push(invalid('spec.version', version, m))
  const gpm = spec.groupPriorityMinimum ?? 0
  if (gpm <= 0 || gpm > 20000) errs.push(invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'))
  const vp = spec.versionPriority ?? 0
  if (vp <= 0 || vp > 1000) errs.push(invalid('spec.versionPriority', vp, 'must be positive and less than 1000'))
  // caBundle is base64 in JSON; the message counts the decoded bytes.
  const caBytes = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').length : 0
  if (!spec.service) {
    if (caBytes) errs.push(invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'))
    if (spec.insecureSkipTLSVerify) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'))
    return errs
  }
  if (!spec.service.namespace) errs.push(required('spec.service.namespace'))
  if (!spec.service.name) errs.push(required('spec.service.name'))
  if (spec.insecureSkipTLSVerify && caBytes) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'))
  return errs
}

/** ValidateAPIServiceStatus: condition statuses are True, False or Unknown. */
export function validateAPIServiceStatus(obj: APIService): FieldError[] {
  const errs: FieldError[] = []
  ;(obj.status?.conditions ?? []).forEach((c, i) => {
    if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(notSupported(`status.conditions[${i}].status`, c.status, ['True', 'False', 'Unknown']))
  })
  return errs
}
