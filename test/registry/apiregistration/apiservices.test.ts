import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { apiServices, type APIService } from '../../../src/registry/apiregistration/apiservices.js'
import { localAPIServices } from '../../../src/registry/apiregistration/local-apiservices.js'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { availableCondition } from '../../../src/controllers/apiservice-availability.js'

const api = (name: string, spec: APIService['spec']): APIService => ({ metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, spec })

async function create(obj: APIService) {
  const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0 }), definitions })
  return registry.resource('apiregistration.k8s.io', 'apiservices').create('', obj)
}

describe('apiservices', () => {
  it('prints NAME SERVICE AVAILABLE AGE as the aggregator does', () => {
    const now = new Date('2026-01-01T00:10:00Z')
    const local = { ...api('v1.apps', { group: 'apps', version: 'v1' }), status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } }
    expect(apiServices.row!(local, now)).toEqual(['v1.apps', 'Local', 'True', '10m'])
    const remote = {
      ...api('v1beta1.metrics.k8s.io', { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server' } }),
      status: { conditions: [{ type: 'Available', status: 'False', reason: 'ServiceNotFound' }] },
    }
    expect(apiServices.row!(remote, now)).toEqual(['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (ServiceNotFound)', '10m'])
    expect(apiServices.row!(api('v1.x.io', {}), now)[2]).toBe('Unknown')
  })

  it('requires the name <version>.<group> and upstream priority ranges', async () => {
    await expect(create(api('apps', { group: 'apps', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10 }))).rejects.toThrow(
      'APIService.apiregistration.k8s.io "apps" is invalid: metadata.name: Invalid value: "apps": must be `spec.version+"."+spec.group`: "v1.apps"',
    )
    const errs = apiServices.validate!(api('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 0, versionPriority: 1001 })).map(fieldErrorString)
    expect(errs).toEqual([
      'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
      'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000',
    ])
    expect(apiServices.validate!(api('v2.', { group: '', version: 'v2', groupPriorityMinimum: 1, versionPriority: 1 })).map(fieldErrorString)).toEqual([
      'spec.group: Required value: only v1 may have an empty group and it better be legacy kube',
    ])
    expect(
      apiServices.validate!(api('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, service: {} })).map(fieldErrorString),
    ).toEqual(['spec.service.namespace: Required value', 'spec.service.name: Required value'])
    expect(
      apiServices.validate!(api('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'AAAA' })).map(
        fieldErrorString,
      ),
    ).toEqual(['spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle'])
  })

  it('accepts the core APIService "v1." and clears status on create', async () => {
    const s = await create({ ...api('v1.', { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 }), status: { conditions: [] } })
    expect(s.obj.metadata.name).toBe('v1.')
    expect((s.obj as APIService).status).toEqual({})
  })

  it('registers one APIService per served group-version with upstream priorities', () => {
    const list = localAPIServices(definitions)
    const byName = Object.fromEntries(list.map((a) => [a.metadata.name, a.spec]))
    expect(byName['v1.']).toEqual({ group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 })
    expect(byName['v1.apps']).toEqual({ group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 })
    expect(byName['v1.batch']?.groupPriorityMinimum).toBe(17400)
    expect(byName['v1.apiregistration.k8s.io']).toBeDefined()
    expect(list[0].metadata.labels).toEqual({ 'kube-aggregator.kubernetes.io/automanaged': 'onstart' })
    // Each served group-version exactly once, but metrics.k8s.io: metrics-server's components.yaml registers that one.
    const served = new Set(definitions.filter((d) => d.group !== 'metrics.k8s.io').map((d) => `${d.version}.${d.group}`))
    expect(list.map((a) => a.metadata.name).sort()).toEqual([...served].sort())
  })

  it('computes Available as the local and remote availability controllers do', () => {
    expect(availableCondition(api('v1.apps', { group: 'apps', version: 'v1' }), undefined, undefined)).toEqual({
      type: 'Available',
      status: 'True',
      reason: 'Local',
      message: 'Local APIServices are always available',
    })
    const remote = api('v1beta1.metrics.k8s.io', { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server' } })
    expect(availableCondition(remote, undefined, undefined)).toMatchObject({
      status: 'False',
      reason: 'ServiceNotFound',
      message: 'service/metrics-server in "kube-system" is not present',
    })
    const svc = { metadata: { name: 'metrics-server' }, spec: { ports: [{ name: 'https', port: 443 }] } }
    expect(availableCondition(remote, svc, undefined)).toMatchObject({
      reason: 'EndpointsNotFound',
      message: 'cannot find endpoints for service/metrics-server in "kube-system"',
    })
    expect(availableCondition(remote, svc, { metadata: {}, subsets: [] })).toMatchObject({
      reason: 'MissingEndpoints',
      message: 'endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"',
    })
    expect(availableCondition(remote, { metadata: {}, spec: { ports: [{ port: 80 }] } }, undefined)).toMatchObject({
      reason: 'ServicePortError',
      message: 'service/metrics-server in "kube-system" is not listening on port 443',
    })
  })
})
