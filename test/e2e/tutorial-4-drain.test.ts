/** @module tutorial-4-drain.test: tutorial §4 with real kubectl — drain refuses DaemonSet pods, evicts the rest, honours PDBs, --force, --timeout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok, until as pollUntil } from '../helpers/expect-kubectl.js'

let km: Kubemock
beforeAll(async () => {
  km = await startKubemock({ args: ['--speed', '20'] })
}, 30_000)
afterAll(async () => {
  await km?.stop()
})

/** Polls `fn` until it returns a truthy value; a timeout shows the server's last log lines. */
const until = <T>(fn: () => Promise<T | undefined | false>, ms = 15_000) => pollUntil(fn, ms, () => km.logs().slice(-2000))

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo-hname
spec:
  replicas: 3
  selector:
    matchLabels:
      app: echo-hname
  template:
    metadata:
      labels:
        app: echo-hname
    spec:
      containers:
      - name: echo-hname
        image: sysnet4admin/echo-hname
`

const pods = async (selector: string, ns = 'default') => parseTable(ok(await km.kubectl(['get', 'pods', '-n', ns, '-l', selector, '-o', 'wide']))).rows
const running = async (selector: string, n: number) =>
  until(async () => {
    const rows = await pods(selector)
    return rows.length === n && rows.every((r) => r.STATUS === 'Running') && rows
  })

describe('tutorial §4: drain', () => {
  it('runs one echo-hname pod per worker and one kube-proxy per node', async () => {
    ok(await km.kubectl(['apply', '-f', '-'], { input: deployment }))
    const rows = await running('app=echo-hname', 3)
    expect(rows.map((r) => r.NODE).sort()).toEqual(['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
    await until(async () => (await pods('k8s-app=kube-proxy', 'kube-system')).some((r) => r.NODE === 'kubemock-worker'))
  })

  it('refuses to drain past DaemonSet pods, leaving the node cordoned', async () => {
    const proxy = (await pods('k8s-app=kube-proxy', 'kube-system')).find((r) => r.NODE === 'kubemock-worker')!.NAME
    const r = await km.kubectl(['drain', 'kubemock-worker'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('node/kubemock-worker cordoned\n')
    const causes = [`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/${proxy}`]
    // metrics-server keeps its certificates in an emptyDir: on this node it blocks the drain too, as on a real cluster.
    const metricsServer = (await pods('k8s-app=metrics-server', 'kube-system')).find((x) => x.NODE === 'kubemock-worker')?.NAME
    if (metricsServer) causes.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): kube-system/${metricsServer}`)
    const summary = causes.length === 1 ? causes[0] : `[${causes.join(', ')}]`
    expect(r.stderr).toBe(
      `error: unable to drain node "kubemock-worker" due to error: ${summary}, continuing command...\nThere are pending nodes to be drained:\n kubemock-worker\n${causes.join('\n')}\n`,
    )
    const nodes = parseTable(ok(await km.kubectl(['get', 'nodes']))).rows
    expect(nodes.find((n) => n.NAME === 'kubemock-worker')?.STATUS).toBe('Ready,SchedulingDisabled')
  })

  it('drains with --ignore-daemonsets: evicts, and the ReplicaSet recreates the pod elsewhere', async () => {
    const victim = (await pods('app=echo-hname')).find((r) => r.NODE === 'kubemock-worker')!.NAME
    const proxy = (await pods('k8s-app=kube-proxy', 'kube-system')).find((r) => r.NODE === 'kubemock-worker')!.NAME
    // --delete-emptydir-data: metrics-server's emptyDir would block the drain where it runs.
    const r = await km.kubectl(['drain', 'kubemock-worker', '--ignore-daemonsets', '--delete-emptydir-data'], { timeoutMs: 30_000 })
    expect(r, r.stderr).toMatchObject({ code: 0 })
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toBe('node/kubemock-worker already cordoned')
    expect(lines).toContain(`evicting pod default/${victim}`)
    expect(lines).toContain(`pod/${victim} evicted`)
    expect(lines.at(-1)).toBe('node/kubemock-worker drained')
    expect(r.stderr).toContain(`Warning: ignoring DaemonSet-managed Pods: `)
    expect(r.stderr).toContain(`kube-system/${proxy}`)
    const rows = await running('app=echo-hname', 3)
    expect(rows.map((x) => x.NODE)).not.toContain('kubemock-worker')
    const left = parseTable(ok(await km.kubectl(['get', 'pods', '-A', '-o', 'wide', '--field-selector', 'spec.nodeName=kubemock-worker']))).rows
    expect(left.every((x) => x.NAME.startsWith('kube-proxy-'))).toBe(true)
    expect(ok(await km.kubectl(['uncordon', 'kubemock-worker']))).toBe('node/kubemock-worker uncordoned\n')
  })

  it('retries evictions a PodDisruptionBudget blocks, until --timeout', async () => {
    ok(await km.kubectl(['create', 'poddisruptionbudget', 'echo-pdb', '--selector=app=echo-hname', '--min-available=3']))
    await until(async () => ok(await km.kubectl(['get', 'pdb', 'echo-pdb', '-o', 'jsonpath={.status.currentHealthy}'])) === '3')
    const pdb = parseTable(ok(await km.kubectl(['get', 'pdb']))).rows[0]
    expect(pdb).toMatchObject({ NAME: 'echo-pdb', 'MIN AVAILABLE': '3', 'MAX UNAVAILABLE': 'N/A', 'ALLOWED DISRUPTIONS': '0' })
    const victim = (await pods('app=echo-hname')).find((x) => x.NODE === 'kubemock-worker2')!.NAME
    const r = await km.kubectl(['drain', 'kubemock-worker2', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=7s'], { timeoutMs: 30_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      `error when evicting pods/"${victim}" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
    )
    expect(r.stderr).toContain('global timeout reached: 7s')
    expect(r.stdout.split('\n').filter((l) => l === `evicting pod default/${victim}`).length).toBeGreaterThanOrEqual(2)
    expect((await pods('app=echo-hname')).find((x) => x.NAME === victim)?.STATUS).toBe('Running')
    ok(await km.kubectl(['delete', 'pdb', 'echo-pdb']))
    ok(await km.kubectl(['uncordon', 'kubemock-worker2']))
  })

  it('needs --force for a pod no controller manages', async () => {
    ok(await km.kubectl(['run', 'bare', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"kubemock-worker3"}}}']))
    await running('run=bare', 1)
    const refused = await km.kubectl(['drain', 'kubemock-worker3', '--ignore-daemonsets', '--delete-emptydir-data'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('cannot delete cannot delete Pods that declare no controller (use --force to override): default/bare')
    const r = await km.kubectl(['drain', 'kubemock-worker3', '--ignore-daemonsets', '--delete-emptydir-data', '--force'], { timeoutMs: 30_000 })
    expect(r, r.stderr).toMatchObject({ code: 0 })
    expect(r.stderr).toContain('deleting Pods that declare no controller: default/bare')
    expect(r.stdout).toContain('pod/bare evicted\n')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('node/kubemock-worker3 drained')
  })
})
