/** @module event-ttl.test: the apiserver's event TTL on the simulated clock — Events go 1 h after their latest write. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` } })

describe('event TTL', () => {
  it('deletes an Event 1 h after its latest write; a repeat renews it; watchers see DELETED', async () => {
    const c = (cluster = await Cluster.open({ speed: 0, nodes: [] }))
    const events = c.registry.resource('', 'events')
    const names = () =>
      events
        .list('default')
        .items.map((s) => (s.obj as { reason?: string }).reason)
        .sort()
    c.events.record({ component: 'test' }, pod('a'), 'Normal', 'First', 'one')
    c.events.record({ component: 'test' }, pod('b'), 'Normal', 'Repeated', 'again')
    const deleted: string[] = []
    const stop = events.watch('default', { resourceVersion: String(c.store.currentRV()) }, (ev) => {
      if (ev.type === 'DELETED') deleted.push((ev.stored.obj as { reason?: string }).reason ?? '')
    }).stop
    await c.clock.advance(30 * 60_000)
    // The same event again: count 2, and a fresh hour from now.
    c.events.record({ component: 'test' }, pod('b'), 'Normal', 'Repeated', 'again')
    await c.clock.advance(30 * 60_000 - 1)
    expect(names()).toEqual(['First', 'Repeated'])
    await c.clock.advance(1)
    expect(names()).toEqual(['Repeated'])
    expect(deleted).toEqual(['First'])
    await c.clock.advance(30 * 60_000)
    expect(names()).toEqual([])
    expect(deleted).toEqual(['First', 'Repeated'])
    stop()
  })

  it('applies to Events created through the API too, and to events.k8s.io Events', async () => {
    const c = (cluster = await Cluster.open({ speed: 0, nodes: [] }))
    await c.registry.resource('', 'events').create('default', {
      metadata: { name: 'by-hand' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'x' },
      reason: 'Manual',
      message: 'hi',
    } as KubeObject)
    await c.registry.resource('events.k8s.io', 'events').create('default', {
      metadata: { name: 'new-api' },
      eventTime: '2025-01-01T00:00:00.000000Z',
      reportingController: 'test',
      reportingInstance: 'test-1',
      action: 'Test',
      reason: 'Manual',
      regarding: { kind: 'Pod', namespace: 'default', name: 'x' },
      type: 'Normal',
    } as KubeObject)
    await c.clock.advance(3_600_000 - 1)
    expect(c.registry.resource('', 'events').getStored('default', 'by-hand')).toBeDefined()
    expect(c.registry.resource('events.k8s.io', 'events').getStored('default', 'new-api')).toBeDefined()
    await c.clock.advance(1)
    expect(c.registry.resource('', 'events').getStored('default', 'by-hand')).toBeUndefined()
    expect(c.registry.resource('events.k8s.io', 'events').getStored('default', 'new-api')).toBeUndefined()
  })
})
