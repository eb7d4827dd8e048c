/** @module kubelet.test: the simulated kubelet on a manual-clock Cluster — pod start, pull back-off, crash loop, deletion, Jobs, stopKubelet, heartbeats. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { KubeObject } from '../../src/types.js'
import { advanceUntil } from '../helpers/advance-until.js'

let cluster: Cluster
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as (Pod & KubeObject) | undefined
const events = (name: string) =>
  cluster.registry
    .resource('', 'events')
    .list('default')
    .items.map(
      (s) =>
        s.obj as KubeObject & {
          involvedObject: { name: string; fieldPath?: string }
          reason: string
          message: string
          count: number
          source: { component: string; host?: string }
        },
    )
    .filter((e) => e.involvedObject.name === name)
const waiting = (name: string) => pod(name)?.status?.containerStatuses?.[0]?.state?.waiting?.reason

async function create(name: string, spec: Record<string, unknown>): Promise<void> {
  await pods().create('default', { metadata: { name }, spec: { nodeName: 'kubemock-worker', ...spec } } as KubeObject)
}

/** Advances in 100 ms steps until `cond` holds; returns the simulated ms it took. */
const until = (cond: () => boolean, maxMs: number) => advanceUntil(cluster.clock, cond, maxMs)

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('kubelet', () => {
  test('a pod bound by hand reaches Running within about a second, with the kubelet status and events', async () => {
    await create('nginx-pod', { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] })
    const took = await until(() => pod('nginx-pod')?.status?.phase === 'Running', 3000)
    expect(took).toBeLessThanOrEqual(1200)
    const st = pod('nginx-pod')!.status!
    expect(st.hostIP).toBe('172.18.0.3')
    expect(st.hostIPs).toEqual([{ ip: '172.18.0.3' }])
    expect(st.podIP).toMatch(/^10\.244\.1\.\d+$/)
    expect(st.podIPs).toEqual([{ ip: st.podIP }])
    expect(st.qosClass).toBe('BestEffort')
    expect(st.startTime).toBeTruthy()
    expect(st.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ])
    const cs = st.containerStatuses![0]
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/)
    expect(cs.image).toBe('docker.io/library/nginx:1.15.12')
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)
    expect(cs).toMatchObject({ ready: true, started: true, restartCount: 0, lastState: {} })
    expect(cs.state?.running?.startedAt).toBeTruthy()
    const ev = events('nginx-pod')
    expect(ev.map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started'])
    expect(ev[0].message).toBe('Pulling image "nginx:1.15.12"')
    expect(ev[1].message).toMatch(/^Successfully pulled image "nginx:1\.15\.12" in 600ms \(600ms including waiting\)\. Image size: \d+ bytes\.$/)
    expect(ev[2].message).toBe('Created container: nginx')
    expect(ev[3].message).toBe('Started container nginx')
    expect(ev[3].source).toEqual({ component: 'kubelet', host: 'kubemock-worker' })
    expect(ev[3].involvedObject.fieldPath).toBe('spec.containers{nginx}')
  })

  test('a second pod on the node finds the image present, gets another IP, and the node reports its images', async () => {
    await create('a', { containers: [{ name: 'nginx', image: 'nginx:1.16.0' }] })
    await until(() => pod('a')?.status?.phase === 'Running', 3000)
    await create('b', { containers: [{ name: 'nginx', image: 'nginx:1.16.0' }] })
    await until(() => pod('b')?.status?.phase === 'Running', 3000)
    expect(events('b').map((e) => e.message)[0]).toBe('Container image "nginx:1.16.0" already present on machine')
    expect(pod('b')!.status!.podIP).not.toBe(pod('a')!.status!.podIP)
    await cluster.clock.advance(10_000)
    const node = cluster.registry.resource('', 'nodes').getStored('', 'kubemock-worker')!.obj as KubeObject & { status: { images: { names: string[] }[] } }
    expect(node.status.images.some((i) => i.names.includes('docker.io/library/nginx:1.16.0'))).toBe(true)
  })

  test('a missing tag: ErrImagePull, ImagePullBackOff, pulls again after 10 s, 20 s, 40 s', async () => {
    await create('bad', { containers: [{ name: 'nginx', image: 'nginx:1.17.23' }] })
    await until(() => waiting('bad') === 'ErrImagePull', 3000)
    const pulls = () => events('bad').find((e) => e.reason === 'Pulling')?.count ?? 0
    expect(pulls()).toBe(1)
    const failed = events('bad').find((e) => e.message.startsWith('Failed to pull image'))!
    expect(failed.message).toBe(
      'Failed to pull image "nginx:1.17.23": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.17.23": failed to resolve reference "docker.io/library/nginx:1.17.23": docker.io/library/nginx:1.17.23: not found',
    )
    expect(events('bad').some((e) => e.message === 'Error: ErrImagePull')).toBe(true)
    await until(() => waiting('bad') === 'ImagePullBackOff', 2000)
    expect(pod('bad')!.status!.containerStatuses![0].state!.waiting!.message).toBe('Back-off pulling image "nginx:1.17.23"')
    expect(events('bad').find((e) => e.reason === 'BackOff')!.message).toBe('Back-off pulling image "nginx:1.17.23"')
    expect(pod('bad')!.status!.phase).toBe('Pending')
    const gaps: number[] = []
    for (let i = 0; i < 3; i++) {
      const before = pulls()
      gaps.push(await until(() => pulls() > before, 60_000))
    }
    // The first gap counts from the ImagePullBackOff status (1 s after the failure), the others pull to pull.
    expect(gaps.map((g) => Math.round(g / 1000))).toEqual([9, 20, 40])
  })

  test('exitContainer: first restart at once, then CrashLoopBackOff for 10 s, 20 s', async () => {
    await create('nginx-pod', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] })
    await until(() => pod('nginx-pod')?.status?.phase === 'Running', 3000)
    const cs = () => pod('nginx-pod')!.status!.containerStatuses![0]
    const firstID = cs().containerID
    cluster.sim.exitContainer!('default', 'nginx-pod', 'nginx', 0)
    // The first restart is immediate, so the terminated state may not outlive one 100 ms step:
    // assert on what it leaves behind (lastState) rather than on catching it.
    await until(() => cs().restartCount === 1 && !!cs().state?.running, 3000)
    expect(cs().lastState?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', containerID: firstID })
    expect(cs().containerID).not.toBe(firstID)

    cluster.sim.exitContainer!('default', 'nginx-pod', 'nginx', 1)
    await until(() => waiting('nginx-pod') === 'CrashLoopBackOff', 3000)
    const uid = pod('nginx-pod')!.metadata.uid
    expect(cs().state!.waiting!.message).toBe(`back-off 10s restarting failed container=nginx pod=nginx-pod_default(${uid})`)
    expect(events('nginx-pod').find((e) => e.reason === 'BackOff')!.message).toBe(`Back-off restarting failed container nginx in pod nginx-pod_default(${uid})`)
    const wait1 = await until(() => !!cs().state?.running, 30_000)
    expect(wait1).toBeGreaterThan(7000)
    expect(wait1).toBeLessThanOrEqual(10_000)
    expect(cs().restartCount).toBe(2)

    cluster.sim.exitContainer!('default', 'nginx-pod', 'nginx', 137, 'OOMKilled')
    await until(() => waiting('nginx-pod') === 'CrashLoopBackOff', 3000)
    expect(cs().state!.waiting!.message).toContain('back-off 20s')
    expect(cs().lastState!.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' })
    const wait2 = await until(() => !!cs().state?.running, 60_000)
    expect(wait2).toBeGreaterThan(17_000)
    expect(wait2).toBeLessThanOrEqual(20_000)
  })

  test('graceful deletion: Killing, containers terminated, then the pod is removed', async () => {
    await create('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] })
    await until(() => pod('web')?.status?.phase === 'Running', 3000)
    const res = await pods().delete('default', 'web', {})
    expect(res.outcome).toBe('pending')
    expect(pod('web')!.metadata.deletionTimestamp).toBeTruthy()
    await until(() => !pod('web'), 5000)
    expect(events('web').find((e) => e.reason === 'Killing')!.message).toBe('Stopping container nginx')
  })

  test('a Job-style pod (busybox command, restartPolicy Never) Succeeds when its program ends and stays', async () => {
    await create('job-x', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello; sleep 2'] }] })
    await until(() => pod('job-x')?.status?.phase === 'Running', 3000)
    const took = await until(() => pod('job-x')?.status?.phase === 'Succeeded', 10_000)
    // `sleep 2` on the simulated clock, then PLEG notices (kubelet.plegMs).
    expect(took).toBeGreaterThanOrEqual(2000)
    expect(took).toBeLessThanOrEqual(2600)
    const st = pod('job-x')!.status!
    expect(st.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(st.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' })
    await cluster.clock.advance(30_000)
    expect(pod('job-x')?.status?.phase).toBe('Succeeded')
  })

  test('stopKubelet freezes a node (no status, no lease renewals, Terminating pods stay); startKubelet resumes', async () => {
    const leases = cluster.registry.resource('coordination.k8s.io', 'leases')
    const renew = () => (leases.getStored('kube-node-lease', 'kubemock-worker')!.obj.spec as { renewTime: string }).renewTime
    await cluster.clock.advance(11_000)
    const before = renew()
    cluster.sim.stopKubelet!('kubemock-worker')
    await create('frozen', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] })
    await cluster.clock.advance(30_000)
    expect(pod('frozen')!.status!.phase).toBe('Pending')
    expect(pod('frozen')!.status!.startTime).toBeUndefined()
    expect(renew()).toBe(before)
    await pods().delete('default', 'frozen', {})
    await cluster.clock.advance(60_000)
    expect(pod('frozen')?.metadata.deletionTimestamp).toBeTruthy()

    await create('later', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] })
    cluster.sim.startKubelet!('kubemock-worker')
    await until(() => !pod('frozen') && pod('later')?.status?.phase === 'Running', 5000)
    expect(renew()).not.toBe(before)
  })

  test('the lease is renewed every 10 s', async () => {
    const leases = cluster.registry.resource('coordination.k8s.io', 'leases')
    const renew = () => Date.parse((leases.getStored('kube-node-lease', 'kubemock-worker2')!.obj.spec as { renewTime: string }).renewTime)
    await cluster.clock.advance(1000)
    const t1 = renew()
    await cluster.clock.advance(10_000)
    const t2 = renew()
    await cluster.clock.advance(10_000)
    expect(t2 - t1).toBe(10_000)
    expect(renew() - t2).toBe(10_000)
  })
})
