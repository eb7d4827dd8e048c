/**
 * @module field-manager-name: the manager a request's write is recorded under in managedFields
 * (managerOrUserAgent in k8s.io/apiserver/pkg/endpoints/handlers/rest.go: the `fieldManager`
 * parameter, else the User-Agent up to its first `/`), checked as ValidateFieldManager checks it.
 */
import { StatusError } from '../errors.js'
import type { FieldError } from '../types.js'
import { queryString, type RawQuery } from './query-params.js'

/** FieldManagerMaxLength. */
const maxLength = 128

/** The writer's manager name; throws the options kind's 422 for a name upstream refuses. */
export function fieldManagerOf(
  query: RawQuery | undefined,
  userAgent: string | undefined,
  optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
  extra: FieldError[] = [],
): string {
  const given = queryString(query, 'fieldManager') ?? ''
  const errs = [...extra, ...fieldManagerErrors(given)]
  if (errs.length) throw StatusError.invalid(optionsKind, 'meta.k8s.io', '', errs)
  return given || prefixFromUserAgent(userAgent ?? '')
}

function fieldManagerErrors(name: string): FieldError[] {
  const errs: FieldError[] = []
  if (Buffer.byteLength(name) > maxLength)
    errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', badValue: name, detail: `may not be more than ${maxLength} bytes` })
  let i = 0
  for (const ch of name) {
    if (!printable(ch)) {
      const cp = ch.codePointAt(0)!
      errs.push({
        type: 'FieldValueInvalid',
        field: 'fieldManager',
        badValue: name,
        detail: `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})`,
      })
    }
    i += Buffer.byteLength(ch)
  }
  return errs
}

// prefixFromUserAgent: the part before the first `/`, printable characters only, at most 128 bytes.
function prefixFromUserAgent(ua: string): string {
  let out = ''
  for (const ch of ua.split('/')[0]!) {
    if (!printable(ch)) continue
    if (Buffer.byteLength(out) >= maxLength) break
    out += ch
  }
  return out
}

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
function printable(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)
}
