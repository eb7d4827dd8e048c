import { describe, expect, it } from 'vitest'
import type { StoredObject } from '../../src/store/object-store.js'
import { StoreError } from '../../src/store/store-error.js'
import { type StoreEvent, WatchHub } from '../../src/store/watch-hub.js'

/** A version as the hub sees it: only `rv` and `size` are read. */
const version = (rv: number, size = 10) => ({ rv, size }) as unknown as StoredObject

function event(rv: number, type: StoreEvent['type'], resource = 'pods', namespace = 'default', prev?: StoredObject): StoreEvent {
  const ev: StoreEvent = { type, resource, namespace, rv, stored: version(rv) }
  if (prev) ev.prev = prev
  return ev
}

describe('WatchHub', () => {
  it('replays the history as it was published, across growth and wrap-around', () => {
    const dropped: StoreEvent[] = []
    const hub = new WatchHub(100, 0, Infinity, (ev) => dropped.push(ev))
    const published: StoreEvent[] = []
    const types: StoreEvent['type'][] = ['ADDED', 'MODIFIED', 'DELETED']
    for (let rv = 1; rv <= 250; rv++) {
      const ev = event(rv, types[rv % 3]!, rv % 2 ? 'pods' : 'secrets', rv % 5 ? 'default' : 'kube-system', rv % 3 ? version(rv - 1) : undefined)
      published.push(ev)
      hub.publish(ev)
    }
    // 100 slots: the first 150 events fell out, oldest first, each told to onDrop as published.
    expect(dropped).toEqual(published.slice(0, 150))
    expect(hub.oldestResumableRV()).toBe(150)
    const kept = published.slice(150)
    expect(hub.eventsAfter('pods', undefined, 150)).toEqual(kept.filter((e) => e.resource === 'pods'))
    expect(hub.eventsAfter('secrets', 'kube-system', 200)).toEqual(kept.filter((e) => e.resource === 'secrets' && e.namespace === 'kube-system' && e.rv > 200))
    // A replayed event has `prev` only where the published one had it.
    expect(hub.eventsAfter('pods', undefined, 150).filter((e) => 'prev' in e).length).toBe(kept.filter((e) => e.resource === 'pods' && e.prev).length)
    expect(() => hub.eventsAfter('pods', undefined, 149)).toThrow(StoreError)
  })

  it('subscribes with the events after the given version, then the live ones', () => {
    const hub = new WatchHub(10, 0)
    for (let rv = 1; rv <= 5; rv++) hub.publish(event(rv, 'ADDED'))
    const seen: number[] = []
    const stop = hub.subscribe('pods', 'default', 3, 5, (ev) => seen.push(ev.rv))
    hub.publish(event(6, 'MODIFIED', 'pods', 'other'))
    hub.publish(event(7, 'DELETED'))
    stop()
    hub.publish(event(8, 'ADDED'))
    expect(seen).toEqual([4, 5, 7])
  })

  it('drops the oldest events while the history holds more than its byte limit, keeping the newest', () => {
    const hub = new WatchHub(1000, 0, 25)
    for (let rv = 1; rv <= 4; rv++) hub.publish(event(rv, 'ADDED'))
    expect(hub.historyBytes()).toBe(20)
    expect(hub.oldestResumableRV()).toBe(2)
    hub.publish({ type: 'ADDED', resource: 'pods', namespace: 'default', rv: 5, stored: version(5, 100) })
    expect(hub.eventsAfter('pods', undefined, 4).map((e) => e.rv)).toEqual([5])
    hub.reset(5)
    expect(hub.eventsAfter('pods', undefined, 5)).toEqual([])
    hub.publish(event(6, 'ADDED'))
    expect(hub.eventsAfter('pods', undefined, 5).map((e) => e.rv)).toEqual([6])
  })
})
