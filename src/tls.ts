/** @module tls: a throwaway CA and serving certificate for `--tls`, or the pair given on the command line. */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  AttributeTypeAndValue,
  AttributeValue,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509'

/** PEM material for an HTTPS server and the clients that must trust it. */
export interface TLSMaterial {
  /** Serving certificate (PEM); with given files, everything in the --tls-cert file. */
  cert: string
  /** Private key of `cert` (PEM). */
  key: string
  /** The certificate clients should trust (PEM); goes into kubeconfig `certificate-authority-data`. */
  ca: string
}

/** Options for {@link generateTLS}. */
export interface GenerateTLSOptions {
  /** The bind address and any extra names clients use; added to the SANs next to the fixed ones. */
  hosts?: string[]
  /** Issue time (default: now). notBefore is an hour earlier to tolerate clock skew. */
  now?: Date
  /** The CA that signs the serving certificate (default: a new one); the cluster's CSR signer uses the same. */
  ca?: CertificateAuthority
}

/** A CA that can sign: its certificate (PEM), key and the parts a signed certificate refers to. */
export interface CertificateAuthority {
  /** PEM certificate: what clients trust. */
  cert: string
  key: KeyObject
  name: Name
  keyId: ArrayBuffer
  notAfter: Date
}

/** ecdsa-with-SHA256 (RFC 5758 §3.2): the signature algorithm has no parameters, not even NULL. */
const ecdsaWithSHA256 = '1.2.840.10045.4.3.2'
const commonNameOID = '2.5.4.3'
const organizationOID = '2.5.4.10'

/**
 * The names kubeadm puts on kube-apiserver's serving certificate (cmd/kubeadm/app/util/pkiutil/
 * pki_helpers.go GetAPIServerAltNames: kubernetes, kubernetes.default, kubernetes.default.svc,
 * kubernetes.default.svc.cluster.local, the service IP 10.96.0.1) plus loopback, and `kubemock`,
 * the docker-compose service name other containers use.
 */
const fixedDNSNames = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'kubemock']
const fixedIPs = ['127.0.0.1', '::1', '10.96.0.1']

/**
 * The SANs for a server bound to `hosts`: the fixed names, each host (DNS or IP), and — for a
 * wildcard bind (0.0.0.0 / ::) — this machine's hostname and interface addresses, since clients
 * then reach us by any of them (in a container: the container's IP or hostname).
 */
export function subjectAltNames(hosts: string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(fixedDNSNames)
  const ips = new Set(fixedIPs)
  for (const raw of hosts) {
    const h = raw.replace(/^\[|\]$/g, '')
    if (!h) continue
    if (h === '0.0.0.0' || h === '::') {
      dns.add(hostname())
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) ips.add(a.address.replace(/%.*$/, ''))
    } else if (isIP(h)) {
      ips.add(h)
    } else {
      dns.add(h.toLowerCase())
    }
  }
  return { dns: [...dns], ips: [...ips] }
}

function name(cn: string, org?: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })])
  return new Name(org ? [rdn(organizationOID, org), rdn(commonNameOID, cn)] : [rdn(commonNameOID, cn)])
}

function extension(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) })
}

/** A positive 128-bit serial: RFC 5280 §4.1.2.2 wants positive and unique, at most 20 octets. */
function serialNumber(): ArrayBuffer {
  const b = randomBytes(16)
  b[0] = (b[0] & 0x7f) | 0x01
  return toArrayBuffer(b)
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
}

/** Key identifier per RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(spki: SubjectPublicKeyInfo): ArrayBuffer {
  return toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest())
}

interface Issued {
  der: Buffer
  spki: SubjectPublicKeyInfo
}

interface CertSpec {
  subject: Name
  issuer: Name
  publicKey: KeyObject
  signingKey: KeyObject
  issuerKeyId?: ArrayBuffer
  notBefore: Date
  notAfter: Date
  extensions: Extension[]
}

/** Builds the TBSCertificate, signs its DER with node:crypto (DER-encoded ECDSA), wraps it up. */
function issue(spec: CertSpec): Issued {
  const spki = AsnConvert.parse(spec.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo)
  const ski = keyId(spki)
  const exts = [...spec.extensions, extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski))]
  if (spec.issuerKeyId)
    exts.push(extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new OctetString(spec.issuerKeyId) })))
  const algorithm = new AlgorithmIdentifier({ algorithm: ecdsaWithSHA256 })
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: algorithm,
    issuer: spec.issuer,
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subject: spec.subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(exts),
  })
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs))
  const signature = sign('sha256', tbsDer, spec.signingKey)
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) })
  return { der: Buffer.from(AsnConvert.serialize(cert)), spki }
}

/** DER → `-----BEGIN CERTIFICATE-----` PEM with 64-column lines. */
export function certificatePEM(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}

const hourMs = 3600_000
const dayMs = 24 * hourMs

/**
 * A fresh CA (`CN=kubemock-ca`, 10 years, like kubeadm's CA) and a serving certificate it signed
 * (`CN=kube-apiserver`, 1 year, serverAuth, SANs from {@link subjectAltNames}). Keys are ECDSA
 * P-256 from node:crypto: generating and signing both takes a few milliseconds, where RSA-2048 in
 * JavaScript takes about a second. Nothing is written to disk; every call makes new keys.
 */
export function generateTLS(opts: GenerateTLSOptions = {}): TLSMaterial {
  const now = opts.now ?? new Date()
  const notBefore = new Date(now.getTime() - hourMs)
  const ca = opts.ca ?? generateCA(now)
  const servingKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const caName = ca.name

  const sans = subjectAltNames(opts.hosts)
  const serving = issue({
    subject: name('kube-apiserver'),
    issuer: caName,
    publicKey: servingKeys.publicKey,
    signingKey: ca.key,
    issuerKeyId: ca.keyId,
    notBefore,
    notAfter: new Date(now.getTime() + 365 * dayMs),
    extensions: [
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      extension(
        id_ce_subjectAltName,
        false,
        new SubjectAlternativeName([
          ...sans.dns.map((dNSName) => new GeneralName({ dNSName })),
          ...sans.ips.map((iPAddress) => new GeneralName({ iPAddress })),
        ]),
      ),
    ],
  })

  return {
    cert: certificatePEM(serving.der),
    key: servingKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ca: ca.cert,
  }
}

/** A fresh CA (`CN=kubemock-ca, O=kubemock`, ECDSA P-256, 10 years from an hour before `now`). */
export function generateCA(now: Date = new Date()): CertificateAuthority {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const caName = name('kubemock-ca', 'kubemock')
  const notAfter = new Date(now.getTime() + 3650 * dayMs)
  const ca = issue({
    subject: caName,
    issuer: caName,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(now.getTime() - hourMs),
    notAfter,
    extensions: [
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
    ],
  })
  return { cert: certificatePEM(ca.der), key: keys.privateKey, name: caName, keyId: keyId(ca.spki), notAfter }
}

/** What {@link signLeaf} puts into a certificate (the template PermissiveSigningPolicy fills in). */
export interface LeafRequest {
  /** The subject Name as DER (copied from the request). */
  subjectDer: Uint8Array
  publicKey: KeyObject
  /** DER GeneralNames of the request's subjectAltName extension, copied as requested. */
  subjectAltNameDer?: Uint8Array
  /** KeyUsageFlags bits (0: no keyUsage extension). */
  keyUsage: number
  /** Extended key usage OIDs (empty: no extension). */
  extKeyUsages: string[]
  notBefore: Date
  notAfter: Date
}

/** Signs a leaf certificate (basicConstraints CA:FALSE) with `ca`; returns its PEM. */
export function signLeaf(ca: CertificateAuthority, req: LeafRequest): string {
  const extensions: Extension[] = []
  if (req.keyUsage) extensions.push(extension(id_ce_keyUsage, true, new KeyUsage(req.keyUsage)))
  if (req.extKeyUsages.length) extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(req.extKeyUsages)))
  extensions.push(extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })))
  if (req.subjectAltNameDer) {
    extensions.push(
      new Extension({ extnID: id_ce_subjectAltName, critical: false, extnValue: new OctetString(toArrayBuffer(Buffer.from(req.subjectAltNameDer))) }),
    )
  }
  const leaf = issue({
    subject: AsnConvert.parse(Buffer.from(req.subjectDer), Name),
    issuer: ca.name,
    publicKey: req.publicKey,
    signingKey: ca.key,
    issuerKeyId: ca.keyId,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    extensions,
  })
  return certificatePEM(leaf.der)
}

/**
 * Reads `--tls-cert`/`--tls-key` PEM files. Clients are told to trust the whole cert file (leaf
 * plus any chain in it): Go's verifier accepts a leaf that is itself in the trusted pool, so
 * kubectl works even for a leaf issued by an outside CA. Throws an Error naming the file that
 * cannot be read or holds no PEM block.
 */
export function loadTLS(certFile: string, keyFile: string): TLSMaterial {
  const read = (file: string, flag: string, marker: RegExp) => {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw new Error(`${flag}: cannot read ${file}: ${(err as Error).message}`)
    }
    if (!marker.test(text)) throw new Error(`${flag}: ${file} holds no PEM ${flag === '--tls-cert' ? 'certificate' : 'private key'}`)
    return text
  }
  const cert = read(certFile, '--tls-cert', /-----BEGIN CERTIFICATE-----/)
  const key = read(keyFile, '--tls-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/)
  return { cert, key, ca: cert }
}

/** Options for {@link issueClientCertificate}. */
export interface ClientCertificateOptions {
  /** The user name: the certificate's CN. */
  user: string
  /** The groups: one O entry each. */
  groups?: string[]
  /** Issue time (default: now); notBefore is an hour earlier, as for the serving certificate. */
  now?: Date
  /** Lifetime in milliseconds (default one year, kubeadm's for admin.conf). */
  validForMs?: number
}

/**
 * A client certificate signed by `ca` (ECDSA P-256, clientAuth) for `CN=user, O=group…`, which
 * the x509 authenticator reads as that user in those groups; returns the PEM certificate and
 * its PKCS#8 PEM key, ready for a kubeconfig's client-certificate-data / client-key-data.
 */
export function issueClientCertificate(ca: CertificateAuthority, opts: ClientCertificateOptions): { cert: string; key: string } {
  const now = opts.now ?? new Date()
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })])
  const subject = new Name([...(opts.groups ?? []).map((g) => rdn(organizationOID, g)), rdn(commonNameOID, opts.user)])
  const leaf = issue({
    subject,
    issuer: ca.name,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    issuerKeyId: ca.keyId,
    notBefore: new Date(now.getTime() - hourMs),
    notAfter: new Date(now.getTime() + (opts.validForMs ?? 365 * dayMs)),
    extensions: [
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_clientAuth])),
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    ],
  })
  return { cert: certificatePEM(leaf.der), key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }
}

/** Reads a `--client-ca-file` PEM bundle; throws an Error naming the file when it cannot be read or holds no certificate. */
export function readClientCAFile(file: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new Error(`--client-ca-file: cannot read ${file}: ${(err as Error).message}`)
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) throw new Error(`--client-ca-file: ${file} holds no PEM certificate`)
  return text
}
