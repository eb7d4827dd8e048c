/** @module endpoints.test: a Deployment's Service gets Endpoints and EndpointSlices from its pods, through real kubectl against a spawned kubemock on a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { eventually, ok } from '../helpers/expect-kubectl.js'

describe('Service endpoints through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  /** Moves simulated time forward through the control API. */
  const advance = async (seconds: number) => {
    const res = await fetch(`${km.url}/kubemock/v1/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    })
    expect(res.status).toBe(200)
  }
  const podIPs = async () =>
    ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.status.podIP}{"\\n"}{end}']))
      .split('\n')
      .filter(Boolean)
      .sort()
  const endpointsColumn = async () => parseTable(ok(await k(['get', 'endpoints', 'web']))).rows[0]?.ENDPOINTS ?? ''
  const listed = (col: string) => col.split(',').sort()

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl expose: the three pod IPs on port 80 in the Endpoints and one EndpointSlice', async () => {
    expect(ok(await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']))).toBe('deployment.apps/web created\n')
    expect(ok(await k(['expose', 'deployment', 'web', '--port=80']))).toBe('service/web exposed\n')
    const ips = await eventually('three running pods', async () => {
      await advance(10)
      const ips = (await podIPs()).filter(Boolean)
      const ready = ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.containerStatuses[0].ready}']))
      return ips.length === 3 && ready === 'true true true' ? ips : undefined
    })
    const col = await eventually('three endpoints', async () => {
      const c = await endpointsColumn()
      return c.split(',').length === 3 ? c : undefined
    })
    expect(listed(col)).toEqual(ips.map((ip) => `${ip}:80`).sort())

    const slices = parseTable(ok(await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])))
    expect(slices.headers).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'])
    expect(slices.rows).toHaveLength(1)
    expect(slices.rows[0].NAME).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(slices.rows[0].ADDRESSTYPE).toBe('IPv4')
    expect(slices.rows[0].PORTS).toBe('80')
    expect(slices.rows[0].ENDPOINTS.split(',').sort()).toEqual(ips)

    const describe = ok(await k(['describe', 'svc', 'web']))
    const line = describe.split('\n').find((l) => l.startsWith('Endpoints:'))!
    expect(listed(line.replace(/^Endpoints:\s+/, ''))).toEqual(ips.map((ip) => `${ip}:80`).sort())

    const ep = JSON.parse(ok(await k(['get', 'endpoints', 'web', '-o', 'json'])))
    expect(ep.metadata.labels).toEqual({ app: 'web' })
    expect(ep.subsets).toHaveLength(1)
    expect(ep.subsets[0].ports).toEqual([{ port: 80, protocol: 'TCP' }])
    expect(ep.subsets[0].addresses.map((a: { ip: string }) => a.ip)).toEqual([...ips].sort((a, b) => (a < b ? -1 : 1)))
    expect(ep.subsets[0].addresses[0].targetRef.kind).toBe('Pod')
  })

  it('deleting a pod replaces its address with the new pod', async () => {
    const before = await podIPs()
    const victim = ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']))
    const victimIP = ok(await k(['get', 'pod', victim, '-o', 'jsonpath={.status.podIP}']))
    ok(await k(['delete', 'pod', victim, '--wait=false']))
    const after = await eventually('a replacement pod in the endpoints', async () => {
      await advance(10)
      const col = listed(await endpointsColumn())
      return col.length === 3 && !col.includes(`${victimIP}:80`) ? col : undefined
    })
    const ips = await podIPs()
    expect(after).toEqual(ips.map((ip) => `${ip}:80`).sort())
    expect(ips).not.toEqual(before)
    const slice = JSON.parse(ok(await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']))).items
    expect(slice).toHaveLength(1)
    expect(slice[0].endpoints.map((e: { addresses: string[] }) => e.addresses[0]).sort()).toEqual(ips)
  })

  it('curl from a pod reaches the Service by name; a Service without endpoints refuses', async () => {
    const pod = ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']))
    const page = await k(['exec', pod, '--', 'curl', '-s', 'http://web.default.svc.cluster.local/'])
    expect(page.code).toBe(0)
    expect(page.stdout).toContain('<title>Welcome to nginx!</title>')
    expect(ok(await k(['create', 'service', 'clusterip', 'empty', '--tcp=80:80']))).toBe('service/empty created\n')
    const refused = await k(['exec', pod, '--', 'curl', '-sS', 'http://empty/'])
    expect(refused.code).toBe(7)
    expect(refused.stderr).toBe("curl: (7) Failed to connect to empty port 80 after 1 ms: Couldn't connect to server\ncommand terminated with exit code 7\n")
  })

  it('a pod whose Ready condition is False moves to notReadyAddresses', async () => {
    const pod = JSON.parse(ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0]}'])))
    // Stop its kubelet first, so nothing rewrites the status the test sets.
    const stop = await fetch(`${km.url}/kubemock/v1/nodes/${pod.spec.nodeName}/fail`, { method: 'POST' })
    expect(stop.status).toBe(200)
    ok(
      await k([
        'patch',
        'pod',
        pod.metadata.name,
        '--subresource=status',
        '--type=strategic',
        '-p',
        JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }),
      ]),
    )
    const ep = await eventually('the pod under notReadyAddresses', async () => {
      const ep = JSON.parse(ok(await k(['get', 'endpoints', 'web', '-o', 'json'])))
      return ep.subsets?.[0]?.notReadyAddresses ? ep : undefined
    })
    expect(ep.subsets[0].notReadyAddresses.map((a: { ip: string }) => a.ip)).toEqual([pod.status.podIP])
    expect(ep.subsets[0].addresses).toHaveLength(2)
    expect(listed(await endpointsColumn())).not.toContain(`${pod.status.podIP}:80`)
    const slice = JSON.parse(ok(await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']))).items[0]
    const mine = slice.endpoints.find((e: { targetRef: { name: string } }) => e.targetRef.name === pod.metadata.name)
    expect(mine.conditions).toEqual({ ready: false, serving: false, terminating: false })
  })

  it('kube-dns has Endpoints and an EndpointSlice from the CoreDNS pods; kubernetes keeps the apiserver ones', async () => {
    const dns = await eventually('kube-dns endpoints', async () => {
      const t = parseTable(ok(await k(['get', 'endpoints', 'kube-dns', '-n', 'kube-system']))).rows[0]
      return t && t.ENDPOINTS !== '<none>' ? t : undefined
    })
    expect(dns.ENDPOINTS).toMatch(/^10\.244\.\d+\.\d+:53,10\.244\.\d+\.\d+:53,10\.244\.\d+\.\d+:53 \+ 3 more\.\.\.$/)
    const slices = parseTable(ok(await k(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns']))).rows
    expect(slices).toHaveLength(1)
    expect(slices[0].PORTS).toBe('9153,53,53')
    const kube = parseTable(ok(await k(['get', 'endpoints', 'kubernetes']))).rows[0]
    expect(kube.ENDPOINTS).toBe('172.18.0.2:6443')
    const kubeSlice = parseTable(ok(await k(['get', 'endpointslices', 'kubernetes']))).rows[0]
    expect(kubeSlice).toMatchObject({ NAME: 'kubernetes', ADDRESSTYPE: 'IPv4', PORTS: '6443', ENDPOINTS: '172.18.0.2' })
  })

  it('hand-written Endpoints of a Service without a selector are mirrored to an EndpointSlice and reached by curl', async () => {
    const pod = JSON.parse(ok(await k(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[1]}'])))
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ name: 'http', port: 8080, targetPort: 80 }] } },
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'external' },
          subsets: [{ addresses: [{ ip: pod.status.podIP }], ports: [{ name: 'http', port: 80 }] }],
        },
      ],
    }
    ok(await k(['create', '-f', '-'], JSON.stringify(manifest)))
    const slice = await eventually('the mirrored slice', async () => {
      const rows = parseTable(
        ok(await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=external', '-L', 'endpointslice.kubernetes.io/managed-by'])),
      ).rows
      return rows.length ? rows : undefined
    })
    expect(slice).toHaveLength(1)
    expect(slice[0]).toMatchObject({ ADDRESSTYPE: 'IPv4', PORTS: '80', ENDPOINTS: pod.status.podIP, 'MANAGED-BY': 'endpointslicemirroring-controller.k8s.io' })
    const page = await k(['exec', pod.metadata.name, '--', 'curl', '-s', 'http://external:8080/'])
    expect(page.stdout).toContain('<title>Welcome to nginx!</title>')
  })

  it('deleting the Service removes its Endpoints and EndpointSlices', async () => {
    ok(await k(['delete', 'svc', 'web']))
    const gone = await eventually('no endpoints', async () => {
      const r = await k(['get', 'endpoints', 'web'])
      return r.code !== 0 ? r : undefined
    })
    expect(gone.stderr).toBe('Error from server (NotFound): endpoints "web" not found\n')
    await eventually('no slices', async () => {
      const out = await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])
      return out.stderr.includes('No resources found') ? out : undefined
    })
  })
})
