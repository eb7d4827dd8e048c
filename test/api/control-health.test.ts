/** @module control-health.test: PUT /kubemock/v1/namespaces/NS/pods/NAME/health through app.inject — the answers, the Status errors, and its effect on a probe. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { describe, expect, test } from 'vitest'
import type { KubeObject } from '../../src/types.js'
import { useTestApp } from '../helpers/test-app.js'

describe('the health control', () => {
  const t = useTestApp()
  const put = (path: string, body: unknown) =>
    t.app.inject({
      method: 'PUT',
      url: `/kubemock/v1/namespaces/default/pods/${path}/health`,
      headers: { 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const pod = () => t.cluster.registry.resource('', 'pods').getStored('default', 'p')?.obj as (Pod & KubeObject) | undefined

  test('answers for the pod, defaulting to its first container, and fails its readiness probe until set healthy', async () => {
    await t.cluster.registry.resource('', 'pods').create('default', {
      metadata: { name: 'p' },
      spec: {
        nodeName: 'kubemock-worker',
        containers: [{ name: 'web', image: 'nginx:1.25.3', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1, failureThreshold: 1 } }],
      },
    } as KubeObject)
    const res = await put('p', { healthy: false })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ namespace: 'default', pod: 'p', container: 'web', healthy: false })
    await t.cluster.clock.advance(3000)
    expect(pod()!.status!.containerStatuses![0]).toMatchObject({ ready: false, state: { running: {} } })
    expect((await put('p', { container: 'web', healthy: true })).statusCode).toBe(200)
    await t.cluster.clock.advance(1500)
    expect(pod()!.status!.containerStatuses![0].ready).toBe(true)
  })

  test('refuses an unknown pod (404), an unknown container (400) and a bad body (422, 400)', async () => {
    const missing = await put('nope', { healthy: false })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found', code: 404 })
    const container = await put('p', { container: 'db', healthy: false })
    expect(container.statusCode).toBe(400)
    expect(container.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'container db is not valid for pod p' })
    const noField = await put('p', { container: 'web' })
    expect(noField.statusCode).toBe(422)
    expect(noField.json()).toMatchObject({ kind: 'Status', reason: 'Invalid' })
    expect(noField.json().message).toContain('healthy')
    const extra = await put('p', { healthy: false, extra: 1 })
    expect(extra.statusCode).toBe(422)
    const notJSON = await put('p', '{')
    expect(notJSON.statusCode).toBe(400)
    expect(notJSON.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' })
    // Nothing changed: the container is still ready.
    expect(pod()!.status!.containerStatuses![0].ready).toBe(true)
  })
})
