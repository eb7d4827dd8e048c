/**
 * @module validation: name/label validators and ObjectMeta validation with apimachinery's exact messages
 * (k8s.io/apimachinery/pkg/util/validation/validation.go, pkg/api/validation/objectmeta.go,
 * pkg/apis/meta/v1/validation/validation.go).
 */
import type { ObjectMeta, LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { FieldError } from '../../types.js'
import { forbidden, invalid, required, tooLong } from './field-errors.js'

import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maxLenError, regexError } from '../../util/name-validation.js'

export { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maxLenError, regexError }

const configMapKeyFmt = '[-._a-zA-Z0-9]+'
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`)

/** IsConfigMapKey (ConfigMap and Secret data keys). */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLenError(253))
  if (!configMapKeyRe.test(value))
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'))
  if (value === '.') errs.push("must not be '.'")
  else if (value === '..') errs.push("must not be '..'")
  else if (value.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

/** Each message of `msgs` as a field.Invalid at `field` with `value`. */
export function invalidEach(field: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => invalid(field, value, m))
}

const sortedKeys = (m: Record<string, string>): string[] => Object.keys(m).sort()

/** ValidateLabels: keys as qualified names, values as label values; errors at `path` itself. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  if (!labels) return []
  const errs: FieldError[] = []
  for (const k of sortedKeys(labels)) {
    errs.push(...invalidEach(path, k, isQualifiedName(k)))
    errs.push(...invalidEach(path, labels[k], isValidLabelValue(String(labels[k]))))
  }
  return errs
}

/** Total annotation size limit (TotalAnnotationSizeLimitB). */
const annotationSizeLimit = 256 * 1024

/** ValidateAnnotations: keys (lower-cased) as qualified names; total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  if (!annotations) return []
  const errs: FieldError[] = []
  let size = 0
  for (const k of sortedKeys(annotations)) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())))
    // len() in Go: UTF-8 bytes, not UTF-16 code units.
    size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(String(annotations[k]), 'utf8')
  }
  if (size > annotationSizeLimit) errs.push(tooLong(path, annotationSizeLimit))
  return errs
}

/** Options for validateObjectMeta. */
export interface ObjectMetaOptions {
  namespaced: boolean
  /** Name validator; default isDNS1123Subdomain (NameIsDNSSubdomain). */
  nameFn?: (name: string) => string[]
}

/**
 * ValidateObjectMeta (k8s.io/apimachinery/pkg/api/validation/objectmeta.go) for create and
 * update: generateName and name against `nameFn` (generateName with a trailing '-' masked, as
 * upstream's prefix mode), namespace required/forbidden, labels, annotations, finalizers.
 * Never mutates `meta`.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions): FieldError[] {
  const m = meta ?? {}
  const nameFn = opts.nameFn ?? isDNS1123Subdomain
  const errs: FieldError[] = []
  if (m.generateName) errs.push(...invalidEach('metadata.generateName', m.generateName, nameFn(maskTrailingDash(m.generateName))))
  if (!m.name) errs.push(required('metadata.name', 'name or generateName is required'))
  else errs.push(...invalidEach('metadata.name', m.name, nameFn(m.name)))
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required('metadata.namespace'))
    else errs.push(...invalidEach('metadata.namespace', m.namespace, isDNS1123Label(m.namespace)))
  } else if (m.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'))
  }
  if (m.generation !== undefined && m.generation < 0) errs.push(invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'))
  errs.push(...validateLabels(m.labels, 'metadata.labels'))
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'))
  ;(m.finalizers ?? []).forEach((f, i) => {
    errs.push(...invalidEach(`metadata.finalizers[${i}]`, f, isQualifiedName(f)))
  })
  return errs
}

/** generateName may end in '-'; upstream validates it as if that dash were a letter. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name
}

/**
 * ValidateLabelSelector (pkg/apis/meta/v1/validation): matchLabels as labels, each
 * matchExpressions entry's operator/values/key.
 */
export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!sel) return []
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`)
  ;(sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = `${path}.matchExpressions[${i}]`
    const values = expr.values ?? []
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"))
        break
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        break
      default:
        errs.push(invalid(`${p}.operator`, expr.operator, 'not a valid selector operator'))
    }
    errs.push(...invalidEach(`${p}.key`, expr.key, isQualifiedName(expr.key)))
    values.forEach((v, j) => {
      errs.push(...invalidEach(`${p}.values[${j}]`, v, isValidLabelValue(v)))
    })
  })
  return errs
}

/** ValidateImmutableField: `field is immutable` when the JSON forms differ. */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  return JSON.stringify(newValue) === JSON.stringify(oldValue) ? [] : [invalid(path, newValue, 'field is immutable')]
}
