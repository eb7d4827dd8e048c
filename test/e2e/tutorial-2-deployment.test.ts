/** @module tutorial-2-deployment.test: tutorial §2 with real kubectl — a deleted pod is replaced, a deleted Deployment takes its ReplicaSet and pods along. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { eventually } from '../helpers/expect-kubectl.js'

const echoHname = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo-hname
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: echo-hname
        image: sysnet4admin/echo-hname
`

describe('tutorial §2: pod self-healing through a Deployment', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  const pods = async () => parseTable((await km.kubectl(['get', 'pods'])).stdout).rows

  it('replaces a deleted pod under a new name and keeps the count', async () => {
    expect((await km.kubectl(['apply', '-f', '-'], { input: echoHname })).stdout).toBe('deployment.apps/echo-hname created\n')
    const before = await eventually('3 running echo-hname pods', async () => {
      const rows = await pods()
      return rows.length === 3 && rows.every((r) => r.STATUS === 'Running') ? rows : undefined
    })
    const victim = before[0].NAME
    expect(victim).toMatch(/^echo-hname-[4-9bcdf]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    const del = await km.kubectl(['delete', 'pods', victim])
    expect(del.stdout).toBe(`pod "${victim}" deleted\n`)
    const after = await pods()
    const names = after.filter((r) => r.STATUS !== 'Terminating').map((r) => r.NAME)
    expect(names).toHaveLength(3)
    expect(names).not.toContain(victim)
    const replacement = names.find((n) => !before.some((b) => b.NAME === n))!
    expect(replacement.startsWith(victim.slice(0, -5))).toBe(true)
    const events = (await km.kubectl(['get', 'events', '--field-selector', 'reason=SuccessfulCreate', '-o', 'jsonpath={.items[*].message}'])).stdout
    expect(events).toContain(`Created pod: ${replacement}`)
  }, 30_000)

  it('deleting the Deployment removes its ReplicaSet and pods', async () => {
    // The replacement from the test before may still be starting: READY reaches 3 when it runs.
    await eventually('the ReplicaSet with 3 ready pods', async () => {
      const out = (await km.kubectl(['get', 'rs'])).stdout
      return /^echo-hname-\w+ +3 +3 +3 /m.test(out) ? out : undefined
    })
    const del = await km.kubectl(['delete', 'deployment', 'echo-hname'])
    expect(del.stdout).toBe('deployment.apps "echo-hname" deleted\n')
    await eventually('no ReplicaSets or pods left', async () => {
      const r = await km.kubectl(['get', 'deploy,rs,pods'])
      return r.stdout === '' && r.stderr === 'No resources found in default namespace.\n' ? true : undefined
    })
  }, 30_000)
})
