/** @module probes.test: liveness, readiness and the health control through real kubectl against the built CLI on a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok } from '../helpers/expect-kubectl.js'
import { jsonOf } from '../helpers/json-body.js'

const podManifest = (name: string, container: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25.3', ...container }] } })

describe('probes through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const control = (path: string, method: string, body?: unknown) =>
    fetch(`${km.url}/kubemock/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  /** Moves simulated time in 1 s steps (each waits until the controllers are idle). */
  const advance = async (seconds: number) => {
    for (let i = 0; i < seconds; i++) expect((await control('/clock/advance', 'POST', { seconds: 1 })).status).toBe(200)
  }
  const podRow = async (name: string) => parseTable(ok(await k(['get', 'pod', name]))).rows[0]

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0', '--log-level', 'silent'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('a failing liveness probe restarts the container, with the kubelet events', async () => {
    ok(await k(['apply', '-f', '-'], podManifest('live', { livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 } })))
    await advance(2)
    expect(await podRow('live')).toMatchObject({ READY: '1/1', STATUS: 'Running', RESTARTS: '0' })
    // nginx answers /healthz with 404: three failures five seconds apart, then the kill and a restart.
    await advance(15)
    const row = await podRow('live')
    expect(row, km.logs()).toMatchObject({ READY: '1/1', STATUS: 'Running' })
    expect(row.RESTARTS).toMatch(/^1 \(\d+s ago\)$/)
    const events = ok(
      await k([
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=live',
        '-o',
        'custom-columns=TYPE:.type,REASON:.reason,COUNT:.count,MESSAGE:.message',
      ]),
    )
    expect(events).toMatch(/Warning\s+Unhealthy\s+3\s+Liveness probe failed: HTTP probe failed with statuscode: 404/)
    expect(events).toMatch(/Normal\s+Killing\s+1\s+Container nginx failed liveness probe, will be restarted/)
    const describe = ok(await k(['describe', 'pod', 'live']))
    expect(describe).toMatch(/Liveness:\s+http-get http:\/\/:80\/healthz delay=0s timeout=1s period=5s #success=1 #failure=3/)
    expect(describe).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Exit Code:\s+0/)
    expect(describe).toMatch(/Restart Count:\s+1/)
    expect(describe).toMatch(/Warning\s+Unhealthy\s+.*kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 404/)
    expect(describe).toMatch(/Normal\s+Killing\s+.*kubelet\s+Container nginx failed liveness probe, will be restarted/)
  })

  it('a readiness probe keeps READY 0/1 while the health control fails it, and 1/1 once it passes', async () => {
    ok(await k(['apply', '-f', '-'], podManifest('ready', { readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, failureThreshold: 1 } })))
    const put = await control('/namespaces/default/pods/ready/health', 'PUT', { healthy: false })
    expect(put.status).toBe(200)
    expect(await jsonOf(put)).toEqual({ namespace: 'default', pod: 'ready', container: 'nginx', healthy: false })
    await advance(8)
    expect(await podRow('ready')).toMatchObject({ READY: '0/1', STATUS: 'Running', RESTARTS: '0' })
    expect(ok(await k(['get', 'pod', 'ready', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']))).toBe('False')
    const ip = ok(await k(['get', 'pod', 'ready', '-o', 'jsonpath={.status.podIP}']))
    expect(ok(await k(['get', 'events', '--field-selector', 'involvedObject.name=ready,reason=Unhealthy', '-o', 'jsonpath={.items[0].message}']))).toBe(
      `Readiness probe failed: dial tcp ${ip}:80: connect: connection refused`,
    )
    expect((await control('/namespaces/default/pods/ready/health', 'PUT', { container: 'nginx', healthy: true })).status).toBe(200)
    await advance(5)
    expect(await podRow('ready')).toMatchObject({ READY: '1/1', STATUS: 'Running' })
    expect(ok(await k(['wait', '--for=condition=Ready', 'pod/ready', '--timeout=5s'])).trim()).toBe('pod/ready condition met')
  })

  it('the health control answers bad requests with Status errors', async () => {
    const missing = await control('/namespaces/default/pods/nope/health', 'PUT', { healthy: false })
    expect(missing.status).toBe(404)
    expect(await jsonOf(missing)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' })
    const container = await control('/namespaces/default/pods/ready/health', 'PUT', { container: 'x', healthy: false })
    expect(container.status).toBe(400)
    expect(await jsonOf(container)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'container x is not valid for pod ready' })
    const invalid = await control('/namespaces/default/pods/ready/health', 'PUT', { healthy: 'no' })
    expect(invalid.status).toBe(422)
    expect(await jsonOf(invalid)).toMatchObject({ kind: 'Status', reason: 'Invalid' })
    expect(await podRow('ready')).toMatchObject({ READY: '1/1' })
  })

  it('a Deployment rollout stalls on a new pod whose readiness fails', async () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'nginx', image: 'nginx:1.25.3', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5, failureThreshold: 1 } }],
          },
        },
      },
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(deploy)))
    await advance(3)
    expect(ok(await k(['rollout', 'status', 'deploy/web', '--timeout=5s']))).toMatch(/deployment "web" successfully rolled out/)
    ok(await k(['set', 'image', 'deploy/web', 'nginx=nginx:1.25.4']))
    // With the manual clock the new pod exists before any kubelet has started it: make its probe fail.
    const names = ok(await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image}{"\\n"}{end}']))
    const fresh = names
      .split('\n')
      .filter((l) => l.endsWith('nginx:1.25.4'))
      .map((l) => l.split(' ')[0])
    expect(fresh).toHaveLength(1)
    expect((await control(`/namespaces/default/pods/${fresh[0]}/health`, 'PUT', { healthy: false })).status).toBe(200)
    await advance(12)
    expect(await podRow(fresh[0])).toMatchObject({ READY: '0/1', STATUS: 'Running' })
    const status = await k(['rollout', 'status', 'deploy/web', '--timeout=2s'])
    expect(status.code).toBe(1)
    expect(status.stdout).toContain('Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...')
    expect(status.stderr.trim()).toBe('error: timed out waiting for the condition')
    expect(parseTable(ok(await k(['get', 'deploy', 'web']))).rows[0]).toMatchObject({ READY: '2/2', 'UP-TO-DATE': '1', AVAILABLE: '2' })
    // Once the probe passes, the rollout goes on and finishes.
    expect((await control(`/namespaces/default/pods/${fresh[0]}/health`, 'PUT', { healthy: true })).status).toBe(200)
    await advance(20)
    expect(ok(await k(['rollout', 'status', 'deploy/web', '--timeout=5s']))).toMatch(/successfully rolled out/)
    expect(parseTable(ok(await k(['get', 'deploy', 'web']))).rows[0]).toMatchObject({ READY: '2/2', 'UP-TO-DATE': '2', AVAILABLE: '2' })
  })

  it('a preStop hook delays termination within the grace period', async () => {
    ok(await k(['apply', '-f', '-'], podManifest('drain', { lifecycle: { preStop: { exec: { command: ['sleep', '8'] } } } })))
    await advance(2)
    expect(await podRow('drain')).toMatchObject({ READY: '1/1', STATUS: 'Running' })
    ok(await k(['delete', 'pod', 'drain', '--wait=false']))
    await advance(5)
    expect(await podRow('drain')).toMatchObject({ STATUS: 'Terminating' })
    await advance(5)
    const gone = await k(['get', 'pod', 'drain'])
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): pods "drain" not found')
  })

  it('readiness gates Service traffic: an unready pod gets none', async () => {
    const pod = JSON.parse(podManifest('gate', { readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 2, failureThreshold: 1 } }))
    pod.metadata.labels = { app: 'gate' }
    ok(await k(['apply', '-f', '-'], JSON.stringify(pod)))
    ok(await k(['create', 'service', 'clusterip', 'gate', '--tcp=80:80']))
    expect((await control('/namespaces/default/pods/gate/health', 'PUT', { healthy: false })).status).toBe(200)
    await advance(4)
    const refused = await k(['get', '--raw', '/api/v1/namespaces/default/services/gate:80/proxy/'])
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toBe('Error from server (ServiceUnavailable): no endpoints available for service "gate:80"')
    expect((await control('/namespaces/default/pods/gate/health', 'PUT', { healthy: true })).status).toBe(200)
    await advance(3)
    expect(ok(await k(['get', '--raw', '/api/v1/namespaces/default/services/gate:80/proxy/']))).toContain('<title>Welcome to nginx!</title>')
  })
})
