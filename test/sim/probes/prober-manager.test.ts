/** @module prober-manager.test: probes in the simulated kubelet on a manual clock — readiness, liveness kills, startup gating, exec/tcp/grpc outputs, health control. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { KubeObject } from '../../../src/types.js'
import { advanceUntil } from '../../helpers/advance-until.js'

let cluster: Cluster
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as (Pod & KubeObject) | undefined
const cs = (name: string) => pod(name)?.status?.containerStatuses?.[0]
const cond = (name: string, type: string) => pod(name)?.status?.conditions?.find((c) => c.type === type)?.status
const events = (name: string) =>
  cluster.registry
    .resource('', 'events')
    .list('default')
    .items.map(
      (s) => s.obj as KubeObject & { involvedObject: { name: string; fieldPath?: string }; type: string; reason: string; message: string; count: number },
    )
    .filter((e) => e.involvedObject.name === name)

async function create(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<void> {
  await pods().create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', ...container }], ...spec },
  } as KubeObject)
}

const until = (check: () => boolean, maxMs: number, step = 100) => advanceUntil(cluster.clock, check, maxMs, step)
const running = (name: string) => () => !!cs(name)?.state?.running

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('readiness', () => {
  test('an httpGet readiness probe holds ready false until it passes, and the health control makes it fail again', async () => {
    await create('web', { image: 'nginx:1.25.3', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 } })
    cluster.sim.setContainerHealth!('default', 'web', 'c', false)
    await until(running('web'), 3000)
    await cluster.clock.advance(6000)
    expect(cs('web')).toMatchObject({ ready: false, started: true })
    expect(cond('web', 'Ready')).toBe('False')
    expect(pod('web')!.status!.phase).toBe('Running')
    cluster.sim.setContainerHealth!('default', 'web', 'c', true)
    // The next period's probe passes (successThreshold 1).
    const back = await until(() => cs('web')?.ready === true, 6000)
    expect(back).toBeLessThanOrEqual(5000)
    expect(cond('web', 'ContainersReady')).toBe('True')
    expect(cond('web', 'Ready')).toBe('True')
    // The kubelet's request shows in nginx's access log with its User-Agent.
    const log = cluster.registry && (await import('../../../src/sim/containers/runtime.js')).runtimeFor(cluster.registry).logs(cs('web')!.containerID!)
    expect(log.lines.map((l) => l.text).join('\n')).toMatch(/"GET \/ HTTP\/1\.1" 200 615 "-" "kube-probe\/1\.32"/)

    cluster.sim.setContainerHealth!('default', 'web', 'c', false)
    // failureThreshold 3, period 5 s: unready after the third failure.
    const took = await until(() => cs('web')?.ready === false, 20_000)
    expect(took).toBeGreaterThan(9_000)
    expect(cond('web', 'Ready')).toBe('False')
    expect(pod('web')!.status!.conditions!.find((c) => c.type === 'Ready')!.message).toBe('containers with unready status: [c]')
    const unhealthy = events('web').filter((e) => e.reason === 'Unhealthy')
    expect(unhealthy[0]).toMatchObject({ type: 'Warning', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500' })
    expect(unhealthy[0].count).toBeGreaterThanOrEqual(4)
    expect(unhealthy[0].involvedObject.fieldPath).toBe('spec.containers{c}')
    expect(cs('web')!.restartCount).toBe(0)

    cluster.sim.setContainerHealth!('default', 'web', 'c', true)
    await until(() => cs('web')?.ready === true, 6000)
  })

  test('a readiness probe with initialDelaySeconds does not run before the delay', async () => {
    await create('late', { image: 'nginx:1.25.3', readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 15, periodSeconds: 1 } })
    await until(running('late'), 3000)
    const started = Date.parse(cs('late')!.state!.running!.startedAt!)
    await until(() => cs('late')?.ready === true, 20_000, 500)
    expect(cluster.clock.now() - started).toBeGreaterThanOrEqual(15_000)
  })
})

describe('liveness', () => {
  test('a failing tcp liveness probe kills and restarts the container with the kubelet texts', async () => {
    await create('live', { image: 'nginx:1.25.3', livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2, failureThreshold: 3 } })
    await until(running('live'), 3000)
    const first = cs('live')!.containerID
    await until(() => cs('live')?.restartCount === 1 && !!cs('live')?.state?.running, 20_000)
    expect(cs('live')!.containerID).not.toBe(first)
    // nginx handles SIGTERM: it exits 0.
    expect(cs('live')!.lastState?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    const ip = pod('live')!.status!.podIP
    const ev = events('live')
    const unhealthy = ev.find((e) => e.reason === 'Unhealthy')!
    expect(unhealthy).toMatchObject({ type: 'Warning', message: `Liveness probe failed: dial tcp ${ip}:8080: connect: connection refused` })
    expect(unhealthy.count).toBe(3)
    const killing = ev.find((e) => e.reason === 'Killing')!
    expect(killing).toMatchObject({ type: 'Normal', message: 'Container c failed liveness probe, will be restarted' })
    expect(ev.filter((e) => e.reason === 'Started').map((e) => e.count)).toEqual([2])
  })

  test('an exec liveness probe runs in the container; a shell that ignores SIGTERM is killed after the probe grace period with 137', async () => {
    await create(
      'shell',
      {
        image: 'busybox:1.36',
        command: ['sh', '-c', 'sleep 3600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 5, failureThreshold: 1, terminationGracePeriodSeconds: 7 },
      },
      { terminationGracePeriodSeconds: 60 },
    )
    await until(running('shell'), 3000)
    await until(() => events('shell').some((e) => e.reason === 'Killing'), 10_000)
    const killedAt = cluster.clock.now()
    expect(events('shell').find((e) => e.reason === 'Unhealthy')!.message).toBe(
      "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n",
    )
    await until(() => !!cs('shell')?.lastState?.terminated || !!cs('shell')?.state?.terminated, 10_000)
    const term = cs('shell')!.state?.terminated ?? cs('shell')!.lastState!.terminated!
    expect(term).toMatchObject({ exitCode: 137, reason: 'Error' })
    expect(Date.parse(term.finishedAt!) - killedAt).toBeGreaterThanOrEqual(6_000)
  })

  test('an exec probe that outlives timeoutSeconds fails with the timed-out text', async () => {
    await create('slow', {
      image: 'busybox:1.36',
      command: ['sleep', '3600'],
      readinessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 2, periodSeconds: 10 },
    })
    await until(() => events('slow').some((e) => e.reason === 'Unhealthy'), 10_000)
    expect(events('slow').find((e) => e.reason === 'Unhealthy')!.message).toBe('Readiness probe failed: command "sleep 5" timed out')
    expect(cs('slow')!.ready).toBe(false)
  })
})

describe('startup and grpc', () => {
  test('a startup probe holds started and ready, then lets readiness run', async () => {
    await create('boot', {
      image: 'nginx:1.25.3',
      startupProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 3 },
      readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 30 },
    })
    await until(running('boot'), 3000)
    expect(cs('boot')).toMatchObject({ started: false, ready: false })
    await until(() => cs('boot')?.started === true, 5000)
    // The readiness probe runs as soon as the container has started, not a period later.
    await until(() => cs('boot')?.ready === true, 2000)
  })

  test('a failing startup probe kills the container; a grpc probe on a closed port times out', async () => {
    await create('grpc', { image: 'nginx:1.25.3', startupProbe: { grpc: { port: 9090 }, periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 1 } })
    await until(() => events('grpc').some((e) => e.reason === 'Killing'), 20_000)
    const ip = pod('grpc')!.status!.podIP
    expect(events('grpc').find((e) => e.reason === 'Unhealthy')!.message).toBe(
      `Startup probe failed: timeout: failed to connect service "${ip}:9090" within 1s: context deadline exceeded`,
    )
    expect(events('grpc').find((e) => e.reason === 'Killing')!.message).toBe('Container c failed startup probe, will be restarted')
  })

  test('a grpc probe on a listening port is SERVING until the health control says otherwise', async () => {
    await create('g2', { image: 'nginx:1.25.3', readinessProbe: { grpc: { port: 80 }, periodSeconds: 2, failureThreshold: 1 } })
    await until(() => cs('g2')?.ready === true, 5000)
    cluster.sim.setContainerHealth!('default', 'g2', 'c', false)
    await until(() => cs('g2')?.ready === false, 5000)
    expect(events('g2').find((e) => e.reason === 'Unhealthy')!.message).toBe('Readiness probe failed: service unhealthy (responded with "NOT_SERVING")')
  })

  test('a probe on a named port that the container does not declare errors and changes nothing', async () => {
    await create('named', { image: 'nginx:1.25.3', livenessProbe: { httpGet: { path: '/', port: 'web' }, periodSeconds: 2, failureThreshold: 1 } })
    await until(() => events('named').some((e) => e.reason === 'Unhealthy'), 5000)
    expect(events('named').find((e) => e.reason === 'Unhealthy')!.message).toBe(
      'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "web": invalid syntax',
    )
    await cluster.clock.advance(10_000)
    expect(events('named').some((e) => e.reason === 'Killing')).toBe(false)
  })
})

describe('redirects and sidecars', () => {
  test('an httpGet probe follows a redirect to the same host (grafana / → /login)', async () => {
    await create('graf', { image: 'grafana/grafana:11.6.5', readinessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 5, failureThreshold: 1 } })
    await until(() => cs('graf')?.ready === true, 8000)
    expect(events('graf').filter((e) => e.reason === 'Unhealthy' || e.reason === 'ProbeWarning')).toEqual([])
  })

  test("a sidecar's failed liveness probe restarts it with the init-container wording", async () => {
    await pods().create('default', {
      metadata: { name: 'side' },
      spec: {
        nodeName: 'kubemock-worker',
        initContainers: [
          {
            name: 'proxy',
            image: 'nginx:1.25.3',
            restartPolicy: 'Always',
            livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2, failureThreshold: 1 },
          },
        ],
        containers: [{ name: 'app', image: 'nginx:1.25.3' }],
      },
    } as KubeObject)
    await until(() => (pod('side')?.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 1, 20_000)
    const killing = events('side').find((e) => e.reason === 'Killing')!
    expect(killing.message).toBe('Init container proxy failed liveness probe')
    expect(killing.involvedObject.fieldPath).toBe('spec.initContainers{proxy}')
  })
})

test('pods without probes get no workers and are ready when running; coredns answers its own probes', async () => {
  await create('plain', { image: 'nginx:1.25.3' })
  await until(running('plain'), 3000)
  expect(cs('plain')).toMatchObject({ ready: true, started: true })
  const dns = () =>
    pods()
      .list('kube-system')
      .items.map((s) => s.obj as Pod)
      .filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns')
  await until(() => dns().length > 0 && dns().every((p) => p.status?.containerStatuses?.[0]?.ready), 15_000, 500)
  await cluster.clock.advance(120_000)
  expect(dns().every((p) => p.status?.containerStatuses?.[0]?.restartCount === 0 && p.status?.containerStatuses?.[0]?.ready)).toBe(true)
})
