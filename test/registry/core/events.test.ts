import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { events, type EventObject } from '../../../src/registry/core/events.js'

const now = new Date('2026-11-27T22:20:00Z')

const pulled = (): EventObject => ({
  metadata: { name: 'web-1.17a8b9c0d1e2f3a4', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1', apiVersion: 'v1', fieldPath: 'spec.containers{nginx}' },
  reason: 'Pulled',
  message: 'Successfully pulled image "nginx:1.25"\n',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2026-11-27T22:15:00Z',
  lastTimestamp: '2026-11-27T22:19:00Z',
  count: 2,
  type: 'Normal',
})

describe('events', () => {
  it('prints the wide event row in column order', () => {
    expect(events.columns!.map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject',
      'Source',
      'Message',
      'First Seen',
      'Count',
      'Name',
    ])
    expect(events.row!(pulled(), now)).toEqual([
      '60s',
      'Normal',
      'Pulled',
      'pod/web-1',
      'spec.containers{nginx}',
      'kubelet, node-1',
      'Successfully pulled image "nginx:1.25"',
      '5m',
      2,
      'web-1.17a8b9c0d1e2f3a4',
    ])
  })
  it('falls back to eventTime, series and reporting fields', () => {
    const ev: EventObject = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default' },
      eventTime: '2026-11-27T22:10:00.123456Z',
      series: { count: 4, lastObservedTime: '2026-11-27T22:19:30.000000Z' },
      reportingComponent: 'deployment-controller',
      reportingInstance: 'cp-1',
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      action: 'Scale',
    }
    // eventTime has microseconds: 9m59.877s is still "9m59s", as HumanDuration truncates.
    const r = events.row!(ev, now)
    expect([r[0], r[3], r[5], r[7], r[8]]).toEqual(['30s', 'deployment/web', 'deployment-controller, cp-1', '9m59s', 4])
    expect(events.validate!(ev)).toEqual([])
  })
  it('defaults COUNT to 1', () => {
    const ev = pulled()
    delete ev.count
    expect(events.row!(ev, now)[8]).toBe(1)
  })
  it('requires the involved object namespace to match', () => {
    const ev = pulled()
    ev.involvedObject!.namespace = 'other'
    expect(events.validate!(ev).map(fieldErrorString)).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace'])
  })
  it('selects by involved object, source and type', () => {
    expect(events.selectableFields!(pulled())).toMatchObject({
      'involvedObject.name': 'web-1',
      'involvedObject.uid': 'u-1',
      'involvedObject.kind': 'Pod',
      source: 'kubelet',
      type: 'Normal',
      reason: 'Pulled',
    })
  })
})
