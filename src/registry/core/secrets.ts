/** @module secrets: the core/v1 Secret definition (SetDefaults_Secret, stringData conversion, ValidateSecret, printSecret). */
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { required, tooLong } from '../shared/field-errors.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { invalidEach, isConfigMapKey, validateImmutable } from '../shared/validation.js'
import { maxDataSize, validateImmutableData } from './configmaps.js'

/** A Secret as stored (data values base64). */
export type SecretObject = KubeObject & { type?: string; data?: Record<string, string>; stringData?: Record<string, string>; immutable?: boolean }

/** Keys a typed secret must carry (ValidateSecret's per-type switch). */
function typeRules(s: SecretObject): FieldError[] {
  const data = s.data ?? {}
  const has = (k: string): boolean => k in data
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      return s.metadata.annotations?.['kubernetes.io/service-account.name'] ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')]
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? [] : [required('data[.dockercfg]')]
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? [] : [required('data[.dockerconfigjson]')]
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')]
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [required('data[ssh-privatekey]')]
    case 'kubernetes.io/tls':
      return [...(has('tls.crt') ? [] : [required('data[tls.crt]')]), ...(has('tls.key') ? [] : [required('data[tls.key]')])]
    default:
      return []
  }
}

/**
 * Secrets: type defaults to Opaque; stringData is merged into data (base64, overriding) and
 * dropped, as the v1→internal conversion does on every write; NAME TYPE DATA AGE.
 */
export const secrets: ResourceDefinition<SecretObject> = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,

  applyDefaults(s) {
    s.type ||= 'Opaque'
    if (s.stringData && Object.keys(s.stringData).length > 0) {
      s.data ??= {}
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(v, 'utf8').toString('base64')
    }
    delete s.stringData
  },

  validate(s) {
    const errs: FieldError[] = []
    let size = 0
    for (const k of Object.keys(s.data ?? {}).sort()) {
      errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)))
      size += Buffer.byteLength(s.data![k] ?? '', 'base64')
    }
    if (size > maxDataSize) errs.push(tooLong('data', maxDataSize))
    errs.push(...typeRules(s))
    return errs
  },

  validateUpdate: (s, old) => [...validateImmutable(s.type, old.type, 'type'), ...validateImmutableData(s, old, { data: [s.data, old.data] })],

  selectableFields: (s) => ({ type: s.type ?? '' }),

  columns: [
    nameColumn,
    { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.' },
    { name: 'Data', type: 'integer', description: 'Data contains the secret data.' },
    ageColumn,
  ],
  row: (s, now) => [
    s.metadata.name ?? '',
    s.type ?? '',
    Object.keys(s.data ?? {}).length,
    translateTimestampSince(s.metadata.creationTimestamp as string | undefined, now),
  ],
}
