/** @module tar.test: `tar` with gzip (`z`): exact bytes through an exec session, latin1 text through pipes and files. */
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { fsFor, VirtualFS } from '../../../src/sim/containers/fs.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../../src/sim/containers/runtime.js'
import { ExecSession } from '../../../src/sim/shell/session.js'
import { Shell } from '../../../src/sim/shell/shell.js'
import { extractTar, isGzip } from '../../../src/sim/shell/tar.js'
import type { KubeObject } from '../../../src/types.js'

let cluster: Cluster

async function startBusybox(name: string): Promise<ContainerInstance> {
  await cluster.registry.resource('', 'pods').create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
  } as KubeObject)
  for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
  return runtimeFor(cluster.registry).current('default', name)!
}

async function run(inst: ContainerInstance, line: string) {
  const sh = new Shell({ registry: cluster.registry, inst, fs: fsFor(cluster.registry, inst), procs: processesFor(cluster.registry, inst), flavour: 'ash' })
  let out = ''
  let err = ''
  const code = await sh.run(line, { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
  return { out, err, code }
}

/** An exec session as the transports drive it: text and bytes collected apart; stdin given as the client's bytes. */
async function exec(inst: ContainerInstance, command: string[], stdin?: Buffer) {
  const text: string[] = []
  const bytes: Buffer[] = []
  const s = new ExecSession(cluster.registry, inst, {
    command,
    tty: false,
    stdin: stdin !== undefined,
    io: { stdout: (x) => text.push(x), stdoutBytes: (b) => bytes.push(b), stderr: (x) => text.push(x) },
  })
  s.start()
  // What the transport does: the decoded text plus the bytes it came from.
  if (stdin) s.input(stdin.toString('utf8'), stdin)
  s.closeStdin()
  const code = await s.done
  return { code, text: text.join(''), bytes: Buffer.concat(bytes) }
}

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('tar z', () => {
  test('`tar zcf -` writes exact gzip bytes to exec stdout, and `tar xzf -` reads them back from exec stdin', async () => {
    const inst = await startBusybox('gz')
    await run(inst, 'mkdir -p /tmp/d; echo hi > /tmp/d/f; echo café > /tmp/d/g')
    const created = await exec(inst, ['tar', 'zcf', '-', '-C', '/tmp', 'd'])
    expect(created).toMatchObject({ code: 0, text: '' })
    expect(isGzip(created.bytes)).toBe(true)
    const scratch = new VirtualFS(() => 0)
    expect(extractTar(scratch, gunzipSync(created.bytes), '/')).toEqual(['d/', 'd/f', 'd/g'])
    expect(scratch.readFile('/d/f')).toBe('hi\n')

    const extracted = await exec(inst, ['tar', '-xzf', '-', '-C', '/srv'], created.bytes)
    expect(extracted).toMatchObject({ code: 0, text: '' })
    expect((await run(inst, 'cat /srv/d/f /srv/d/g')).out).toBe('hi\ncafé\n')
  })

  test('through a pipe and a file the archive is latin1 text that tar reads back; `t` and --gzip too', async () => {
    const inst = await startBusybox('gzpipe')
    await run(inst, 'echo hi > /tmp/f')
    expect(await run(inst, 'tar -czf - /tmp/f | tar xzf - -C /out')).toEqual({ out: '', err: "tar: removing leading '/' from member names\n", code: 0 })
    expect((await run(inst, 'cat /out/tmp/f')).out).toBe('hi\n')
    expect((await run(inst, 'tar --gzip -cf /tmp/a.tgz -C /tmp f && tar tzf /tmp/a.tgz && tar -C /x -xf /tmp/a.tgz && cat /x/f')).out).toBe('f\nhi\n')
    expect((await run(inst, 'tar zcf - -C /tmp f > /tmp/b.tgz; tar tf /tmp/b.tgz')).out).toBe('f\n')
  })

  test('`z` on an archive that is not gzip fails as GNU tar does; plain `cf -` output stays text', async () => {
    const inst = await startBusybox('gzbad')
    await run(inst, 'echo hi > /tmp/f')
    expect(await run(inst, 'tar cf - -C /tmp f | tar xzf - -C /y')).toEqual({
      out: '',
      err: 'gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n',
      code: 2,
    })
    const plain = await exec(inst, ['tar', 'cf', '-', '-C', '/tmp', 'f'])
    expect(plain.bytes.length).toBe(0)
    expect(plain.text.length % 512).toBe(0)
  })
})
