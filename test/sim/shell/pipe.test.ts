/** @module pipe.test: pipeline stages run at once over bounded pipes — EOF, SIGPIPE, backpressure, subshell state. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { fsFor } from '../../../src/sim/containers/fs.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../../src/sim/containers/runtime.js'
import { Pipe, pipeCapacity } from '../../../src/sim/shell/pipe.js'
import { Shell } from '../../../src/sim/shell/shell.js'
import type { KubeObject } from '../../../src/types.js'

let cluster: Cluster
let inst: ContainerInstance

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
  await cluster.registry
    .resource('', 'pods')
    .create('default', { metadata: { name: 'p' }, spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.15.12' }] } } as KubeObject)
  for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', 'p')?.running; i++) await cluster.clock.advance(100)
  inst = runtimeFor(cluster.registry).current('default', 'p')!
})
afterEach(() => cluster.close())

const shell = () =>
  new Shell({ registry: cluster.registry, inst, fs: fsFor(cluster.registry, inst), procs: processesFor(cluster.registry, inst), flavour: 'bash' })

async function run(sh: Shell, line: string) {
  let out = ''
  let err = ''
  const code = await sh.run(line, { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
  return { out, err, code }
}

describe('pipelines', () => {
  test("an endless writer ends once its reader is done (SIGPIPE), and the status is the last stage's", async () => {
    const sh = shell()
    expect(await run(sh, 'while true; do echo y; done | head -1')).toEqual({ out: 'y\n', err: '', code: 0 })
    expect(await run(sh, 'i=0; while true; do echo $i; i=$((i+1)); done | head -n 3')).toEqual({ out: '0\n1\n2\n', err: '', code: 0 })
    expect(await run(sh, 'while true; do echo y; done | grep -q y')).toEqual({ out: '', err: '', code: 0 })
    expect(await run(sh, 'echo a | false')).toMatchObject({ code: 1 })
  })

  test('stages are subshells: cd and assignments in them do not reach the shell', async () => {
    const sh = shell()
    expect((await run(sh, 'cd /tmp | true; X=1 | true; pwd; echo "[$X]"')).out).toBe('/\n[]\n')
    expect((await run(sh, 'exit 3 | true; echo still here')).out).toBe('still here\n')
  })

  test('a writer waits while its reader is a pipe capacity behind', async () => {
    const sh = shell()
    const done = run(sh, 'while true; do echo yyyyyyyy; done | sleep 10; echo after')
    let stalled = -1
    for (let i = 0; i < 100 && sh.scheduler.steps !== stalled; i++) {
      stalled = sh.scheduler.steps
      await new Promise((r) => setTimeout(r, 50))
    }
    // Blocked on the full pipe: no interpreter work at all while sleep sleeps, after about
    // 64 KiB of 9-byte lines (three steps a turn: the loop, `true`, `echo`).
    await new Promise((r) => setTimeout(r, 50))
    expect(sh.scheduler.steps).toBe(stalled)
    expect(stalled).toBeLessThan(3 * (pipeCapacity / 9 + 10))
    await cluster.clock.advance(10_000)
    expect(await done).toEqual({ out: 'after\n', err: '', code: 0 })
  })

  test('the pipe itself: bounded backlog, EOF after close, broken after the reader ends', async () => {
    const p = new Pipe(() => new AbortController().signal)
    p.write('a'.repeat(pipeCapacity + 1))
    let drained = false
    const wait = p.drained().then(() => (drained = true))
    await new Promise((r) => setImmediate(r))
    expect(drained).toBe(false)
    expect((await p.reader.read())!.length).toBe(pipeCapacity)
    await wait
    expect(p.backlog()).toBe(1)
    p.close()
    expect(await p.reader.readAll()).toBe('a')
    expect(await p.reader.read()).toBeUndefined()
    p.closeReader()
    expect(p.broken()).toBe(true)
  })
})
