/** A kind served at two versions (autoscaling/v2 stored, v1 converted) through the HTTP layer. */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/test-app.js'

const t = useTestApp()
const base = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers'
const body = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
}

describe('served versions', () => {
  it('lists both versions in discovery, v2 preferred, with one storageVersionHash', async () => {
    const group = (await t.app.inject({ url: '/apis/autoscaling' })).json()
    expect(group.versions.map((v: { version: string }) => v.version)).toEqual(['v2', 'v1'])
    expect(group.preferredVersion.version).toBe('v2')
    const hash = async (v: string) => (await t.app.inject({ url: `/apis/autoscaling/${v}` })).json().resources[0].storageVersionHash
    expect(await hash('v1')).toBe(await hash('v2'))
    const index = (await t.app.inject({ url: '/openapi/v3' })).json()
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['apis/autoscaling/v1', 'apis/autoscaling/v2']))
  })

  it('creates at v1 and reads the same object at either version', async () => {
    const created = await t.app.inject({ method: 'POST', url: base, payload: body })
    expect(created.statusCode).toBe(201)
    expect(created.json().spec.targetCPUUtilizationPercentage).toBe(50)
    const v2 = (await t.app.inject({ url: '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web' })).json()
    expect(v2.apiVersion).toBe('autoscaling/v2')
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }])
    const list = (await t.app.inject({ url: base })).json()
    expect(list.apiVersion).toBe('autoscaling/v1')
    expect(list.items[0].spec.targetCPUUtilizationPercentage).toBe(50)
    const table = (await t.app.inject({ url: base, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json()
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/50%'])
  })

  it('rejects a v2 body at the v1 endpoint and unknown v1 fields', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: base, payload: { ...body, apiVersion: 'autoscaling/v2' } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().message).toBe('the API version in the data (autoscaling/v2) does not match the expected API version (autoscaling/v1)')
    const strict = await t.app.inject({
      method: 'POST',
      url: `${base}?fieldValidation=Strict`,
      payload: { ...body, metadata: { name: 'x' }, spec: { ...body.spec, metrics: [] } },
    })
    expect(strict.statusCode).toBe(400)
    expect(strict.json().message).toContain('unknown field "spec.metrics"')
  })
})
