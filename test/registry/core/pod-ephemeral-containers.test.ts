/** @module pod-ephemeral-containers.test: pods/ephemeralcontainers through app.inject — what may change, upstream's validation texts, get/put/patch shapes. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { describe, expect, test } from 'vitest'
import type { KubeObject } from '../../../src/types.js'
import { useTestApp } from '../../helpers/test-app.js'

const t = useTestApp()
const base = '/api/v1/namespaces/default/pods'
const sub = (name: string) => `${base}/${name}/ephemeralcontainers`
const smp = { 'content-type': 'application/strategic-merge-patch+json' }

async function makePod(name: string): Promise<void> {
  await t.cluster.registry.resource('', 'pods').create('default', {
    metadata: { name },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], initContainers: [{ name: 'setup', image: 'busybox:1.36' }] },
  } as KubeObject)
}

async function addEphemeral(name: string, ec: Record<string, unknown>) {
  return t.app.inject({ method: 'PATCH', url: sub(name), headers: smp, payload: JSON.stringify({ spec: { ephemeralContainers: [ec] } }) })
}

describe('pods/ephemeralcontainers', () => {
  test('GET returns the Pod; a strategic-merge PATCH (kubectl debug) adds a defaulted container', async () => {
    await makePod('p1')
    const got = await t.app.inject({ method: 'GET', url: sub('p1') })
    expect(got.statusCode).toBe(200)
    expect(got.json().kind).toBe('Pod')
    const res = await addEphemeral('p1', { name: 'debugger-abcde', image: 'busybox', stdin: true, tty: true, targetContainerName: 'web' })
    expect(res.statusCode, res.body).toBe(200)
    const pod = res.json() as Pod
    expect(pod.kind).toBe('Pod')
    expect(pod.spec!.ephemeralContainers).toEqual([
      {
        name: 'debugger-abcde',
        image: 'busybox',
        stdin: true,
        tty: true,
        targetContainerName: 'web',
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ])
  })

  test('only spec.ephemeralContainers changes through the subresource', async () => {
    await makePod('p2')
    const res = await t.app.inject({
      method: 'PATCH',
      url: sub('p2'),
      headers: smp,
      payload: JSON.stringify({
        metadata: { labels: { sneaky: 'yes' } },
        spec: { activeDeadlineSeconds: 5, ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36' }] },
      }),
    })
    expect(res.statusCode, res.body).toBe(200)
    const pod = res.json() as Pod
    expect(pod.metadata!.labels).toBeUndefined()
    expect(pod.spec!.activeDeadlineSeconds).toBeUndefined()
    expect(pod.spec!.ephemeralContainers!.map((c) => c.name)).toEqual(['dbg'])
  })

  test('existing ephemeral containers may not be removed or changed (PUT)', async () => {
    await makePod('p3')
    const added = (await addEphemeral('p3', { name: 'dbg', image: 'busybox:1.36' })).json() as Pod
    // Unconditional updates (pods allow them): the scheduler may bind the pod meanwhile.
    delete (added.metadata as { resourceVersion?: string }).resourceVersion
    const removed = structuredClone(added)
    removed.spec!.ephemeralContainers = []
    const r1 = await t.app.inject({ method: 'PUT', url: sub('p3'), payload: removed as object })
    expect(r1.statusCode).toBe(422)
    expect(r1.json().message).toBe('Pod "p3" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n')
    const changed = structuredClone(added)
    changed.spec!.ephemeralContainers![0].image = 'busybox:1.37'
    const r2 = await t.app.inject({ method: 'PUT', url: sub('p3'), payload: changed as object })
    expect(r2.statusCode).toBe(422)
    expect(r2.json().message).toMatch(
      /^Pod "p3" is invalid: spec\.ephemeralContainers\[dbg\]: Forbidden: existing ephemeral containers "dbg" may not be changed\n/,
    )
  })

  test('validation: unknown target, duplicate names, forbidden fields', async () => {
    await makePod('p4')
    const target = await addEphemeral('p4', { name: 'dbg', image: 'busybox', targetContainerName: 'x' })
    expect(target.statusCode).toBe(422)
    expect(target.json().message).toBe('Pod "p4" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "x"')
    const dup = await addEphemeral('p4', { name: 'setup', image: 'busybox' })
    expect(dup.json().message).toBe('Pod "p4" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "setup"')
    const fields = await addEphemeral('p4', {
      name: 'dbg',
      image: 'busybox',
      ports: [{ containerPort: 80 }],
      resources: { limits: { cpu: '1' } },
      readinessProbe: { tcpSocket: { port: 80 } },
      lifecycle: { preStop: { exec: { command: ['true'] } } },
    })
    expect(fields.statusCode).toBe(422)
    expect(fields.json().message).toBe(
      'Pod "p4" is invalid: [spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container]',
    )
    const missing = await addEphemeral('nope', { name: 'dbg', image: 'busybox' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toBe('pods "nope" not found')
  })

  test('static (mirror) pods take no ephemeral containers', async () => {
    await t.cluster.registry.resource('', 'pods').create('default', {
      metadata: { name: 'static-web', annotations: { 'kubernetes.io/config.mirror': 'abc' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    } as KubeObject)
    const res = await addEphemeral('static-web', { name: 'dbg', image: 'busybox' })
    expect(res.statusCode).toBe(422)
    expect(res.json().message).toBe('Pod "static-web" is invalid: : Forbidden: static pods do not support ephemeral containers')
  })

  test('kubectl 1.20/1.21 PUT an EphemeralContainers object: the 1.32 decoder refuses it', async () => {
    await makePod('p7')
    const res = await t.app.inject({
      method: 'PUT',
      url: sub('p7'),
      payload: {
        apiVersion: 'v1',
        kind: 'EphemeralContainers',
        metadata: { name: 'p7', namespace: 'default' },
        ephemeralContainers: [{ name: 'd', image: 'busybox' }],
      },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({
      reason: 'BadRequest',
      message:
        'EphemeralContainers in version "v1" cannot be handled as a Pod: no kind "EphemeralContainers" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    })
  })

  test('a pod cannot be created with ephemeral containers, nor get them through a pod update', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: base,
      payload: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p5' },
        spec: { containers: [{ name: 'c', image: 'nginx' }], ephemeralContainers: [{ name: 'd', image: 'busybox' }] },
      },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().message).toBe('Pod "p5" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create')
    await makePod('p6')
    const upd = await t.app.inject({
      method: 'PATCH',
      url: `${base}/p6`,
      headers: smp,
      payload: JSON.stringify({ spec: { ephemeralContainers: [{ name: 'd', image: 'busybox' }] } }),
    })
    expect(upd.statusCode).toBe(422)
    expect(upd.json().message).toContain('Pod "p6" is invalid: spec: Forbidden: pod updates may not change fields other than')
  })
})
