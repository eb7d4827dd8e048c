/** @module limit-ranger.test: LimitRange defaulting/validation and the LimitRanger admission plugin through the registry. */
import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { limitRanges, type LimitRange } from '../../../src/registry/core/limitranges.js'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

async function setup(limits: unknown[]): Promise<Registry> {
  const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0, start: Date.parse('2026-01-01T00:00:00Z') }), definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  await registry.resource('', 'limitranges').create('default', { metadata: { name: 'lr' }, spec: { limits } } as KubeObject)
  return registry
}
const pod = (name: string, resources?: unknown, init?: unknown): KubeObject =>
  ({
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }], ...(init ? { initContainers: [init] } : {}) },
  }) as KubeObject

describe('limitranges', () => {
  it('defaults Container items: default from max, defaultRequest from default, else min', () => {
    const lr: LimitRange = { metadata: { name: 'x' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } }
    limitRanges.applyDefaults!(lr, { now: new Date(), randomSuffix: () => '' })
    expect(lr.spec!.limits[0]).toMatchObject({ default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } })
  })
  it('validates as ValidateLimitRange', () => {
    const errs = (limits: unknown[]) => limitRanges.validate!({ metadata: { name: 'x' }, spec: { limits } } as LimitRange).map(fieldErrorString)
    expect(errs([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }])).toEqual([
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    ])
    expect(errs([{ type: 'Pod', default: { cpu: '1' } }])).toEqual(["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"])
    expect(errs([{ type: 'Widget' }])).toEqual(['spec.limits[0].type: Invalid value: "Widget": must be a standard limit type or fully qualified'])
    expect(errs([{ type: 'Container', maxLimitRequestRatio: { cpu: '500m' } }])).toEqual([
      'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1',
    ])
  })
})

describe('LimitRanger admission', () => {
  it('defaults container requests and limits and annotates the pod', async () => {
    const r = await setup([{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '250m' } }])
    const s = await r.resource('', 'pods').create('default', pod('p', { limits: { memory: '64Mi' } }))
    const c = (s.obj.spec as { containers: { resources: unknown }[] }).containers[0]
    // The pod's own defaults ran first: a request defaults to the container's limit (64Mi memory).
    expect(c.resources).toEqual({ limits: { memory: '64Mi', cpu: '500m' }, requests: { memory: '64Mi', cpu: '250m' } })
    expect(s.obj.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu request for container c; cpu limit for container c')
    // QoS is computed after admission: both set, but not equal → Burstable.
    expect((s.obj.status as { qosClass?: string }).qosClass).toBe('Burstable')
  })

  it('refuses a container over max with the upstream text', async () => {
    const r = await setup([{ type: 'Container', max: { cpu: '1' } }])
    await expect(r.resource('', 'pods').create('default', pod('x', { limits: { cpu: '2' } }))).rejects.toMatchObject({
      code: 403,
      message: 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    })
    // The max became the default limit, so a pod without resources passes.
    await expect(r.resource('', 'pods').create('default', pod('ok'))).resolves.toBeDefined()
  })

  it('checks min, ratio and Pod totals, aggregating messages', async () => {
    const r = await setup([
      { type: 'Container', min: { memory: '100Mi' }, maxLimitRequestRatio: { cpu: '2' } },
      { type: 'Pod', max: { cpu: '3' } },
    ])
    const pods = r.resource('', 'pods')
    await expect(pods.create('default', pod('a', { requests: { memory: '50Mi', cpu: '1' }, limits: { cpu: '3' } }))).rejects.toMatchObject({
      code: 403,
      message:
        'pods "a" is forbidden: [minimum memory usage per Container is 100Mi, but request is 50Mi, cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000]',
    })
    await expect(pods.create('default', pod('b', { requests: { memory: '100Mi', cpu: '2' }, limits: { cpu: '4' } }))).rejects.toMatchObject({
      message: 'pods "b" is forbidden: maximum cpu usage per Pod is 3, but limit is 4',
    })
  })

  it('names a generated pod by its generated name and leaves dry runs and other kinds alone', async () => {
    const r = await setup([{ type: 'Container', max: { memory: '1Gi' } }])
    const p = { ...pod('', { limits: { memory: '2Gi' } }), metadata: { generateName: 'web-' } }
    await expect(r.resource('', 'pods').create('default', p)).rejects.toThrow(
      /^pods "web-[a-z0-9]{5}" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi$/,
    )
    await expect(r.resource('', 'configmaps').create('default', { metadata: { name: 'c' } })).resolves.toBeDefined()
  })
})
