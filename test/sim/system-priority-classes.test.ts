import { describe, expect, it } from 'vitest'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { ensureSystemPriorityClasses } from '../../src/sim/system-priority-classes.js'
import { MemoryStore } from '../../src/store/object-store.js'

describe('ensureSystemPriorityClasses', () => {
  it('creates the missing system classes and leaves existing ones as they are (the post-start hook on every start)', async () => {
    const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ start: 0, speed: 0 }), definitions })
    const pcs = registry.resource('scheduling.k8s.io', 'priorityclasses')
    await ensureSystemPriorityClasses(registry)
    expect(pcs.list(undefined).items.map((s) => s.obj.metadata.name)).toEqual(['system-cluster-critical', 'system-node-critical'])
    const kept = pcs.get('', 'system-cluster-critical')
    await pcs.delete('', 'system-node-critical')
    await ensureSystemPriorityClasses(registry)
    expect(pcs.get('', 'system-node-critical').obj).toMatchObject({ value: 2000001000 })
    expect(pcs.get('', 'system-cluster-critical').rv).toBe(kept.rv)
  })
})
