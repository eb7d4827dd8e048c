/** @module images.test: the image catalogue — reference parsing, pulls, digests, process plans. */
import { describe, expect, test } from 'vitest'
import { ImageCatalogue, imageDigest, parseImageRef, planProcess } from '../../src/sim/images.js'

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
      error: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.17.23": failed to resolve reference "docker.io/library/nginx:1.17.23": docker.io/library/nginx:1.17.23: not found',
    })
  })

  test('unknown repositories pull; images and digests are stable', () => {
    const a = cat.pull('example.com/team/app:v7')
    expect(a).toMatchObject({ ok: true, image: 'example.com/team/app:v7', imageID: `example.com/team/app@${imageDigest('example.com/team/app', 'v7')}` })
    expect(new ImageCatalogue().describe('nginx:1.15.12').imageID).toBe(cat.describe('nginx:1.15.12').imageID)
    expect(cat.describe('nginx:1.15.12').imageID).not.toBe(cat.describe('nginx:1.16.0').imageID)
  })

  test('the tutorial, system and common images are known', () => {
    for (const ref of ['busybox', 'alpine:3.20', 'httpd:2.4', 'redis:7', 'sysnet4admin/echo-hname', 'registry.k8s.io/kube-proxy:v1.32.4', 'registry.k8s.io/coredns/coredns:v1.11.3', 'registry.k8s.io/pause:3.10']) {
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

describe('planProcess', () => {
  const opts = { commandRunMs: 2000 }
  const shell = { shell: true, defaultRun: { exitAfterMs: 0, exitCode: 0 } }
  test('servers run until stopped', () => expect(planProcess(undefined, {}, 'Always', opts)).toEqual({ exitCode: 0 }))
  test('a shell image without a command exits at once', () => expect(planProcess(shell, {}, 'Always', opts)).toEqual({ exitAfterMs: 0, exitCode: 0 }))
  test('a shell command ends after commandRunMs', () => expect(planProcess(shell, { command: ['sh', '-c', 'echo hi'] }, 'Never', opts)).toEqual({ exitAfterMs: 2000, exitCode: 0 }))
  test('sleep N runs N seconds and ignores SIGTERM', () => expect(planProcess(shell, { command: ['sleep', '30'] }, 'Always', opts)).toEqual({ exitAfterMs: 30_000, exitCode: 0, ignoresSigterm: true }))
  test('sleep infinity and loops run forever', () => {
    expect(planProcess(shell, { command: ['sleep', 'infinity'] }, 'Always', opts).exitAfterMs).toBeUndefined()
    expect(planProcess(shell, { command: ['sh', '-c', 'while true; do date; sleep 5; done'] }, 'Always', opts).exitAfterMs).toBeUndefined()
  })
  test('exit N ends with N', () => expect(planProcess(shell, { args: ['sh', '-c', 'exit 3'] }, 'OnFailure', opts)).toEqual({ exitAfterMs: 0, exitCode: 3 }))
  test('an unknown image with a command under Never is a Job: it ends', () => {
    expect(planProcess(undefined, { command: ['perl', '-e', 'print 1'] }, 'Never', opts)).toEqual({ exitAfterMs: 2000, exitCode: 0 })
    expect(planProcess(undefined, { command: ['/server'] }, 'Always', opts)).toEqual({ exitCode: 0 })
  })
})
