import { describe, expect, it } from 'vitest'
import { createEventRecorder } from '../../src/controllers/events.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

function setup() {
  const clock = new SimClock({ speed: 0, start: Date.parse('2026-12-01T10:00:00Z') })
  const registry = new Registry({ store: new MemoryStore({ historySize: 100 }), clock, definitions })
  registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  const recorder = createEventRecorder(registry, clock, { ttlMs: 0 })
  const events = () =>
    registry
      .resource('', 'events')
      .list('default', {})
      .items.map((s) => s.obj as KubeObject & { count?: number; reason?: string })
  return { recorder, events }
}

const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'default', uid: `uid-${i}` } })
const source = { component: 'kubelet', host: 'n-1' }

describe('event recorder', () => {
  it('counts a repeat up in the same Event, named <object>.<hex nanoseconds>', () => {
    const { recorder, events } = setup()
    recorder.record(source, pod(1), 'Normal', 'Pulled', 'pulled')
    recorder.record(source, pod(1), 'Normal', 'Pulled', 'pulled')
    recorder.record(source, pod(1), 'Normal', 'Started', 'started')
    const evs = events()
    expect(evs.map((e) => [e.reason, e.count])).toEqual(
      expect.arrayContaining([
        ['Pulled', 2],
        ['Started', 1],
      ]),
    )
    expect(evs).toHaveLength(2)
    expect(evs[0].metadata.name).toMatch(/^p-1\.[0-9a-f]+$/)
  })

  it('remembers about the last 10,000 distinct events for aggregation, and forgets older ones', () => {
    const { recorder, events } = setup()
    recorder.record(source, pod(0), 'Normal', 'Pulled', 'pulled')
    for (let i = 1; i <= 6_000; i++) recorder.record(source, pod(i), 'Normal', 'Pulled', 'pulled')
    // 6,000 distinct events later the first is still known: the repeat counts up.
    recorder.record(source, pod(0), 'Normal', 'Pulled', 'pulled')
    expect(
      events()
        .filter((e) => e.metadata.name?.startsWith('p-0.'))
        .map((e) => e.count),
    ).toEqual([2])
    for (let i = 6_001; i <= 16_000; i++) recorder.record(source, pod(i), 'Normal', 'Pulled', 'pulled')
    // 10,000 more and it is forgotten: a repeat makes a new Event.
    recorder.record(source, pod(0), 'Normal', 'Pulled', 'pulled')
    expect(
      events()
        .filter((e) => e.metadata.name?.startsWith('p-0.'))
        .map((e) => e.count)
        .sort(),
    ).toEqual([1, 2])
  })
})
