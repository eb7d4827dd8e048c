/** @module proxy.test (e2e): pod and service proxy with real kubectl — `get --raw`, `kubectl proxy` + fetch, refused ports, the gap while a container restarts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { eventually } from '../helpers/expect-kubectl.js'

const echoHname = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo-hname
spec:
  replicas: 2
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: echo-hname
        image: sysnet4admin/echo-hname
        ports:
        - name: http
          containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector:
    app: echo
  ports:
  - port: 8080
    targetPort: http
`

describe('pod and service proxy', () => {
  let km: Kubemock
  const podIP = async () => (await km.kubectl(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.podIP}'])).stdout
  const readyPods = async (sel: string) => {
    const out = (
      await km.kubectl([
        'get',
        'pods',
        '-l',
        sel,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ])
    ).stdout
    return out
      .split('\n')
      .filter((l) => l.endsWith(' True'))
      .map((l) => l.split(' ')[0])
  }

  beforeAll(async () => {
    // Simulated time at 4x, so the crash-loop back-off in the last test is 2.5 s of real time.
    km = await startKubemock({ args: ['--speed', '4'] })
    await km.kubectl(['run', 'nginx-pod', '--image=nginx:1.15.12', '--port=80'])
    await km.kubectl(['apply', '-f', '-'], { input: echoHname })
    await eventually('nginx-pod ready', async () => ((await readyPods('run=nginx-pod')).length === 1 ? true : undefined))
    await eventually('two echo pods ready', async () => ((await readyPods('app=echo')).length === 2 ? true : undefined))
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl get --raw reaches nginx through the pod proxy; a closed port is the apiserver 503', async () => {
    const page = await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod/proxy/'])
    expect(page.stdout).toContain('<title>Welcome to nginx!</title>')
    const closed = await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod:8080/proxy/'])
    expect(closed.code).toBe(1)
    expect(closed.stderr).toBe(
      `Error from server (ServiceUnavailable): error trying to reach service: dial tcp ${await podIP()}:8080: connect: connection refused\n`,
    )
  })

  it('kubectl proxy forwards to the pod and to the service, which balances over its ready pods', async () => {
    const proxy = km.kubectlBackground(['proxy', '--port=0'], { timeoutMs: 30_000 })
    try {
      const line = await proxy.waitForStdout(/Starting to serve on 127\.0\.0\.1:(\d+)/, 10_000)
      const port = /127\.0\.0\.1:(\d+)/.exec(line)![1]
      const base = `http://127.0.0.1:${port}/api/v1/namespaces/default`
      const res = await fetch(`${base}/pods/nginx-pod/proxy/`)
      expect(res.status).toBe(200)
      expect(res.headers.get('server')).toBe('nginx/1.15.12')
      expect(await res.text()).toContain('<title>Welcome to nginx!</title>')
      const names = new Set<string>()
      for (let i = 0; i < 4; i++) names.add((await (await fetch(`${base}/services/echo/proxy/`)).text()).trim())
      expect([...names].sort()).toEqual((await readyPods('app=echo')).sort())
      const byPort = await fetch(`${base}/services/echo:8080/proxy/`)
      expect(byPort.status).toBe(200)
    } finally {
      await proxy.stop()
    }
  })

  it('while the container is down the page is refused, and it comes back after the restart', async () => {
    const restarts = async () => Number((await km.kubectl(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).stdout)
    const crash = async () => {
      const r = await fetch(`${km.url}/kubemock/v1/namespaces/default/pods/nginx-pod/crash`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ exitCode: 1 }),
      })
      expect(r.status).toBe(200)
    }
    // The first restart is immediate; the second waits out the 10 s crash back-off, a gap long
    // enough to observe without racing the kubelet.
    await crash()
    await eventually('restart 1', async () => ((await restarts()) === 1 && (await readyPods('run=nginx-pod')).length === 1 ? true : undefined))
    await crash()
    // Between the exit and the restart the apiserver cannot dial the pod (polled: the exit shows
    // once the kubelet has recorded it).
    const down = await eventually(
      'the gap',
      async () => {
        const r = await fetch(`${km.url}/api/v1/namespaces/default/pods/nginx-pod/proxy/`)
        if (r.status === 503) return r
        await r.text()
        return undefined
      },
      10_000,
    )
    expect(await down.json()).toMatchObject({
      kind: 'Status',
      reason: 'ServiceUnavailable',
      message: `error trying to reach service: dial tcp ${await podIP()}:80: connect: connection refused`,
    })
    await eventually(
      'the page again',
      async () => {
        const r = await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod/proxy/'])
        return r.stdout.includes('<title>Welcome to nginx!</title>') ? true : undefined
      },
      20_000,
    )
    expect(await restarts()).toBe(2)
  })
})
