/** @module port-forward.test (e2e): real `kubectl port-forward` (SPDY tunnelled over WebSocket) to pod/, svc/ and deploy/ targets, then HTTP to the local port. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { eventually } from '../helpers/expect-kubectl.js'

const web = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.15.12
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 8080
    targetPort: 80
`

describe('kubectl port-forward', () => {
  let km: Kubemock

  /** Starts `kubectl port-forward TARGET :REMOTE` and returns the local port it printed, plus the process. */
  async function forward(target: string, remote: number) {
    const pf = km.kubectlBackground(['port-forward', target, `:${remote}`], { timeoutMs: 30_000 })
    const out = await pf.waitForStdout(/Forwarding from 127\.0\.0\.1:(\d+) -> \d+/, 10_000)
    return { pf, port: Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]), out }
  }

  beforeAll(async () => {
    km = await startKubemock()
    await km.kubectl(['run', 'nginx-pod', '--image=nginx:1.15.12', '--port=80'])
    await km.kubectl(['apply', '-f', '-'], { input: web })
    await eventually('pods running', async () => {
      const out = (await km.kubectl(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}'])).stdout.trim().split('\n')
      return out.length === 2 && out.every((p) => p === 'Running') ? true : undefined
    })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('pod/: the local port answers as nginx 1.15.12, several requests over one kubectl, access lines from 127.0.0.1', async () => {
    const { pf, port } = await forward('pod/nginx-pod', 80)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`)
      expect(res.status).toBe(200)
      expect(res.headers.get('server')).toBe('nginx/1.15.12')
      expect(res.headers.get('content-length')).toBe('612')
      expect(await res.text()).toContain('<title>Welcome to nginx!</title>')
      const missing = await fetch(`http://127.0.0.1:${port}/nope`)
      expect(missing.status).toBe(404)
      await missing.text()
      expect(pf.stdout()).toContain(`Handling connection for ${port}`)
      const logs = (await km.kubectl(['logs', 'nginx-pod'])).stdout
      expect(logs).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 612 "-" "node" "-"$/m)
      expect(logs).toContain('"GET /nope HTTP/1.1" 404')
    } finally {
      await pf.stop()
    }
  })

  it('svc/ and deploy/ resolve to a pod (the service port maps to the target port)', async () => {
    for (const [target, remote] of [
      ['svc/web', 8080],
      ['deploy/web', 80],
    ] as const) {
      const { pf, port, out } = await forward(target, remote)
      try {
        expect(out).toContain(`-> 80`)
        const res = await fetch(`http://127.0.0.1:${port}/`)
        expect(res.headers.get('server')).toBe('nginx/1.15.12')
        await res.text()
      } finally {
        await pf.stop()
      }
    }
  })

  it('a port nothing listens on: the error stream text, and kubectl gives up the tunnel', async () => {
    const { pf, port } = await forward('pod/nginx-pod', 81)
    await fetch(`http://127.0.0.1:${port}/`)
      .then((r) => r.text())
      .catch(() => undefined)
    const done = await pf.done
    expect(done.stderr).toContain('error forwarding port 81 to pod')
    expect(done.stderr).toContain('dial tcp4 127.0.0.1:81: connect: connection refused')
    expect(done.stderr).toContain('error: lost connection to pod')
  })
})
