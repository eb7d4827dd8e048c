/**
 * @module crd-validation: ValidateCustomResourceDefinition and ValidateCustomResourceDefinitionUpdate
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go).
 */
import type { FieldError } from '../../types.js'
import { invalid, notSupported, required, forbidden, duplicate } from '../shared/field-errors.js'
import { isDNS1035Label, isDNS1123Subdomain, validateImmutable } from '../shared/validation.js'
import type { CRDNames, CRDVersion, CustomResourceDefinition } from './crd-types.js'
import { crdConditionTrue } from './crd-types.js'
import { jsonPathError } from './json-path.js'
import { cel } from '../cel/load-cel.js'
import { validateCRDSchema } from './schema/index.js'
import { validateWebhookService, validateWebhookURL } from '../admissionregistration/webhook-validation.js'
import type { WebhookClientConfig } from '../admissionregistration/webhook-types.js'

const printerColumnTypes = ['boolean', 'date', 'integer', 'number', 'string']
const printerColumnFormats = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password']
const maxSelectableFields = 8

/** The name validator: a DNS subdomain that is exactly `<plural>.<group>`. */
export function validateCRDName(name: string, crd: CustomResourceDefinition): string[] {
  const msgs = isDNS1123Subdomain(name)
  if (name !== `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`) msgs.push('must be spec.names.plural+"."+spec.group')
  return msgs
}

/** ValidateCustomResourceDefinitionNames: spec.names and status.acceptedNames. */
export function validateCRDNames(names: CRDNames | undefined, path: string): FieldError[] {
  const errs: FieldError[] = []
  const n = names ?? {}
  const label = (field: string, value: string | undefined, prefix = '') => {
    if (!value) return
    const msgs = isDNS1035Label(prefix ? value.toLowerCase() : value)
    if (msgs.length) errs.push(invalid(`${path}.${field}`, value, prefix + msgs.join(',')))
  }
  label('plural', n.plural)
  label('singular', n.singular)
  label('kind', n.kind, 'may have mixed case, but should otherwise match: ')
  label('listKind', n.listKind, 'may have mixed case, but should otherwise match: ')
  for (const [i, s] of (n.shortNames ?? []).entries()) {
    const msgs = isDNS1035Label(s)
    if (msgs.length) errs.push(invalid(`${path}.shortNames[${i}]`, s, msgs.join(',')))
  }
  if (n.kind && n.kind === n.listKind) errs.push(invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'))
  for (const [i, c] of (n.categories ?? []).entries()) {
    const msgs = isDNS1035Label(c)
    if (msgs.length) errs.push(invalid(`${path}.categories[${i}]`, c, msgs.join(',')))
  }
  return errs
}

/** A simple JSONPath of the form `.a.b[0].c` (printer columns, selectable fields, scale paths). */
export function isSimpleJSONPath(p: string): boolean {
  return /^(\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']+'\]|\["[^"]+"\])+$/.test(p)
}

/**
 * A printer column's path: upstream's validateSimpleJSONPath only wants a leading `.`, and the table
 * convertor takes any JSONPath that parses (filters included), so that is what is checked here too
 * (a path that does not parse would fail every list of the resource).
 */
function validatePrinterColumnPath(p: string, field: string): FieldError[] {
  if (!p.startsWith('.')) return [invalid(field, p, 'must be a simple json path starting with .')]
  const err = jsonPathError(p)
  return err ? [invalid(field, p, `must be a valid JSONPath: ${err}`)] : []
}

function validateVersion(v: CRDVersion, path: string): FieldError[] {
  const errs: FieldError[] = []
  const nameErrs = isDNS1035Label(v.name ?? '')
  if (nameErrs.length) errs.push(invalid(`${path}.name`, v.name ?? '', nameErrs.join(',')))
  if (!v.schema?.openAPIV3Schema) errs.push(required(`${path}.schema.openAPIV3Schema`, 'schemas are required'))
  else {
    errs.push(...validateCRDSchema(v.schema.openAPIV3Schema, `${path}.schema.openAPIV3Schema`, { statusSubresource: !!v.subresources?.status }))
    errs.push(...cel().checkRules(v.schema.openAPIV3Schema as Record<string, unknown>, `${path}.schema.openAPIV3Schema`))
  }
  const scale = v.subresources?.scale
  if (scale) {
    const sp = `${path}.subresources.scale`
    if (!scale.specReplicasPath) errs.push(required(`${sp}.specReplicasPath`, ''))
    else if (!scale.specReplicasPath.startsWith('.spec.') || !isSimpleJSONPath(scale.specReplicasPath))
      errs.push(invalid(`${sp}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'))
    if (!scale.statusReplicasPath) errs.push(required(`${sp}.statusReplicasPath`, ''))
    else if (!scale.statusReplicasPath.startsWith('.status.') || !isSimpleJSONPath(scale.statusReplicasPath))
      errs.push(invalid(`${sp}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'))
    const lp = scale.labelSelectorPath
    if (lp && (!(lp.startsWith('.spec.') || lp.startsWith('.status.')) || !isSimpleJSONPath(lp)))
      errs.push(invalid(`${sp}.labelSelectorPath`, lp, 'should be a json path under either .spec or .status'))
  }
  for (const [i, col] of (v.additionalPrinterColumns ?? []).entries()) {
    const cp = `${path}.additionalPrinterColumns[${i}]`
    if (!col.name) errs.push(required(`${cp}.name`, ''))
    if (!col.type) errs.push(required(`${cp}.type`, ''))
    else if (!printerColumnTypes.includes(col.type)) errs.push(notSupported(`${cp}.type`, col.type, printerColumnTypes))
    if (col.format && !printerColumnFormats.includes(col.format)) errs.push(notSupported(`${cp}.format`, col.format, printerColumnFormats))
    if (col.priority !== undefined && col.priority < 0) errs.push(invalid(`${cp}.priority`, col.priority, 'must be greater than or equal to 0'))
    if (!col.jsonPath) errs.push(required(`${cp}.jsonPath`, ''))
    else errs.push(...validatePrinterColumnPath(col.jsonPath, `${cp}.jsonPath`))
  }
  const fields = v.selectableFields ?? []
  if (fields.length > maxSelectableFields)
    errs.push({
      type: 'FieldValueTooMany',
      field: `${path}.selectableFields`,
      badValue: fields.length,
      detail: `must have at most ${maxSelectableFields} items`,
    })
  const seen = new Set<string>()
  for (const [i, f] of fields.entries()) {
    const fp = `${path}.selectableFields[${i}].jsonPath`
    if (!f.jsonPath) errs.push(required(fp, ''))
    else if (!isSimpleJSONPath(f.jsonPath)) errs.push(invalid(fp, f.jsonPath, 'must be a simple json path'))
    else if (f.jsonPath === '.metadata' || f.jsonPath.startsWith('.metadata.') || f.jsonPath.startsWith('.metadata['))
      errs.push(invalid(fp, f.jsonPath, 'must not select fields under metadata'))
    else if (seen.has(f.jsonPath)) errs.push(duplicate(fp, f.jsonPath))
    if (f.jsonPath) seen.add(f.jsonPath)
  }
  if (v.deprecationWarning !== undefined) {
    if (!v.deprecated) errs.push(invalid(`${path}.deprecationWarning`, v.deprecationWarning, 'can only be set for deprecated versions'))
    else if (v.deprecationWarning.length > 256) errs.push(forbidden(`${path}.deprecationWarning`, 'must be no more than 256 characters long'))
  }
  return errs
}

/** ValidateCustomResourceDefinitionSpec (without the per-schema rules, which crd-schema owns). */
export function validateCRDSpec(crd: CustomResourceDefinition): FieldError[] {
  const spec = crd.spec ?? {}
  const errs: FieldError[] = []
  if (!spec.group) errs.push(required('spec.group', ''))
  else {
    const msgs = isDNS1123Subdomain(spec.group)
    if (msgs.length) errs.push(invalid('spec.group', spec.group, msgs.join(',')))
    else if (spec.group.split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'))
  }
  if (!spec.scope) errs.push(required('spec.scope', ''))
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']))
  const versions = spec.versions ?? []
  const names = new Set<string>()
  let unique = true
  for (const [i, v] of versions.entries()) {
    if (names.has(v.name ?? '')) unique = false
    names.add(v.name ?? '')
    errs.push(...validateVersion(v, `spec.versions[${i}]`))
  }
  if (!versions.length) errs.push(required('spec.versions', ''))
  else {
    if (!unique)
      errs.push(
        invalid(
          'spec.versions',
          versions.map((v) => v.name),
          'must contain unique version names',
        ),
      )
    if (versions.filter((v) => v.storage).length !== 1)
      errs.push(
        invalid(
          'spec.versions',
          versions.map((v) => v.name),
          'must have exactly one version marked as storage version',
        ),
      )
    if (!versions.some((v) => v.served))
      errs.push(
        invalid(
          'spec.versions',
          versions.map((v) => v.name),
          'must have at least one version marked as served',
        ),
      )
  }
  const n = spec.names ?? {}
  if (!n.plural) errs.push(required('spec.names.plural', ''))
  if (!n.singular) errs.push(required('spec.names.singular', ''))
  if (!n.kind) errs.push(required('spec.names.kind', ''))
  if (!n.listKind) errs.push(required('spec.names.listKind', ''))
  errs.push(...validateCRDNames(n, 'spec.names'))
  errs.push(...validateConversion(spec.conversion))
  if (spec.preserveUnknownFields)
    errs.push(
      invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'),
    )
  return errs
}

/** The review versions this server speaks to a conversion webhook. */
const acceptedConversionReviewVersions = ['v1', 'v1beta1']

/**
 * validateCustomResourceConversion. Paths are the internal type's, as upstream reports them
 * (v1's `webhook.clientConfig` is `webhookClientConfig`, `webhook.conversionReviewVersions` is
 * `conversionReviewVersions`).
 */
function validateConversion(conversion: NonNullable<CustomResourceDefinition['spec']>['conversion']): FieldError[] {
  const errs: FieldError[] = []
  const p = 'spec.conversion'
  const strategy = conversion?.strategy ?? 'None'
  const webhook = conversion?.webhook as { clientConfig?: WebhookClientConfig; conversionReviewVersions?: string[] } | undefined
  const cc = webhook?.clientConfig
  const versions = webhook?.conversionReviewVersions ?? []
  if (strategy !== 'None' && strategy !== 'Webhook') errs.push(notSupported(`${p}.strategy`, strategy, ['None', 'Webhook']))
  if (strategy !== 'Webhook') {
    if (cc) errs.push(forbidden(`${p}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'))
    if (versions.length) errs.push(forbidden(`${p}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'))
    return errs
  }
  if (!cc) errs.push(required(`${p}.webhookClientConfig`, 'required when strategy is set to Webhook'))
  else if (!cc.url === !cc.service) errs.push(required(`${p}.webhookClientConfig`, 'exactly one of url or service is required'))
  else if (cc.url) errs.push(...validateWebhookURL(`${p}.webhookClientConfig.url`, cc.url))
  else if (cc.service) errs.push(...validateWebhookService(`${p}.webhookClientConfig.service`, cc.service))
  const vp = `${p}.conversionReviewVersions`
  if (!versions.length) errs.push(required(vp, ''))
  else {
    const seen = new Set<string>()
    versions.forEach((v, i) => {
      if (seen.has(v)) {
        errs.push(invalid(`${vp}[${i}]`, v, 'duplicate version'))
        return
      }
      seen.add(v)
      for (const msg of isDNS1035Label(v)) errs.push(invalid(`${vp}[${i}]`, v, msg))
    })
    if (!versions.some((v) => acceptedConversionReviewVersions.includes(v))) {
      errs.push(invalid(vp, versions, `must include at least one of ${acceptedConversionReviewVersions.join(', ')}`))
    }
  }
  return errs
}

/** ValidateCustomResourceDefinition: spec plus status.acceptedNames (metadata is the generic registry's). */
export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  return [...validateCRDSpec(crd), ...validateCRDNames(crd.status?.acceptedNames, 'status.acceptedNames')]
}

/** ValidateCustomResourceDefinitionUpdate: immutables, and every stored version still listed in spec.versions. */
export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = validateCRD(crd)
  if (crdConditionTrue(old, 'Established')) {
    // These decide the storage, so they cannot change once objects may exist.
    errs.push(...validateImmutable(crd.spec?.scope, old.spec?.scope, 'spec.scope'))
    errs.push(...validateImmutable(crd.spec?.names?.kind, old.spec?.names?.kind, 'spec.names.kind'))
  }
  errs.push(...validateImmutable(crd.spec?.group, old.spec?.group, 'spec.group'))
  errs.push(...validateImmutable(crd.spec?.names?.plural, old.spec?.names?.plural, 'spec.names.plural'))
  errs.push(...validateStoredVersions(crd))
  return errs
}

/** ValidateCustomResourceDefinitionStoredVersions. */
export function validateStoredVersions(crd: CustomResourceDefinition): FieldError[] {
  const served = new Set((crd.spec?.versions ?? []).map((v) => v.name))
  const stored = crd.status?.storedVersions ?? []
  const errs: FieldError[] = []
  for (const [i, v] of stored.entries()) if (!served.has(v)) errs.push(invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'))
  // The storage version is always among the stored ones (upstream: "must have the storage version …").
  const storage = (crd.spec?.versions ?? []).find((v) => v.storage)?.name
  if (stored.length && storage && !stored.includes(storage)) errs.push(invalid('status.storedVersions', stored, `must have the storage version ${storage}`))
  return errs
}
