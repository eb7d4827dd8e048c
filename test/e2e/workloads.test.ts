/** @module workloads.test: DaemonSets, cascading deletion, StatefulSets and Jobs through real kubectl against a spawned kubemock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { systemWorkloads } from '../../src/sim/system-workloads.js'
import { ok } from '../helpers/expect-kubectl.js'

/** Polls `fn` every 100 ms until it returns a truthy value or `ms` pass; returns the last value. */
async function until<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  let v = await fn()
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100))
    v = await fn()
  }
  return v
}

const deployment = (name: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } },
    },
  })

describe('workload controllers through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const names = async (args: string[]) =>
    ok(await k([...args, '-o', 'jsonpath={.items[*].metadata.name}']))
      .split(' ')
      .filter(Boolean)

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
    // Until the cluster seeds them itself, create the kube-system workloads the way kubeadm would.
    if ((await k(['get', 'ds', 'kube-proxy', '-n', 'kube-system'])).code !== 0) {
      ok(await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: systemWorkloads('v1.32.2') })))
    }
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl get ds -n kube-system shows kube-proxy on all four nodes', async () => {
    const table = await until(async () => {
      const t = parseTable(ok(await k(['get', 'ds', '-n', 'kube-system'])))
      return t.rows[0]?.READY === '4' ? t : undefined
    })
    expect(table, km.logs()).toBeDefined()
    expect(table!.headers).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'])
    expect(table!.rows[0]).toMatchObject({
      NAME: 'kube-proxy',
      DESIRED: '4',
      CURRENT: '4',
      READY: '4',
      'UP-TO-DATE': '4',
      AVAILABLE: '4',
      'NODE SELECTOR': 'kubernetes.io/os=linux',
    })
    const pods = await names(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy'])
    expect(pods).toHaveLength(4)
    for (const p of pods) expect(p).toMatch(/^kube-proxy-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  it('rolls a DaemonSet out to a new image', async () => {
    ok(
      await k(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent' },
          spec: {
            selector: { matchLabels: { app: 'agent' } },
            template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } },
          },
        }),
      ),
    )
    expect(ok(await km.kubectl(['rollout', 'status', 'ds/agent', '--timeout=20s'], { timeoutMs: 25_000 }))).toContain(
      'daemon set "agent" successfully rolled out',
    )
    ok(await k(['set', 'image', 'ds/agent', 'nginx=nginx:1.16.0']))
    expect(ok(await km.kubectl(['rollout', 'status', 'ds/agent', '--timeout=20s'], { timeoutMs: 25_000 }))).toContain(
      'daemon set "agent" successfully rolled out',
    )
    const images = ok(await k(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).split(' ')
    expect(images).toEqual(['nginx:1.16.0', 'nginx:1.16.0', 'nginx:1.16.0'])
    const history = parseTable(ok(await k(['rollout', 'history', 'ds/agent'])).replace(/^daemonset.*\n/, ''))
    expect(history.rows.map((r) => r.REVISION)).toEqual(['1', '2'])
  }, 60_000)

  it('kubectl delete deployment removes its ReplicaSets and pods', async () => {
    ok(await k(['create', '-f', '-'], deployment('gone')))
    expect(await until(async () => (await names(['get', 'pods', '-l', 'app=gone'])).length === 2)).toBe(true)
    expect(ok(await km.kubectl(['delete', 'deployment', 'gone'], { timeoutMs: 25_000 }))).toContain('deployment.apps "gone" deleted')
    expect(await until(async () => (await names(['get', 'rs,pods', '-l', 'app=gone'])).length === 0)).toBe(true)
  }, 40_000)

  it('--cascade=orphan keeps the ReplicaSet and pods, without owner references', async () => {
    ok(await k(['create', '-f', '-'], deployment('keep')))
    expect(await until(async () => (await names(['get', 'pods', '-l', 'app=keep'])).length === 2)).toBe(true)
    ok(await km.kubectl(['delete', 'deployment', 'keep', '--cascade=orphan'], { timeoutMs: 25_000 }))
    expect((await k(['get', 'deployment', 'keep'])).code).not.toBe(0)
    const refs = ok(await k(['get', 'rs', '-l', 'app=keep', '-o', 'jsonpath={.items[*].metadata.ownerReferences}']))
    expect(refs.trim()).toBe('')
    expect(await names(['get', 'pods', '-l', 'app=keep'])).toHaveLength(2)
  }, 40_000)

  it('--cascade=foreground deletes dependents before the owner', async () => {
    ok(await k(['create', '-f', '-'], deployment('fg')))
    expect(await until(async () => (await names(['get', 'pods', '-l', 'app=fg'])).length === 2)).toBe(true)
    ok(await km.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false']))
    const during = await k(['get', 'deployment', 'fg', '-o', 'jsonpath={.metadata.finalizers}'])
    if (during.code === 0) expect(during.stdout).toContain('foregroundDeletion')
    expect(await until(async () => (await k(['get', 'deployment', 'fg'])).code !== 0)).toBe(true)
    expect(await names(['get', 'rs,pods', '-l', 'app=fg'])).toEqual([])
  }, 40_000)

  it('scales a StatefulSet 0 → 3 in ordinal order', async () => {
    ok(
      await k(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'web' },
          spec: {
            replicas: 0,
            serviceName: 'web',
            selector: { matchLabels: { app: 'sts' } },
            template: { metadata: { labels: { app: 'sts' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } },
          },
        }),
      ),
    )
    ok(await k(['scale', 'statefulset', 'web', '--replicas=3']))
    expect(ok(await km.kubectl(['rollout', 'status', 'sts/web', '--timeout=20s'], { timeoutMs: 25_000 }))).toContain(
      'partitioned roll out complete: 3 new pods have been updated...',
    )
    const created = ok(await k(['get', 'pods', '-l', 'app=sts', '--sort-by=.metadata.creationTimestamp', '-o', 'jsonpath={.items[*].metadata.name}']))
    expect(created.split(' ')).toEqual(['web-0', 'web-1', 'web-2'])
    const events = ok(await k(['get', 'events', '--field-selector', 'involvedObject.name=web,reason=SuccessfulCreate', '-o', 'jsonpath={.items[*].message}']))
    expect(events).toContain('create Pod web-2 in StatefulSet web successful')
    const t = parseTable(ok(await k(['get', 'sts', 'web'])))
    expect(t.rows[0]).toMatchObject({ NAME: 'web', READY: '3/3' })
  }, 40_000)

  it('a Job completes (kubectl wait --for=condition=complete)', async () => {
    ok(await k(['create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello']))
    const r = await km.kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=20s'], { timeoutMs: 25_000 })
    expect(ok(r)).toContain('job.batch/hello condition met')
    const t = parseTable(ok(await k(['get', 'job', 'hello'])))
    expect(t.rows[0]).toMatchObject({ NAME: 'hello', STATUS: 'Complete', COMPLETIONS: '1/1' })
    const finalizers = ok(await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=hello', '-o', 'jsonpath={.items[*].metadata.finalizers}']))
    expect(finalizers.trim()).toBe('')
  }, 40_000)
})
