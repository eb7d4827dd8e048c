/** @module componentstatuses.test: the ComponentStatus printer (HTTP behaviour: test/api/core-extra-resources.test.ts). */
import { describe, expect, it } from 'vitest'
import { componentStatuses } from '../../../src/registry/core/componentstatuses.js'

describe('componentstatuses', () => {
  it('prints NAME STATUS MESSAGE ERROR', () => {
    const [cm] = componentStatuses.computed!(new Date(), {} as never)
    expect(componentStatuses.row!(cm as never, new Date())).toEqual(['controller-manager', 'Healthy', 'ok', ''])
    expect(componentStatuses.row!({ metadata: { name: 'x' } }, new Date())).toEqual(['x', 'Unknown', '', ''])
  })
})
