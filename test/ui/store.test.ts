import { describe, expect, it } from 'vitest'
import { slimPod } from '../../ui/src/pod-status.js'
import { type Change, Store } from '../../ui/src/store.js'
import type { KubeObject } from '../../ui/src/watch.js'

const pod = (name: string, node?: string, phase = 'Running'): KubeObject => ({
  metadata: { name, namespace: 'default', resourceVersion: '1' },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase },
})

/** A store whose frames are run by hand, as requestAnimationFrame would run them. */
function manualStore(opts: { limits?: Record<string, number>; project?: (r: string, o: KubeObject) => KubeObject } = {}) {
  const frames: (() => void)[] = []
  const store = new Store({ schedule: (fn) => frames.push(fn), ...opts })
  const changes: Change[] = []
  store.subscribe((c) => changes.push(c))
  const frame = () => {
    const due = frames.splice(0)
    for (const fn of due) fn()
  }
  return { store, frames, changes, frame }
}

describe('ui store: batched updates', () => {
  it('applies a burst of events in one flush on the next frame, and tells listeners once', () => {
    const { store, frames, changes, frame } = manualStore()
    store.replace('pods', [pod('a', 'n1')])
    for (let i = 0; i < 1000; i++) store.apply('pods', { type: 'ADDED', object: pod(`p${i}`, `n${i % 3}`) })
    expect(frames).toHaveLength(1)
    expect(store.all('pods').size).toBe(0)
    expect(store.pending).toBe(1001)
    frame()
    expect(changes).toHaveLength(1)
    expect(store.flushes).toBe(1)
    expect(store.all('pods').size).toBe(1001)
    expect([...changes[0].resources]).toEqual(['pods'])
    expect([...changes[0].nodes].sort()).toEqual(['n0', 'n1', 'n2'])
    frame()
    expect(changes).toHaveLength(1)
  })

  it('keeps pods by node through MODIFIED (a bind moves it) and DELETED', () => {
    const { store, frame, changes } = manualStore()
    store.apply('pods', { type: 'ADDED', object: pod('a') })
    frame()
    expect([...store.podKeysOn('')]).toEqual(['default/a'])
    store.apply('pods', { type: 'MODIFIED', object: pod('a', 'n1') })
    frame()
    expect(store.podKeysOn('').size).toBe(0)
    expect([...store.podKeysOn('n1')]).toEqual(['default/a'])
    expect([...changes[1].nodes].sort()).toEqual(['', 'n1'])
    store.apply('pods', { type: 'DELETED', object: pod('a', 'n1') })
    frame()
    expect(store.podKeysOn('n1').size).toBe(0)
    expect(store.get('pods', 'default/a')).toBeUndefined()
  })

  it('a replace (re-list) drops what the new list does not have', () => {
    const { store, frame } = manualStore()
    store.replace('pods', [pod('a', 'n1'), pod('b', 'n1')])
    frame()
    store.replace('pods', [pod('b', 'n2')])
    frame()
    expect([...store.all('pods').keys()]).toEqual(['default/b'])
    expect(store.podKeysOn('n1').size).toBe(0)
    expect([...store.podKeysOn('n2')]).toEqual(['default/b'])
  })

  it('keeps at most the limit of a resource, dropping the least recently changed', () => {
    const { store, frame } = manualStore({ limits: { events: 2 } })
    for (const n of ['e1', 'e2', 'e3']) store.apply('events', { type: 'ADDED', object: { metadata: { name: n, namespace: 'default' } } })
    frame()
    expect([...store.all('events').keys()]).toEqual(['default/e2', 'default/e3'])
  })

  it('keeps the projection (slim pods), not the object the watch sent', () => {
    const { store, frame } = manualStore({ project: (r, o) => (r === 'pods' ? slimPod(o) : o) })
    const big = pod('a', 'n1')
    big.spec.containers[0].env = [{ name: 'X', value: 'x'.repeat(1000) }]
    store.apply('pods', { type: 'ADDED', object: big })
    frame()
    expect(store.get('pods', 'default/a')!.spec).toEqual({ nodeName: 'n1', containers: [{ name: 'c' }] })
  })
})
