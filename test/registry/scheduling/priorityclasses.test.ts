import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { priorityClasses, type PriorityClass } from '../../../src/registry/scheduling/priorityclasses.js'
import { SimClock } from '../../../src/sim/clock.js'
import { systemPriorityClassObjects } from '../../../src/sim/system-priority-classes.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  const pcs = registry.resource<PriorityClass>('scheduling.k8s.io', 'priorityclasses')
  for (const pc of systemPriorityClassObjects()) await pcs.create('', pc as PriorityClass)
  return { registry, pcs }
}

const pc = (name: string, rest: Partial<PriorityClass> = {}): PriorityClass => ({ metadata: { name }, value: 1000, ...rest }) as PriorityClass

/** The Status message a rejected write answers with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return `${(err as { code: number }).code} ${(err as Error).message}`
  }
  return 'accepted'
}

describe('priorityclasses', () => {
  it('stores the two system classes as the API server creates them, with generation 1 and omitempty fields dropped', async () => {
    const { pcs } = await setup()
    const s = pcs.get('', 'system-node-critical').obj as PriorityClass
    expect(s).toMatchObject({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      value: 2000001000,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Used for system critical pods that must not be moved from their current node.',
    })
    expect(s.metadata.generation).toBe(1)
    expect('globalDefault' in s).toBe(false)
    expect((pcs.get('', 'system-cluster-critical').obj as PriorityClass).value).toBe(2000000000)
  })

  it('reserves the system- prefix and values above one billion', async () => {
    const { pcs } = await setup()
    expect(await refusal(pcs.create('', pc('system-mine')))).toBe(
      `422 PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`,
    )
    await pcs.delete('', 'system-node-critical')
    expect(await refusal(pcs.create('', pc('system-node-critical', { value: 5 })))).toContain(
      'error: value of system-node-critical PriorityClass must be 2000001000',
    )
    expect(await refusal(pcs.create('', pc('huge', { value: 1_000_000_001 })))).toBe(
      '422 PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    )
    expect(await refusal(pcs.create('', pc('odd', { preemptionPolicy: 'Sometimes' })))).toBe(
      '422 PriorityClass.scheduling.k8s.io "odd" is invalid: preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
    )
    expect(await refusal(pcs.create('', pc('ok', { value: 1_000_000_000 })))).toBe('accepted')
  })

  it('keeps value and preemptionPolicy immutable but lets the description change', async () => {
    const { pcs } = await setup()
    await pcs.create('', pc('high'))
    const upd = (f: (o: PriorityClass) => void) =>
      pcs.guaranteedUpdate('', 'high', (o) => {
        f(o)
        return o
      })
    expect(await refusal(upd((o) => (o.value = 7)))).toBe(
      '422 PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: may not be changed in an update.',
    )
    expect(await refusal(upd((o) => (o.preemptionPolicy = 'Never')))).toBe(
      '422 PriorityClass.scheduling.k8s.io "high" is invalid: preemptionPolicy: Invalid value: "Never": field is immutable',
    )
    expect(await refusal(upd((o) => (o.description = 'now described')))).toBe('accepted')
  })

  it('allows only one globalDefault class (the Priority plugin)', async () => {
    const { pcs } = await setup()
    await pcs.create('', pc('first', { globalDefault: true }))
    expect(await refusal(pcs.create('', pc('second', { globalDefault: true })))).toBe(
      '403 priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass first is already marked as default. Only one default can exist',
    )
    await pcs.create('', pc('third'))
    expect(await refusal(pcs.guaranteedUpdate('', 'third', (o) => ({ ...o, globalDefault: true })))).toContain(
      'PriorityClass first is already marked as default',
    )
    expect(await refusal(pcs.guaranteedUpdate('', 'first', (o) => ({ ...o, description: 'still default' })))).toBe('accepted')
  })

  it('prints NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
    expect(priorityClasses.columns!.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Value', 'integer'],
      ['Global-Default', 'boolean'],
      ['Age', 'string'],
      ['PreemptionPolicy', 'string'],
    ])
    const obj = { ...pc('high'), metadata: { name: 'high', creationTimestamp: '2026-11-27T10:00:00Z' }, preemptionPolicy: 'Never' } as KubeObject
    expect(priorityClasses.row!(obj as PriorityClass, new Date('2026-11-27T10:02:00Z'))).toEqual(['high', 1000, false, '2m', 'Never'])
  })
})
