import { describe, expect, it } from 'vitest'
import { controllerRevisions, type ControllerRevision } from '../../../src/registry/apps/controllerrevisions.js'
import { fieldErrorString } from '../../../src/errors.js'

const now = new Date('2026-01-01T00:05:00Z')

function cr(over: Partial<ControllerRevision> = {}): ControllerRevision {
  return {
    metadata: {
      name: 'web-5d8f7c9b4',
      namespace: 'default',
      creationTimestamp: '2026-01-01T00:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    },
    data: { spec: { template: {} } },
    revision: 2,
    ...over,
  }
}

describe('controllerrevisions', () => {
  it('prints the controller as <kind>.<group>/<name> and the revision as a number', () => {
    expect(controllerRevisions.row!(cr(), now)).toEqual(['web-5d8f7c9b4', 'statefulset.apps/web', 2, '5m'])
    expect(controllerRevisions.row!(cr({ metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' } }), now)[1]).toBe('<none>')
  })

  it('requires data and keeps it immutable', () => {
    expect(controllerRevisions.validate!(cr({ data: undefined })).map(fieldErrorString)).toEqual(['data: Required value: data is mandatory'])
    expect(controllerRevisions.validate!(cr({ revision: -1 })).map(fieldErrorString)).toEqual([
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(controllerRevisions.validateUpdate!(cr({ data: { x: 1 } }), cr())).toHaveLength(1)
    expect(controllerRevisions.validateUpdate!(cr(), cr())).toEqual([])
  })
})
