/** @module images.test: the image catalogue — reference parsing, pulls, digests, and the one nginx version table every answer reads. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { fsFor } from '../../src/sim/containers/fs.js'
import { processesFor } from '../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../src/sim/containers/runtime.js'
import { ImageCatalogue, imageDigest, nginxReleases, nginxReleaseTime, parseImageRef, versionFor } from '../../src/sim/images.js'
import { Shell } from '../../src/sim/shell/shell.js'
import type { KubeObject } from '../../src/types.js'

describe('parseImageRef', () => {
  test.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.15.12', 'docker.io/library/nginx:1.15.12'],
    ['sysnet4admin/echo-hname', 'docker.io/sysnet4admin/echo-hname:latest'],
    ['registry.k8s.io/coredns/coredns:v1.11.3', 'registry.k8s.io/coredns/coredns:v1.11.3'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
  ])('%s → %s', (ref, full) => expect(parseImageRef(ref).full).toBe(full))

  test('digests are kept', () => {
    const r = parseImageRef(`nginx@sha256:${'a'.repeat(64)}`)
    expect(r).toMatchObject({ repository: 'docker.io/library/nginx', digest: `sha256:${'a'.repeat(64)}` })
  })
})

describe('ImageCatalogue', () => {
  const cat = new ImageCatalogue()

  test('real nginx tags exist, made-up ones do not', () => {
    for (const t of ['1.14.2', '1.15.12', '1.16.0', '1.16.1', '1.17.10', 'latest', 'stable']) expect(cat.pull(`nginx:${t}`).ok).toBe(true)
    for (const t of ['1.17.23', '1.161', '1.16.2']) expect(cat.pull(`nginx:${t}`).ok).toBe(false)
  })

  test('the failure is containerd NotFound text', () => {
    expect(cat.pull('nginx:1.17.23')).toEqual({
      ok: false,
      error:
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.17.23": failed to resolve reference "docker.io/library/nginx:1.17.23": docker.io/library/nginx:1.17.23: not found',
    })
  })

  test('unknown repositories pull; images and digests are stable', () => {
    const a = cat.pull('example.com/team/app:v7')
    expect(a).toMatchObject({ ok: true, image: 'example.com/team/app:v7', imageID: `example.com/team/app@${imageDigest('example.com/team/app', 'v7')}` })
    expect(new ImageCatalogue().describe('nginx:1.15.12').imageID).toBe(cat.describe('nginx:1.15.12').imageID)
    expect(cat.describe('nginx:1.15.12').imageID).not.toBe(cat.describe('nginx:1.16.0').imageID)
  })

  test('the tutorial, system and common images are known', () => {
    for (const ref of [
      'busybox',
      'alpine:3.20',
      'httpd:2.4',
      'redis:7',
      'sysnet4admin/echo-hname',
      'registry.k8s.io/kube-proxy:v1.32.4',
      'registry.k8s.io/coredns/coredns:v1.11.3',
      'registry.k8s.io/pause:3.10',
    ]) {
      expect(cat.pull(ref).ok, ref).toBe(true)
    }
  })

  test('entries can be added and overridden', () => {
    const c = new ImageCatalogue()
    expect(c.pull('nginx:9.9.9').ok).toBe(false)
    c.addTags('nginx', { '9.9.9': 123 })
    expect(c.pull('nginx:9.9.9')).toMatchObject({ ok: true, sizeBytes: 123 })
    c.set({ repository: 'myorg/app', tags: { v1: 10 } })
    expect(c.pull('myorg/app:v2').ok).toBe(false)
    expect(c.repository('docker.io/myorg/app:v1')?.tags).toEqual({ v1: 10 })
  })
})

describe('one version table for every nginx answer', () => {
  let cluster: Cluster
  beforeEach(async () => {
    cluster = await Cluster.open({ speed: 0 })
  })
  afterEach(() => cluster.close())

  async function running(name: string, image: string): Promise<ContainerInstance> {
    await cluster.registry
      .resource('', 'pods')
      .create('default', { metadata: { name }, spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image }] } } as KubeObject)
    for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
    return runtimeFor(cluster.registry).current('default', name)!
  }

  async function sh(inst: ContainerInstance, line: string): Promise<string> {
    const shell = new Shell({
      registry: cluster.registry,
      inst,
      fs: fsFor(cluster.registry, inst),
      procs: processesFor(cluster.registry, inst),
      flavour: 'bash',
    })
    let out = ''
    await shell.run(line, { out: { write: (s) => (out += s) }, err: { write: (s) => (out += s) } })
    return out
  }

  test.each([
    ['nginx:1.13', '1.13.12'],
    ['nginx:1.15.12', '1.15.12'],
    ['nginx:1.15', '1.15.12'],
    ['nginx:1.21-alpine', '1.21.6'],
    ['nginx:stable', '1.28.0'],
    ['nginx:latest', '1.29.1'],
    ['nginx', '1.29.1'],
    ['sysnet4admin/echo-hname', '1.18.0'],
  ])('%s: nginx -v, NGINX_VERSION, the Server header, the error page and the startup log all say %s', async (image, version) => {
    expect(versionFor(image)).toBe(version)
    const inst = await running('v', image)
    expect(await sh(inst, 'nginx -v')).toBe(`nginx version: nginx/${version}\n`)
    expect(await sh(inst, 'echo $NGINX_VERSION')).toBe(`${version}\n`)
    const logs = runtimeFor(cluster.registry)
      .logs(inst.containerID)
      .lines.map((l) => l.text)
    // Images from 1.19 on log their version at start; older ones are silent.
    if (Number(version.split('.')[1]) >= 19)
      expect(logs).toContainEqual(expect.stringMatching(new RegExp(`\\[notice\\] 1#1: nginx/${version.replace(/\./g, '\\.')}$`)))
    else expect(logs).toEqual([])
    const head = await sh(inst, 'curl -sI http://localhost/')
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\\r\\nServer: nginx/${version.replace(/\./g, '\\.')}\\r\\n`))
    if (!image.includes('echo')) expect(await sh(inst, 'curl -s http://localhost/nope')).toContain(`<hr><center>nginx/${version}</center>`)
  })

  test('the minor tags and the releases come from the same table', () => {
    const cat = new ImageCatalogue()
    for (const v of nginxReleases) expect(cat.pull(`nginx:${v}`).ok).toBe(true)
    expect(cat.pull('nginx:1.13').ok).toBe(true)
    expect(cat.pull('nginx:1.13.13').ok).toBe(false)
    expect(new Date(nginxReleaseTime('1.15.12')).toISOString()).toBe('2019-04-16T13:08:19.000Z')
  })
})
