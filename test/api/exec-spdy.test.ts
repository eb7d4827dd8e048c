/** @module exec-spdy.test: pods/exec, pods/attach and pods/portforward over raw SPDY/3.1, driven by a hand-written SPDY client: negotiation, stream sets per protocol version, exit Status, stdin half-close, tty + resize, errors before the upgrade, teardown. */
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitStatus } from '../../src/api/exec.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { runtimeFor } from '../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../src/types.js'
import { SpdyTestClient } from '../helpers/spdy-client.js'

let cluster: Cluster
let app: FastifyInstance
let port: number

const allVersions = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']
const q = (cmd: string[], extra: string) => `${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`

/** kubectl's request: POST with Connection/Upgrade and the stream protocols it offers. */
function upgrade(path: string, protocols: string[] = allVersions, extra: Record<string, string> = {}) {
  const headers: Record<string, string | string[]> = { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'Content-Length': '0', ...extra }
  if (protocols.length) headers['X-Stream-Protocol-Version'] = protocols
  return SpdyTestClient.upgrade(port, 'POST', path, headers)
}

/** Upgrades and opens the streams client-go's v2+ executor opens, in its order. */
async function execSession(path: string, kinds: string[], protocols = allVersions) {
  const { response, client } = await upgrade(path, protocols)
  expect(response.status).toBe(101)
  const ids: Record<string, number> = {}
  for (const k of kinds) ids[k] = await client!.open({ streamType: k })
  return { response, c: client!, ids }
}

beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
  const pods = cluster.registry.resource('', 'pods')
  await pods.create('default', {
    metadata: { name: 'web' },
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
    metadata: { name: 'pending' },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.17.23' }] },
  } as KubeObject)
  const rt = runtimeFor(cluster.registry)
  for (let i = 0; i < 40 && !(rt.current('default', 'two', 'b')?.running && rt.current('default', 'web', 'nginx')?.running); i++)
    await cluster.clock.advance(100)
})
afterAll(async () => {
  await app.close()
  cluster.close()
})

describe('exec over SPDY/3.1', () => {
  it('v4: 101 with the chosen protocol, stdout and stderr streams, the exit Status as JSON, then FIN everywhere and GOAWAY', async () => {
    const { response, c, ids } = await execSession(
      `/api/v1/namespaces/default/pods/web/exec?${q(['sh', '-c', 'echo out; echo err >&2; exit 3'], 'stdout=true&stderr=true')}`,
      ['error', 'stdout', 'stderr'],
    )
    expect(response.headers).toMatchObject({ connection: ['Upgrade'], upgrade: ['SPDY/3.1'], 'x-stream-protocol-version': ['v4.channel.k8s.io'] })
    await c.until(() => c.ended, 5000, 'the connection to end')
    for (const id of Object.values(ids)) expect(c.stream(id)).toMatchObject({ replied: true, fin: true })
    expect(c.text(ids.stdout)).toBe('out\n')
    expect(c.text(ids.stderr)).toBe('err\n')
    expect(JSON.parse(c.text(ids.error))).toEqual(exitStatus(3))
    expect(exitStatus(3).message).toBe('command terminated with non-zero exit code: command terminated with exit code 3')
    expect(c.goAway).toBe(ids.stderr)
    // The session is in the request journal as a 101, once it is over.
    await new Promise((r) => setTimeout(r, 20))
    const journal = JSON.parse((await app.inject({ method: 'GET', url: '/kubemock/v1/requests' })).body) as {
      items: { subresource: string; method: string; status: number }[]
    }
    expect(journal.items.filter((i) => i.subresource === 'exec')).toEqual([expect.objectContaining({ method: 'POST', status: 101 })])
  })

  it('stdin: bytes sent before the last stream opens are kept; FIN on stdin is EOF for the process', async () => {
    const { response, client: c } = await upgrade(`/api/v1/namespaces/default/pods/web/exec?${q(['cat'], 'stdin=true&stdout=true')}`)
    expect(response.status).toBe(101)
    const err = await c!.open({ streamType: 'error' })
    const stdin = await c!.open({ streamType: 'stdin' })
    c!.write(stdin, 'early ')
    const stdout = await c!.open({ streamType: 'stdout' })
    await c!.until(() => !!c!.stream(stdout)?.replied)
    c!.write(stdin, Buffer.from('hé')) // a UTF-8 character split across frames
    c!.write(stdin, Buffer.from([0xc3]))
    c!.write(stdin, Buffer.from([0xa9, 0x0a]), true)
    await c!.until(() => c!.ended)
    expect(c!.text(stdout)).toBe('early héé\n')
    expect(JSON.parse(c!.text(err))).toEqual({ metadata: {}, status: 'Success' })
  })

  it('binary: `tar zcf -` arrives as the exact gzip bytes, and `tar xzf -` takes them back on stdin split anywhere', async () => {
    const out = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['tar', 'zcf', '-', '-C', '/etc/nginx', 'conf.d'], 'stdout=true')}`, [
      'error',
      'stdout',
    ])
    await out.c.until(() => out.c.ended)
    const gz = Buffer.concat(out.c.stream(out.ids.stdout)!.data)
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b])
    expect(gunzipSync(gz).subarray(0, 8).toString()).toBe('conf.d/\0')

    const back = await execSession(
      `/api/v1/namespaces/default/pods/web/exec?${q(['tar', 'xzf', '-', '-C', '/tmp/spdy'], 'stdin=true&stdout=true&stderr=true')}`,
      ['error', 'stdin', 'stdout', 'stderr'],
    )
    for (let o = 0; o < gz.length; o += 7) back.c.write(back.ids.stdin, gz.subarray(o, o + 7), o + 7 >= gz.length)
    await back.c.until(() => back.c.ended)
    expect(back.c.text(back.ids.stderr)).toBe('')
    expect(JSON.parse(back.c.text(back.ids.error))).toEqual({ metadata: {}, status: 'Success' })
    const check = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['head', '-1', '/tmp/spdy/conf.d/default.conf'], 'stdout=true')}`, [
      'error',
      'stdout',
    ])
    await check.c.until(() => check.c.ended)
    expect(check.c.text(check.ids.stdout)).toBe('server {\n')
  })

  it('tty: the resize stream is expected from v3 on; keystrokes echo; exit code travels back', async () => {
    const { c, ids } = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['sh'], 'stdin=true&stdout=true&tty=true')}`, [
      'error',
      'stdin',
      'stdout',
      'resize',
    ])
    c.write(ids.resize, '{"Width":100,"Height":30}\n')
    await c.until(() => c.text(ids.stdout).includes('# '), 5000, 'the prompt')
    c.write(ids.stdin, 'echo hi\r')
    await c.until(() => c.text(ids.stdout).includes('hi\r\n'), 5000, 'the echo')
    c.write(ids.stdin, 'exit 4\r')
    await c.until(() => c.ended)
    expect(JSON.parse(c.text(ids.error))).toEqual(exitStatus(4))
  })

  it("the client's preference decides: v3 and v2 write the failure text on the error stream, nothing on success", async () => {
    for (const v of ['v3.channel.k8s.io', 'v2.channel.k8s.io']) {
      const { response, c, ids } = await execSession(
        `/api/v1/namespaces/default/pods/web/exec?${q(['sh', '-c', 'exit 7'], 'stdout=true')}`,
        ['error', 'stdout'],
        [v, 'v4.channel.k8s.io'],
      )
      expect(response.headers['x-stream-protocol-version']).toEqual([v])
      await c.until(() => c.ended)
      expect(c.text(ids.error)).toBe('command terminated with non-zero exit code: command terminated with exit code 7')
    }
    const ok = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['true'], 'stdout=true')}`, ['error', 'stdout'], ['v2.channel.k8s.io'])
    await ok.c.until(() => ok.c.ended)
    expect(ok.c.text(ok.ids.error)).toBe('')
  })

  it('v1 (channel.k8s.io): the error stream is reset once all streams are there, as 1.0 kubelets did', async () => {
    const { response, c, ids } = await execSession(
      `/api/v1/namespaces/default/pods/web/exec?${q(['sh', '-c', 'echo v1; exit 2'], 'stdout=true')}`,
      ['error', 'stdout'],
      ['channel.k8s.io'],
    )
    expect(response.headers['x-stream-protocol-version']).toEqual(['channel.k8s.io'])
    await c.until(() => c.ended)
    expect(c.stream(ids.error)).toMatchObject({ replied: true, reset: 5 })
    expect(c.text(ids.error)).toBe('')
    expect(c.text(ids.stdout)).toBe('v1\n')
  })

  it("an unknown binary: the runtime's InternalError Status on the error stream", async () => {
    const { c, ids } = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['nosuchcmd'], 'stdout=true')}`, ['error', 'stdout'])
    await c.until(() => c.ended)
    expect(JSON.parse(c.text(ids.error))).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 })
  })

  it('pings are echoed; streams of unknown type are accepted and ignored', async () => {
    const { c, ids } = await execSession(`/api/v1/namespaces/default/pods/web/exec?${q(['cat'], 'stdin=true&stdout=true')}`, [
      'error',
      'bogus',
      'stdin',
      'stdout',
    ])
    c.ping(1)
    await c.until(() => c.pings.includes(1))
    expect(c.stream(ids.bogus)).toMatchObject({ replied: true })
    c.write(ids.stdin, 'x', true)
    await c.until(() => c.ended)
    expect(c.text(ids.stdout)).toBe('x')
  })

  it('the client going away ends the process; garbage after the upgrade drops the connection', async () => {
    const ps = async () => {
      const s = await execSession(`/api/v1/namespaces/default/pods/two/exec?${q(['ps'], 'container=b&stdout=true')}`, ['error', 'stdout'])
      await s.c.until(() => s.c.ended)
      return s.c.text(s.ids.stdout)
    }
    const { c, ids } = await execSession(`/api/v1/namespaces/default/pods/two/exec?${q(['sleep', '999'], 'container=b&stdout=true')}`, ['error', 'stdout'])
    await c.until(() => !!c.stream(ids.stdout)?.replied)
    await new Promise((r) => setImmediate(r))
    expect(await ps()).toContain('sleep 999')
    c.destroy()
    await new Promise((r) => setTimeout(r, 50))
    expect(await ps()).not.toContain('sleep 999')

    const bad = await upgrade(`/api/v1/namespaces/default/pods/web/exec?${q(['cat'], 'stdin=true&stdout=true')}`)
    expect(bad.response.status).toBe(101)
    // A SPDY/2 control frame: not the protocol we upgraded to.
    bad.client!.raw(Buffer.from([0x80, 0x02, 0x00, 0x01, 0, 0, 0, 0]))
    await bad.client!.until(() => bad.client!.ended)
    // A SYN_STREAM whose header block is no zlib data.
    const worse = await upgrade(`/api/v1/namespaces/default/pods/web/exec?${q(['cat'], 'stdin=true&stdout=true')}`)
    worse.client!.raw(Buffer.from([0x80, 0x03, 0x00, 0x01, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]))
    await worse.client!.until(() => worse.client!.ended)
  })
})

describe('attach and port-forward over SPDY/3.1', () => {
  it('attach streams what PID 1 writes from then on', async () => {
    const { c, ids } = await execSession('/api/v1/namespaces/default/pods/two/attach?container=a&stdout=true&stderr=true', ['error', 'stdout', 'stderr'])
    await c.until(() => !!c.stream(ids.stderr)?.replied)
    await new Promise((r) => setImmediate(r))
    const inst = runtimeFor(cluster.registry).current('default', 'two', 'a')!
    runtimeFor(cluster.registry).logs(inst.containerID).append('hello from pid 1')
    await c.until(() => c.text(ids.stdout) === 'hello from pid 1\n')
    c.destroy()
  })

  it('port-forward: portforward.k8s.io, a (error, data) pair per requestID, HTTP to nginx, FIN when nginx closes', async () => {
    const { response, client } = await upgrade('/api/v1/namespaces/default/pods/web/portforward', ['portforward.k8s.io'])
    expect(response.headers['x-stream-protocol-version']).toEqual(['portforward.k8s.io'])
    const c = client!
    const err = await c.open({ streamType: 'error', port: '80', requestID: '0' })
    c.write(err, '', true) // client-go closes its half of the error stream at once
    const data = await c.open({ streamType: 'data', port: '80', requestID: '0' })
    c.write(data, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await c.until(() => !!c.stream(data)?.fin && !!c.stream(err)?.fin, 5000, 'both FINs')
    expect(c.text(data)).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.15\.12\r\n/)
    expect(c.text(err)).toBe('')
    // A closed port: containerd's refusal on the error stream.
    const err2 = await c.open({ streamType: 'error', port: '81', requestID: '1' })
    await c.open({ streamType: 'data', port: '81', requestID: '1' })
    await c.until(() => !!c.stream(err2)?.fin)
    expect(c.text(err2)).toContain('failed to connect to localhost:81 inside namespace')
    c.destroy()
  })
})

describe('answers before the upgrade', () => {
  const text = async (path: string, protocols?: string[]) => (await upgrade(path, protocols)).response
  it("the apiserver's checks are Status objects, as for WebSocket", async () => {
    const none = await text(`/api/v1/namespaces/default/pods/web/exec?${q(['ls'], '')}`)
    expect(none.status).toBe(400)
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', code: 400, message: 'you must specify at least 1 of stdin, stdout, stderr' })
    expect((await text(`/api/v1/namespaces/default/pods/ghost/exec?${q(['ls'], 'stdout=true')}`)).status).toBe(404)
    expect(JSON.parse((await text('/api/v1/namespaces/default/pods/two/attach?stdout=true')).body).message).toBe(
      'a container name must be specified for pod two, choose one of: [a b]',
    )
    expect((await text('/api/v1/namespaces/default/pods/ghost/portforward', ['portforward.k8s.io'])).status).toBe(404)
  })

  it("the kubelet's are plain text: no running container, no protocol header, no common protocol", async () => {
    const notRunning = await text(`/api/v1/namespaces/default/pods/pending/exec?${q(['ls'], 'stdout=true')}`)
    expect(notRunning).toMatchObject({ status: 500, body: 'container not found ("c")\n' })
    expect(notRunning.headers['content-type']).toEqual(['text/plain; charset=utf-8'])
    expect(await text(`/api/v1/namespaces/default/pods/web/exec?${q(['ls'], 'stdout=true')}`, [])).toMatchObject({
      status: 400,
      body: 'unable to upgrade: X-Stream-Protocol-Version is required\n',
    })
    const mismatch = await text(`/api/v1/namespaces/default/pods/web/exec?${q(['ls'], 'stdout=true')}`, ['v5.channel.k8s.io'])
    expect(mismatch).toMatchObject({
      status: 403,
      body: 'unable to upgrade: unable to negotiate protocol: client supports [v5.channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]\n',
    })
    expect(mismatch.headers['x-accepted-stream-protocol-versions']).toEqual(['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'])
    expect((await text('/api/v1/namespaces/default/pods/web/portforward', ['v4.channel.k8s.io'])).status).toBe(403)
  })
})
