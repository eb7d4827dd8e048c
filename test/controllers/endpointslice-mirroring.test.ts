/** @module endpointslice-mirroring.test: hand-written Endpoints of a selector-less Service mirrored into EndpointSlices, on a bare registry with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { createEndpointSliceMirroringController } from '../../src/controllers/endpointslice-mirroring.js'
import type { EndpointSlice } from '../../src/registry/discovery/endpointslices.js'
import type { KubeObject } from '../../src/types.js'
import { type Harness, startHarness } from './workload-harness.js'

let h: Harness | undefined
afterEach(() => {
  h?.close()
  h = undefined
})

const slicesOf = (name: string) =>
  h!.registry
    .resource('discovery.k8s.io', 'endpointslices')
    .list('default', { labelSelector: `kubernetes.io/service-name=${name}` })
    .items.map((s) => s.obj as EndpointSlice)
const endpoints = (name: string, subsets: unknown[], meta: Record<string, unknown> = {}) => ({ metadata: { name, ...meta }, subsets }) as KubeObject

describe('endpointslice mirroring controller', () => {
  it('mirrors the Endpoints of a Service without a selector, ready and not, owned by the Endpoints', async () => {
    h = await startHarness([(d) => createEndpointSliceMirroringController(d)])
    await h.registry.resource('', 'services').create('default', { metadata: { name: 'ext' }, spec: { ports: [{ name: 'db', port: 5432 }] } } as KubeObject)
    const ep = await h.registry.resource('', 'endpoints').create(
      'default',
      endpoints('ext', [{ addresses: [{ ip: '192.168.1.10' }], notReadyAddresses: [{ ip: '192.168.1.11' }], ports: [{ name: 'db', port: 5432 }] }], {
        labels: { team: 'a' },
        annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      }),
    )
    await h.settle()
    const [slice, ...rest] = slicesOf('ext')
    expect(rest).toEqual([])
    expect(slice.metadata.name).toMatch(/^ext-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(slice.metadata.labels).toEqual({
      team: 'a',
      'kubernetes.io/service-name': 'ext',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    })
    expect(slice.metadata.annotations).toEqual({ note: 'x' })
    expect(slice.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: ep.obj.metadata.uid, controller: true, blockOwnerDeletion: true },
    ])
    expect(slice.addressType).toBe('IPv4')
    expect(slice.ports).toEqual([{ name: 'db', port: 5432, protocol: 'TCP' }])
    expect(slice.endpoints).toEqual([
      { addresses: ['192.168.1.10'], conditions: { ready: true } },
      { addresses: ['192.168.1.11'], conditions: { ready: false } },
    ])

    // Changes update the slice in place; nothing changed writes nothing.
    await h.registry
      .resource('', 'endpoints')
      .guaranteedUpdate(
        'default',
        'ext',
        (e) => ({ ...e, subsets: [{ addresses: [{ ip: '192.168.1.12' }], ports: [{ name: 'db', port: 5432 }] }] }) as KubeObject,
      )
    await h.settle()
    const [updated] = slicesOf('ext')
    expect(updated.metadata.name).toBe(slice.metadata.name)
    expect(updated.endpoints!.map((e) => e.addresses[0])).toEqual(['192.168.1.12'])
    const rv = updated.metadata.resourceVersion
    await h.manager.resync('endpointslice-mirroring')
    await h.settle()
    expect(slicesOf('ext')[0].metadata.resourceVersion).toBe(rv)

    // A selector on the Service ends the mirroring.
    await h.registry.resource('', 'services').guaranteedUpdate('default', 'ext', (s) => ({ ...s, spec: { ...(s.spec as object), selector: { app: 'db' } } }))
    await h.settle()
    expect(slicesOf('ext')).toEqual([])
  })

  it('leaves skip-mirror Endpoints, Endpoints without a Service and selector Services alone', async () => {
    h = await startHarness([(d) => createEndpointSliceMirroringController(d)])
    const ss = [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }]
    await h.registry.resource('', 'endpoints').create('default', endpoints('lonely', ss))
    await h.registry.resource('', 'services').create('default', { metadata: { name: 'skip' }, spec: { ports: [{ port: 80 }] } } as KubeObject)
    await h.registry.resource('', 'endpoints').create('default', endpoints('skip', ss, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }))
    await h.settle()
    expect(slicesOf('lonely')).toEqual([])
    expect(slicesOf('skip')).toEqual([])
  })
})
