/** @module processes.test: process tables from image behaviours and the pod command; signals as the kernel delivers them to a namespace's init. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { parseSignal, processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../../src/types.js'

let cluster: Cluster
beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

async function start(name: string, image: string, command?: string[]) {
  await cluster.registry.resource('', 'pods').create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image, ...(command ? { command } : {}) }] },
  } as KubeObject)
  for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
  return runtimeFor(cluster.registry).current('default', name)!
}

describe('process tables', () => {
  test('nginx: master as PID 1 plus one worker per node CPU; exec gets the next PID', async () => {
    const inst = await start('n', 'nginx:1.27.3')
    const t = processesFor(cluster.registry, inst)
    const list = t.list()
    expect(list[0]).toMatchObject({ pid: 1, user: 'root', command: 'nginx: master process nginx -g daemon off;', startedAt: inst.startedAt })
    expect(list.slice(1).map((p) => [p.pid, p.user, p.command])).toEqual([29, 30, 31, 32].map((pid) => [pid, 'nginx', 'nginx: worker process']))
    expect(t.spawn({ ppid: 0, user: 'root', command: 'bash', vszKb: 1, rssKb: 1 }).pid).toBe(33)
    expect(processesFor(cluster.registry, inst)).toBe(t)
  })

  test('the pod command replaces the entrypoint; signals without a handler do not reach PID 1', async () => {
    const inst = await start('b', 'busybox', ['sleep', '3600'])
    const t = processesFor(cluster.registry, inst)
    expect(t.list().map((p) => p.command)).toEqual(['sleep 3600'])
    expect(t.kill(1, 15)).toEqual({})
    expect(t.kill(1, 9)).toEqual({})
    expect(inst.running).toBe(true)
    expect(t.kill(99, 15)).toEqual({ error: '(99) - No such process' })
  })

  test('nginx ends on SIGQUIT with 0; a killed worker is respawned with a new PID', async () => {
    const inst = await start('q', 'nginx:1.15.12')
    const t = processesFor(cluster.registry, inst)
    const worker = t.list()[1].pid
    t.kill(worker, 9)
    expect(t.get(worker)).toBeUndefined()
    expect(t.list().filter((p) => p.command === 'nginx: worker process')).toHaveLength(t.list().length - 1)
    expect(t.kill(1, parseSignal('SIGQUIT')!)).toEqual({ containerExited: true })
    expect(inst).toMatchObject({ running: false, exitCode: 0 })
  })

  test('signal names and numbers', () => {
    expect(['9', 'KILL', 'sigterm', 'HUP', 'nope'].map(parseSignal)).toEqual([9, 9, 15, 1, undefined])
  })
})
