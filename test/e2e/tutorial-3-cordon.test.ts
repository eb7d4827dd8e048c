/** @module tutorial-3-cordon.test: tutorial §3 with real kubectl — cordon, SchedulingDisabled, new pods avoid the node, uncordon. */
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

const deployment = (name: string, replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: echo-hname
        image: sysnet4admin/echo-hname
`

const node = 'kubemock-worker'

describe('tutorial §3: cordon', () => {
  it('cordons a node: SchedulingDisabled, the unschedulable taint, and "already cordoned" the second time', async () => {
    expect(ok(await km.kubectl(['cordon', node]))).toBe(`node/${node} cordoned\n`)
    const rows = parseTable(ok(await km.kubectl(['get', 'nodes']))).rows
    expect(rows.find((r) => r.NAME === node)?.STATUS).toBe('Ready,SchedulingDisabled')
    expect(rows.filter((r) => r.NAME !== node).map((r) => r.STATUS)).toEqual(['Ready', 'Ready', 'Ready'])
    const described = await until(async () => {
      const out = ok(await km.kubectl(['describe', 'node', node]))
      return out.includes('node.kubernetes.io/unschedulable:NoSchedule') && out
    })
    expect(described).toMatch(/^Taints:\s+node\.kubernetes\.io\/unschedulable:NoSchedule$/m)
    expect(described).toMatch(/^Unschedulable:\s+true$/m)
    expect(ok(await km.kubectl(['cordon', node]))).toBe(`node/${node} already cordoned\n`)
  })

  it('schedules new pods only on the other workers', async () => {
    ok(await km.kubectl(['apply', '-f', '-'], { input: deployment('echo-hname', 6) }))
    const rows = await until(async () => {
      const r = parseTable(ok(await km.kubectl(['get', 'pods', '-l', 'app=echo-hname', '-o', 'wide']))).rows
      return r.length === 6 && r.every((x) => x.NODE !== '<none>') && r
    })
    expect(rows.map((r) => r.NODE).sort()).toEqual([
      'kubemock-worker2',
      'kubemock-worker2',
      'kubemock-worker2',
      'kubemock-worker3',
      'kubemock-worker3',
      'kubemock-worker3',
    ])
  })

  it('uncordons: Ready again, the taint gone, "already uncordoned" the second time', async () => {
    expect(ok(await km.kubectl(['uncordon', node]))).toBe(`node/${node} uncordoned\n`)
    const rows = parseTable(ok(await km.kubectl(['get', 'nodes']))).rows
    expect(rows.find((r) => r.NAME === node)?.STATUS).toBe('Ready')
    await until(async () => ok(await km.kubectl(['get', 'node', node, '-o', 'jsonpath={.spec.taints}'])) === '')
    expect(ok(await km.kubectl(['uncordon', node]))).toBe(`node/${node} already uncordoned\n`)
    // The scale-up lands on the uncordoned node (it has the fewest of the Deployment's pods).
    ok(await km.kubectl(['scale', 'deployment', 'echo-hname', '--replicas=7']))
    await until(async () => parseTable(ok(await km.kubectl(['get', 'pods', '-l', 'app=echo-hname', '-o', 'wide']))).rows.some((r) => r.NODE === node))
  })

  it('explains why a pod fits nowhere when every worker is cordoned', async () => {
    for (const n of ['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3']) ok(await km.kubectl(['cordon', n]))
    ok(await km.kubectl(['run', 'stuck', '--image=nginx']))
    const msg =
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) were unschedulable. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.'
    const described = await until(async () => {
      const out = ok(await km.kubectl(['describe', 'pod', 'stuck']))
      return out.includes('FailedScheduling') && out
    })
    expect(described).toMatch(/^Status:\s+Pending$/m)
    expect(described).toMatch(new RegExp(`Warning\\s+FailedScheduling\\s+\\S+\\s+default-scheduler\\s+${msg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    expect(ok(await km.kubectl(['get', 'pod', 'stuck', '-o', 'jsonpath={.status.conditions[0].reason}']))).toBe('Unschedulable')
    for (const n of ['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3']) ok(await km.kubectl(['uncordon', n]))
    await until(async () => ok(await km.kubectl(['get', 'pod', 'stuck', '-o', 'jsonpath={.spec.nodeName}'])).startsWith('kubemock-worker'))
  })
})
