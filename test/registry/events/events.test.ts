import { describe, expect, it } from 'vitest'
import { eventsV1, type EventV1 } from '../../../src/registry/events/events.js'
import { fieldErrorString } from '../../../src/errors.js'

const now = new Date('2026-01-01T00:02:00Z')

function ev(over: Partial<EventV1> = {}): EventV1 {
  return {
    metadata: { name: 'web-1.17a', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    eventTime: '2026-01-01T00:00:00.123456Z',
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-node-1',
    action: 'Binding',
    reason: 'Scheduled',
    type: 'Normal',
    note: 'Successfully assigned default/web-1 to node-1 ',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1' },
    ...over,
  }
}

describe('events.k8s.io events', () => {
  it('accepts a well-formed event', () => {
    expect(eventsV1.validate!(ev())).toEqual([])
  })

  it('requires the new-style fields and rejects the deprecated ones', () => {
    const msgs = eventsV1.validate!(ev({ action: undefined, type: 'Info', deprecatedCount: 3 })).map(fieldErrorString)
    expect(msgs).toEqual([
      'action: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'deprecatedCount: Invalid value: "": needs to be unset',
    ])
    expect(eventsV1.validate!(ev({ eventTime: undefined })).map(fieldErrorString)).toEqual(['eventTime: Required value'])
  })

  it('keeps the note immutable', () => {
    expect(eventsV1.validateUpdate!(ev({ note: 'other' }), ev()).map(fieldErrorString)).toEqual(['message: Invalid value: "other": field is immutable'])
  })

  it('prints like a core event, including the wide columns', () => {
    expect(eventsV1.columns!.map((c) => [c.name, c.priority ?? 0])).toEqual([
      ['Last Seen', 0],
      ['Type', 0],
      ['Reason', 0],
      ['Object', 0],
      ['Subobject', 1],
      ['Source', 1],
      ['Message', 0],
      ['First Seen', 1],
      ['Count', 1],
      ['Name', 1],
    ])
    // eventTime keeps microseconds: 119.876s ago floors to 119s.
    expect(eventsV1.row!(ev(), now)).toEqual([
      '119s',
      'Normal',
      'Scheduled',
      'pod/web-1',
      '',
      'default-scheduler, default-scheduler-node-1',
      'Successfully assigned default/web-1 to node-1',
      '119s',
      1,
      'web-1.17a',
    ])
    const series = eventsV1.row!(ev({ series: { count: 4, lastObservedTime: '2026-01-01T00:01:50.000000Z' } }), now)
    expect([series[0], series[8]]).toEqual(['10s', 4])
  })

  it('selects on regarding.* and reportingController', () => {
    expect(eventsV1.selectableFields!(ev())).toMatchObject({
      'regarding.kind': 'Pod',
      'regarding.name': 'web-1',
      reason: 'Scheduled',
      reportingController: 'default-scheduler',
      type: 'Normal',
    })
  })
})
