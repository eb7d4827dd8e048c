/**
 * @module hpa.test: the HorizontalPodAutoscaler controller through real kubectl — `kubectl autoscale`,
 * usage raised through the control API, the simulated clock advanced: `kubectl get hpa` TARGETS,
 * the Deployment scaled up, and back down after the stabilisation window. Without a usage model
 * (before the metrics work merges) only the missing-metrics case runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'

describe('kubectl autoscale against kubemock', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const advance = async (seconds: number) => {
    const res = await fetch(`${km.url}/kubemock/v1/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    })
    expect(res.status).toBe(200)
  }
  const usage = (method: 'PUT' | 'DELETE', ns: string, selector: string, body?: unknown) =>
    fetch(`${km.url}/kubemock/v1/namespaces/${ns}/usage?labelSelector=${encodeURIComponent(selector)}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
  const deployment = (ns: string, requests: Record<string, string> = { cpu: '100m' }) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.15.12', resources: { requests } }] },
        },
      },
    })
  const hpaRow = async (ns: string) => parseTable(ok(await k(['get', 'hpa', 'web', '-n', ns]))).rows[0]
  const deployRow = async (ns: string) => parseTable(ok(await k(['get', 'deploy', 'web', '-n', ns]))).rows[0]

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('without a cpu request: TARGETS <unknown>, ScalingActive False and the events describe prints', async () => {
    ok(await k(['create', 'namespace', 'nometrics']))
    ok(await k(['apply', '-f', '-'], deployment('nometrics', { memory: '64Mi' })))
    await advance(30)
    expect(ok(await k(['autoscale', 'deployment', 'web', '-n', 'nometrics', '--cpu-percent=50', '--min=1', '--max=5']))).toBe(
      'horizontalpodautoscaler.autoscaling/web autoscaled\n',
    )
    // The first sync is one period after the HPA appears.
    expect(await hpaRow('nometrics')).toMatchObject({ TARGETS: 'cpu: <unknown>/50%', REPLICAS: '0' })
    await advance(15)
    expect(await hpaRow('nometrics')).toMatchObject({ REFERENCE: 'Deployment/web', TARGETS: 'cpu: <unknown>/50%', MINPODS: '1', MAXPODS: '5', REPLICAS: '1' })
    const pod = ok(await k(['get', 'pods', '-n', 'nometrics', '-o', 'jsonpath={.items[0].metadata.name}']))
    const why = `failed to get cpu utilization: missing request for cpu in container web of Pod ${pod}`
    const d = ok(await k(['describe', 'hpa', 'web', '-n', 'nometrics']))
    expect(d).toContain('Deployment pods:                                       1 current / 0 desired\n')
    expect(d).toMatch(/AbleToScale\s+True\s+SucceededGetScale\s+the HPA controller was able to get the target's current scale\n/)
    expect(d).toContain(`the HPA was unable to compute the replica count: ${why}\n`)
    expect(d).toMatch(new RegExp(`Warning\\s+FailedGetResourceMetric\\s+\\S+\\s+horizontal-pod-autoscaler\\s+${why}\n`))
    expect(d).toMatch(
      new RegExp(
        `Warning\\s+FailedComputeMetricsReplicas\\s+\\S+\\s+horizontal-pod-autoscaler\\s+invalid metrics \\(1 invalid out of 1\\), first error is: failed to get cpu resource metric value: ${why}\n`,
      ),
    )
    // The v1 view carries the same state.
    const v1 = ok(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-n', 'nometrics', '-o', 'jsonpath={.status.currentReplicas}']))
    expect(v1).toBe('1')
  }, 60_000)

  it('scales a Deployment up when usage rises, and down after the stabilisation window', async () => {
    ok(await k(['apply', '-f', '-'], deployment('default')))
    await advance(30)
    ok(await k(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5']))
    // Every web pod, current and future, uses all of its 100m request: 100% against 50%.
    const put = await usage('PUT', 'default', 'app=web', { cpu: '100m' })
    expect(put.status).toBe(200)
    await advance(60)
    expect(await hpaRow('default')).toMatchObject({ TARGETS: 'cpu: 100%/50%' })
    const up = ok(await k(['describe', 'hpa', 'web']))
    expect(up).toMatch(
      /Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 2; reason: cpu resource utilization \(percentage of request\) above target\n/,
    )
    expect(up).toContain('resource cpu on pods  (as a percentage of request):  100% (100m) / 50%\n')
    // Each sync doubles what the ready pods need, up to maxReplicas.
    await advance(300)
    expect(await hpaRow('default')).toMatchObject({ TARGETS: 'cpu: 100%/50%', REPLICAS: '5' })
    expect(await deployRow('default')).toMatchObject({ READY: '5/5' })

    // Back to the image's idle usage: the recommendations of the last 5 minutes hold the scale.
    expect((await usage('DELETE', 'default', 'app=web')).status).toBe(200)
    await advance(120)
    expect((await deployRow('default')).READY).toBe('5/5')
    expect(ok(await k(['describe', 'hpa', 'web']))).toMatch(/AbleToScale\s+True\s+ScaleDownStabilized\s+recent recommendations were higher than current one/)
    await advance(240)
    expect(await hpaRow('default')).toMatchObject({ MINPODS: '1', REPLICAS: '1' })
    expect(await deployRow('default')).toMatchObject({ READY: '1/1' })
    expect(ok(await k(['describe', 'hpa', 'web']))).toMatch(
      /SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 1; reason: All metrics below target\n/,
    )
  }, 120_000)
})
