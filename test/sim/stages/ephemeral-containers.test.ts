/** @module ephemeral-containers.test: the kubelet starts ephemeral containers (statuses, events, never restarted) and their PID namespaces (target, shareProcessNamespace). */
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../../src/types.js'
import { advanceUntil } from '../../helpers/advance-until.js'

let cluster: Cluster
beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as Pod & KubeObject

const until = (cond: () => boolean, maxMs = 10_000) => advanceUntil(cluster.clock, cond, maxMs)

async function runningPod(name: string, spec: Record<string, unknown> = {}) {
  await pods().create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'web', image: 'nginx:1.27.3' }], ...spec },
  } as KubeObject)
  await until(() => pod(name)?.status?.containerStatuses?.every((c) => c.state?.running) === true)
}

async function addDebugger(name: string, ec: Record<string, unknown>) {
  await pods().guaranteedUpdate(
    'default',
    name,
    (cur) => {
      const spec = cur.spec as { ephemeralContainers?: unknown[] }
      spec.ephemeralContainers = [...(spec.ephemeralContainers ?? []), ec]
      return cur
    },
    { subresource: 'ephemeralcontainers' },
  )
}

const ephemeral = (name: string, c: string): ContainerStatus | undefined => pod(name).status?.ephemeralContainerStatuses?.find((s) => s.name === c)

describe('ephemeral containers in the kubelet', () => {
  test('waiting → running with the pull events, then terminated and never restarted', async () => {
    await runningPod('p')
    await addDebugger('p', { name: 'debugger-abcde', image: 'busybox:1.36', stdin: true, tty: true, targetContainerName: 'web' })
    await until(() => !!ephemeral('p', 'debugger-abcde'))
    expect(ephemeral('p', 'debugger-abcde')).toMatchObject({ state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0 })
    await until(() => !!ephemeral('p', 'debugger-abcde')?.state?.running)
    const s = ephemeral('p', 'debugger-abcde')!
    expect(s).toMatchObject({ ready: false, restartCount: 0, image: 'docker.io/library/busybox:1.36', lastState: {} })
    expect(s.started).toBeUndefined()
    expect(pod('p').status!.phase).toBe('Running')
    const events = cluster.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => s.obj as { involvedObject?: { fieldPath?: string }; message?: string; lastTimestamp?: string })
      .filter((e) => e.involvedObject?.fieldPath === 'spec.ephemeralContainers{debugger-abcde}')
      .map((e) => e.message)
    expect(events).toEqual([
      'Pulling image "busybox:1.36"',
      expect.stringMatching(/^Successfully pulled image "busybox:1.36" in /),
      'Created container: debugger-abcde',
      'Started container debugger-abcde',
    ])

    // It joined the target's namespace: nginx is PID 1, the debugger's shell a PID after the workers.
    const inst = runtimeFor(cluster.registry).current('default', 'p', 'debugger-abcde')!
    const target = runtimeFor(cluster.registry).current('default', 'p', 'web')!
    const table = processesFor(cluster.registry, inst)
    expect(table).toBe(processesFor(cluster.registry, target))
    expect(table.list()[0].command).toBe('nginx: master process nginx -g daemon off;')
    const sh = table.list().find((p) => p.owner === inst.containerID)!
    expect(sh.command).toBe('sh')
    // tty: true puts the main process on the container's terminal.
    expect(sh.tty).toBe('pts/0')

    // Killing the debugger's shell ends that container only; it is not restarted.
    table.kill(sh.pid, 9)
    await until(() => !!ephemeral('p', 'debugger-abcde')?.state?.terminated)
    expect(ephemeral('p', 'debugger-abcde')!.state!.terminated).toMatchObject({ exitCode: 137, reason: 'Error' })
    expect(table.list().some((p) => p.owner === inst.containerID)).toBe(false)
    await cluster.clock.advance(30_000)
    expect(ephemeral('p', 'debugger-abcde')!.state!.terminated).toBeDefined()
    expect(pod('p').status!.containerStatuses![0].state!.running).toBeDefined()
  })

  test('a missing image: ErrImagePull, ImagePullBackOff, retried after the back-off; the pod goes on', async () => {
    await runningPod('i')
    await addDebugger('i', { name: 'dbg', image: 'busybox:9.99' })
    await until(() => ephemeral('i', 'dbg')?.state?.waiting?.reason === 'ErrImagePull')
    await until(() => ephemeral('i', 'dbg')?.state?.waiting?.reason === 'ImagePullBackOff')
    expect(ephemeral('i', 'dbg')!.state!.waiting!.message).toBe('Back-off pulling image "busybox:9.99"')
    const pulls = () =>
      cluster.registry
        .resource('', 'events')
        .list('default')
        .items.map((s) => s.obj as { reason?: string; count?: number; involvedObject?: { fieldPath?: string } })
        .filter((e) => e.reason === 'Pulling' && e.involvedObject?.fieldPath === 'spec.ephemeralContainers{dbg}')
        .reduce((n, e) => n + (e.count ?? 1), 0)
    expect(pulls()).toBe(1)
    await until(() => pulls() >= 2, 30_000)
    expect(pod('i').status!.phase).toBe('Running')
    expect(pod('i').status!.containerStatuses![0].state!.running).toBeDefined()
  })

  test('deleting the pod kills a running ephemeral container (Killing, 137)', async () => {
    await runningPod('d')
    await addDebugger('d', { name: 'dbg', image: 'busybox:1.36', stdin: true, tty: true })
    await until(() => !!ephemeral('d', 'dbg')?.state?.running)
    await pods().delete('default', 'd', { gracePeriodSeconds: 30 })
    await until(() => !!ephemeral('d', 'dbg')?.state?.terminated)
    expect(ephemeral('d', 'dbg')!.state!.terminated).toMatchObject({ exitCode: 137, reason: 'Error' })
    await until(() => !pod('d'))
    const killing = cluster.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => s.obj as { reason?: string; involvedObject?: { fieldPath?: string } })
      .filter((e) => e.reason === 'Killing')
      .map((e) => e.involvedObject?.fieldPath)
    expect(killing).toContain('spec.ephemeralContainers{dbg}')
    expect(killing).toContain('spec.containers{web}')
  })

  test('shareProcessNamespace: one namespace for the pod, PID 1 /pause', async () => {
    await runningPod('s', {
      shareProcessNamespace: true,
      containers: [
        { name: 'web', image: 'nginx:1.27.3' },
        { name: 'side', image: 'busybox:1.36', command: ['sleep', '3600'] },
      ],
    })
    const rt = runtimeFor(cluster.registry)
    const web = processesFor(cluster.registry, rt.current('default', 's', 'web')!)
    const side = processesFor(cluster.registry, rt.current('default', 's', 'side')!)
    expect(web).toBe(side)
    const cmds = web.list().map((p) => [p.pid, p.command])
    expect(cmds[0]).toEqual([1, '/pause'])
    expect(cmds.map((c) => c[1])).toContain('nginx: master process nginx -g daemon off;')
    expect(cmds.map((c) => c[1])).toContain('sleep 3600')
    const sleeper = web.list().find((p) => p.command === 'sleep 3600')!
    web.kill(sleeper.pid, 9)
    await until(() => !!pod('s').status!.containerStatuses!.find((c) => c.name === 'side')!.lastState?.terminated)
    expect(pod('s').status!.containerStatuses!.find((c) => c.name === 'side')!.lastState!.terminated!.exitCode).toBe(137)
  })
})
