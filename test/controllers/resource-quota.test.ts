/** @module resource-quota.test: ResourceQuota admission and the quota controller on a manual clock. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEventRecorder } from '../../src/controllers/events.js'
import type { ControllerDeps } from '../../src/controllers/index.js'
import { createResourceQuotaController } from '../../src/controllers/resource-quota.js'
import { ControllerManager } from '../../src/controllers/runtime.js'
import { tableJSON } from '../../src/api/table.js'
import type { ResourceQuota } from '../../src/registry/core/resourcequotas.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { ImageCatalogue } from '../../src/sim/images.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

class QuotaHarness {
  readonly clock = new SimClock({ speed: 0, start: Date.parse('2026-01-01T00:00:00Z') })
  readonly registry = new Registry({ store: new MemoryStore({}), clock: this.clock, definitions })
  readonly manager = new ControllerManager(this.registry, this.clock)
  readonly quotas = this.registry.resource<ResourceQuota>('', 'resourcequotas')
  readonly pods = this.registry.resource('', 'pods')
  readonly errors: unknown[] = []
  constructor() {
    void this.registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const deps: ControllerDeps = {
      registry: this.registry,
      clock: this.clock,
      events: createEventRecorder(this.registry, this.clock),
      manager: this.manager,
      sim: {},
      timings: {},
      images: new ImageCatalogue(),
    }
    this.manager.add(createResourceQuotaController(deps))
    this.manager.onError = (_c, _k, err) => this.errors.push(err)
    this.manager.start()
  }
  async settle(rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.clock.advance(0)
  }
  async quota(name: string, spec: ResourceQuota['spec']): Promise<void> {
    await this.quotas.create('default', { metadata: { name }, spec })
    await this.settle()
  }
  status(name: string) {
    return this.quotas.read('default', name)!.status
  }
  close(): void {
    this.manager.stop()
  }
}

const pod = (name: string, resources?: unknown, extra: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }], ...extra } }) as KubeObject

describe('ResourceQuota', () => {
  let h: QuotaHarness
  beforeEach(() => {
    h = new QuotaHarness()
  })
  afterEach(() => h.close())

  it('syncs status.hard and status.used, and refuses the pod over the count with the upstream text', async () => {
    await h.pods.create('default', pod('before'))
    await h.quota('q', { hard: { pods: '2', configmaps: '5' } })
    expect(h.status('q')).toEqual({ hard: { pods: '2', configmaps: '5' }, used: { pods: '1', configmaps: '0' } })
    await h.pods.create('default', pod('second'))
    expect(h.status('q')!.used).toMatchObject({ pods: '2' })
    await expect(h.pods.create('default', pod('third'))).rejects.toMatchObject({
      code: 403,
      message: 'pods "third" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    })
    // A dry run is checked but charges nothing; other kinds are counted separately.
    await h.registry.resource('', 'configmaps').create('default', { metadata: { name: 'cm' } })
    await h.settle()
    expect(h.status('q')!.used).toEqual({ pods: '2', configmaps: '1' })
    // Deleting a pod frees its unit once the controller recounts.
    await h.pods.delete('default', 'before', { gracePeriodSeconds: 0 })
    await h.settle()
    expect(h.status('q')!.used).toMatchObject({ pods: '1' })
    await expect(h.pods.create('default', pod('third'))).resolves.toBeDefined()
    expect(h.errors).toEqual([])
  })

  it('charges compute resources and insists that each container names them', async () => {
    await h.quota('compute', { hard: { 'requests.cpu': '1000m', 'limits.memory': '1Gi' } })
    expect(h.status('compute')!.hard).toEqual({ 'requests.cpu': '1', 'limits.memory': '1Gi' })
    await expect(h.pods.create('default', pod('bare'))).rejects.toMatchObject({
      message: 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c',
    })
    await h.pods.create('default', pod('a', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } }))
    expect(h.status('compute')!.used).toEqual({ 'requests.cpu': '600m', 'limits.memory': '512Mi' })
    await expect(h.pods.create('default', pod('b', { requests: { cpu: '500m' }, limits: { memory: '256Mi' } }))).rejects.toMatchObject({
      message: 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
    })
    const table = JSON.parse(tableJSON(h.quotas, [h.quotas.get('default', 'compute')], { resourceVersion: '1' }, new Date('2026-01-01T00:01:00Z'), 'Metadata'))
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Age', 'Request', 'Limit'])
    expect(table.rows[0].cells).toEqual(['compute', '60s', 'requests.cpu: 600m/1', 'limits.memory: 512Mi/1Gi'])
  })

  it('applies scopes: a BestEffort quota ignores pods with requests', async () => {
    await h.quota('be', { hard: { pods: '1' }, scopes: ['BestEffort'] })
    await h.pods.create('default', pod('be-1'))
    await h.pods.create('default', pod('burstable', { requests: { cpu: '100m' } }))
    await expect(h.pods.create('default', pod('be-2'))).rejects.toThrow(/exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1$/)
    await h.settle()
    expect(h.status('be')!.used).toEqual({ pods: '1' })
  })

  it('counts services, load balancers and count/<resource>.<group>', async () => {
    await h.quota('objs', { hard: { services: '5', 'services.loadbalancers': '1', 'count/deployments.apps': '1' } })
    const svc = h.registry.resource('', 'services')
    await svc.create('default', { metadata: { name: 'lb1' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject)
    await expect(svc.create('default', { metadata: { name: 'lb2' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject)).rejects.toThrow(
      'services "lb2" is forbidden: exceeded quota: objs, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1',
    )
    const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
    const deploy = (name: string) => ({ metadata: { name }, spec: { selector: { matchLabels: { a: 'b' } }, template } }) as KubeObject
    await h.registry.resource('apps', 'deployments').create('default', deploy('d1'))
    await expect(h.registry.resource('apps', 'deployments').create('default', deploy('d2'))).rejects.toThrow(
      /exceeded quota: objs, requested: count\/deployments.apps=1/,
    )
  })

  it('validates the quota spec', async () => {
    await expect(h.quotas.create('default', { metadata: { name: 'bad' }, spec: { hard: { widgets: '1' } } })).rejects.toThrow(
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
    )
    await expect(h.quotas.create('default', { metadata: { name: 'bad' }, spec: { hard: { configmaps: '1' }, scopes: ['BestEffort'] } })).rejects.toThrow(
      /unsupported scope applied to resource/,
    )
  })
})

describe('ResourceQuota on updates', () => {
  let h: QuotaHarness
  beforeEach(() => {
    h = new QuotaHarness()
  })
  afterEach(() => h.close())

  it('charges a service that becomes a LoadBalancer, and not an unrelated update', async () => {
    const svc = h.registry.resource('', 'services')
    await svc.create('default', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject)
    await svc.create('default', { metadata: { name: 'plain' }, spec: { ports: [{ port: 80 }] } } as KubeObject)
    await h.quota('lbs', { hard: { 'services.loadbalancers': '1' } })
    expect(h.status('lbs')!.used).toEqual({ 'services.loadbalancers': '1' })
    await svc.guaranteedUpdate('default', 'plain', (o) => ({ ...o, metadata: { ...o.metadata, labels: { x: 'y' } } }))
    await expect(svc.guaranteedUpdate('default', 'plain', (o) => ({ ...o, spec: { ...(o.spec as object), type: 'LoadBalancer' } }))).rejects.toThrow(
      'services "plain" is forbidden: exceeded quota: lbs, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1',
    )
  })
})
