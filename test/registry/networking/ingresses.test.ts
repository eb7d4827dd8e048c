import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { ingresses, type Ingress } from '../../../src/registry/networking/ingresses.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { StatusError } from '../../../src/errors.js'

const now = new Date('2026-01-01T00:01:00Z')
const backend = { service: { name: 'web', port: { number: 80 } } }

function ing(spec: Record<string, unknown>): Ingress {
  return { metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec } as Ingress
}
const cls = (s: { obj: unknown }) => (s.obj as Ingress).spec?.ingressClassName
const errors = (spec: Record<string, unknown>) => ingresses.validate!(ing(spec)).map((e) => `${e.field}: ${e.detail ?? ''}`)

async function registry() {
  const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
  const r = new Registry({ store: new MemoryStore(), clock, definitions })
  await r.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return r
}

describe('ingresses', () => {
  it('needs rules or a default backend', () => {
    expect(errors({})).toEqual(['spec: either `defaultBackend` or `rules` must be specified'])
    expect(errors({ defaultBackend: backend })).toEqual([])
  })

  it('validates pathType, paths and backends as ValidateIngressSpec', () => {
    const rule = (path: Record<string, unknown>) => ({ rules: [{ host: 'a.example.com', http: { paths: [path] } }] })
    expect(errors(rule({ path: '/', backend }))).toEqual(['spec.rules[0].http.paths[0].pathType: pathType must be specified'])
    expect(errors(rule({ path: 'x', pathType: 'Prefix', backend }))).toEqual(['spec.rules[0].http.paths[0].path: must be an absolute path'])
    expect(errors(rule({ path: '/a//b', pathType: 'Exact', backend }))).toEqual(["spec.rules[0].http.paths[0].path: must not contain '//'"])
    expect(errors(rule({ path: '/', pathType: 'Regex', backend }))).toEqual([
      'spec.rules[0].http.paths[0].pathType: supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ])
    const both = { ...backend, resource: { kind: 'Bucket', name: 'b', apiGroup: 'k8s.example.com' } }
    expect(errors(rule({ path: '/', pathType: 'Prefix', backend: both }))).toEqual([
      'spec.rules[0].http.paths[0].backend: cannot set both resource and service backends',
    ])
    expect(errors(rule({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }))).toEqual([
      'spec.rules[0].http.paths[0].backend: port name or number is required',
    ])
    expect(errors({ rules: [{ host: 'a.example.com', http: { paths: [] } }] })).toEqual(['spec.rules[0].http.paths: '])
  })

  it('rejects IP hosts and bad TLS hosts', () => {
    expect(errors({ rules: [{ host: '10.0.0.1' }] })).toEqual(['spec.rules[0].host: must be a DNS name, not an IP address'])
    expect(errors({ defaultBackend: backend, tls: [{ hosts: ['*.example.com', 'a*.example.com'] }] })).toHaveLength(1)
  })

  it('prints NAME CLASS HOSTS ADDRESS PORTS AGE as printIngress', () => {
    const o = ing({ ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] })
    o.status = { loadBalancer: { ingress: [{ ip: '172.18.0.3' }, { hostname: 'lb.example.com' }] } }
    expect(ingresses.row!(o, now)).toEqual(['web', 'nginx', 'a.example.com,b.example.com', '172.18.0.3,lb.example.com', '80, 443', '60s'])
    const many = ing({ rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.example.com` })) })
    expect(ingresses.row!(many, now).slice(1, 5)).toEqual(['<none>', 'a.example.com,b.example.com,c.example.com + 2 more...', '', '80'])
    expect(ingresses.row!(ing({ defaultBackend: backend }), now)[2]).toBe('*')
  })

  it('defaults spec.ingressClassName from the default IngressClass (DefaultIngressClass admission)', async () => {
    const r = await registry()
    const classes = r.resource('networking.k8s.io', 'ingressclasses')
    const ings = r.resource<Ingress>('networking.k8s.io', 'ingresses')
    await classes.create('', { metadata: { name: 'other' }, spec: { controller: 'example.com/other' } } as never)
    expect(cls(await ings.create('default', ing({ defaultBackend: backend })))).toBeUndefined()
    const def = { 'ingressclass.kubernetes.io/is-default-class': 'true' }
    await classes.create('', { metadata: { name: 'nginx', annotations: def }, spec: { controller: 'k8s.io/ingress-nginx' } } as never)
    const b = { ...ing({ defaultBackend: backend }), metadata: { name: 'b' } }
    expect(cls(await ings.create('default', b))).toBe('nginx')
    const legacy = { ...ing({ defaultBackend: backend }), metadata: { name: 'c', annotations: { 'kubernetes.io/ingress.class': 'x' } } }
    expect(cls(await ings.create('default', legacy))).toBeUndefined()
    await classes.create('', { metadata: { name: 'nginx2', annotations: def }, spec: { controller: 'k8s.io/ingress-nginx' } } as never)
    const err = await ings.create('default', { ...ing({ defaultBackend: backend }), metadata: { name: 'd' } }).catch((e) => e)
    expect(err).toBeInstanceOf(StatusError)
    expect((err as StatusError).status.message).toBe(
      'ingresses.networking.k8s.io "d" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 allowed',
    )
  })

  it('starts with an empty load-balancer status that spec writes cannot change', async () => {
    const r = await registry()
    const ings = r.resource<Ingress>('networking.k8s.io', 'ingresses')
    const s = await ings.create('default', { ...ing({ defaultBackend: backend }), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } })
    expect(s.obj.status).toEqual({ loadBalancer: {} })
    expect(s.obj.metadata.generation).toBe(1)
  })
})
