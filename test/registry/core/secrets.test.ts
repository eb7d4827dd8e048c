import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { secrets, type SecretObject } from '../../../src/registry/core/secrets.js'

const now = new Date('2026-11-27T22:20:00Z')
const ctx = { now, randomSuffix: () => 'abcde' }

describe('secrets', () => {
  it('defaults the type and merges stringData into data', () => {
    const s: SecretObject = { metadata: { name: 'db' }, data: { user: 'YWRtaW4=', password: 'b2xk' }, stringData: { password: 's3cr3t' } }
    secrets.applyDefaults!(s, ctx)
    expect(s).toEqual({ metadata: { name: 'db' }, type: 'Opaque', data: { user: 'YWRtaW4=', password: 'czNjcjN0' } })
  })
  it('prints NAME TYPE DATA AGE', () => {
    const s: SecretObject = { metadata: { name: 'db', creationTimestamp: '2026-11-27T22:00:00Z' }, type: 'Opaque', data: { a: 'YQ==', b: 'Yg==' } }
    expect(secrets.row!(s, now)).toEqual(['db', 'Opaque', 2, '20m'])
    expect(secrets.selectableFields!(s)).toEqual({ type: 'Opaque' })
  })
  it('checks typed secrets', () => {
    const tls: SecretObject = { metadata: { name: 't' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }
    expect(secrets.validate!(tls).map(fieldErrorString)).toEqual(['data[tls.key]: Required value'])
  })
  it('makes the type immutable', () => {
    const old: SecretObject = { metadata: { name: 't' }, type: 'Opaque' }
    expect(secrets.validateUpdate!({ ...old, type: 'kubernetes.io/basic-auth' }, old).map(fieldErrorString)).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    ])
  })
})
