/** @module network-policy.test: NetworkPolicy enforcement in the simulated pod network, pure and through curl in a pod. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { Cluster } from '../../src/cluster.js'
import { fsFor } from '../../src/sim/containers/fs.js'
import { processesFor } from '../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../src/sim/containers/runtime.js'
import { connectionAllowed, type Endpoint } from '../../src/sim/network-policy.js'
import { Shell } from '../../src/sim/shell/shell.js'
import type { KubeObject } from '../../src/types.js'

const pod = (name: string, ns: string, labels: Record<string, string>, ip: string): Endpoint => ({
  pod: {
    metadata: { name, namespace: ns, uid: name, labels },
    status: { podIP: ip },
    spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80 }] }] },
  } as Pod,
  namespaceLabels: { 'kubernetes.io/metadata.name': ns },
})
const policy = (ns: string, spec: Record<string, unknown>) =>
  ({ metadata: { name: 'p', namespace: ns }, spec: { policyTypes: ['Ingress'], ...spec } }) as KubeObject

const web = pod('web', 'default', { app: 'web' }, '10.244.1.5')
const client = pod('client', 'default', { app: 'client' }, '10.244.2.7')
const other = pod('other', 'team', { app: 'client' }, '10.244.3.9')

describe('connectionAllowed', () => {
  test('without policies, or with policies selecting other pods, everything passes', () => {
    expect(connectionAllowed([], client, web, 80)).toBe(true)
    expect(connectionAllowed([policy('default', { podSelector: { matchLabels: { app: 'db' } } })], client, web, 80)).toBe(true)
  })

  test('a default-deny ingress policy isolates the pods it selects', () => {
    const deny = policy('default', { podSelector: {} })
    expect(connectionAllowed([deny], client, web, 80)).toBe(false)
    expect(connectionAllowed([deny], web, web, 80)).toBe(true)
  })

  test('from podSelector, namespaceSelector and ipBlock peers, on ports by number or name', () => {
    const allowClients = policy('default', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }],
    })
    expect(connectionAllowed([allowClients], client, web, 80)).toBe(true)
    expect(connectionAllowed([allowClients], client, web, 8080)).toBe(false)
    // A podSelector alone means the policy's own namespace.
    expect(connectionAllowed([allowClients], other, web, 80)).toBe(false)
    const fromTeam = policy('default', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team' } } }] }],
    })
    expect(connectionAllowed([fromTeam], other, web, 80)).toBe(true)
    expect(connectionAllowed([fromTeam], client, web, 80)).toBe(false)
    const ips = policy('default', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.3.0/24'] } }] }] })
    expect(connectionAllowed([ips], client, web, 80)).toBe(true)
    expect(connectionAllowed([ips], other, web, 80)).toBe(false)
  })

  test('egress policies of the source apply too', () => {
    const egress = policy('default', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    })
    expect(connectionAllowed([egress], client, web, 80)).toBe(false)
    expect(connectionAllowed([egress], web, client, 80)).toBe(true)
  })
})

describe('curl between pods', () => {
  let cluster: Cluster
  beforeEach(async () => {
    cluster = await Cluster.open({ speed: 0 })
  })
  afterEach(() => cluster.close())

  async function startPod(name: string, labels: Record<string, string>): Promise<ContainerInstance> {
    await cluster.registry.resource('', 'pods').create('default', {
      metadata: { name, labels },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.15.12' }] },
    } as KubeObject)
    for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
    return runtimeFor(cluster.registry).current('default', name)!
  }

  async function curl(from: ContainerInstance, args: string) {
    const sh = new Shell({
      registry: cluster.registry,
      inst: from,
      fs: fsFor(cluster.registry, from),
      procs: processesFor(cluster.registry, from),
      flavour: 'bash',
    })
    let out = ''
    let err = ''
    const done = sh.run(`curl ${args}`, { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
    // A dropped connection waits on the cluster clock.
    for (let i = 0; i < 40; i++) await cluster.clock.advance(100)
    const code = await done
    return { out, err, code }
  }

  test('a policy that denies the client makes curl time out, one that allows it lets the page through', async () => {
    const server = await startPod('web', { app: 'web' })
    const c = await startPod('client', { app: 'client' })
    expect((await curl(c, `-s http://${server.podIP}/`)).out).toContain('Welcome to nginx!')
    const nps = cluster.registry.resource('networking.k8s.io', 'networkpolicies')
    await nps.create('default', { metadata: { name: 'deny' }, spec: { podSelector: { matchLabels: { app: 'web' } } } } as KubeObject)
    expect(await curl(c, `-sS --connect-timeout 2 http://${server.podIP}/`)).toEqual({
      out: '',
      err: `curl: (28) Failed to connect to ${server.podIP} port 80 after 2000 ms: Timeout was reached\n`,
      code: 28,
    })
    await nps.create('default', {
      metadata: { name: 'allow-client' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] },
    } as KubeObject)
    expect((await curl(c, `-s --connect-timeout 2 http://${server.podIP}/`)).code).toBe(0)
  })
})
