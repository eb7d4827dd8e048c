import { describe, expect, it } from 'vitest'
import { decodePEM, parseCSR } from '../../src/util/pkcs10.js'
import { opensslCSR } from '../helpers/openssl-csr.js'

describe('parseCSR', () => {
  it('reads subject, key type and SANs of EC and RSA requests and verifies their signatures', () => {
    const ec = parseCSR(
      opensslCSR('/O=system:nodes/O=extra/CN=system:node:n1', { san: 'DNS:n1,DNS:n1.local,IP:10.0.0.7,IP:fd00::1,email:a@b.c,URI:spiffe://x/y' }).csr,
    )
    expect(ec).toMatchObject({
      commonName: 'system:node:n1',
      organization: ['system:nodes', 'extra'],
      publicKeyAlgorithm: 'ec',
      dnsNames: ['n1', 'n1.local'],
      ipAddresses: ['10.0.0.7', 'fd00::1'],
      emailAddresses: ['a@b.c'],
      uris: ['spiffe://x/y'],
    })
    expect(() => ec.checkSignature()).not.toThrow()
    const rsa = parseCSR(opensslCSR('/CN=jane', { rsa: true }).csr)
    expect(rsa).toMatchObject({ commonName: 'jane', organization: [], publicKeyAlgorithm: 'rsa', dnsNames: [] })
    expect(rsa.subjectAltNameDer).toBeUndefined()
    expect(() => rsa.checkSignature()).not.toThrow()
  })

  it('fails with Go’s messages: wrong PEM type, malformed DER, bad signature', () => {
    expect(() => parseCSR('junk')).toThrow('PEM block type must be CERTIFICATE REQUEST')
    expect(() => parseCSR('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow('PEM block type must be CERTIFICATE REQUEST')
    expect(() => parseCSR('-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n')).toThrow('x509: malformed certificate request')
    const pem = opensslCSR('/CN=jane', { rsa: true }).csr
    const der = decodePEM(pem)!.der
    der[der.length - 1] ^= 0x01
    const tampered = parseCSR(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`)
    expect(() => tampered.checkSignature()).toThrow('crypto/rsa: verification error')
  })
})
