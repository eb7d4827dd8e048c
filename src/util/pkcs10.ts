/**
 * @module pkcs10: parses and verifies a PEM "CERTIFICATE REQUEST" (PKCS #10) with node:crypto and a
 * small DER reader, the parts Go's x509.ParseCertificateRequest + CheckSignature give the CSR
 * validation and the signers (pkg/apis/certificates/helpers.go ParseCSR).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { DerError, derBody, derBytes, derChildren, derOID, readDer, type DerElement } from './der.js'

/** What the CSR validation and the signers read from a request. */
export interface CertificateRequest {
  /** The subject Name exactly as encoded (copied into the issued certificate). */
  subjectDer: Buffer
  commonName: string
  organization: string[]
  publicKey: KeyObject
  /** `rsa`, `ec`, `ed25519`, … (KeyObject.asymmetricKeyType). */
  publicKeyAlgorithm: string
  dnsNames: string[]
  ipAddresses: string[]
  emailAddresses: string[]
  uris: string[]
  /** The subjectAltName extension's value (DER GeneralNames), when requested. */
  subjectAltNameDer?: Buffer
  /** Throws the Go message when the self-signature does not verify (CertificateRequest.CheckSignature). */
  checkSignature(): void
}

const oids = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
}

/** Signature algorithms by OID: the digest node:crypto verifies with (null for Ed25519) and the key type they need. */
const signatureAlgorithms: Record<string, { hash: string | null; key: string }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', key: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', key: 'ec' },
  '1.3.101.112': { hash: null, key: 'ed25519' },
}

const verificationFailure: Record<string, string> = {
  rsa: 'crypto/rsa: verification error',
  ec: 'x509: ECDSA verification failure',
  ed25519: 'x509: Ed25519 verification failure',
}

/** pem.Decode of the first block: its type and bytes, or undefined when there is none. */
export function decodePEM(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text)
  if (!m) return undefined
  const body = m[2].replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined
  return { type: m[1], der: Buffer.from(body, 'base64') }
}

function stringValue(buf: Buffer, el: DerElement): string {
  // BMPString is UTF-16BE; the others are (a subset of) UTF-8.
  if (el.tag === 0x1e) return Buffer.from(buf.subarray(el.body, el.end)).swap16().toString('utf16le')
  return derBody(buf, el).toString('utf8')
}

function parseName(buf: Buffer, name: DerElement): { commonName: string; organization: string[] } {
  let commonName = ''
  const organization: string[] = []
  for (const rdn of derChildren(buf, name)) {
    for (const atv of derChildren(buf, rdn)) {
      const [type, value] = derChildren(buf, atv)
      if (!type || !value || type.tag !== 0x06) throw new DerError('bad attribute')
      const oid = derOID(buf, type)
      if (oid === oids.commonName) commonName = stringValue(buf, value)
      else if (oid === oids.organization) organization.push(stringValue(buf, value))
    }
  }
  return { commonName, organization }
}

function ipString(b: Buffer): string {
  if (b.length === 4) return [...b].join('.')
  const groups: string[] = []
  for (let i = 0; i < b.length; i += 2) groups.push(b.readUInt16BE(i).toString(16))
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')
}

function parseSubjectAltName(der: Buffer, out: CertificateRequest): void {
  const seq = readDer(der, 0)
  for (const gn of derChildren(der, seq)) {
    const v = derBody(der, gn)
    switch (gn.tag) {
      case 0x81:
        out.emailAddresses.push(v.toString('latin1'))
        break
      case 0x82:
        out.dnsNames.push(v.toString('latin1'))
        break
      case 0x86:
        out.uris.push(v.toString('latin1'))
        break
      case 0x87:
        out.ipAddresses.push(ipString(v))
        break
    }
  }
}

/**
 * ParseCSR: the first PEM block must be a CERTIFICATE REQUEST holding a well-formed PKCS #10
 * request; throws an Error with upstream's message otherwise. The signature is checked only by
 * `checkSignature()`.
 */
export function parseCSR(pem: string): CertificateRequest {
  const block = decodePEM(pem)
  if (block?.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST')
  const der = block.der
  try {
    const outer = readDer(der, 0)
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new DerError('outer')
    const [info, alg, sig] = derChildren(der, outer)
    if (info?.tag !== 0x30 || alg?.tag !== 0x30 || sig?.tag !== 0x03) throw new DerError('request')
    const [version, subject, spki, attrs] = derChildren(der, info)
    if (version?.tag !== 0x02 || subject?.tag !== 0x30 || spki?.tag !== 0x30) throw new DerError('info')
    const publicKey = createPublicKey({ key: derBytes(der, spki), format: 'der', type: 'spki' })
    const algOID = derOID(der, derChildren(der, alg)[0])
    const sigBytes = derBody(der, sig).subarray(1)
    const tbs = derBytes(der, info)
    const req: CertificateRequest = {
      subjectDer: derBytes(der, subject),
      ...parseName(der, subject),
      publicKey,
      publicKeyAlgorithm: publicKey.asymmetricKeyType ?? '',
      dnsNames: [],
      ipAddresses: [],
      emailAddresses: [],
      uris: [],
      checkSignature() {
        const a = signatureAlgorithms[algOID]
        if (!a) throw new Error('x509: cannot verify signature: algorithm unimplemented')
        if (a.key !== req.publicKeyAlgorithm) throw new Error('x509: signature algorithm specifies a different public key type')
        if (!verify(a.hash, tbs, publicKey, sigBytes)) throw new Error(verificationFailure[a.key] ?? 'x509: verification failure')
      },
    }
    if (attrs?.tag === 0xa0) {
      for (const attr of derChildren(der, attrs)) {
        const [type, values] = derChildren(der, attr)
        if (!type || derOID(der, type) !== oids.extensionRequest || !values) continue
        for (const exts of derChildren(der, values)) {
          for (const ext of derChildren(der, exts)) {
            const parts = derChildren(der, ext)
            if (derOID(der, parts[0]) !== oids.subjectAltName) continue
            req.subjectAltNameDer = derBody(der, parts[parts.length - 1])
            parseSubjectAltName(req.subjectAltNameDer, req)
          }
        }
      }
    }
    return req
  } catch {
    // Only parsing runs in here (the signature is checked later): DER and key errors alike.
    throw new Error('x509: malformed certificate request')
  }
}
