/** @module endpoints.test: the endpoints controller on a bare registry with a manual clock; the test plays the kubelet. */
import { afterEach, describe, expect, it } from 'vitest'
import type { EndpointSubset } from 'kubernetes-types/core/v1.js'
import { createEndpointsController } from '../../src/controllers/endpoints.js'
import { repackSubsets, truncateSubsets } from '../../src/controllers/endpoint-subsets.js'
import type { EndpointsObject } from '../../src/registry/core/endpoints.js'
import { type Harness, startHarness } from './workload-harness.js'
import { podWithIP, service, setPodStatus } from './endpoint-fixtures.js'

let h: Harness | undefined
afterEach(() => {
  h?.close()
  h = undefined
})

const start = async () => (h = await startHarness([(d) => createEndpointsController(d)]))
const ep = (name: string) => h!.registry.resource('', 'endpoints').read('default', name) as EndpointsObject | undefined
const ref = (name: string, uid: string) => ({ kind: 'Pod', namespace: 'default', name, uid })

describe('endpoints controller', () => {
  it('lists ready pods as addresses, sorted by IP, with the resolved target port', async () => {
    await start()
    await service(h!, 'web', {}, { app: 'web' })
    expect(ep('web')!.subsets).toBeUndefined()
    expect(ep('web')!.metadata.labels).toEqual({ app: 'web' })
    const b = await podWithIP(h!, 'b', '10.244.1.12')
    const a = await podWithIP(h!, 'a', '10.244.1.3', { node: 'kubemock-worker2' })
    const e = ep('web')!
    expect(e.subsets).toEqual([
      {
        addresses: [
          { ip: '10.244.1.12', nodeName: 'kubemock-worker', targetRef: ref('b', b.metadata.uid!) },
          { ip: '10.244.1.3', nodeName: 'kubemock-worker2', targetRef: ref('a', a.metadata.uid!) },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ])
    // The pods' Ready transition is the trigger time (whole seconds, RFC3339Nano).
    expect(e.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe('2025-03-01T10:00:00Z')
  })

  it('puts unready pods under notReadyAddresses unless the Service publishes them', async () => {
    await start()
    await service(h!, 'web')
    await podWithIP(h!, 'a', '10.244.1.3')
    await podWithIP(h!, 'b', '10.244.1.4', { ready: false })
    expect(ep('web')!.subsets![0].addresses!.map((x) => x.ip)).toEqual(['10.244.1.3'])
    expect(ep('web')!.subsets![0].notReadyAddresses!.map((x) => x.ip)).toEqual(['10.244.1.4'])
    await h!.clock.advance(5000)
    await setPodStatus(h!, 'a', { ready: false })
    expect(ep('web')!.subsets).toEqual([expect.objectContaining({ notReadyAddresses: expect.any(Array) })])
    expect(ep('web')!.subsets![0].addresses).toBeUndefined()
    expect(ep('web')!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe('2025-03-01T10:00:05Z')
    await service(h!, 'pub', { publishNotReadyAddresses: true })
    expect(ep('pub')!.subsets![0].addresses!.map((x) => x.ip)).toEqual(['10.244.1.3', '10.244.1.4'])
  })

  it('leaves out pods without an IP, being deleted, or terminal', async () => {
    await start()
    await service(h!, 'web')
    await podWithIP(h!, 'ok', '10.244.1.2')
    await podWithIP(h!, 'done', '10.244.1.5', { restartPolicy: 'Never', phase: 'Succeeded', ready: false })
    await podWithIP(h!, 'gone', '10.244.1.6')
    await h!.registry
      .resource('', 'pods')
      .create('default', { metadata: { name: 'noip', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })
    await h!.registry.resource('', 'pods').delete('default', 'gone', { gracePeriodSeconds: 30 })
    await h!.settle()
    expect(ep('web')!.subsets).toEqual([expect.objectContaining({ addresses: [expect.objectContaining({ ip: '10.244.1.2' })] })])
    expect(ep('web')!.subsets![0].notReadyAddresses).toBeUndefined()
  })

  it('resolves named target ports per pod and groups addresses by the ports they offer', async () => {
    await start()
    await service(h!, 'web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    })
    await podWithIP(h!, 'a', '10.244.1.2', { ports: [{ name: 'web', containerPort: 8080 }] })
    await podWithIP(h!, 'b', '10.244.1.3', { ports: [{ name: 'web', containerPort: 8081 }] })
    await podWithIP(h!, 'c', '10.244.1.4')
    const subsets = ep('web')!.subsets!
    const flat = subsets.map((s) => ({ ips: s.addresses!.map((a) => a.ip), ports: s.ports!.map((p) => `${p.name}:${p.port}`) }))
    expect(flat).toHaveLength(3)
    // One subset per port's address set: every pod offers metrics, each its own http port; c has none.
    expect(flat).toContainEqual({ ips: ['10.244.1.2', '10.244.1.3', '10.244.1.4'], ports: ['metrics:9090'] })
    expect(flat).toContainEqual({ ips: ['10.244.1.2'], ports: ['http:8080'] })
    expect(flat).toContainEqual({ ips: ['10.244.1.3'], ports: ['http:8081'] })
  })

  it('marks headless Services and gives subdomain pods their hostname', async () => {
    await start()
    await service(h!, 'db', { clusterIP: 'None', ports: undefined })
    await podWithIP(h!, 'db-0', '10.244.1.7', { hostname: 'db-0', subdomain: 'db' })
    const e = ep('db')!
    expect(e.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' })
    expect(e.subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '10.244.1.7', hostname: 'db-0' })] }])
  })

  it('leaves Services without a selector alone and deletes the Endpoints of a deleted Service', async () => {
    await start()
    await service(h!, 'manual', { selector: undefined })
    expect(ep('manual')).toBeUndefined()
    await service(h!, 'web')
    await podWithIP(h!, 'a', '10.244.1.2')
    expect(ep('web')).toBeDefined()
    await h!.registry.resource('', 'services').delete('default', 'web')
    await h!.settle()
    expect(ep('web')).toBeUndefined()
  })

  it('makes deleted Endpoints again and writes nothing when nothing it shows changed', async () => {
    await start()
    await service(h!, 'web')
    await podWithIP(h!, 'a', '10.244.1.2')
    const rv = ep('web')!.metadata.resourceVersion
    // A status write that moves neither readiness nor IPs.
    await h!.registry
      .resource('', 'pods')
      .guaranteedUpdate('default', 'a', (p) => ({ ...p, status: { ...(p.status as object), message: 'still fine' } }), { subresource: 'status' })
    await h!.registry.resource('', 'services').guaranteedUpdate('default', 'web', (s) => ({ ...s, metadata: { ...s.metadata, annotations: { note: 'x' } } }))
    await h!.settle()
    expect(ep('web')!.metadata.resourceVersion).toBe(rv)
    await h!.registry.resource('', 'endpoints').delete('default', 'web')
    await h!.settle()
    expect(ep('web')!.subsets![0].addresses!.map((a) => a.ip)).toEqual(['10.244.1.2'])
  })

  it('follows the Service labels and moves pods that change labels', async () => {
    await start()
    await service(h!, 'web', {}, { tier: 'a' })
    await podWithIP(h!, 'a', '10.244.1.2')
    await h!.registry.resource('', 'services').guaranteedUpdate('default', 'web', (s) => ({ ...s, metadata: { ...s.metadata, labels: { tier: 'b' } } }))
    await h!.registry.resource('', 'pods').guaranteedUpdate('default', 'a', (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'other' } } }))
    await h!.settle()
    expect(ep('web')!.metadata.labels).toEqual({ tier: 'b' })
    expect(ep('web')!.subsets).toBeUndefined()
  })
})

describe('endpoints controller over capacity', () => {
  it('truncates to 1000 addresses with over-capacity: truncated, and drops the mark once back under', async () => {
    await start()
    await service(h!, 'big')
    const pods = h!.registry.resource('', 'pods')
    for (let i = 0; i < 1001; i++) {
      const ip = `10.244.${i >> 8}.${i & 255}`
      await pods.create('default', {
        metadata: { name: `p${i}`, labels: { app: 'web' } },
        spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx' }] },
      })
      await pods.guaranteedUpdate(
        'default',
        `p${i}`,
        (p) => ({ ...p, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] } }),
        { subresource: 'status' },
      )
    }
    await h!.settle()
    const e = ep('big')!
    expect(e.subsets![0].addresses).toHaveLength(1000)
    expect(e.metadata.annotations?.['endpoints.kubernetes.io/over-capacity']).toBe('truncated')
    await pods.delete('default', 'p0', { gracePeriodSeconds: 0 })
    await h!.settle()
    expect(ep('big')!.subsets![0].addresses).toHaveLength(1000)
    expect(ep('big')!.metadata.annotations?.['endpoints.kubernetes.io/over-capacity']).toBeUndefined()
  }, 60_000)
})

describe('subsets', () => {
  const addr = (ip: string) => ({ ip, targetRef: { kind: 'Pod', uid: ip } })
  it('repacks per-pod subsets into one per address set, ports ordered as upstream hashes them', () => {
    const ports = [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ]
    const input: EndpointSubset[] = []
    for (const ip of ['10.244.0.3', '10.244.0.2']) for (const p of ports) input.push({ addresses: [addr(ip)], ports: [p] })
    const out = repackSubsets(input)
    expect(out).toHaveLength(1)
    expect(out[0].addresses!.map((a) => a.ip)).toEqual(['10.244.0.2', '10.244.0.3'])
    // kube-dns on a kind cluster: dns-tcp, dns, metrics.
    expect(out[0].ports!.map((p) => p.name)).toEqual(['dns-tcp', 'dns', 'metrics'])
  })

  it('keeps an address ready on a port when any input has it ready there', () => {
    const p = { port: 80, protocol: 'TCP' }
    const out = repackSubsets([
      { notReadyAddresses: [addr('10.0.0.1')], ports: [p] },
      { addresses: [addr('10.0.0.1')], ports: [p] },
    ])
    expect(out).toEqual([{ addresses: [addr('10.0.0.1')], ports: [p] }])
  })

  it('truncates over 1000 addresses, ready ones first', () => {
    const many = (n: number, base: number) => Array.from({ length: n }, (_, i) => addr(`10.${base}.${i >> 8}.${i & 255}`))
    const subsets: EndpointSubset[] = [{ addresses: many(900, 1), notReadyAddresses: many(300, 2) }]
    expect(truncateSubsets(subsets)).toBe(true)
    expect(subsets[0].addresses).toHaveLength(900)
    expect(subsets[0].notReadyAddresses).toHaveLength(100)
    const ready: EndpointSubset[] = [{ addresses: many(600, 1) }, { addresses: many(600, 2), notReadyAddresses: many(5, 3) }]
    expect(truncateSubsets(ready)).toBe(true)
    expect(ready.map((s) => s.addresses!.length)).toEqual([500, 500])
    expect(ready[1].notReadyAddresses).toBeUndefined()
    expect(truncateSubsets([{ addresses: many(1000, 1) }])).toBe(false)
  })
})
