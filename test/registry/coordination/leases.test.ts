import { describe, expect, it } from 'vitest'
import { leases, type Lease } from '../../../src/registry/coordination/leases.js'
import { fieldErrorString } from '../../../src/errors.js'

const lease = (spec: Lease['spec']): Lease => ({ metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2026-01-01T00:00:00Z' }, spec })

describe('leases', () => {
  it('prints NAME HOLDER AGE', () => {
    expect(leases.row!(lease({ holderIdentity: 'node-1', leaseDurationSeconds: 40 }), new Date('2026-01-01T03:05:00Z'))).toEqual(['node-1', 'node-1', '3h5m'])
    expect(leases.row!(lease({}), new Date('2026-01-01T00:00:01Z'))[1]).toBe('')
  })

  it('validates durations and transitions', () => {
    expect(leases.validate!(lease({ leaseDurationSeconds: 0 })).map(fieldErrorString)).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ])
    expect(leases.validate!(lease({ leaseTransitions: -1 })).map(fieldErrorString)).toEqual([
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(leases.validate!(lease({ holderIdentity: 'x', leaseDurationSeconds: 15 }))).toEqual([])
  })
})
