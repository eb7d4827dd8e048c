/** @module csr-validation: ValidateCertificateSigningRequest{Create,Update,StatusUpdate,ApprovalUpdate} (pkg/apis/certificates/validation/validation.go). */
import { X509Certificate } from 'node:crypto'
import type { FieldError } from '../../types.js'
import { GoLiteral } from '../../util/go-value.js'
import { parseCSR } from '../../util/pkcs10.js'
import { deepEqual } from '../../util/deep-equal.js'
import { duplicate, forbidden, invalid, notSupported, required, tooLong } from '../shared/field-errors.js'
import { isDNS1123Label, isDNS1123Subdomain } from '../shared/validation.js'
import type { CertificateSigningRequest, CSRCondition } from './certificatesigningrequests.js'

/** allValidUsages, sorted as sets.String.List() prints them. */
export const validUsages = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
]

/** Which update path runs the validation (what it may change). */
export interface CSRValidationOptions {
  allowSettingApprovalConditions?: boolean
  allowSettingCertificate?: boolean
}

/** A []byte field error value as Go's %#v prints it: `[]byte{0x2d, 0x2d, …}`. */
function goBytes(b: Buffer): GoLiteral {
  return new GoLiteral(`[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`)
}

/** ValidateCertificateSigningRequestSignerName. */
export function validateSignerName(path: string, signerName: string | undefined): FieldError[] {
  if (!signerName) return [required(path, 'signerName must be provided')]
  const segments = signerName.split('/')
  if (segments.length !== 2) return [invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")]
  const errs: FieldError[] = []
  const [domain, rest] = segments
  if (domain.length > 253) errs.push(tooLong(path, 253))
  const labels = domain.split('.')
  for (const l of labels) {
    const m = isDNS1123Label(l)
    if (m.length) {
      for (const msg of m) errs.push(invalid(path, domain, `validating label ${JSON.stringify(l)}: ${msg}`))
      break
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, 'should be a domain with at least two segments separated by dots'))
  for (const l of rest.split('.')) {
    const m = isDNS1123Subdomain(l)
    if (m.length) {
      for (const msg of m) errs.push(invalid(path, rest, `validating label ${JSON.stringify(l)}: ${msg}`))
      break
    }
  }
  if (signerName.length > 253 + 63 + 1 + 253 + 1) errs.push(tooLong(path, 571))
  return errs
}

/** validateCertificate: status.certificate must be CERTIFICATE PEM blocks only. */
function certificateError(pem: string): string | undefined {
  let blocks = 0
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (m[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(m[1])}`
    if (/^[\w-]+:/m.test(m[2])) return 'no PEM block headers are permitted'
    blocks++
    try {
      new X509Certificate(Buffer.from(m[2].replace(/\s+/g, ''), 'base64'))
    } catch {
      return 'x509: malformed certificate'
    }
  }
  return blocks === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined
}

function validateConditions(conditions: CSRCondition[]): FieldError[] {
  const errs: FieldError[] = []
  const seen = new Set<string>()
  let approved = false
  let denied = false
  conditions.forEach((c, i) => {
    const p = `status.conditions[${i}]`
    if (!c.type) errs.push(required(`${p}.type`))
    const allowed = ['Approved', 'Denied', 'Failed'].includes(c.type) ? ['True'] : ['False', 'True', 'Unknown']
    if (!c.status) errs.push(required(`${p}.status`))
    else if (!allowed.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, allowed))
    if (c.type === 'Approved') {
      approved = true
      if (denied) errs.push(invalid(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'))
    } else if (c.type === 'Denied') {
      denied = true
      if (approved) errs.push(invalid(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'))
    }
    if (seen.has(c.type)) errs.push(duplicate(`${p}.type`, c.type))
    seen.add(c.type)
  })
  return errs
}

/** validateCertificateSigningRequest (the ObjectMeta part runs in the generic registry). */
export function validateCSR(obj: CertificateSigningRequest): FieldError[] {
  const spec = obj.spec ?? {}
  const errs: FieldError[] = []
  const request = Buffer.from(spec.request ?? '', 'base64')
  try {
    parseCSR(request.toString('latin1')).checkSignature()
  } catch (err) {
    errs.push(invalid('spec.request', goBytes(request), (err as Error).message))
  }
  const usages = spec.usages ?? []
  if (usages.length === 0) errs.push(required('spec.usages', 'usages must be provided'))
  usages.forEach((u, i) => {
    if (!validUsages.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, validUsages))
  })
  usages.forEach((u, i) => {
    if (usages.indexOf(u) !== i) errs.push(duplicate(`spec.usages[${i}]`, u))
  })
  if (spec.signerName === 'kubernetes.io/legacy-unknown')
    errs.push(invalid('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'))
  else errs.push(...validateSignerName('spec.signerName', spec.signerName))
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'))
  }
  errs.push(...validateConditions(obj.status?.conditions ?? []))
  const cert = obj.status?.certificate
  if (cert) {
    const e = certificateError(Buffer.from(cert, 'base64').toString('latin1'))
    if (e) errs.push(invalid('status.certificate', '<certificate data>', e))
  }
  return errs
}

const ofType = (obj: CertificateSigningRequest, t: string) => (obj.status?.conditions ?? []).filter((c) => c.type === t)

/**
 * The update rules of validateCertificateSigningRequestUpdate for the main resource, /status or
 * /approval (`opts`), without the object's own validation (validateCSR), which the caller adds.
 */
export function validateCSRUpdate(obj: CertificateSigningRequest, old: CertificateSigningRequest, opts: CSRValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = []
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (ofType(obj, t).length < ofType(old, t).length)
      errs.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`))
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ['Approved', 'Denied']) {
      const now = ofType(obj, t)
      const before = ofType(old, t)
      if (now.length > before.length) errs.push(forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(t)}`))
      else if (now.length === before.length && !deepEqual(now, before)) {
        errs.push(forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(t)}`))
      }
    }
  }
  const cert = obj.status?.certificate ?? ''
  const oldCert = old.status?.certificate ?? ''
  if (cert !== oldCert) {
    if (!opts.allowSettingCertificate) errs.push(forbidden('status.certificate', 'updates may not set certificate content'))
    else if (oldCert) errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'))
  }
  return errs
}
