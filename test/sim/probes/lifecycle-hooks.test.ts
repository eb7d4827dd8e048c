/** @module lifecycle-hooks.test: postStart and preStop hooks in the simulated kubelet on a manual clock — termination timing, failures and their events. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../../src/types.js'
import { advanceUntil } from '../../helpers/advance-until.js'

let cluster: Cluster
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as (Pod & KubeObject) | undefined
const cs = (name: string) => pod(name)?.status?.containerStatuses?.[0]
const events = (name: string) =>
  cluster.registry
    .resource('', 'events')
    .list('default')
    .items.map((s) => s.obj as KubeObject & { involvedObject: { name: string }; type: string; reason: string; message: string })
    .filter((e) => e.involvedObject.name === name)

async function create(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<void> {
  await pods().create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.25.3', ...container }], ...spec },
  } as KubeObject)
}

const until = (check: () => boolean, maxMs: number, step = 100) => advanceUntil(cluster.clock, check, maxMs, step)

/** Deletes the pod gracefully and returns the simulated ms until it is gone. */
async function deleteTakes(name: string, grace?: number): Promise<number> {
  await until(() => !!cs(name)?.state?.running, 3000)
  await cluster.clock.advance(1000)
  await pods().delete('default', name, grace === undefined ? {} : { gracePeriodSeconds: grace })
  return until(() => !pod(name), 60_000)
}

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('preStop', () => {
  test('without a hook nginx stops about half a second after the delete', async () => {
    await create('plain', {})
    expect(await deleteTakes('plain')).toBeLessThanOrEqual(1000)
  })

  test('an exec preStop hook delays termination by its run time', async () => {
    await create('exec', { lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } } })
    const took = await deleteTakes('exec')
    expect(took).toBeGreaterThanOrEqual(5000)
    expect(took).toBeLessThanOrEqual(6500)
  })

  test('a sleep action counts against the grace period; a hook longer than it is cut off, then SIGTERM gets the 2 s minimum', async () => {
    await create('sleepy', { lifecycle: { preStop: { sleep: { seconds: 100 } } } }, { terminationGracePeriodSeconds: 10 })
    const took = await deleteTakes('sleepy')
    expect(took).toBeGreaterThanOrEqual(10_000)
    expect(took).toBeLessThanOrEqual(12_500)
  })

  test('a failing preStop hook records FailedPreStopHook without its output, and the container still stops', async () => {
    await create('bad', { lifecycle: { preStop: { exec: { command: ['/no/such/binary'] } } } })
    expect(await deleteTakes('bad')).toBeLessThanOrEqual(2000)
    expect(events('bad').find((e) => e.reason === 'FailedPreStopHook')).toMatchObject({ type: 'Warning', message: 'PreStopHook failed' })
  })

  test('an httpGet preStop hook reaches the container with the lifecycle User-Agent', async () => {
    await create('http', { lifecycle: { preStop: { httpGet: { path: '/', port: 80 } } } })
    await until(() => !!cs('http')?.state?.running, 3000)
    // The buffer outlives the instance, which goes with the pod.
    const logs = runtimeFor(cluster.registry).logs(cs('http')!.containerID!)
    await deleteTakes('http')
    expect(logs.lines.map((l) => l.text).join('\n')).toMatch(/"GET \/ HTTP\/1\.1" 200 615 "-" "kube-lifecycle\/1\.32"/)
  })
})

describe('postStart', () => {
  test('a failing exec postStart hook records FailedPostStartHook, kills the container and it restarts', async () => {
    await create('post', { lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope >&2; exit 3'] } } } })
    await until(() => (cs('post')?.restartCount ?? 0) >= 1, 20_000)
    const uid = pod('post')!.metadata.uid
    const failed = events('post').find((e) => e.reason === 'FailedPostStartHook')!
    expect(failed.type).toBe('Warning')
    expect(failed.message).toBe(
      `Exec lifecycle hook ([sh -c echo nope >&2; exit 3]) for Container "c" in Pod "post_default(${uid})" failed - error: command 'sh -c echo nope >&2; exit 3' exited with 3: nope\n, message: "nope\\n"`,
    )
    expect(events('post').find((e) => e.reason === 'Killing')!.message).toBe('FailedPostStartHook')
  })

  test('a postStart httpGet to a closed port fails with the dial error', async () => {
    await create('post2', { lifecycle: { postStart: { httpGet: { path: '/hook', port: 8080 } } } })
    await until(() => events('post2').some((e) => e.reason === 'FailedPostStartHook'), 5000)
    const ip = pod('post2')!.status!.podIP
    expect(events('post2').find((e) => e.reason === 'FailedPostStartHook')!.message).toBe(
      `HTTP lifecycle hook (/hook) for Container "c" in Pod "post2_default(${pod('post2')!.metadata.uid})" failed - error: Get "http://${ip}:8080/hook": dial tcp ${ip}:8080: connect: connection refused`,
    )
  })

  test('an HTTPS postStart hook against plain HTTP falls back to HTTP with an event', async () => {
    await create('tls', { lifecycle: { postStart: { httpGet: { path: '/', port: 80, scheme: 'HTTPS' } } } })
    await until(() => events('tls').some((e) => e.reason === 'LifecycleHTTPFallback'), 5000)
    const ip = pod('tls')!.status!.podIP
    expect(events('tls').find((e) => e.reason === 'LifecycleHTTPFallback')).toMatchObject({
      type: 'Warning',
      message: `request to HTTPS lifecycle hook ${ip}:80 got HTTP response, retry with HTTP succeeded`,
    })
    await cluster.clock.advance(5000)
    expect(cs('tls')).toMatchObject({ restartCount: 0, state: { running: {} } })
  })

  test('a passing postStart hook leaves the container running', async () => {
    await create('ok', { lifecycle: { postStart: { exec: { command: ['sh', '-c', 'true'] } } } })
    await until(() => !!cs('ok')?.state?.running, 3000)
    await cluster.clock.advance(10_000)
    expect(cs('ok')).toMatchObject({ restartCount: 0, ready: true })
    expect(events('ok').some((e) => e.reason === 'FailedPostStartHook' || e.reason === 'Killing')).toBe(false)
  })
})

test('a liveness kill runs the preStop hook first', async () => {
  await create('both', {
    livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
    lifecycle: { preStop: { sleep: { seconds: 4 } } },
  })
  await until(() => events('both').some((e) => e.reason === 'Killing'), 5000)
  const took = await until(() => !!cs('both')?.lastState?.terminated || !!cs('both')?.state?.terminated, 10_000)
  expect(took).toBeGreaterThanOrEqual(4000)
})
