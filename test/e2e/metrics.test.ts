/** @module metrics.test: `kubectl top`, metrics.k8s.io and OOMKilled through real kubectl against the built CLI, on a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'

describe('resource usage and metrics through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const control = (path: string, method: string, body?: unknown) =>
    fetch(`${km.url}/kubemock/v1${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
  /** Simulated seconds, one at a time: the controllers' writes interleave as on a running cluster. */
  const advance = async (seconds: number) => {
    for (let i = 0; i < seconds; i++) expect((await control('/clock/advance', 'POST', { seconds: 1 })).status).toBe(200)
  }
  const table = async (args: string[]) => parseTable(ok(await k(args)))

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0', '--log-level', 'silent'] })
    ok(await k(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']))
    // The system pods and web start, and metrics-server scrapes them twice (15 s resolution).
    await advance(45)
  }, 60_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl get apiservice v1beta1.metrics.k8s.io is Available', async () => {
    const t = await table(['get', 'apiservice', 'v1beta1.metrics.k8s.io'])
    expect(t.headers).toEqual(['NAME', 'SERVICE', 'AVAILABLE', 'AGE'])
    expect(t.rows[0]).toMatchObject({ NAME: 'v1beta1.metrics.k8s.io', SERVICE: 'kube-system/metrics-server', AVAILABLE: 'True' })
    const ms = await table(['get', 'deploy', 'metrics-server', '-n', 'kube-system'])
    expect(ms.rows[0]).toMatchObject({ NAME: 'metrics-server', READY: '1/1' })
  })

  it('kubectl top nodes: every node, the control plane busiest', async () => {
    const t = await table(['top', 'nodes'])
    expect(t.headers).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'])
    expect(t.rows.map((r) => r.NAME)).toEqual(['kubemock-control-plane', 'kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
    for (const r of t.rows) {
      expect(r['CPU(cores)']).toMatch(/^\d+m$/)
      expect(r['CPU(%)']).toMatch(/^\d+%$/)
      expect(r['MEMORY(bytes)']).toMatch(/^\d+Mi$/)
      expect(r['MEMORY(%)']).toMatch(/^\d+%$/)
    }
    const cpu = (r: Record<string, string>) => Number.parseInt(r['CPU(cores)'], 10)
    const mem = (r: Record<string, string>) => Number.parseInt(r['MEMORY(bytes)'], 10)
    // kind's control plane runs the apiserver, etcd and the controllers: ~150m and ~600Mi; workers ~30m and ~150Mi.
    expect(cpu(t.rows[0])).toBeGreaterThan(100)
    expect(mem(t.rows[0])).toBeGreaterThan(500)
    for (const r of t.rows.slice(1)) {
      expect(cpu(r)).toBeLessThan(100)
      expect(mem(r)).toBeGreaterThan(100)
      expect(mem(r)).toBeLessThan(400)
    }
  })

  it('kubectl top pods -A shows the system pods; --containers the containers', async () => {
    const t = await table(['top', 'pods', '-A'])
    expect(t.headers).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'])
    const apps = ['coredns', 'kube-proxy', 'metrics-server']
    const system = t.rows.filter((r) => r.NAMESPACE === 'kube-system').map((r) => apps.find((a) => r.NAME.startsWith(`${a}-`)))
    // Two CoreDNS replicas, kube-proxy on each of the four nodes, one metrics-server.
    expect(system.sort()).toEqual(['coredns', 'coredns', 'kube-proxy', 'kube-proxy', 'kube-proxy', 'kube-proxy', 'metrics-server'])
    expect(t.rows.filter((r) => r.NAMESPACE === 'default')).toHaveLength(2)
    for (const r of t.rows) expect(r['MEMORY(bytes)']).toMatch(/^\d+Mi$/)
    const dns = t.rows.find((r) => r.NAME.startsWith('coredns-'))!
    expect(Number.parseInt(dns['MEMORY(bytes)'], 10)).toBeGreaterThanOrEqual(12)
    expect(Number.parseInt(dns['MEMORY(bytes)'], 10)).toBeLessThanOrEqual(18)
    const c = await table(['top', 'pods', '-l', 'app=web', '--containers'])
    expect(c.headers).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'])
    expect(c.rows.map((r) => r.NAME)).toEqual(['nginx', 'nginx'])
  })

  it('the usage override changes kubectl top pod, and --sort-by follows it', async () => {
    const pods = (await table(['get', 'pods', '-l', 'app=web'])).rows.map((r) => r.NAME).sort()
    const r = await control(`/namespaces/default/pods/${pods[1]}/usage`, 'PUT', { cpu: '500m', memory: '200Mi' })
    expect(r.status).toBe(200)
    const one = await table(['top', 'pod', pods[1]])
    expect(one.rows).toEqual([{ NAME: pods[1], 'CPU(cores)': '500m', 'MEMORY(bytes)': '200Mi' }])
    expect((await table(['top', 'pods', '--sort-by=cpu'])).rows[0].NAME).toBe(pods[1])
    expect((await table(['top', 'pods', '--sort-by=memory'])).rows[0].NAME).toBe(pods[1])
    // A selector override reaches every web pod; the pod's own still wins.
    expect((await control('/namespaces/default/usage?labelSelector=app%3Dweb', 'PUT', { cpu: '1', memory: '300Mi' })).status).toBe(200)
    const both = Object.fromEntries((await table(['top', 'pods', '-l', 'app=web'])).rows.map((x) => [x.NAME, `${x['CPU(cores)']} ${x['MEMORY(bytes)']}`]))
    expect(both).toEqual({ [pods[0]]: '1000m 300Mi', [pods[1]]: '500m 200Mi' })
    await control(`/namespaces/default/pods/${pods[1]}/usage`, 'DELETE')
    await control('/namespaces/default/usage?labelSelector=app%3Dweb', 'DELETE')
    expect((await table(['top', 'pod', pods[1]])).rows[0]['CPU(cores)']).not.toBe('500m')
  })

  it('kubectl get --raw lists PodMetrics as metrics-server does; unknown pods are NotFound', async () => {
    const list = JSON.parse(ok(await k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'])))
    expect(list.kind).toBe('PodMetricsList')
    expect(list.items).toHaveLength(2)
    for (const item of list.items) {
      expect(item.metadata.labels.app).toBe('web')
      expect(item.window).toMatch(/^\d+(\.\d+)?s$/)
      expect(item.containers[0].usage.memory).toMatch(/^\d+Ki$/)
    }
    const missing = await k(['top', 'pod', 'nope'])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found')
    const podmetrics = await table(['get', 'podmetrics'])
    expect(podmetrics.headers).toEqual(['NAME', 'CPU', 'MEMORY', 'WINDOW'])
    expect(podmetrics.rows).toHaveLength(2)
    const explain = ok(await k(['explain', 'podmetrics.containers']))
    expect(explain).toContain('KIND:       PodMetrics')
    expect(explain).toContain('Metrics for all containers are collected within the same time window.')
  })

  it('a container allocating past its memory limit is OOMKilled, then CrashLoopBackOff', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'memory-demo-2' },
      spec: {
        containers: [
          {
            name: 'memory-demo-2-ctr',
            image: 'polinux/stress',
            resources: { requests: { memory: '50Mi' }, limits: { memory: '100Mi' } },
            command: ['stress'],
            args: ['--vm', '1', '--vm-bytes', '250M', '--vm-hang', '1'],
          },
        ],
      },
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(pod)))
    const seen = new Set<string>()
    for (let i = 0; i < 40 && !(seen.has('OOMKilled') && seen.has('CrashLoopBackOff')); i++) {
      await advance(1)
      seen.add((await table(['get', 'pod', 'memory-demo-2'])).rows[0].STATUS)
    }
    expect([...seen]).toEqual(expect.arrayContaining(['OOMKilled', 'CrashLoopBackOff']))
    const last = JSON.parse(ok(await k(['get', 'pod', 'memory-demo-2', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated}'])))
    expect(last).toMatchObject({ exitCode: 137, reason: 'OOMKilled' })
  })
})
