/** @module certificatesigningrequests: the certificates.k8s.io/v1 CertificateSigningRequest definition (pkg/registry/certificates/certificates/strategy.go). */
import type { KubeObject } from '../../types.js'
import type { HookContext, ResourceDefinition } from '../resource-definition.js'
import { humanDuration, translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { rfc3339 } from '../../util/time.js'
import { swaggerColumn } from '../shared/swagger-column.js'
import { validateCSR, validateCSRUpdate } from './csr-validation.js'

/** One status condition (Approved, Denied, Failed, …). */
export interface CSRCondition {
  type: string
  status: string
  reason?: string
  message?: string
  lastUpdateTime?: string
  lastTransitionTime?: string
}

/** A CertificateSigningRequest as stored; `request` and `certificate` are base64 (JSON []byte). */
export type CertificateSigningRequest = KubeObject & {
  spec?: {
    request?: string
    signerName?: string
    expirationSeconds?: number
    usages?: string[]
    username?: string
    uid?: string
    groups?: string[]
    extra?: Record<string, string[]>
  }
  status?: { conditions?: CSRCondition[]; certificate?: string }
}

/** populateConditionTimestamps: new conditions get lastUpdateTime now, and lastTransitionTime from an old one of the same type and status. */
function populateConditionTimestamps(obj: CertificateSigningRequest, old: CertificateSigningRequest, ctx: HookContext): void {
  const now = rfc3339(ctx.now.getTime())
  const conds = obj.status?.conditions
  if (!conds) return
  obj.status!.conditions = conds.map((c) => {
    const prev = (old.status?.conditions ?? []).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime)
    return { ...c, lastUpdateTime: c.lastUpdateTime || now, lastTransitionTime: c.lastTransitionTime || prev?.lastTransitionTime || now }
  })
}

/** CONDITION as extractCSRStatus prints it: Denied / Approved / Pending, then `,Failed` and `,Issued`. */
export function csrCondition(obj: CertificateSigningRequest): string {
  const types = new Set((obj.status?.conditions ?? []).map((c) => c.type))
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending'
  if (types.has('Failed')) s += ',Failed'
  if (obj.status?.certificate) s += ',Issued'
  return s
}

const spec = 'io.k8s.api.certificates.v1.CertificateSigningRequestSpec'

/** `csr`: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION (printCertificateSigningRequest). */
export const certificateSigningRequests: ResourceDefinition<CertificateSigningRequest> = {
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  namespaced: false,
  shortNames: ['csr'],
  subresources: [statusSubresource, { name: 'approval', verbs: ['get', 'patch', 'update'] }],
  prepareForCreate(obj, ctx) {
    const s = { ...(obj.spec ?? {}) }
    delete s.username
    delete s.uid
    delete s.groups
    delete s.extra
    if (ctx.user) {
      s.username = ctx.user.username
      if (ctx.user.uid) s.uid = ctx.user.uid
      if (ctx.user.groups.length) s.groups = [...ctx.user.groups]
      if (ctx.user.extra && Object.keys(ctx.user.extra).length) s.extra = ctx.user.extra
    }
    obj.spec = s
    // Be explicit that users cannot create pre-approved certificate requests.
    obj.status = {}
  },
  prepareForUpdate(obj, old) {
    obj.spec = old.spec
    obj.status = old.status
  },
  prepareForStatusUpdate(obj, old, ctx) {
    obj.spec = old.spec
    populateConditionTimestamps(obj, old, ctx)
  },
  subresourceStrategies: {
    approval: {
      prepareForUpdate(obj, old, ctx) {
        obj.spec = old.spec
        obj.status = { ...(obj.status ?? {}) }
        if (old.status?.certificate) obj.status.certificate = old.status.certificate
        else delete obj.status.certificate
        populateConditionTimestamps(obj, old, ctx)
      },
      validateUpdate: (obj, old) => [...validateCSR(obj), ...validateCSRUpdate(obj, old, { allowSettingApprovalConditions: true })],
    },
  },
  // ValidateCertificateRequestName: "We don't care what you call your certificate requests."
  validateName: () => [],
  validate: validateCSR,
  // The generic registry runs validate() before validateUpdate on the main resource only.
  validateUpdate: (obj, old) => validateCSRUpdate(obj, old),
  validateStatusUpdate: (obj, old) => [...validateCSR(obj), ...validateCSRUpdate(obj, old, { allowSettingCertificate: true })],
  selectableFields: (obj) => ({ 'spec.signerName': obj.spec?.signerName ?? '' }),
  columns: [
    nameColumn,
    ageColumn,
    swaggerColumn('SignerName', spec, 'signerName'),
    swaggerColumn('Requestor', spec, 'request'),
    swaggerColumn('RequestedDuration', spec, 'expirationSeconds'),
    swaggerColumn('Condition', 'io.k8s.api.certificates.v1.CertificateSigningRequestStatus', 'conditions'),
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    translateTimestampSince(obj.metadata.creationTimestamp, now),
    obj.spec?.signerName ?? '',
    obj.spec?.username ?? '',
    obj.spec?.expirationSeconds === undefined ? '<none>' : humanDuration(obj.spec.expirationSeconds * 1000),
    csrCondition(obj),
  ],
}
