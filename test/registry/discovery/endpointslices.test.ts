import { describe, expect, it } from 'vitest'
import { endpointSlices, type EndpointSlice } from '../../../src/registry/discovery/endpointslices.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:00:09Z'), randomSuffix: () => 'abcde' }

function slice(over: Partial<EndpointSlice> = {}): EndpointSlice {
  const s: EndpointSlice = {
    metadata: { name: 'web-abcde', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'] }, { addresses: ['10.244.0.6'] }],
    ports: [{ port: 80 }],
    ...over,
  }
  endpointSlices.applyDefaults!(s, ctx)
  return s
}

describe('endpointslices', () => {
  it('defaults port name and protocol', () => {
    expect(slice().ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }])
    expect(endpointSlices.validate!(slice())).toEqual([])
  })

  it('validates address type, addresses and duplicate port names', () => {
    expect(endpointSlices.validate!(slice({ addressType: 'IPX' })).map(fieldErrorString)).toEqual([
      'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"',
    ])
    expect(endpointSlices.validate!(slice({ endpoints: [{ addresses: ['nope'] }, { addresses: [] }] })).map(fieldErrorString)).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "nope": must be a valid IPv4 address',
      'endpoints[1].addresses: Required value: must contain at least 1 address',
    ])
    expect(endpointSlices.validate!(slice({ ports: [{ port: 80 }, { port: 81 }] })).map(fieldErrorString)).toEqual(['ports[1].name: Duplicate value: ""'])
    expect(endpointSlices.validateUpdate!(slice({ addressType: 'IPv6' }), slice()).map(fieldErrorString)).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ])
  })

  it('prints ports and endpoints with the "+ N more..." cut-off and <unset>', () => {
    expect(endpointSlices.row!(slice(), ctx.now)).toEqual(['web-abcde', 'IPv4', '80', '10.244.0.5,10.244.0.6', '9s'])
    const many = slice({ endpoints: ['1', '2', '3', '4', '5'].map((n) => ({ addresses: [`10.0.0.${n}`] })), ports: [] })
    expect(endpointSlices.row!(many, ctx.now).slice(2, 4)).toEqual(['<unset>', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...'])
  })
})
