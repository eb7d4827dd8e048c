import { describe, expect, it } from 'vitest'
import { StatusError } from '../../../src/errors.js'
import { certificateSigningRequests, csrCondition, type CertificateSigningRequest } from '../../../src/registry/certificates/certificatesigningrequests.js'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { opensslCSR } from '../../helpers/openssl-csr.js'
import { generateCA } from '../../../src/tls.js'

const admin = { username: 'kubemock-admin', uid: '', groups: ['system:masters', 'system:authenticated'] }
const pem = opensslCSR('/O=dev/CN=jane').csr
const b64 = (s: string) => Buffer.from(s).toString('base64')
type Status = NonNullable<CertificateSigningRequest['status']>

function csr(name: string, spec: Partial<NonNullable<CertificateSigningRequest['spec']>> = {}): CertificateSigningRequest {
  return { metadata: { name }, spec: { request: b64(pem), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec } }
}

function setup() {
  const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 }), definitions })
  return registry.resource<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')
}

async function invalidMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof StatusError) return err.status.message ?? ''
    throw err
  }
  throw new Error('expected an Invalid error')
}

describe('certificatesigningrequests', () => {
  it('records the requesting user and drops what the client claimed, with an empty status', async () => {
    const s = await setup().create(
      '',
      { ...csr('jane', { username: 'mallory', groups: ['system:masters'] }), status: { conditions: [{ type: 'Approved', status: 'True' }] } },
      { user: admin },
    )
    expect(s.obj.spec).toMatchObject({ username: 'kubemock-admin', groups: ['system:masters', 'system:authenticated'] })
    expect((s.obj as CertificateSigningRequest).spec?.uid).toBeUndefined()
    expect(s.obj.status).toEqual({})
  })

  it('validates the PEM request, usages, signerName and expirationSeconds with upstream messages', async () => {
    const rs = setup()
    const msg = await invalidMessage(rs.create('', csr('bad', { request: b64('hello'), usages: [], signerName: 'example', expirationSeconds: 60 })))
    expect(msg).toBe(
      'CertificateSigningRequest.certificates.k8s.io "bad" is invalid: [spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST, spec.usages: Required value: usages must be provided, spec.signerName: Invalid value: "example": must be a fully qualified domain and path of the form \'example.com/signer-name\', spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)]',
    )
    expect(await invalidMessage(rs.create('', csr('u', { usages: ['client auth', 'flying', 'client auth'] })))).toContain(
      'spec.usages[1]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth",',
    )
    expect(await invalidMessage(rs.create('', csr('d', { usages: ['client auth', 'client auth'] })))).toContain(
      'spec.usages[1]: Duplicate value: "client auth"',
    )
    // A request whose signature does not verify (one byte of the signature flipped).
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
    der[der.length - 3] ^= 0xff
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`
    expect(await invalidMessage(rs.create('', csr('t', { request: b64(tampered) })))).toMatch(
      /spec\.request: Invalid value: \[\]byte\{0x2d.*: (x509: ECDSA verification failure|x509: malformed certificate request)/,
    )
  })

  it('keeps spec immutable, lets /approval add Approved and /status set the certificate once', async () => {
    const rs = setup()
    await rs.create('', csr('jane'), { user: admin })
    const u = await rs.update('', 'jane', { ...csr('jane', { signerName: 'example.com/other' }) })
    expect((u.obj as CertificateSigningRequest).spec?.signerName).toBe('kubernetes.io/kube-apiserver-client')
    const approve = (cur: CertificateSigningRequest) => ({
      ...cur,
      status: {
        conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }],
      },
    })
    expect(await invalidMessage(rs.guaranteedUpdate('', 'jane', approve, { subresource: 'status' }))).toContain(
      'status.conditions: Forbidden: updates may not add a condition of type "Approved"',
    )
    const a = await rs.guaranteedUpdate('', 'jane', approve, { subresource: 'approval' })
    expect((a.obj.status as Status).conditions?.[0]).toMatchObject({
      type: 'Approved',
      lastUpdateTime: '2026-11-27T10:00:00Z',
      lastTransitionTime: '2026-11-27T10:00:00Z',
    })
    expect(csrCondition(a.obj)).toBe('Approved')
    const cert = b64(generateCA().cert)
    const withCert = (c: CertificateSigningRequest) => ({ ...c, status: { ...c.status, certificate: cert } })
    // /approval only changes conditions.
    expect(((await rs.guaranteedUpdate('', 'jane', withCert, { subresource: 'approval' })).obj.status as Status).certificate).toBeUndefined()
    expect(
      await invalidMessage(rs.guaranteedUpdate('', 'jane', (c) => ({ ...c, status: { ...c.status, certificate: b64('junk') } }), { subresource: 'status' })),
    ).toContain('status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block')
    expect(((await rs.guaranteedUpdate('', 'jane', withCert, { subresource: 'status' })).obj.status as Status).certificate).toBe(cert)
    expect(
      await invalidMessage(
        rs.guaranteedUpdate('', 'jane', (c) => ({ ...c, status: { ...c.status, certificate: b64(generateCA().cert) } }), { subresource: 'status' }),
      ),
    ).toContain('status.certificate: Forbidden: updates may not modify existing certificate content')
  })

  it('refuses Approved together with Denied, and removing conditions', async () => {
    const rs = setup()
    await rs.create('', csr('jane'), { user: admin })
    const both = (c: CertificateSigningRequest) => ({
      ...c,
      status: {
        conditions: [
          { type: 'Approved', status: 'True' },
          { type: 'Denied', status: 'True' },
        ],
      },
    })
    expect(await invalidMessage(rs.guaranteedUpdate('', 'jane', both, { subresource: 'approval' }))).toContain(
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    )
    await rs.guaranteedUpdate('', 'jane', (c) => ({ ...c, status: { conditions: [{ type: 'Denied', status: 'True' }] } }), { subresource: 'approval' })
    expect(await invalidMessage(rs.guaranteedUpdate('', 'jane', (c) => ({ ...c, status: { conditions: [] } }), { subresource: 'approval' }))).toContain(
      'status.conditions: Forbidden: updates may not remove a condition of type "Denied"',
    )
  })

  it('prints NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION', () => {
    const obj: CertificateSigningRequest = {
      ...csr('jane', { username: 'kubemock-admin', expirationSeconds: 86400 }),
      metadata: { name: 'jane', creationTimestamp: '2026-11-27T10:00:00Z' },
      status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'eA==' },
    }
    expect(certificateSigningRequests.row!(obj, new Date('2026-11-27T10:00:30Z'))).toEqual([
      'jane',
      '30s',
      'kubernetes.io/kube-apiserver-client',
      'kubemock-admin',
      '24h',
      'Approved,Issued',
    ])
    expect(certificateSigningRequests.row!(csr('p'), new Date())[4]).toBe('<none>')
    expect(
      csrCondition({
        ...obj,
        status: {
          conditions: [
            { type: 'Denied', status: 'True' },
            { type: 'Failed', status: 'True' },
          ],
        },
      }),
    ).toBe('Denied,Failed')
    expect(certificateSigningRequests.columns!.map((c) => c.name)).toEqual(['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition'])
    expect(certificateSigningRequests.columns![2].description).toMatch(/^signerName indicates the requested signer/)
  })
})
