/** @module endpointslice.test: the EndpointSlice controller on a bare registry with a manual clock; the test plays the kubelet. */
import { afterEach, describe, expect, it } from 'vitest'
import { createEndpointSliceController } from '../../src/controllers/endpointslice.js'
import type { EndpointSlice } from '../../src/registry/discovery/endpointslices.js'
import { type Harness, startHarness } from './workload-harness.js'
import { podWithIP, service, setPodStatus } from './endpoint-fixtures.js'

let h: Harness | undefined
afterEach(() => {
  h?.close()
  h = undefined
})

const start = async () => (h = await startHarness([(d) => createEndpointSliceController(d)]))
const slicesOf = (svc: string) =>
  h!.registry
    .resource('discovery.k8s.io', 'endpointslices')
    .list('default', { labelSelector: `kubernetes.io/service-name=${svc}` })
    .items.map((s) => s.obj as EndpointSlice)

describe('endpointslice controller', () => {
  it('describes a Service with a placeholder slice, then its pods', async () => {
    await start()
    const svc = await service(h!, 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { app: 'web' })
    const [placeholder] = slicesOf('web')
    expect(placeholder.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(placeholder.metadata.generateName).toBe('web-')
    expect(placeholder.metadata.labels).toEqual({
      app: 'web',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    })
    expect(placeholder.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
    ])
    expect(placeholder.addressType).toBe('IPv4')
    expect(placeholder.endpoints ?? []).toEqual([])
    expect(placeholder.ports ?? []).toEqual([])

    const a = await podWithIP(h!, 'a', '10.244.1.3')
    const [slice] = slicesOf('web')
    // The placeholder is reused in place.
    expect(slice.metadata.name).toBe(placeholder.metadata.name)
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
    expect(slice.endpoints).toEqual([
      {
        addresses: ['10.244.1.3'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'kubemock-worker',
        targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: a.metadata.uid },
      },
    ])
    expect(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe('2025-03-01T10:00:00Z')
  })

  it('keeps unready and terminating pods with their conditions', async () => {
    await start()
    await service(h!, 'web')
    await podWithIP(h!, 'a', '10.244.1.3', { ready: false })
    await podWithIP(h!, 'b', '10.244.1.4')
    await h!.registry.resource('', 'pods').delete('default', 'b', { gracePeriodSeconds: 30 })
    await h!.settle()
    const eps = slicesOf('web')[0].endpoints!
    const cond = (name: string) => eps.find((e) => e.targetRef?.name === name)?.conditions
    expect(cond('a')).toEqual({ ready: false, serving: false, terminating: false })
    expect(cond('b')).toEqual({ ready: false, serving: true, terminating: true })
    await setPodStatus(h!, 'a', { ready: true })
    expect(slicesOf('web')[0].endpoints!.find((e) => e.targetRef?.name === 'a')?.conditions).toEqual({ ready: true, serving: true, terminating: false })
  })

  it('puts at most 100 endpoints in a slice and updates slices in place', async () => {
    await start()
    await service(h!, 'web')
    for (let i = 0; i < 205; i++) await podWithIP(h!, `p${i}`, `10.244.${1 + (i >> 8)}.${i & 255}`)
    const sizes = slicesOf('web')
      .map((s) => s.endpoints!.length)
      .sort((x, y) => y - x)
    expect(sizes).toEqual([100, 100, 5])
    const names = slicesOf('web')
      .map((s) => s.metadata.name)
      .sort()
    await h!.registry.resource('', 'pods').delete('default', 'p7', { gracePeriodSeconds: 0 })
    await h!.settle()
    const after = slicesOf('web')
    expect(after.map((s) => s.metadata.name).sort()).toEqual(names)
    expect(after.reduce((n, s) => n + s.endpoints!.length, 0)).toBe(204)
  })

  it('skips pods on a missing node, names the node zone, and writes nothing when nothing changed', async () => {
    await start()
    await h!.registry.resource('', 'nodes').guaranteedUpdate('', 'kubemock-worker2', (n) => ({
      ...n,
      metadata: { ...n.metadata, labels: { ...n.metadata.labels, 'topology.kubernetes.io/zone': 'zone-b' } },
    }))
    await service(h!, 'web')
    await podWithIP(h!, 'a', '10.244.1.3', { node: 'kubemock-worker2' })
    const errors: string[] = []
    h!.manager.onError = (_c, _k, e) => errors.push(String(e))
    await podWithIP(h!, 'lost', '10.244.9.9', { node: 'nowhere' })
    expect(errors[0]).toBe('Error: skipping Pod lost for Service default/web: Node nowhere Not Found')
    const [slice] = slicesOf('web')
    expect(slice.endpoints!.map((e) => [e.targetRef?.name, e.zone])).toEqual([['a', 'zone-b']])
    const rv = slice.metadata.resourceVersion
    await h!.registry
      .resource('', 'pods')
      .guaranteedUpdate('default', 'a', (p) => ({ ...p, status: { ...(p.status as object), message: 'x' } }), { subresource: 'status' })
    await h!.settle()
    expect(slicesOf('web')[0].metadata.resourceVersion).toBe(rv)
    // The Service is retried (with backoff) until the pod goes.
    await h!.registry.resource('', 'pods').delete('default', 'lost', { gracePeriodSeconds: 0 })
    await h!.advance(60_000)
    const n = errors.length
    await h!.advance(60_000)
    expect(errors.length).toBe(n)
  })

  it('orders the ports as upstream does and marks headless Services', async () => {
    await start()
    await service(h!, 'dns', {
      clusterIP: 'None',
      selector: { app: 'web' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    })
    await podWithIP(h!, 'a', '10.244.1.3')
    const [slice] = slicesOf('dns')
    expect(slice.ports!.map((p) => p.name)).toEqual(['metrics', 'dns', 'dns-tcp'])
    expect(slice.metadata.labels?.['service.kubernetes.io/headless']).toBe('')
  })

  it('recreates a deleted slice and follows Service label changes', async () => {
    await start()
    await service(h!, 'web', {}, { tier: 'a' })
    await podWithIP(h!, 'a', '10.244.1.3')
    const [slice] = slicesOf('web')
    await h!.registry.resource('discovery.k8s.io', 'endpointslices').delete('default', slice.metadata.name!)
    await h!.registry.resource('', 'services').guaranteedUpdate('default', 'web', (s) => ({ ...s, metadata: { ...s.metadata, labels: { tier: 'b' } } }))
    await h!.settle()
    const again = slicesOf('web')
    expect(again).toHaveLength(1)
    expect(again[0].metadata.name).not.toBe(slice.metadata.name)
    expect(again[0].metadata.labels?.tier).toBe('b')
    expect(again[0].endpoints!.map((e) => e.addresses[0])).toEqual(['10.244.1.3'])
  })
})
