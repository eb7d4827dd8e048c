/** @module logs.test: pods/log through app.inject on a manual-clock cluster — container choice and kubelet errors, tail/since/timestamps/limitBytes, previous after a restart, follow until the container ends. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { formatLogLine, logContainerID, parsePodLogOptions, rfc3339Nano, selectLogLines } from '../../src/api/logs.js'
import { runtimeFor } from '../../src/sim/containers/runtime.js'
import type { KubeObject } from '../../src/types.js'
import { advanceUntil } from '../helpers/advance-until.js'

let cluster: Cluster
let app: FastifyInstance
const pods = () => cluster.registry.resource('', 'pods')
const pod = (name: string) => pods().getStored('default', name)?.obj as (Pod & KubeObject) | undefined
const base = '/api/v1/namespaces/default/pods'

const until = (cond: () => boolean, maxMs = 5000) => advanceUntil(cluster.clock, cond, maxMs)

async function runningPod(name: string, containers: { name: string; image: string }[] = [{ name: 'nginx', image: 'nginx:1.15.12' }]) {
  await pods().create('default', { metadata: { name }, spec: { nodeName: 'kubemock-worker', containers } } as KubeObject)
  await until(
    () => pod(name)?.status?.containerStatuses?.every((c) => c.state?.running) === true && pod(name)!.status!.containerStatuses!.length === containers.length,
  )
}

const status = (body: string) => JSON.parse(body) as { code: number; reason: string; message: string }

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
})
afterEach(async () => {
  await app.close()
  cluster.close()
})

describe('pods/log', () => {
  test('returns what the container wrote as text/plain, access lines included', async () => {
    await runningPod('web')
    const rt = runtimeFor(cluster.registry)
    const inst = rt.current('default', 'web')!
    rt.logs(inst.containerID).append('hello from the test')
    const res = await app.inject({ url: `${base}/web/log?container=nginx` })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/plain')
    expect(res.body).toBe(
      rt
        .logs(inst.containerID)
        .lines.map((l) => `${l.text}\n`)
        .join(''),
    )
    expect(res.body.endsWith('hello from the test\n')).toBe(true)
  })

  test('container choice: the only one by default; several need a name (init containers listed too); unknown is 400', async () => {
    await pods().create('default', {
      metadata: { name: 'two' },
      spec: {
        nodeName: 'kubemock-worker',
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'a', image: 'nginx' },
          { name: 'b', image: 'redis' },
        ],
      },
    } as KubeObject)
    let res = await app.inject({ url: `${base}/two/log` })
    expect(res.statusCode).toBe(400)
    expect(status(res.body)).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod two, choose one of: [init a b]' })
    res = await app.inject({ url: `${base}/two/log?container=zz` })
    expect(status(res.body).message).toBe('container zz is not valid for pod two')
    res = await app.inject({ url: `${base}/missing/log` })
    expect(res.statusCode).toBe(404)
    expect(status(res.body).message).toBe('pods "missing" not found')
  })

  test('kubelet errors: waiting to start, previous not found; a pod without a node answers an empty body', async () => {
    await pods().create('default', {
      metadata: { name: 'bad' },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.17.23' }] },
    } as KubeObject)
    await until(() => pod('bad')?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull')
    let res = await app.inject({ url: `${base}/bad/log?container=nginx` })
    expect(status(res.body).message).toBe('container "nginx" in pod "bad" is waiting to start: image can\'t be pulled')
    await runningPod('web')
    res = await app.inject({ url: `${base}/web/log?previous=true` })
    expect(res.statusCode).toBe(400)
    expect(status(res.body).message).toBe('previous terminated container "nginx" in pod "web" not found')
    await pods().create('default', {
      metadata: { name: 'unscheduled' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], nodeSelector: { none: 'x' } },
    } as KubeObject)
    res = await app.inject({ url: `${base}/unscheduled/log` })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
  })

  test('tailLines, timestamps and limitBytes; invalid values are a PodLogOptions Invalid', async () => {
    await runningPod('web')
    const rt = runtimeFor(cluster.registry)
    const logs = rt.logs(rt.current('default', 'web')!.containerID)
    logs.append('line-1', 'stdout', Date.parse('2026-11-27T23:12:01.5Z'))
    logs.append('line-2', 'stderr', Date.parse('2026-11-27T23:12:02Z'))
    let res = await app.inject({ url: `${base}/web/log?tailLines=2&timestamps=true` })
    expect(res.body).toBe('2026-11-27T23:12:01.5Z line-1\n2026-11-27T23:12:02Z line-2\n')
    res = await app.inject({ url: `${base}/web/log?tailLines=1&limitBytes=3` })
    expect(res.body).toBe('lin')
    res = await app.inject({ url: `${base}/web/log?tailLines=-1` })
    expect(res.statusCode).toBe(422)
    expect(status(res.body).message).toBe('PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0')
    res = await app.inject({ url: `${base}/web/log?sinceSeconds=5&sinceTime=2026-11-27T23:12:01Z` })
    expect(status(res.body).message).toBe('PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified')
  })

  test('previous reads the instance before the restart; the current one starts with fresh logs', async () => {
    await runningPod('web')
    const rt = runtimeFor(cluster.registry)
    const first = rt.current('default', 'web')!
    rt.logs(first.containerID).append('from the first run')
    cluster.sim.exitContainer!('default', 'web', 'nginx', 0, 'Completed')
    await until(() => (pod('web')?.status?.containerStatuses?.[0]?.restartCount ?? 0) === 1 && !!pod('web')?.status?.containerStatuses?.[0]?.state?.running)
    const prev = await app.inject({ url: `${base}/web/log?container=nginx&previous=true` })
    expect(prev.statusCode).toBe(200)
    expect(prev.body).toContain('from the first run')
    const cur = await app.inject({ url: `${base}/web/log?container=nginx` })
    expect(cur.body).not.toContain('from the first run')
  })

  test('follow streams new lines and ends when the container exits', async () => {
    await runningPod('web')
    await app.listen({ port: 0, host: '127.0.0.1' })
    const addr = app.server.address() as { port: number }
    const res = await fetch(`http://127.0.0.1:${addr.port}${base}/web/log?follow=true&tailLines=0`)
    expect(res.headers.get('content-type')).toBe('text/plain')
    const reader = res.body!.getReader()
    const rt = runtimeFor(cluster.registry)
    const inst = rt.current('default', 'web')!
    rt.logs(inst.containerID).append('streamed line')
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('streamed line\n')
    rt.markExited(inst.containerID, 0)
    let done = false
    while (!done) done = (await reader.read()).done
    expect(done).toBe(true)
  })
})

describe('helpers', () => {
  test('RFC3339Nano trims trailing zeros like Go', () => {
    expect(rfc3339Nano(Date.parse('2026-11-27T23:12:01Z'))).toBe('2026-11-27T23:12:01Z')
    expect(rfc3339Nano(Date.parse('2026-11-27T23:12:01.120Z'))).toBe('2026-11-27T23:12:01.12Z')
    expect(formatLogLine({ ts: 0, stream: 'stdout', text: 'x' }, false)).toBe('x\n')
  })

  test('which instance the kubelet reads: running, terminated, last state in a crash loop; waiting texts', () => {
    const p = (statuses: unknown[], nodeName = 'n') =>
      ({ metadata: { name: 'p' }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }] }, status: { containerStatuses: statuses } }) as Pod
    expect(logContainerID(p([{ name: 'c', containerID: 'id1', state: { running: {} } }]), 'c', false)).toBe('id1')
    expect(
      logContainerID(p([{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { containerID: 'old' } } }]), 'c', false),
    ).toBe('old')
    expect(() => logContainerID(p([{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff' } } }]), 'c', false)).toThrow(
      'container "c" in pod "p" is waiting to start: trying and failing to pull image',
    )
    expect(() => logContainerID(p([]), 'c', false)).toThrow('container "c" in pod "p" is waiting to start: ContainerCreating')
    expect(() => logContainerID(p([{ name: 'c', state: { terminated: {} } }]), 'c', false)).toThrow('container "c" in pod "p" is terminated')
  })

  test('since filters before tail', () => {
    const lines = [1, 2, 3, 4].map((s) => ({ ts: s * 1000, stream: 'stdout' as const, text: String(s) }))
    expect(selectLogLines(lines, parsePodLogOptions({ sinceSeconds: '2' }, 'p'), 4000).map((l) => l.text)).toEqual(['2', '3', '4'])
    expect(selectLogLines(lines, parsePodLogOptions({ sinceSeconds: '2', tailLines: '1' }, 'p'), 4000).map((l) => l.text)).toEqual(['4'])
    expect(selectLogLines(lines, parsePodLogOptions({ sinceTime: '1970-01-01T00:00:03Z' }, 'p'), 4000).map((l) => l.text)).toEqual(['3', '4'])
  })
})
