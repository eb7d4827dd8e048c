/** @module apiservice-availability.test: the Available condition of boot and Service-backed APIServices, on an in-process cluster with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { APIService } from '../../src/registry/apiregistration/apiservices.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

async function start(): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0, nodes: 0 })
  return cluster
}

describe('APIService availability', () => {
  it('marks every boot APIService Available/Local and a Service-backed one ServiceNotFound', async () => {
    const c = await start()
    const apis = c.registry.resource<APIService>('apiregistration.k8s.io', 'apiservices')
    await apis.create('', {
      metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
      spec: {
        group: 'custom.metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { namespace: 'monitoring', name: 'prometheus-adapter' },
      },
    })
    await c.clock.advance(10)
    const apps = apis.read('', 'v1.apps')!
    expect(apps.metadata.labels).toEqual({ 'kube-aggregator.kubernetes.io/automanaged': 'onstart' })
    expect(apps.status?.conditions).toEqual([
      { type: 'Available', status: 'True', lastTransitionTime: expect.any(String), reason: 'Local', message: 'Local APIServices are always available' },
    ])
    expect(apis.read('', 'v1.')?.status?.conditions?.[0]?.status).toBe('True')
    expect(apis.read('', 'v1beta1.custom.metrics.k8s.io')?.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'ServiceNotFound' })
    // The Service appears: its missing Endpoints are next.
    await c.registry.resource('', 'namespaces').create('', { metadata: { name: 'monitoring' } })
    await c.registry
      .resource('', 'services')
      .create('monitoring', { metadata: { name: 'prometheus-adapter' }, spec: { ports: [{ name: 'https', port: 443 }] } })
    await c.clock.advance(10)
    expect(apis.read('', 'v1beta1.custom.metrics.k8s.io')?.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'EndpointsNotFound' })
  })

  it("passes metrics-server's APIService, whose group this server serves, once its pod is ready", async () => {
    const c = await start()
    const apis = c.registry.resource<APIService>('apiregistration.k8s.io', 'apiservices')
    await c.clock.advance(10)
    // Until the metrics-server pod passes its readiness probe (initialDelaySeconds 20) its Endpoints have no address.
    expect(apis.read('', 'v1beta1.metrics.k8s.io')?.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'MissingEndpoints' })
    await c.clock.advance(40_000)
    const api = apis.read('', 'v1beta1.metrics.k8s.io')
    expect(api?.spec).toMatchObject({ group: 'metrics.k8s.io', service: { namespace: 'kube-system', name: 'metrics-server' }, insecureSkipTLSVerify: true })
    expect(api?.status?.conditions).toEqual([
      { type: 'Available', status: 'True', lastTransitionTime: expect.any(String), reason: 'Passed', message: 'all checks passed' },
    ])
    // Without its Service it is as unavailable as any other.
    await c.registry.resource('', 'services').delete('kube-system', 'metrics-server')
    await c.clock.advance(10)
    expect(apis.read('', 'v1beta1.metrics.k8s.io')?.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'ServiceNotFound' })
  })
})
