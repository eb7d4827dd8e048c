/** @module runtime.test: container instances derived from pod status — start, restart after exitContainer, logs, env. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../../src/types.js'
import { advanceUntil } from '../../helpers/advance-until.js'

let cluster: Cluster
const pods = () => cluster.registry.resource('', 'pods')

const until = (cond: () => boolean, maxMs = 5000) => advanceUntil(cluster.clock, cond, maxMs)

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('container runtime', () => {
  test('a running nginx has an instance with env, startup logs, and a new instance after its process exits', async () => {
    await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'cfg' }, data: { mode: 'fast' } } as KubeObject)
    await pods().create('default', {
      metadata: { name: 'nginx-pod' },
      spec: {
        nodeName: 'kubemock-worker',
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.27.3',
            env: [
              { name: 'A', value: 'x' },
              { name: 'B', value: '$(A)-y' },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
              { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
          },
        ],
      },
    } as KubeObject)
    const rt = runtimeFor(cluster.registry)
    expect(runtimeFor(cluster.registry)).toBe(rt)
    await until(() => rt.current('default', 'nginx-pod')?.running === true)
    const first = rt.current('default', 'nginx-pod')!
    expect(first.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/)
    expect(first.hostname).toBe('nginx-pod')
    expect(first.env).toMatchObject({
      A: 'x',
      B: 'x-y',
      MODE: 'fast',
      ME: 'nginx-pod',
      HOSTNAME: 'nginx-pod',
      NGINX_VERSION: '1.27.3',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      HOME: '/root',
    })
    const lines = rt.logs(first.containerID).lines
    expect(lines[0]).toMatchObject({
      stream: 'stdout',
      text: '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      ts: first.startedAt,
    })
    expect(lines.some((l) => l.stream === 'stderr' && l.text.endsWith('[notice] 1#1: nginx/1.27.3'))).toBe(true)
    expect(rt.previous('default', 'nginx-pod')).toBeUndefined()

    const exits: string[] = []
    rt.onExit((i) => exits.push(i.containerID))
    await cluster.clock.advance(5000)
    cluster.sim.exitContainer!('default', 'nginx-pod', 'nginx', 0)
    await until(() => rt.current('default', 'nginx-pod')?.containerID !== first.containerID && rt.current('default', 'nginx-pod')?.running === true)
    const second = rt.current('default', 'nginx-pod')!
    expect(second.startedAt).toBeGreaterThan(first.startedAt)
    expect(second.restartCount).toBe(1)
    expect(exits).toEqual([first.containerID])
    expect(rt.previous('default', 'nginx-pod')).toMatchObject({ containerID: first.containerID, running: false, exitCode: 0 })
    expect(rt.logs(second.containerID).lines[0].ts).toBe(second.startedAt)
  })

  test('markExited ends an instance at once and per-instance slots are kept per containerID', async () => {
    await pods().create('default', {
      metadata: { name: 'bb' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
    } as KubeObject)
    const rt = runtimeFor(cluster.registry)
    await until(() => rt.current('default', 'bb')?.running === true)
    const inst = rt.current('default', 'bb')!
    const a = rt.slot(inst.containerID, 'x', () => ({ n: 1 }))
    expect(rt.slot(inst.containerID, 'x', () => ({ n: 2 }))).toBe(a)
    rt.markExited(inst.containerID, 137)
    expect(rt.byID(inst.containerID)).toMatchObject({ running: false, exitCode: 137 })
  })
})
