import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { runtimeClasses, type RuntimeClass } from '../../../src/registry/node/runtimeclasses.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

type Pod = KubeObject & { spec: Record<string, unknown> }

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return { rcs: registry.resource<RuntimeClass>('node.k8s.io', 'runtimeclasses'), pods: registry.resource<Pod>('', 'pods') }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return `${(err as { code: number }).code} ${(err as Error).message}`
  }
  return 'accepted'
}

const pod = (name: string, spec: Record<string, unknown>): Pod =>
  ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } }) as Pod

describe('runtimeclasses', () => {
  it('requires the handler to be a DNS label and keeps it immutable', async () => {
    const { rcs } = await setup()
    expect(await refusal(rcs.create('', { metadata: { name: 'bad' }, handler: 'Run_C' } as RuntimeClass))).toBe(
      `422 RuntimeClass.node.k8s.io "bad" is invalid: handler: Invalid value: "Run_C": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    )
    await rcs.create('', { metadata: { name: 'gvisor' }, handler: 'runsc', overhead: { podFixed: { cpu: '250m' } } } as RuntimeClass)
    expect((rcs.get('', 'gvisor').obj as RuntimeClass).overhead).toEqual({ podFixed: { cpu: '250m' } })
    expect(await refusal(rcs.guaranteedUpdate('', 'gvisor', (o) => ({ ...o, handler: 'kata' })))).toBe(
      '422 RuntimeClass.node.k8s.io "gvisor" is invalid: handler: Invalid value: "kata": field is immutable',
    )
  })

  it('prints NAME HANDLER AGE', () => {
    expect(runtimeClasses.columns!.map((c) => c.name)).toEqual(['Name', 'Handler', 'Age'])
    const rc = { metadata: { name: 'gvisor', creationTimestamp: '2026-11-27T10:00:00Z' }, handler: 'runsc' } as RuntimeClass
    expect(runtimeClasses.row!(rc, new Date('2026-11-27T11:00:00Z'))).toEqual(['gvisor', 'runsc', '60m'])
  })
})

describe('RuntimeClass admission', () => {
  it('refuses a pod naming a missing class', async () => {
    const { pods } = await setup()
    expect(await refusal(pods.create('default', pod('x', { runtimeClassName: 'gvisor' })))).toBe(
      '403 pods "x" is forbidden: pod rejected: RuntimeClass "gvisor" not found',
    )
  })

  it("gives the pod the class's overhead and scheduling constraints", async () => {
    const { rcs, pods } = await setup()
    await rcs.create('', {
      metadata: { name: 'gvisor' },
      handler: 'runsc',
      overhead: { podFixed: { cpu: '250m', memory: '64Mi' } },
      scheduling: { nodeSelector: { sandbox: 'gvisor' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] },
    } as RuntimeClass)
    const s = (await pods.create('default', pod('x', { runtimeClassName: 'gvisor', nodeSelector: { zone: 'a' } }))).obj as Pod
    expect(s.spec.overhead).toEqual({ cpu: '250m', memory: '64Mi' })
    expect(s.spec.nodeSelector).toEqual({ zone: 'a', sandbox: 'gvisor' })
    expect(s.spec.tolerations).toContainEqual({ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' })
    expect(await refusal(pods.create('default', pod('y', { runtimeClassName: 'gvisor', nodeSelector: { sandbox: 'kata' } })))).toBe(
      '403 pods "y" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = gvisor; pod.spec.nodeSelector[sandbox] = kata',
    )
    expect(await refusal(pods.create('default', pod('z', { runtimeClassName: 'gvisor', overhead: { cpu: '1' } })))).toBe(
      `403 pods "z" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead`,
    )
  })
})
