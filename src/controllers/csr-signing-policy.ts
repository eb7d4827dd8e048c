/**
 * @module csr-signing-policy: which requests the kube-controller-manager signers accept and what
 * they issue (pkg/controller/certificates/signer/signer.go, pkg/apis/certificates/v1/helpers.go,
 * pkg/controller/certificates/authority/policies.go). Pure.
 */
import type { CertificateRequest } from '../util/pkcs10.js'

/** The signers the csrsigning controller runs. */
export const kubeSigners = ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']

const setEquals = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x))
const onlySystemNodes = (req: CertificateRequest) => req.organization.length === 1 && req.organization[0] === 'system:nodes'

/** ValidateKubeletServingCSR. */
function kubeletServing(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!onlySystemNodes(req)) return 'subject organization is not system:nodes'
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required'
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed'
  if (req.uris.length) return 'URI subjectAltNames are not allowed'
  if (!setEquals(usages, ['digital signature', 'key encipherment', 'server auth']) && !setEquals(usages, ['digital signature', 'server auth'])) {
    return 'usages did not match [digital signature key encipherment server auth]'
  }
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:'
  return undefined
}

/** ValidateKubeletClientCSR. */
function kubeletClient(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!onlySystemNodes(req)) return 'subject organization is not system:nodes'
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed'
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed'
  if (req.ipAddresses.length) return 'IP subjectAltNames are not allowed'
  if (req.uris.length) return 'URI subjectAltNames are not allowed'
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:'
  if (!setEquals(usages, ['client auth', 'digital signature', 'key encipherment']) && !setEquals(usages, ['client auth', 'digital signature'])) {
    return 'usages did not match [client auth digital signature key encipherment]'
  }
  return undefined
}

/** validAPIServerClientUsages. */
function apiServerClient(_req: CertificateRequest, usages: string[]): string | undefined {
  for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) return `invalid usage for client certificate: ${u}`
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth'
}

/**
 * Why `signerName` refuses the request (the message of the Failed condition), or undefined when
 * it may be signed. Only for the {@link kubeSigners}.
 */
export function signerRefusal(signerName: string, req: CertificateRequest, usages: string[]): string | undefined {
  if (signerName === 'kubernetes.io/kubelet-serving') return kubeletServing(req, new Set(usages))
  if (signerName === 'kubernetes.io/kube-apiserver-client-kubelet') return kubeletClient(req, new Set(usages))
  return apiServerClient(req, usages)
}

/** x509.KeyUsage bits as asn1-x509's KeyUsageFlags numbers them (digitalSignature = 1 … decipherOnly = 256). */
const keyUsageBits: Record<string, number> = {
  signing: 1,
  'digital signature': 1,
  'content commitment': 2,
  'key encipherment': 4,
  'data encipherment': 8,
  'key agreement': 16,
  'cert sign': 32,
  'crl sign': 64,
  'encipher only': 128,
  'decipher only': 256,
}

const extKeyUsageOIDs: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
}

/** keyUsagesFromStrings: the keyUsage bits and extended key usage OIDs of the requested usages. */
export function certificateUsages(usages: string[]): { keyUsage: number; extKeyUsages: string[] } {
  let keyUsage = 0
  const ext: string[] = []
  for (const u of usages) {
    if (keyUsageBits[u]) keyUsage |= keyUsageBits[u]
    const oid = extKeyUsageOIDs[u]
    if (oid && !ext.includes(oid)) ext.push(oid)
  }
  return { keyUsage, extKeyUsages: ext }
}

/** kube-controller-manager's --cluster-signing-duration default (8760h). */
export const clusterSigningDurationMs = 365 * 24 * 3600_000
const minDurationMs = 10 * 60_000
const backdateMs = 5 * 60_000
const shortMs = 8 * 3600_000

/** PermissiveSigningPolicy's validity: requested duration clamped to [10m, TTL], backdated 5 minutes (long-lived ones at both ends). */
export function validity(nowMs: number, expirationSeconds: number | undefined, caNotAfter: Date): { notBefore: Date; notAfter: Date } {
  const ttl = expirationSeconds === undefined ? clusterSigningDurationMs : Math.min(clusterSigningDurationMs, Math.max(minDurationMs, expirationSeconds * 1000))
  const notBefore = nowMs - backdateMs
  const notAfter = Math.min(ttl < shortMs ? nowMs + ttl : nowMs + ttl - backdateMs, caNotAfter.getTime())
  return { notBefore: new Date(notBefore), notAfter: new Date(notAfter) }
}
