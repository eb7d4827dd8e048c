/** @module etcd.test: `--etcd-servers` through real processes — kubectl against two kubemock processes on one etcd: shared reads, watches and conflicts, one leader running the controllers, and failover when it is killed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Etcd3 } from 'etcd3'
import { type Kubemock, startKubemock } from '../helpers/kubemock-process.js'
import { startEtcd, type RunningEtcd } from '../helpers/etcd.js'
import { eventually as until } from '../helpers/expect-kubectl.js'

let etcd: RunningEtcd
const running: Kubemock[] = []
beforeAll(async () => {
  etcd = await startEtcd()
})
afterAll(async () => {
  for (const k of running) await k.stop()
  await etcd?.stop()
})

async function start(): Promise<Kubemock> {
  const k = await startKubemock({ args: ['--etcd-servers', etcd.url, '--log-level', 'warn', '--nodes', '3'] })
  running.push(k)
  return k
}

async function json(k: Kubemock, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const r = await fetch(`${k.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } })
  return { status: r.status, body: await r.json() }
}

async function runningPods(k: Kubemock, app: string): Promise<number> {
  const { body } = await json(k, `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)
  return (body.items as { status?: { phase?: string }; metadata: { deletionTimestamp?: string } }[]).filter(
    (p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp,
  ).length
}

describe('--etcd-servers', () => {
  let a: Kubemock
  let b: Kubemock
  it('two processes serve one cluster: one seeds it and leads, the other reads the same objects from etcd', async () => {
    a = await start()
    await until('a to lead', async () => ((await json(a, '/api/v1/nodes')).body.items.length === 4 ? true : undefined), 20_000)
    b = await start()
    const nodes = (await b.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n')
    expect(nodes).toEqual(['node/kubemock-control-plane', 'node/kubemock-worker', 'node/kubemock-worker2', 'node/kubemock-worker3'])
    const lease = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).body
    expect(lease.spec.holderIdentity).toMatch(/_[0-9a-f-]{36}$/)
    expect(lease.spec.leaseDurationSeconds).toBe(15)
    const scheduler = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).body
    expect(scheduler.spec.holderIdentity).toBe(lease.spec.holderIdentity)
    // kube-apiserver's keys, in etcd itself.
    const raw = new Etcd3({ hosts: etcd.url })
    try {
      const keys = await raw.getAll().prefix('/registry/minions/').keys()
      expect(keys.sort()).toEqual(nodes.map((n) => `/registry/minions/${n.slice('node/'.length)}`).sort())
    } finally {
      raw.close()
    }
  }, 60_000)

  it("a write through one reaches the other's watchers, and a stale update through either gets upstream's 409", async () => {
    const watch = await fetch(`${b.url}/api/v1/namespaces/default/configmaps?watch=1`)
    const reader = watch.body!.getReader()
    expect((await a.kubectl(['create', 'configmap', 'from-a', '--from-literal=k=v'])).code).toBe(0)
    let text = ''
    while (!text.includes('"from-a"')) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    const event = JSON.parse(
      text
        .trim()
        .split('\n')
        .find((l) => l.includes('"from-a"'))!,
    )
    expect(event.type).toBe('ADDED')
    const cm = (await json(b, '/api/v1/namespaces/default/configmaps/from-a')).body
    expect(cm.metadata.resourceVersion).toBe(event.object.metadata.resourceVersion)
    const changed = await json(a, '/api/v1/namespaces/default/configmaps/from-a', { method: 'PUT', body: JSON.stringify({ ...cm, data: { k: 'a' } }) })
    expect(changed.status).toBe(200)
    const stale = await json(b, '/api/v1/namespaces/default/configmaps/from-a', { method: 'PUT', body: JSON.stringify({ ...cm, data: { k: 'b' } }) })
    expect(stale.status).toBe(409)
    expect(stale.body.message).toBe(
      'Operation cannot be fulfilled on configmaps "from-a": the object has been modified; please apply your changes to the latest version and try again',
    )
  }, 30_000)

  it('the controllers run once: a Deployment made through the follower gets exactly its replicas', async () => {
    expect((await b.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])).code).toBe(0)
    await until('3 Running pods', async () => ((await runningPods(a, 'web')) === 3 ? true : undefined), 30_000)
    const rs = (await json(a, '/apis/apps/v1/namespaces/default/replicasets')).body.items
    expect(rs).toHaveLength(1)
    const pods = (await json(b, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items
    expect(pods).toHaveLength(3)
  }, 40_000)

  it('the simulated kubelets are split between the processes by node shard, each process holding its Leases', async () => {
    const holders = async () => {
      const { body } = await json(a, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')
      const counts = new Map<string, number>()
      for (const l of body.items as { metadata: { name: string }; spec: { holderIdentity?: string } }[])
        if (l.metadata.name.startsWith('kubemock-kubelets-')) counts.set(l.spec.holderIdentity ?? '', (counts.get(l.spec.holderIdentity ?? '') ?? 0) + 1)
      return counts
    }
    const split = await until(
      'the 16 shards split 8/8',
      async () => {
        const c = await holders()
        return [...c.values()].sort().join('/') === '8/8' ? c : undefined
      },
      40_000,
    )
    expect(split.size).toBe(2)
    const members = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')).body.items.filter((l: { metadata: { name: string } }) =>
      l.metadata.name.startsWith('kubemock-process-'),
    )
    expect(members.map((l: { spec: { holderIdentity: string } }) => l.spec.holderIdentity).sort()).toEqual([...split.keys()].sort())
  }, 60_000)

  it('when the leader is killed, the other takes the Lease within its duration and a scale through it converges', async () => {
    const before = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).body.spec
    process.kill(a.pid, 'SIGKILL')
    await a.stop()
    const t0 = Date.now()
    expect((await b.kubectl(['scale', 'deployment', 'web', '--replicas=5'])).code).toBe(0)
    await until('5 Running pods', async () => ((await runningPods(b, 'web')) === 5 ? true : undefined), 40_000)
    const took = Date.now() - t0
    expect(took).toBeLessThan(30_000)
    const after = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).body.spec
    expect(after.holderIdentity).not.toBe(before.holderIdentity)
    expect(after.leaseTransitions).toBe((before.leaseTransitions ?? 0) + 1)
    // The survivor took the dead process's node shards: every node's kubelet Lease is renewed after the kill.
    const killedAt = new Date(t0).toISOString()
    await until(
      'every node lease renewed after the kill',
      async () => {
        const { body } = await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases')
        return (body.items as { spec: { renewTime: string } }[]).every((l) => l.spec.renewTime > killedAt) ? true : undefined
      },
      30_000,
    )
    const shards = (await json(b, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')).body.items.filter((l: { metadata: { name: string } }) =>
      l.metadata.name.startsWith('kubemock-kubelets-'),
    )
    expect(new Set(shards.map((l: { spec: { holderIdentity: string } }) => l.spec.holderIdentity))).toEqual(new Set([after.holderIdentity]))
  }, 60_000)
})

describe('one simulated clock for the processes of a cluster', () => {
  it('an advance or a speed change through one process reaches the other', async () => {
    const own = await startEtcd()
    const args = ['--etcd-servers', own.url, '--speed', '0', '--log-level', 'warn', '--nodes', '1']
    const x = await startKubemock({ args })
    const y = await startKubemock({ args })
    try {
      const clock = async (k: Kubemock) => (await json(k, '/kubemock/v1/clock')).body as { epochMillis: number; speed: number }
      const before = await clock(x)
      expect(before.speed).toBe(0)
      const advanced = await json(y, '/kubemock/v1/clock/advance', { method: 'POST', body: JSON.stringify({ seconds: 3600 }) })
      expect(advanced.status).toBe(200)
      await until('x at y’s time', async () => ((await clock(x)).epochMillis >= advanced.body.epochMillis ? true : undefined), 10_000)
      // Manual time on both: it stays where the advance left it, on both.
      expect((await clock(x)).epochMillis - before.epochMillis).toBeGreaterThanOrEqual(3_600_000)
      expect((await json(x, '/kubemock/v1/clock', { method: 'PUT', body: JSON.stringify({ speed: 2 }) })).status).toBe(200)
      await until('y at speed 2', async () => ((await clock(y)).speed === 2 ? true : undefined), 10_000)
    } finally {
      await x.stop()
      await y.stop()
      await own.stop()
    }
  }, 60_000)
})

describe('reset and snapshot restore over etcd', () => {
  it('replace the objects every process serves, keep the leader and the kubelet shards where they are, and the controllers go on', async () => {
    const own = await startEtcd()
    const args = ['--etcd-servers', own.url, '--log-level', 'warn', '--nodes', '1']
    const x = await startKubemock({ args })
    await until('x to seed', async () => ((await json(x, '/api/v1/nodes')).body.items.length === 2 ? true : undefined), 20_000)
    const y = await startKubemock({ args })
    const leader = async () => (await json(y, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).body.spec
    const names = async (k: Kubemock) =>
      ((await json(k, '/api/v1/namespaces/default/configmaps')).body.items as { metadata: { name: string } }[]).map((c) => c.metadata.name)
    try {
      expect((await x.kubectl(['create', 'configmap', 'kept', '--from-literal=k=v'])).code).toBe(0)
      const snapshot = (await json(x, '/kubemock/v1/snapshot')).body
      expect((await y.kubectl(['create', 'configmap', 'extra'])).code).toBe(0)
      const before = await leader()

      // Restore through the follower: both processes serve the snapshot's objects.
      const restored = await json(y, '/kubemock/v1/snapshot', { method: 'PUT', body: JSON.stringify(snapshot) })
      expect(restored.status, JSON.stringify(restored.body)).toBe(200)
      expect(restored.body.objects).toBe(snapshot.items.length)
      expect(await names(y)).toEqual(expect.arrayContaining(['kept']))
      expect(await names(y)).not.toContain('extra')
      await until('x to drop extra', async () => ((await names(x)).includes('extra') ? undefined : true), 10_000)
      expect(await names(x)).toContain('kept')
      expect((await x.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}'])).stdout).toBe('v')

      // Reset through the leader: the boot objects again, the ConfigMap gone everywhere.
      const reset = await json(x, '/kubemock/v1/reset', { method: 'POST' })
      expect(reset.status).toBe(200)
      await until('y to drop kept', async () => ((await names(y)).includes('kept') ? undefined : true), 10_000)
      expect(await names(x)).not.toContain('kept')
      expect(((await json(y, '/api/v1/nodes')).body.items as unknown[]).length).toBe(2)
      expect((await y.kubectl(['get', 'namespace', 'default', 'kube-system', '-o', 'name'])).stdout.trim().split('\n')).toEqual([
        'namespace/default',
        'namespace/kube-system',
      ])
      const after = await leader()
      expect(after.holderIdentity).toBe(before.holderIdentity)
      expect(after.leaseTransitions).toBe(before.leaseTransitions)

      // The controllers and the kubelets of both processes work on the new state.
      expect((await y.kubectl(['create', 'deployment', 'after-reset', '--image=nginx', '--replicas=2'])).code).toBe(0)
      await until('2 Running pods', async () => ((await runningPods(x, 'after-reset')) === 2 ? true : undefined), 30_000)
    } finally {
      await x.stop()
      await y.stop()
      await own.stop()
    }
  }, 90_000)
})

describe('etcd going away under a running kubemock', () => {
  it('readiness reports etcd, writes answer 504 once the request timeout passes, reads go on, and all of it recovers', async () => {
    const own = await startEtcd()
    const k = await startKubemock({ args: ['--etcd-servers', own.url, '--request-timeout', '2s', '--log-level', 'warn', '--nodes', '1'] })
    try {
      expect((await k.kubectl(['create', 'configmap', 'before', '--from-literal=k=v'])).code).toBe(0)
      await own.kill()
      const readyz = await until(
        '/readyz to fail',
        async () => {
          const r = await fetch(`${k.url}/readyz`)
          return r.status === 500 ? r.text() : undefined
        },
        15_000,
      )
      expect(readyz).toBe('[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nreadyz check failed\n')
      const etcdCheck = await fetch(`${k.url}/readyz/etcd`)
      expect(etcdCheck.status).toBe(500)
      // kube-apiserver's single-check handler, around its etcd health check's error.
      expect(await etcdCheck.text()).toBe('internal server error: error getting data from etcd: context deadline exceeded\n')
      const r = await k.kubectl(['create', 'configmap', 'while-away'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('error: failed to create configmap: Timeout: request did not complete within requested timeout - context deadline exceeded')
      // Reads come from the watch cache meanwhile.
      expect((await k.kubectl(['get', 'configmap', 'before', '-o', 'jsonpath={.data.k}'])).stdout).toBe('v')
      await own.restart()
      await until('/readyz to pass', async () => ((await fetch(`${k.url}/readyz`)).status === 200 ? true : undefined), 20_000)
      expect((await k.kubectl(['create', 'configmap', 'after'])).code).toBe(0)
      expect((await k.kubectl(['get', 'configmap', 'after', '-o', 'name'])).stdout.trim()).toBe('configmap/after')
    } finally {
      await k.stop()
      await own.stop()
    }
  }, 90_000)
})
