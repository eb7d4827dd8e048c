import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import type { PriorityClass } from '../../../src/registry/scheduling/priorityclasses.js'
import { SimClock } from '../../../src/sim/clock.js'
import { systemPriorityClassObjects } from '../../../src/sim/system-priority-classes.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

type Pod = KubeObject & { spec: { priority?: number; priorityClassName?: string; preemptionPolicy?: string; containers: unknown[] } }

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  const pcs = registry.resource<PriorityClass>('scheduling.k8s.io', 'priorityclasses')
  for (const pc of systemPriorityClassObjects()) await pcs.create('', pc as PriorityClass)
  return { pods: registry.resource<Pod>('', 'pods'), pcs }
}

const pod = (name: string, spec: Partial<Pod['spec']> = {}, generateName?: string): Pod =>
  ({ metadata: generateName ? { generateName } : { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.15.12' }], ...spec } }) as Pod

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return `${(err as { code: number }).code} ${(err as Error).message}`
  }
  return 'accepted'
}

describe('Priority admission for pods', () => {
  it('gives a pod without a class priority 0 and PreemptLowerPriority while no class is the global default', async () => {
    const { pods } = await setup()
    const s = (await pods.create('default', pod('plain'))).obj as Pod
    expect(s.spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' })
    expect(s.spec.priorityClassName).toBeUndefined()
  })

  it('resolves a named class, system or user-defined, into priority and preemptionPolicy', async () => {
    const { pods, pcs } = await setup()
    const critical = (await pods.create('default', pod('dns', { priorityClassName: 'system-cluster-critical' }))).obj as Pod
    expect(critical.spec.priority).toBe(2000000000)
    await pcs.create('', { metadata: { name: 'polite' }, value: 500, preemptionPolicy: 'Never' } as PriorityClass)
    const polite = (await pods.create('default', pod('p', { priorityClassName: 'polite' }))).obj as Pod
    expect(polite.spec).toMatchObject({ priority: 500, preemptionPolicy: 'Never' })
  })

  it('takes the global default class, with its name, for pods that name none', async () => {
    const { pods, pcs } = await setup()
    await pcs.create('', { metadata: { name: 'low' }, value: -10, globalDefault: true } as PriorityClass)
    const s = (await pods.create('default', pod('x'))).obj as Pod
    expect(s.spec).toMatchObject({ priority: -10, priorityClassName: 'low', preemptionPolicy: 'PreemptLowerPriority' })
  })

  it('refuses an unknown class with 403, naming the generateName prefix when the name is yet to be made', async () => {
    const { pods } = await setup()
    expect(await refusal(pods.create('default', pod('x', { priorityClassName: 'nope' })))).toBe(
      '403 pods "x" is forbidden: no PriorityClass with name nope was found',
    )
    expect(await refusal(pods.create('default', pod('', { priorityClassName: 'nope' }, 'web-7d4b9c-')))).toBe(
      '403 pods "web-7d4b9c-" is forbidden: no PriorityClass with name nope was found',
    )
  })

  it('refuses a priority or preemptionPolicy that differs from the computed one, and accepts an equal one', async () => {
    const { pods } = await setup()
    expect(await refusal(pods.create('default', pod('x', { priority: 5 })))).toBe(
      '403 pods "x" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
    )
    expect(await refusal(pods.create('default', pod('y', { preemptionPolicy: 'Never' })))).toBe(
      '403 pods "y" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
    )
    expect(await refusal(pods.create('default', pod('z', { priorityClassName: 'system-node-critical', priority: 2000001000 })))).toBe('accepted')
  })

  it('keeps the stored priority when an update leaves it out', async () => {
    const { pods } = await setup()
    await pods.create('default', pod('x', { priorityClassName: 'system-node-critical' }))
    const u = await pods.guaranteedUpdate('default', 'x', (o) => {
      delete o.spec.priority
      delete o.spec.preemptionPolicy
      o.metadata.labels = { a: 'b' }
      return o
    })
    expect((u.obj as Pod).spec).toMatchObject({ priority: 2000001000, preemptionPolicy: 'PreemptLowerPriority' })
  })
})
