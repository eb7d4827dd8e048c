/** @module service-routing.test: curl from a pod to a Service by ClusterIP and DNS name reaches a ready endpoint (kube-proxy), on an in-process cluster with a manual clock. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { Service } from 'kubernetes-types/core/v1.js'
import { Cluster } from '../../src/cluster.js'
import { fsFor } from '../../src/sim/containers/fs.js'
import { processesFor } from '../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../src/sim/containers/runtime.js'
import { serviceForHost } from '../../src/sim/service-routing.js'
import { Shell } from '../../src/sim/shell/shell.js'
import type { KubeObject } from '../../src/types.js'

describe('Service traffic from a pod', () => {
  let cluster: Cluster
  beforeEach(async () => {
    cluster = await Cluster.open({ speed: 0 })
    await cluster.registry.resource('', 'namespaces').create('', { metadata: { name: 'team' } })
  })
  afterEach(() => cluster.close())

  async function startPod(name: string, labels: Record<string, string>, ns = 'default'): Promise<ContainerInstance> {
    await cluster.registry.resource('', 'pods').create(ns, {
      metadata: { name, labels },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.15.12', ports: [{ name: 'http', containerPort: 80 }] }] },
    } as KubeObject)
    const ready = () => (cluster.registry.resource('', 'pods').read(ns, name) as { status?: { conditions?: { type: string; status: string }[] } }).status
    for (let i = 0; i < 100 && !ready()?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'); i++) await cluster.clock.advance(100)
    return runtimeFor(cluster.registry).current(ns, name)!
  }

  async function run(from: ContainerInstance, cmd: string) {
    const sh = new Shell({
      registry: cluster.registry,
      inst: from,
      fs: fsFor(cluster.registry, from),
      procs: processesFor(cluster.registry, from),
      flavour: 'bash',
    })
    let out = ''
    let err = ''
    const done = sh.run(cmd, { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
    for (let i = 0; i < 40; i++) await cluster.clock.advance(100)
    return { out, err, code: await done }
  }

  const service = async (name: string, spec: Record<string, unknown>, ns = 'default') =>
    (await cluster.registry.resource('', 'services').create(ns, { metadata: { name }, spec } as KubeObject)).obj as Service

  test('by name, namespace-qualified name, FQDN and ClusterIP, the page comes from a ready endpoint', async () => {
    const server = await startPod('web-1', { app: 'web' })
    const client = await startPod('client', { app: 'client' }, 'team')
    const svc = await service('web', { selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 'http' }] })
    await cluster.clock.advance(100)
    for (const host of ['web.default', 'web.default.svc', 'web.default.svc.cluster.local', svc.spec!.clusterIP!]) {
      const r = await run(client, `curl -s http://${host}:8080/`)
      expect(r, host).toMatchObject({ code: 0 })
      expect(r.out).toContain('Welcome to nginx!')
    }
    // The server's access log shows the client pod's address (no SNAT for pod → Service).
    const access = runtimeFor(cluster.registry)
      .logs(server.containerID)
      .lines.map((l) => l.text)
      .filter((t) => t.includes('GET / HTTP/1.1'))
    expect(access).toHaveLength(4)
    for (const line of access) expect(line.startsWith(`${client.podIP} - - [`)).toBe(true)
    // A bare name is searched in the client's own namespace.
    expect(await run(client, 'curl -sS http://web:8080/')).toEqual({ out: '', err: 'curl: (6) Could not resolve host: web\n', code: 6 })
    expect((await run(server, 'curl -s http://web:8080/')).out).toContain('Welcome to nginx!')
  })

  test('a Service without ready endpoints refuses the connection, as kube-proxy’s REJECT rule does', async () => {
    const client = await startPod('client', { app: 'client' })
    await service('web', { selector: { app: 'none' }, ports: [{ port: 80 }] })
    await cluster.clock.advance(100)
    expect(await run(client, 'curl http://web/')).toEqual({
      out: '',
      err: "curl: (7) Failed to connect to web port 80 after 1 ms: Couldn't connect to server\n",
      code: 7,
    })
  })

  test('a headless Service name leads straight to a ready pod, on the pod’s own port', async () => {
    await startPod('db-0', { app: 'db' })
    const client = await startPod('client', { app: 'client' })
    await service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 80 }] })
    await cluster.clock.advance(100)
    expect((await run(client, 'curl -s http://db/')).out).toContain('Welcome to nginx!')
    expect((await run(client, 'curl -s http://db.default.svc.cluster.local:80/')).code).toBe(0)
    await service('nobody', { clusterIP: 'None', selector: { app: 'nobody' } })
    await cluster.clock.advance(100)
    expect((await run(client, 'curl http://nobody/')).err).toBe('curl: (6) Could not resolve host: nobody\n')
  })

  test('serviceForHost follows the pod’s DNS search path', async () => {
    await service('db', { selector: { app: 'db' }, ports: [{ port: 5432 }] }, 'team')
    const r = cluster.registry
    expect(serviceForHost(r, 'team', 'db')?.metadata?.name).toBe('db')
    expect(serviceForHost(r, 'default', 'db')).toBeUndefined()
    expect(serviceForHost(r, 'default', 'db.team')?.metadata?.namespace).toBe('team')
    expect(serviceForHost(r, 'default', 'db.team.svc.cluster.local.')?.metadata?.name).toBe('db')
    expect(serviceForHost(r, 'default', 'kubernetes.default')?.spec?.clusterIP).toBe('10.96.0.1')
    expect(serviceForHost(r, 'default', 'db.team.example.com')).toBeUndefined()
  })
})
