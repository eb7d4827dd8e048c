import { describe, expect, it } from 'vitest'
import { serviceAccounts } from '../../../src/registry/core/serviceaccounts.js'

describe('serviceaccounts', () => {
  it('prints NAME SECRETS AGE with an integer count', () => {
    const sa = { metadata: { name: 'default', creationTimestamp: '2026-11-27T20:20:00Z' }, secrets: [{ name: 'tok' }] }
    expect(serviceAccounts.columns!.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Secrets', 'integer'],
      ['Age', 'string'],
    ])
    expect(serviceAccounts.row!(sa, new Date('2026-11-27T22:20:00Z'))).toEqual(['default', 1, '120m'])
    expect(serviceAccounts.shortNames).toEqual(['sa'])
  })
})
