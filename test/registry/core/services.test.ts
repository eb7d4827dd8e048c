import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'
import { services, type ServiceObject } from '../../../src/registry/core/services.js'

const now = new Date('2026-11-27T22:20:00Z')
const ctx: HookContext = { now, randomSuffix: () => 'abcde', allocateClusterIP: () => '10.96.12.34' }

function create(svc: ServiceObject): ServiceObject {
  services.applyDefaults!(svc, ctx)
  services.prepareForCreate!(svc, ctx)
  return svc
}
function update(next: ServiceObject, old: ServiceObject): ServiceObject {
  services.applyDefaults!(next, ctx)
  services.prepareForUpdate!(next, old, ctx)
  return next
}

const web = (): ServiceObject => ({
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-27T22:15:00Z' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
})

describe('services: defaults and allocation', () => {
  it('defaults a ClusterIP service', () => {
    expect(create(web()).spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    })
  })
  it('keeps headless services headless', () => {
    const svc = web()
    svc.spec!.clusterIP = 'None'
    expect(create(svc).spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'SingleStack' })
  })
  it('allocates node ports in range for NodePort services', () => {
    const svc = web()
    svc.spec!.type = 'NodePort'
    svc.spec!.ports!.push({ name: 'https', port: 443 })
    svc.spec!.ports![0].name = 'http'
    const ports = create(svc).spec!.ports!
    for (const p of ports) expect(p.nodePort).toBeGreaterThanOrEqual(30000)
    for (const p of ports) expect(p.nodePort).toBeLessThanOrEqual(32767)
    expect(ports[0].nodePort).not.toBe(ports[1].nodePort)
    expect(svc.spec!.externalTrafficPolicy).toBe('Cluster')
    expect(services.validate!(svc)).toEqual([])
  })
})

describe('services: update', () => {
  it('keeps the allocated IP and node ports when a PUT omits them', () => {
    const svc = web()
    svc.spec!.type = 'NodePort'
    const old = create(svc)
    const next = update({ metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } }, old)
    expect(next.spec!.clusterIPs).toEqual(['10.96.12.34'])
    expect(next.spec!.ports![0].nodePort).toBe(old.spec!.ports![0].nodePort)
    expect(services.validateUpdate!(next, old)).toEqual([])
  })
  it('rejects a changed clusterIP', () => {
    const old = create(web())
    const next = structuredClone(old)
    next.spec!.clusterIP = '10.96.0.99'
    update(next, old)
    const errs = services.validateUpdate!(next, old)
    expect(errs).toEqual([{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', badValue: ['10.96.0.99'], detail: 'may not change once set' }])
  })
  it('drops node ports when going back to ClusterIP', () => {
    const svc = web()
    svc.spec!.type = 'NodePort'
    const old = create(svc)
    const next = structuredClone(old)
    next.spec!.type = 'ClusterIP'
    expect(update(next, old).spec!.ports![0].nodePort).toBeUndefined()
  })
})

describe('services: validation', () => {
  it('requires ports and DNS-1035 names', () => {
    const svc = create({ metadata: { name: '1web', namespace: 'default' }, spec: {} })
    const errs = services.validate!(svc).map(fieldErrorString)
    expect(errs[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of/)
    expect(errs[1]).toBe('spec.ports: Required value')
  })
  it('rejects unknown types and nodePort on ClusterIP', () => {
    const svc = create(web())
    svc.spec!.type = 'Magic'
    expect(services.validate!(svc).map(fieldErrorString)).toEqual([
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ])
    const np = create(web())
    np.spec!.ports![0].nodePort = 30080
    expect(services.validate!(np).map(fieldErrorString)).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"])
  })
})

describe('services: printer', () => {
  it('prints a ClusterIP service', () => {
    expect(services.row!(create(web()), now)).toEqual(['web', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP', '5m', 'app=web'])
  })
  it('prints NodePort ports and pending load balancers', () => {
    const svc = web()
    svc.spec!.type = 'LoadBalancer'
    svc.spec!.ports![0].nodePort = 30080
    const lb = create(svc)
    expect(services.row!(lb, now).slice(1, 5)).toEqual(['LoadBalancer', '10.96.12.34', '<pending>', '80:30080/TCP'])
    lb.status = { loadBalancer: { ingress: [{ ip: '172.18.255.200' }] } }
    expect(services.row!(lb, now)[3]).toBe('172.18.255.200')
  })
  it('prints ExternalName services', () => {
    const svc = create({ metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } })
    expect(services.row!(svc, now).slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>'])
  })
})
