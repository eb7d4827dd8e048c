/**
 * @module csr-cleaner: kube-controller-manager's csrcleaner (pkg/controller/certificates/cleaner/cleaner.go):
 * deletes CSRs an hour after they were approved and issued, denied or failed, a day after they were
 * created when still pending, and once their certificate has expired.
 */
import { X509Certificate } from 'node:crypto'
import { StatusError } from '../errors.js'
import type { CertificateSigningRequest } from '../registry/certificates/certificatesigningrequests.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const hourMs = 3600_000
/** approvedExpiration, deniedExpiration, failedExpiration (1h) and pendingExpiration (24h). */
const expirations = { issued: hourMs, denied: hourMs, failed: hourMs, pending: 24 * hourMs }

const when = (t: string | undefined) => (t ? Date.parse(t) : Number.NaN)

/** When the cleaner deletes `csr` (epoch ms; NaN: never, as a condition without lastUpdateTime is never old). Pure. */
export function cleanupTime(csr: CertificateSigningRequest): number {
  const conds = csr.status?.conditions ?? []
  const cert = csr.status?.certificate
  const times: number[] = []
  for (const c of conds) {
    if (c.type === 'Approved' && cert) times.push(when(c.lastUpdateTime) + expirations.issued)
    if (c.type === 'Denied') times.push(when(c.lastUpdateTime) + expirations.denied)
    if (c.type === 'Failed') times.push(when(c.lastUpdateTime) + expirations.failed)
  }
  if (!conds.some((c) => c.type === 'Approved' || c.type === 'Denied')) times.push(when(csr.metadata.creationTimestamp) + expirations.pending)
  if (cert) {
    try {
      times.push(Date.parse(new X509Certificate(Buffer.from(cert, 'base64')).validTo))
    } catch {
      // Not a certificate this cleaner can read: upstream logs and keeps it.
    }
  }
  const valid = times.filter((t) => !Number.isNaN(t))
  return valid.length ? Math.min(...valid) : Number.NaN
}

/** The cleaner, level-based: each CSR is looked at again when its deadline comes (simulated time). */
export function createCSRCleaner(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const csrs = deps.registry.resource<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')
  const cache = deps.manager.informers.for<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')
  return {
    name: 'csrcleaner',
    watches: [{ group: 'certificates.k8s.io', plural: 'certificatesigningrequests' }],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const csr = cache.getObject('', name)
      if (!csr || csr.metadata.deletionTimestamp) return
      const at = cleanupTime(csr)
      if (Number.isNaN(at)) return
      const now = deps.clock.now()
      if (at > now) return { requeueAfterMs: at - now }
      try {
        await csrs.delete('', name, { preconditions: { uid: csr.metadata.uid } })
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
      }
    },
  }
}
