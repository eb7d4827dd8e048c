/**
 * @module csr-signer: kube-controller-manager's csrsigning controller (pkg/controller/certificates/signer):
 * issues approved requests for the kubernetes.io signers from the cluster CA, or marks them Failed.
 */
import type { CertificateSigningRequest } from '../registry/certificates/certificatesigningrequests.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { CertificateAuthority } from '../tls.js'
import { parseCSR } from '../util/pkcs10.js'
import { rfc3339 } from '../util/time.js'
import { certificateUsages, kubeSigners, signerRefusal, validity } from './csr-signing-policy.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

/** Options of {@link createCSRSigner}. */
export interface CSRSignerOptions {
  registry: Registry
  clock: Clock
  manager: ControllerManager
  /** The cluster CA (`--tls` makes one); without it the signer makes its own on first use. */
  ca?: CertificateAuthority
}

const has = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')

/** Whether the signer has work on `csr`: approved (not denied), not failed, no certificate yet, one of its signers. */
export function needsSigning(csr: CertificateSigningRequest): boolean {
  if (!has(csr, 'Approved') || has(csr, 'Denied') || has(csr, 'Failed')) return false
  return !csr.status?.certificate && kubeSigners.includes(csr.spec?.signerName ?? '')
}

/** The csrsigning controller: one reconcile per CSR name. */
export function createCSRSigner(deps: CSRSignerOptions): Controller {
  const csrs = deps.registry.resource<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')
  const cache = deps.manager.informers.for<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')
  let ca = deps.ca
  // The X.509 encoder is loaded on the first signature, never at start-up.
  const tls = () => import('../tls.js')
  return {
    name: 'csrsigning',
    watches: [{ group: 'certificates.k8s.io', plural: 'certificatesigningrequests' }],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const csr = cache.getObject('', name)
      if (!csr || !needsSigning(csr)) return
      const spec = csr.spec ?? {}
      const req = parseCSR(Buffer.from(spec.request ?? '', 'base64').toString('latin1'))
      const now = deps.clock.now()
      const refused = signerRefusal(spec.signerName ?? '', req, spec.usages ?? [])
      let status: CertificateSigningRequest['status']
      if (refused) {
        const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: refused, lastUpdateTime: rfc3339(now) }
        status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] }
      } else {
        const { generateCA, signLeaf } = await tls()
        ca ??= generateCA(new Date(now))
        const pem = signLeaf(ca, {
          subjectDer: req.subjectDer,
          publicKey: req.publicKey,
          subjectAltNameDer: req.subjectAltNameDer,
          ...certificateUsages(spec.usages ?? []),
          ...validity(now, spec.expirationSeconds, ca.notAfter),
        })
        status = { ...csr.status, certificate: Buffer.from(pem).toString('base64') }
      }
      // UpdateStatus of the version read: a change since is a Conflict, and the retry re-reads.
      await csrs.guaranteedUpdate('', name, (cur) => ({ ...cur, metadata: { ...cur.metadata, resourceVersion: csr.metadata.resourceVersion }, status }), {
        subresource: 'status',
      })
    },
  }
}
