/** @module scheduling.test: PriorityClasses, priority admission, preemption and RuntimeClasses through real kubectl. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok, until } from '../helpers/expect-kubectl.js'

const cpuPod = (name: string, cpu: string, priorityClassName?: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      ...(priorityClassName ? { priorityClassName } : {}),
      containers: [{ name: 'nginx', image: 'nginx:1.15.12', resources: { requests: { cpu } } }],
    },
  })

describe('scheduling through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    // One worker (4 CPUs) besides the control plane: small enough to fill.
    km = await startKubemock({ args: ['--speed', '20', '--nodes', '1'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl get pc shows the two system classes with 1.32 columns', async () => {
    const t = parseTable(ok(await k(['get', 'pc'])))
    expect(t.headers).toEqual(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'])
    expect(t.rows.map(({ AGE: _age, ...r }) => r)).toEqual([
      { NAME: 'system-cluster-critical', VALUE: '2000000000', 'GLOBAL-DEFAULT': 'false', PREEMPTIONPOLICY: 'PreemptLowerPriority' },
      { NAME: 'system-node-critical', VALUE: '2000001000', 'GLOBAL-DEFAULT': 'false', PREEMPTIONPOLICY: 'PreemptLowerPriority' },
    ])
    const dns = ok(await k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[0].spec.priority}']))
    expect(dns).toBe('2000000000')
  })

  it('refuses a reserved name and a pod naming a class that does not exist', async () => {
    const reserved = await k(['create', 'priorityclass', 'system-mine', '--value=10'])
    expect(reserved.stderr.trim()).toBe(
      // `kubectl create priorityclass` wraps the server's Status message in its own prefix.
      `error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`,
    )
    const r = await k(['create', '-f', '-'], cpuPod('bad', '100m', 'nope'))
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "bad" is forbidden: no PriorityClass with name nope was found',
    )
  })

  it('preempts a low-priority pod for a high-priority one, which then runs where the victim was', async () => {
    expect(ok(await k(['create', 'priorityclass', 'high', '--value=1000']))).toBe('priorityclass.scheduling.k8s.io/high created\n')
    for (const n of ['low-1', 'low-2', 'low-3']) ok(await k(['create', '-f', '-'], cpuPod(n, '1')))
    await until(
      async () => parseTable(ok(await k(['get', 'pods', '-l', 'app in (low-1,low-2,low-3)']))).rows.filter((r) => r.STATUS === 'Running').length === 3,
      20_000,
      () => km.logs(),
    )
    ok(await k(['create', '-f', '-'], cpuPod('high', '1500m', 'high')))
    const uid = ok(await k(['get', 'pod', 'high', '-o', 'jsonpath={.metadata.uid}']))
    const preempted = await until(
      async () => {
        const out = ok(
          await k(['get', 'events', '--field-selector', 'reason=Preempted', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}|{.message}{"\\n"}{end}']),
        )
        return out.trim() ? out.trim().split('\n') : undefined
      },
      20_000,
      () => km.logs(),
    )
    expect(preempted).toHaveLength(1)
    expect(preempted[0]).toMatch(new RegExp(`^low-[123]\\|Preempted by pod ${uid} on node kubemock-worker$`))
    const running = await until(
      async () => {
        const t = parseTable(ok(await k(['get', 'pod', 'high', '-o', 'wide'])))
        return t.rows[0]?.STATUS === 'Running' ? t.rows[0] : undefined
      },
      30_000,
      () => km.logs(),
    )
    expect(running).toMatchObject({ NODE: 'kubemock-worker', 'NOMINATED NODE': 'kubemock-worker' })
    const victim = preempted[0].split('|')[0]
    expect((await k(['get', 'pod', victim])).stderr.trim()).toBe(`Error from server (NotFound): pods "${victim}" not found`)
    const describe = ok(await k(['describe', 'pod', 'high']))
    expect(describe).toMatch(
      /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/2 nodes are available: 1 Insufficient cpu, 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}\./,
    )
  })

  it('serves RuntimeClasses and refuses a pod naming a missing one', async () => {
    expect((await k(['get', 'runtimeclasses'])).stderr.trim()).toBe('No resources found')
    ok(await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc' })))
    const t = parseTable(ok(await k(['get', 'runtimeclass'])))
    expect(t.headers).toEqual(['NAME', 'HANDLER', 'AGE'])
    expect(t.rows[0]).toMatchObject({ NAME: 'gvisor', HANDLER: 'runsc' })
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sandboxed' },
      spec: { runtimeClassName: 'kata', containers: [{ name: 'c', image: 'nginx' }] },
    })
    const r = await k(['create', '-f', '-'], pod)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "sandboxed" is forbidden: pod rejected: RuntimeClass "kata" not found',
    )
  })
})
