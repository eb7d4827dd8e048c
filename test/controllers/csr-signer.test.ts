/** @module csr-signer.test: the csrsigning and csrcleaner controllers on an in-process cluster with a manual clock. */
import { X509Certificate } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { CertificateSigningRequest } from '../../src/registry/certificates/certificatesigningrequests.js'
import { generateCA } from '../../src/tls.js'
import { opensslCSR } from '../helpers/openssl-csr.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

const ca = generateCA()
const hourMs = 3600_000
const admin = { username: 'kubemock-admin', uid: '', groups: ['system:masters', 'system:authenticated'] }
const b64 = (s: string) => Buffer.from(s).toString('base64')

async function start(): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0, nodes: 0, ca })
  return cluster
}

const csrs = (c: Cluster) => c.registry.resource<CertificateSigningRequest>('certificates.k8s.io', 'certificatesigningrequests')

async function submit(c: Cluster, name: string, pem: string, spec: Partial<NonNullable<CertificateSigningRequest['spec']>>, approve = true) {
  await csrs(c).create('', { metadata: { name }, spec: { request: b64(pem), usages: ['client auth'], ...spec } }, { user: admin })
  if (approve)
    await csrs(c).guaranteedUpdate('', name, (o) => ({ ...o, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Test' }] } }), {
      subresource: 'approval',
    })
  // The signer loads the X.509 encoder with a dynamic import (cached here, as this file imports it): a few turns let it land.
  const done = () => {
    const st = csrs(c).read('', name)?.status
    return !!st?.certificate || !!st?.conditions?.some((x) => x.type === 'Failed')
  }
  for (let i = 0; i < 20 && !done(); i++) {
    await c.clock.advance(10)
  }
  return csrs(c).read('', name)!
}

describe('csrsigning controller', () => {
  it('issues kube-apiserver-client certificates from the cluster CA with the requested subject, usages and duration', async () => {
    const c = await start()
    const { csr } = opensslCSR('/O=dev/O=qa/CN=jane')
    const out = await submit(c, 'jane', csr, {
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'client auth'],
      expirationSeconds: 3600,
    })
    const cert = new X509Certificate(Buffer.from(out.status!.certificate!, 'base64'))
    expect(cert.verify(new X509Certificate(ca.cert).publicKey)).toBe(true)
    expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true)
    expect(cert.subject).toBe('O=dev\nO=qa\nCN=jane')
    // Short-lived (< 8h): backdated 5 minutes at the start only.
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(3600_000 + 300_000)
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2'])
    expect(cert.ca).toBe(false)
  })

  it('without a cluster CA (no --tls) makes one on the first signature and keeps issuing from it', async () => {
    cluster = await Cluster.open({ speed: 0, nodes: 0 })
    const c = cluster
    const { csr } = opensslCSR('/CN=a')
    const a = await submit(c, 'a', csr, { signerName: 'kubernetes.io/kube-apiserver-client' })
    const b = await submit(c, 'b', csr, { signerName: 'kubernetes.io/kube-apiserver-client' })
    const certA = new X509Certificate(Buffer.from(a.status!.certificate!, 'base64'))
    const certB = new X509Certificate(Buffer.from(b.status!.certificate!, 'base64'))
    expect(certA.issuer).toBe('O=kubemock\nCN=kubemock-ca')
    expect(certA.issuer).toBe(certB.issuer)
    expect(certA.fingerprint256).not.toBe(certB.fingerprint256)
  })

  it('clamps expirationSeconds to the 1-year signing duration and copies SANs of kubelet-serving requests', async () => {
    const c = await start()
    const { csr } = opensslCSR('/O=system:nodes/CN=system:node:worker1', { san: 'DNS:worker1,IP:172.18.0.3' })
    const out = await submit(c, 'serving', csr, {
      signerName: 'kubernetes.io/kubelet-serving',
      usages: ['digital signature', 'key encipherment', 'server auth'],
      expirationSeconds: 10 * 365 * 86400,
    })
    const cert = new X509Certificate(Buffer.from(out.status!.certificate!, 'base64'))
    expect(cert.subjectAltName).toBe('DNS:worker1, IP Address:172.18.0.3')
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(365 * 86400_000)
  })

  it('marks requests the signer refuses Failed (SignerValidationFailure) and leaves unapproved or foreign ones alone', async () => {
    const c = await start()
    const { csr } = opensslCSR('/O=dev/CN=jane')
    const bad = await submit(c, 'bad', csr, { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['server auth'] })
    expect(bad.status?.certificate).toBeUndefined()
    expect(bad.status?.conditions?.[1]).toMatchObject({
      type: 'Failed',
      status: 'True',
      reason: 'SignerValidationFailure',
      message: 'invalid usage for client certificate: server auth',
    })
    const kubelet = await submit(c, 'kubelet', csr, { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] })
    expect(kubelet.status?.conditions?.[1]?.message).toBe('subject organization is not system:nodes')
    const pending = await submit(c, 'pending', csr, { signerName: 'kubernetes.io/kube-apiserver-client' }, false)
    expect(pending.status).toEqual({})
    const foreign = await submit(c, 'foreign', csr, { signerName: 'example.com/signer' })
    expect(foreign.status?.certificate).toBeUndefined()
    expect(foreign.status?.conditions).toHaveLength(1)
  })
})

describe('csrcleaner', () => {
  it('deletes an issued CSR an hour after approval and a pending one after a day (simulated time)', async () => {
    const c = await start()
    const { csr } = opensslCSR('/CN=jane')
    await submit(c, 'issued', csr, { signerName: 'kubernetes.io/kube-apiserver-client' })
    await submit(c, 'pending', csr, { signerName: 'kubernetes.io/kube-apiserver-client' }, false)
    await c.clock.advance(hourMs - 60_000)
    expect(csrs(c).read('', 'issued')).toBeDefined()
    await c.clock.advance(120_000)
    expect(csrs(c).read('', 'issued')).toBeUndefined()
    expect(csrs(c).read('', 'pending')).toBeDefined()
    await c.clock.advance(23 * hourMs)
    expect(csrs(c).read('', 'pending')).toBeUndefined()
  })
})
