/** @module configmaps: the core/v1 ConfigMap definition (ValidateConfigMap, printConfigMap). */
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { forbidden, invalid, tooLong } from '../shared/field-errors.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { invalidEach, isConfigMapKey } from '../shared/validation.js'

/** A ConfigMap as stored. */
export type ConfigMapObject = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string>; immutable?: boolean }

/** MaxSecretSize, shared by ConfigMaps and Secrets. */
export const maxDataSize = 1024 * 1024

/** `immutable: true` freezes data/binaryData and the flag itself (shared with Secrets). */
export function validateImmutableData(
  obj: { immutable?: boolean },
  old: { immutable?: boolean },
  dataFields: Record<string, [unknown, unknown]>,
): FieldError[] {
  if (!old.immutable) return []
  const errs: FieldError[] = []
  if (!obj.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'))
  for (const [field, [a, b]] of Object.entries(dataFields)) {
    if (JSON.stringify(a ?? {}) !== JSON.stringify(b ?? {})) errs.push(forbidden(field, 'field is immutable when `immutable` is set'))
  }
  return errs
}

/** ConfigMaps: valid keys, no key in both data and binaryData, at most 1 MiB of values; NAME DATA AGE. */
export const configMaps: ResourceDefinition<ConfigMapObject> = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],

  validate(cm) {
    const errs: FieldError[] = []
    // ValidateConfigMap sums len(value): UTF-8 bytes of data, decoded bytes of binaryData.
    let size = 0
    for (const k of Object.keys(cm.data ?? {}).sort()) {
      errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)))
      size += Buffer.byteLength(String(cm.data![k] ?? ''), 'utf8')
    }
    for (const k of Object.keys(cm.binaryData ?? {}).sort()) {
      errs.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)))
      if (cm.data && k in cm.data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'))
      size += Buffer.byteLength(String(cm.binaryData![k] ?? ''), 'base64')
    }
    // field.NewPath("") renders as `[]`: the error is about the whole object.
    if (size > maxDataSize) errs.push(tooLong('[]', maxDataSize))
    return errs
  },

  validateUpdate: (cm, old) => validateImmutableData(cm, old, { data: [cm.data, old.data], binaryData: [cm.binaryData, old.binaryData] }),

  columns: [nameColumn, { name: 'Data', type: 'integer', description: 'Data contains the configuration data.' }, ageColumn],
  row: (cm, now) => [
    cm.metadata.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    translateTimestampSince(cm.metadata.creationTimestamp as string | undefined, now),
  ],
}
