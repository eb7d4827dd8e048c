/** @module exec.test: pods/exec and pods/attach over WebSocket — v5/v4 framing, exit Status, tty echo and prompt, pre-upgrade errors. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { exitStatus } from '../../src/api/exec.js'
import { frame } from '../../src/api/exec-websocket.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { fsFor } from '../../src/sim/containers/fs.js'
import { processesFor } from '../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster
let app: FastifyInstance
let base: string

interface Session {
  ws: WebSocket
  protocol: string
  frames: { ch: number; text: string }[]
  closed: Promise<number>
  text(ch: number): string
  until(ch: number, s: string): Promise<void>
}

async function open(path: string, protocol = 'v5.channel.k8s.io'): Promise<Session> {
  const ws = new WebSocket(`${base}${path}`, protocol.split(', '))
  const frames: { ch: number; text: string }[] = []
  const waiters: (() => void)[] = []
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(true)
    frames.push({ ch: d[0], text: d.subarray(1).toString() })
    for (const w of waiters.splice(0)) w()
  })
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { res })))
    ws.once('error', reject)
  })
  const s: Session = {
    ws,
    protocol: ws.protocol,
    frames,
    closed,
    text: (ch) =>
      frames
        .filter((f) => f.ch === ch)
        .map((f) => f.text)
        .join(''),
    async until(ch, str) {
      while (!s.text(ch).includes(str)) await new Promise<void>((r) => waiters.push(r))
    },
  }
  return s
}

const q = (cmd: string[], extra: string) => `${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`

beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address() as { port: number }
  base = `ws://127.0.0.1:${addr.port}`
  const pods = cluster.registry.resource('', 'pods')
  await pods.create('default', {
    metadata: { name: 'nginx-pod' },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] },
  } as KubeObject)
  await pods.create('default', {
    metadata: { name: 'two' },
    spec: {
      nodeName: 'kubemock-worker',
      containers: [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox', command: ['sleep', '1d'] },
      ],
    },
  } as KubeObject)
  await pods.create('default', {
    metadata: { name: 'unbound' },
    spec: { nodeSelector: { none: 'x' }, containers: [{ name: 'c', image: 'nginx' }] },
  } as KubeObject)
  for (let i = 0; i < 40 && !runtimeFor(cluster.registry).current('default', 'two', 'b')?.running; i++) await cluster.clock.advance(100)
})
afterAll(async () => {
  await app.close()
  cluster.close()
})

describe('exec over WebSocket', () => {
  it('frames', () => {
    expect([...frame(1, 'hi')]).toEqual([1, 104, 105])
    expect(exitStatus(0)).toEqual({ metadata: {}, status: 'Success' })
    expect(exitStatus(3)).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })
  })

  it('runs a command: stdout on 1, Success on 3, then a normal close', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['cat', '/run/nginx.pid'], 'container=nginx&stderr=true&stdout=true')}`)
    expect(s.protocol).toBe('v5.channel.k8s.io')
    expect(await s.closed).toBe(1000)
    expect(s.text(1)).toBe('1\n')
    expect(JSON.parse(s.text(3))).toEqual({ metadata: {}, status: 'Success' })
    expect(s.frames[s.frames.length - 1].ch).toBe(3)
  })

  it('reports a non-zero exit code with stderr on channel 2', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['sh', '-c', 'echo out; echo err >&2; exit 3'], 'stderr=true&stdout=true')}`)
    await s.closed
    expect(s.text(1)).toBe('out\n')
    expect(s.text(2)).toBe('err\n')
    expect(JSON.parse(s.text(3))).toEqual(exitStatus(3))
  })

  it('feeds stdin until the v5 CLOSE signal', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['wc', '-l'], 'stdin=true&stderr=true&stdout=true')}`)
    s.ws.send(frame(0, 'a\nb\nc\n'))
    s.ws.send(Buffer.from([255, 0]))
    await s.closed
    expect(s.text(1)).toBe('3\n')
  })

  it('tty: prompt, echo, backspace, merged stderr, resize, exit', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['/bin/bash'], 'stdin=true&stdout=true&tty=true')}`)
    s.ws.send(frame(4, '{"Width":100,"Height":30}\n'))
    await s.until(1, 'root@nginx-pod:/# ')
    s.ws.send(frame(0, 'hostnamx\x7fe\r'))
    await s.until(1, 'nginx-pod\r\nroot@nginx-pod:/# ')
    s.ws.send(frame(0, 'cat /nope\r'))
    await s.until(1, 'cat: /nope: No such file or directory\r\n')
    s.ws.send(frame(0, 'exit 2\r'))
    await s.closed
    expect(s.text(1)).toContain('hostnamx\b \be\r\n')
    expect(JSON.parse(s.text(3))).toEqual(exitStatus(2))
  })

  it('kill 1 ends the session with 137 and the container with exit 0', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['bash'], 'stdin=true&stdout=true&tty=true')}`)
    await s.until(1, '# ')
    const before = runtimeFor(cluster.registry).current('default', 'nginx-pod')!
    s.ws.send(frame(0, 'kill 1\r'))
    expect(await s.closed).toBe(1000)
    expect(JSON.parse(s.text(3))).toEqual(exitStatus(137))
    expect(before).toMatchObject({ running: false, exitCode: 0 })
    for (let i = 0; i < 40 && !runtimeFor(cluster.registry).current('default', 'nginx-pod')?.running; i++) await cluster.clock.advance(100)
    expect(runtimeFor(cluster.registry).current('default', 'nginx-pod')!.restartCount).toBe(1)
  })

  it('speaks v4.channel.k8s.io too', async () => {
    const s = await open(
      `/api/v1/namespaces/default/pods/two/exec?${q(['echo', 'v4'], 'container=b&stdout=true')}`,
      'v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io',
    )
    expect(s.protocol).toBe('v4.channel.k8s.io')
    await s.closed
    expect(s.text(1)).toBe('v4\n')
  })

  it('an unknown binary is the runtime error on channel 3', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/two/exec?${q(['bash'], 'container=b&stdout=true&stderr=true')}`)
    await s.closed
    const st = JSON.parse(s.text(3))
    expect(st).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 })
    expect(st.message).toContain('exec: "bash": executable file not found in $PATH: unknown')
  })

  it('errors before the upgrade: bad container, no container given, unbound pod; same Status for the SPDY retry', async () => {
    const status = async (path: string) => {
      try {
        await open(path)
      } catch (e) {
        const res = (e as { res: import('node:http').IncomingMessage }).res
        let body = ''
        for await (const c of res) body += c
        return { code: res.statusCode, body: JSON.parse(body) }
      }
      throw new Error('upgrade succeeded')
    }
    expect(await status(`/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['ls'], 'container=foo&stdout=true')}`)).toMatchObject({
      code: 400,
      body: { reason: 'BadRequest', message: 'container foo is not valid for pod nginx-pod' },
    })
    expect((await status(`/api/v1/namespaces/default/pods/two/exec?${q(['ls'], 'stdout=true')}`)).body.message).toBe(
      'a container name must be specified for pod two, choose one of: [a b]',
    )
    expect((await status(`/api/v1/namespaces/default/pods/unbound/exec?${q(['ls'], 'stdout=true')}`)).body.message).toBe(
      'pod unbound does not have a host assigned',
    )
    expect((await status(`/api/v1/namespaces/default/pods/ghost/exec?${q(['ls'], 'stdout=true')}`)).code).toBe(404)
    const spdy = await app.inject({
      method: 'POST',
      url: `/api/v1/namespaces/default/pods/nginx-pod/exec?${q(['ls'], 'container=foo&stdout=true')}`,
      headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1' },
    })
    expect(spdy.statusCode).toBe(400)
    expect(JSON.parse(spdy.body).message).toBe('container foo is not valid for pod nginx-pod')
  })

  it('attach streams what an image server writes from then on (its log lines)', async () => {
    const inst = runtimeFor(cluster.registry).current('default', 'two', 'a')!
    const s = await open('/api/v1/namespaces/default/pods/two/attach?container=a&stdout=true&stderr=true')
    runtimeFor(cluster.registry).logs(inst.containerID).append('hello from pid 1')
    await s.until(1, 'hello from pid 1\n')
    s.ws.close()
  })

  it('attach with stdin talks to a shell PID 1 (the container has stdin: true); its exit ends the container', async () => {
    await cluster.registry.resource('', 'pods').create('default', {
      metadata: { name: 'interactive' },
      spec: { nodeName: 'kubemock-worker', restartPolicy: 'Never', containers: [{ name: 'sh', image: 'busybox:1.36', stdin: true }] },
    } as KubeObject)
    const rt = runtimeFor(cluster.registry)
    for (let i = 0; i < 40 && !rt.current('default', 'interactive')?.running; i++) await cluster.clock.advance(100)
    const s = await open('/api/v1/namespaces/default/pods/interactive/attach?stdin=true&stdout=true&stderr=true')
    s.ws.send(frame(0, 'echo $((6*7)) $$\n'))
    await s.until(1, '42 1\n')
    s.ws.send(frame(0, 'exit 3\n'))
    for (let i = 0; i < 20 && s.ws.readyState === WebSocket.OPEN; i++) await cluster.clock.advance(100)
    expect(await s.closed).toBe(1000)
    // The kubelet notices the exit at its next relist.
    await cluster.clock.advance(1000)
    const pod = cluster.registry.resource('', 'pods').getStored('default', 'interactive')!.obj as unknown as {
      status: { containerStatuses: { state: unknown }[] }
    }
    expect(pod.status.containerStatuses[0].state).toMatchObject({ terminated: { exitCode: 3, reason: 'Error' } })
  })
})

describe('sessions end with their container', () => {
  it('a crash of the main process (sim.exitContainer) ends an open shell with 137', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/two/exec?${q(['sh'], 'container=b&stdin=true&stdout=true&tty=true')}`)
    await s.until(1, '/ # ')
    cluster.sim.exitContainer!('default', 'two', 'b', 2)
    for (let i = 0; i < 20 && s.ws.readyState === WebSocket.OPEN; i++) await cluster.clock.advance(100)
    expect(await s.closed).toBe(1000)
    expect(JSON.parse(s.text(3))).toEqual(exitStatus(137))
  })
})

describe('a busy command over the WebSocket path', () => {
  const counter = 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; echo y; done'
  const count = (inst: ContainerInstance) => Number(fsFor(cluster.registry, inst).readFile('/tmp/n').trim() || 0)
  const realSleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  let inst: ContainerInstance

  beforeAll(async () => {
    await cluster.registry.resource('', 'pods').create('default', {
      metadata: { name: 'looper' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.27.3' }] },
    } as KubeObject)
    for (let i = 0; i < 40 && !runtimeFor(cluster.registry).current('default', 'looper')?.running; i++) await cluster.clock.advance(100)
    inst = runtimeFor(cluster.registry).current('default', 'looper')!
  })

  it('an endless loop keeps the server responsive and ends when the client disconnects', async () => {
    const s = await open(`/api/v1/namespaces/default/pods/looper/exec?${q(['sh', '-c', counter], 'stdout=true&stderr=true')}`)
    await s.until(1, 'y\ny\n')
    // The API answers while the loop runs.
    const t = performance.now()
    expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods/looper' })).statusCode).toBe(200)
    expect(performance.now() - t).toBeLessThan(200)
    s.ws.terminate()
    await s.closed
    await realSleep(50)
    const stopped = count(inst)
    expect(stopped).toBeGreaterThan(10)
    await realSleep(100)
    expect(count(inst)).toBe(stopped)
    expect(
      processesFor(cluster.registry, inst)
        .list()
        .map((p) => p.command),
    ).not.toContain(`sh -c ${counter}`)
  })

  it('a client that does not read pauses the loop instead of buffering its output', async () => {
    fsFor(cluster.registry, inst).writeFile('/tmp/big', 'z'.repeat(1 << 20))
    const s = await open(
      `/api/v1/namespaces/default/pods/looper/exec?${q(['sh', '-c', 'i=0; while true; do cat /tmp/big; i=$((i+1)); echo $i > /tmp/n; done'], 'stdout=true')}`,
    )
    await s.until(1, 'zzzz')
    s.ws.pause()
    let last = -1
    for (let i = 0; i < 100 && count(inst) !== last; i++) {
      last = count(inst)
      await realSleep(100)
    }
    // Stalled: the kernel's socket buffers plus at most ~1 MiB above the high-water mark are in flight.
    expect(count(inst)).toBe(last)
    expect(last).toBeLessThan(64)
    await realSleep(100)
    expect(count(inst)).toBe(last)
    s.ws.resume()
    await realSleep(200)
    expect(count(inst)).toBeGreaterThan(last)
    s.ws.terminate()
    await s.closed
  })
})
