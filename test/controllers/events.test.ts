import { describe, expect, it } from 'vitest'
import { createEventRecorder } from '../../src/controllers/events.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

async function setup() {
  const clock = new SimClock({ speed: 0, start: Date.parse('2026-12-01T10:00:00Z') })
  const registry = new Registry({ store: new MemoryStore({ historySize: 100 }), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  const recorder = createEventRecorder(registry, clock, { ttlMs: 0 })
  const events = () =>
    registry
      .resource('', 'events')
      .list('default', {})
      .items.map((s) => s.obj as KubeObject & { count?: number; reason?: string })
  return { recorder, events, clock }
}

const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'default', uid: `uid-${i}` } })
const source = { component: 'kubelet', host: 'n-1' }

describe('event recorder', () => {
  it('counts a repeat up in the same Event, named <object>.<hex nanoseconds>', async () => {
    const { recorder, events } = await setup()
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

  it('remembers about the last 10,000 distinct events for aggregation, and forgets older ones', async () => {
    const { recorder, events } = await setup()
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

  it('aggregates the tenth distinct message about the same object and reason, as the EventCorrelator', async () => {
    const { recorder, events } = await setup()
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default', uid: 'rs-1' } }
    const source = { component: 'replicaset-controller' }
    for (let i = 1; i <= 12; i++) recorder.record(source, rs, 'Normal', 'SuccessfulCreate', `Created pod: web-1-${i}`)
    const evs = events() as (KubeObject & { count?: number; message?: string })[]
    expect(evs).toHaveLength(10)
    expect(evs.filter((e) => e.count === 1).map((e) => e.message)).toEqual(Array.from({ length: 9 }, (_, i) => `Created pod: web-1-${i + 1}`))
    const combined = evs.filter((e) => e.message?.startsWith('(combined'))
    expect(combined.map((e) => [e.message, e.count])).toEqual([['(combined from similar events): Created pod: web-1-12', 3]])
  })

  it('lets a source write 25 events about one object, then one more every 5 minutes', async () => {
    const { recorder, events, clock } = await setup()
    for (let i = 1; i <= 30; i++) recorder.record(source, pod(1), 'Normal', `Reason${i}`, 'same message')
    expect(events()).toHaveLength(25)
    // Another object has its own bucket.
    recorder.record(source, pod(2), 'Normal', 'Reason1', 'same message')
    expect(events()).toHaveLength(26)
    await clock.advance(299_000)
    recorder.record(source, pod(1), 'Normal', 'Late1', 'same message')
    expect(events()).toHaveLength(26)
    await clock.advance(1_000)
    recorder.record(source, pod(1), 'Normal', 'Late2', 'same message')
    recorder.record(source, pod(1), 'Normal', 'Late3', 'same message')
    expect(events().map((e) => e.reason)).toContain('Late2')
    expect(events()).toHaveLength(27)
  })
})
