/** @module pid1.test: container programs run as PID 1 in the simulated shell — logs, exit codes at the right simulated time, files, stdin, restarts. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { podRow, type PodObject } from '../../../src/registry/core/pod-printer.js'
import { fsFor } from '../../../src/sim/containers/fs.js'
import { pid1For } from '../../../src/sim/containers/pid1.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { createLogBuffer, runtimeFor } from '../../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../../src/types.js'
import { advanceUntil } from '../../helpers/advance-until.js'

let cluster: Cluster
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as Pod | undefined
const state = (name: string) => pod(name)?.status?.containerStatuses?.[0]

const until = (cond: () => boolean, maxMs = 5000) => advanceUntil(cluster.clock, cond, maxMs)

async function run(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  await pods().create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'busybox:1.36', ...container }], ...spec },
  } as KubeObject)
  await until(() => !!state(name)?.state?.running || !!state(name)?.state?.terminated)
}

const logText = (name: string) => {
  const inst = runtimeFor(cluster.registry).current('default', name)!
  return runtimeFor(cluster.registry)
    .logs(inst.containerID)
    .lines.map((l) => `${l.stream}: ${l.text}`)
}

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('PID 1', () => {
  test('prints to the log, sleeps on the simulated clock and ends with its exit code when it exits', async () => {
    await run('p', { command: ['sh', '-c', 'echo hello; echo err >&2; sleep 3; echo done; exit 4'] }, { restartPolicy: 'Never' })
    const started = Date.parse(state('p')!.state!.running!.startedAt!)
    const inst = runtimeFor(cluster.registry).current('default', 'p')!
    expect(logText('p')).toEqual(['stdout: hello', 'stderr: err'])
    await cluster.clock.advance(5000)
    expect(logText('p')).toEqual(['stdout: hello', 'stderr: err', 'stdout: done'])
    const t = state('p')!.state!.terminated!
    expect(t).toMatchObject({ exitCode: 4, reason: 'Error' })
    // The exit happened 3 s after the process started (whole seconds in the status).
    expect(inst.finishedAt! - inst.startedAt).toBeGreaterThanOrEqual(3000)
    expect(Date.parse(t.finishedAt!) - started).toBeLessThanOrEqual(4000)
    expect(pod('p')!.status!.phase).toBe('Failed')
    const lines = runtimeFor(cluster.registry).logs(inst.containerID).lines
    expect(lines[2].ts - lines[0].ts).toBe(3000)
  })

  test('a force-deleted pod takes its running shell with it, and the cluster keeps running', async () => {
    // `kubectl delete pod --force` on a busybox loop used to throw "no container …" from PID 1's
    // end, after the runtime had forgotten the container, and that took the whole server down.
    await run('loop', { command: ['sh', '-c', 'while true; do sleep 1; done'] })
    expect(state('loop')?.state?.running).toBeTruthy()
    await pods().delete('default', 'loop', { gracePeriodSeconds: 0 })
    await cluster.clock.advance(3000)
    expect(pod('loop')).toBeUndefined()
    await run('after', { command: ['sh', '-c', 'echo still here; sleep 3600'] })
    expect(logText('after')).toEqual(['stdout: still here'])
  })

  test('files it writes are in the container; `test -f` reads the real file system', async () => {
    await run('files', { command: ['sh', '-c', 'echo hi > /tmp/f; test -f /x || exit 2; sleep 3600'] }, { restartPolicy: 'Never' })
    await cluster.clock.advance(1000)
    expect(state('files')!.state!.terminated).toMatchObject({ exitCode: 2, reason: 'Error' })
    // With a ConfigMap key mounted at /x the same script goes on (and reads it).
    await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'x' }, data: { x: 'from-cm\n' } } as KubeObject)
    await run(
      'files-cm',
      { command: ['sh', '-c', 'test -f /x || exit 2; cat /x; exit 0'], volumeMounts: [{ name: 'cfg', mountPath: '/x', subPath: 'x' }] },
      { restartPolicy: 'Never', volumes: [{ name: 'cfg', configMap: { name: 'x' } }] },
    )
    await cluster.clock.advance(1000)
    expect(state('files-cm')!.state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(logText('files-cm')).toEqual(['stdout: from-cm'])
    await run('files2', { command: ['sh', '-c', 'echo hi > /tmp/f; sleep 3600'] })
    await cluster.clock.advance(1000)
    const inst = runtimeFor(cluster.registry).current('default', 'files2')!
    expect(fsFor(cluster.registry, inst).readFile('/tmp/f')).toBe('hi\n')
    expect(processesFor(cluster.registry, inst).get(1)?.command).toBe('sh -c echo hi > /tmp/f; sleep 3600')
    // `sleep 3600` is idle: advancing an hour ends it, and the pod restarts it (restartPolicy Always).
    await cluster.clock.advance(3_600_000)
    expect(state('files2')!.restartCount).toBeGreaterThanOrEqual(1)
  })

  test('$(VAR) expands from the container env; $$ escapes', async () => {
    await run(
      'exp',
      { command: ['sh', '-c', 'echo $(GREETING) $$(echo nested) $(MISSING)'], env: [{ name: 'GREETING', value: 'hello' }] },
      { restartPolicy: 'Never' },
    )
    await cluster.clock.advance(1000)
    // `$(MISSING)` is left as written, so the shell runs it as a command substitution.
    expect(logText('exp')).toEqual(['stderr: sh: MISSING: not found', 'stdout: hello nested'])
  })

  test('without stdin a shell CMD exits 0 at once; with stdin it reads what is written to it', async () => {
    await run('bare', {}, { restartPolicy: 'Never' })
    await cluster.clock.advance(1000)
    expect(state('bare')!.state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    await run('interactive', { stdin: true }, { restartPolicy: 'Never' })
    await cluster.clock.advance(1000)
    const inst = runtimeFor(cluster.registry).current('default', 'interactive')!
    expect(inst.running).toBe(true)
    const p = pid1For(cluster.registry).process(inst.containerID)!
    const seen: string[] = []
    p.subscribe((_s, text) => seen.push(text))
    p.input('echo $((6*7))\n')
    await cluster.clock.advance(100)
    expect(seen.join('')).toContain('42')
    p.input('exit 3\n')
    await cluster.clock.advance(1000)
    expect(state('interactive')!.state!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' })
  })

  test('a busy PID 1 neither holds clock.advance nor the event loop; its log rotates at 10 MiB', async () => {
    await run('busy', { command: ['sh', '-c', 'while true; do echo y; done'] })
    const t = performance.now()
    await cluster.clock.advance(1000)
    expect(performance.now() - t).toBeLessThan(3000)
    const lag = performance.now()
    await new Promise((r) => setImmediate(r))
    expect(performance.now() - lag).toBeLessThan(100)
    expect(logText('busy').length).toBeGreaterThan(10)
    expect(state('busy')!.state!.running).toBeDefined()
    const buf = createLogBuffer(() => 0)
    const line = 'x'.repeat(1024 * 1024)
    for (let i = 0; i < 12; i++) buf.append(line)
    expect(buf.lines.length).toBeLessThan(10)
    expect(buf.lines.length).toBeGreaterThan(0)
  })

  test('init containers in order, a sidecar first and kept running; a failing init under Never fails the pod (Init:Error)', async () => {
    await pods().create('default', {
      metadata: { name: 'ordered' },
      spec: {
        nodeName: 'kubemock-worker',
        initContainers: [
          { name: 'side', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sh', '-c', 'echo side; sleep 3600'] },
          { name: 'first', image: 'busybox:1.36', command: ['sh', '-c', 'echo first; sleep 1'] },
        ],
        containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      },
    } as KubeObject)
    const inits = () => pod('ordered')?.status?.initContainerStatuses ?? []
    await until(() => !!inits()[0]?.state?.running)
    // The sidecar runs (started) before the next init container is started.
    expect(inits()[1]?.state?.waiting?.reason).toBe('PodInitializing')
    await until(() => inits()[1]?.state?.terminated?.exitCode === 0)
    await until(() => !!state('ordered')?.state?.running)
    expect(inits()[0].state?.running).toBeDefined()
    expect(pod('ordered')!.status!.phase).toBe('Running')
    const row = (name: string) => podRow(pod(name) as PodObject, new Date(cluster.clock.now()))
    expect(row('ordered')[2]).toBe('Running')

    await pods().create('default', {
      metadata: { name: 'init-fails' },
      spec: {
        nodeName: 'kubemock-worker',
        restartPolicy: 'Never',
        initContainers: [{ name: 'check', image: 'busybox:1.36', command: ['sh', '-c', 'echo no >&2; exit 1'] }],
        containers: [{ name: 'app', image: 'nginx:1.27.3' }],
      },
    } as KubeObject)
    await until(() => pod('init-fails')?.status?.phase === 'Failed')
    expect(pod('init-fails')!.status!.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' })
    expect(row('init-fails')[2]).toBe('Init:Error')
    await cluster.clock.advance(30_000)
    expect(pod('init-fails')!.status!.containerStatuses![0].state!.waiting?.reason).toBe('PodInitializing')
  })

  test('a SIGTERM-deaf shell PID 1 is killed after the grace period (137)', async () => {
    await run('stubborn', { command: ['sh', '-c', 'sleep 3600'] })
    await pods().delete('default', 'stubborn', { gracePeriodSeconds: 5 })
    await cluster.clock.advance(3000)
    expect(pod('stubborn')).toBeDefined()
    await until(() => !pod('stubborn'), 5000)
  })
})
