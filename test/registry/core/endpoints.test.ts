import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { endpoints, formatEndpoints } from '../../../src/registry/core/endpoints.js'

const now = new Date('2026-11-27T22:20:00Z')

describe('endpoints', () => {
  it('formats up to three endpoints then "+ N more..."', () => {
    const subsets = [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.3' }, { ip: '10.244.2.4' }, { ip: '10.244.3.9' }], ports: [{ port: 80 }] }]
    expect(formatEndpoints(subsets)).toBe('10.244.1.5:80,10.244.2.3:80,10.244.2.4:80 + 1 more...')
    expect(formatEndpoints([{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.3' }], ports: [{ port: 80 }] }])).toBe('10.244.1.5:80,10.244.2.3:80')
  })
  it('prints <none> without subsets and bare IPs without ports', () => {
    expect(formatEndpoints(undefined)).toBe('<none>')
    expect(formatEndpoints([{ addresses: [{ ip: '10.0.0.1' }] }])).toBe('10.0.0.1')
  })
  it('prints a row and defaults port protocols', () => {
    const ep = {
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-27T22:19:00Z' },
      subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }],
    }
    endpoints.applyDefaults!(ep, { now, randomSuffix: () => 'abcde' })
    expect(ep.subsets[0].ports[0]).toEqual({ port: 80, protocol: 'TCP' })
    expect(endpoints.row!(ep, now)).toEqual(['web', '10.244.1.5:80', '60s'])
  })
  it('requires addresses in each subset', () => {
    expect(endpoints.validate!({ metadata: { name: 'x' }, subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }] }).map(fieldErrorString)).toEqual([
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    ])
  })
})
