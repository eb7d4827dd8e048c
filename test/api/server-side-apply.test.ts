/** @module server-side-apply.test: PATCH application/apply-patch+yaml and the field manager of every write, through the HTTP layer. */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/test-app.js'

const cmURL = '/api/v1/namespaces/default/configmaps'
const applyType = { 'content-type': 'application/apply-patch+yaml' }
const cm = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data })

describe('server-side apply over HTTP', () => {
  const t = useTestApp()
  const apply = (body: string, query: string) => t.app.inject({ method: 'PATCH', url: `${cmURL}/settings?${query}`, headers: applyType, payload: body })

  it('creates with 201, then merges with 200; a no-op apply keeps the resourceVersion', async () => {
    const created = await apply(cm({ a: '1' }), 'fieldManager=alice')
    expect(created.statusCode).toBe(201)
    expect(created.json().metadata.managedFields).toMatchObject([
      { manager: 'alice', operation: 'Apply', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ])
    const merged = await apply(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { b: '2' } }), 'fieldManager=bob')
    expect(merged.statusCode).toBe(200)
    expect(merged.json().data).toEqual({ a: '1', b: '2' })
    const again = await apply(cm({ a: '1' }), 'fieldManager=alice')
    expect(again.json().metadata.resourceVersion).toBe(merged.json().metadata.resourceVersion)
  })

  it("answers a conflict with 409 and upstream's Status; force takes the field", async () => {
    const r = await apply(cm({ a: 'changed' }), 'fieldManager=bob')
    expect(r.statusCode).toBe(409)
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "alice": .data.a',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.a' }] },
      code: 409,
    })
    const forced = await apply(cm({ a: 'changed' }), 'fieldManager=bob&force=true')
    expect(forced.statusCode).toBe(200)
    expect(forced.json().data.a).toBe('changed')
  })

  it('records other writes under fieldManager, else the User-Agent before its first slash', async () => {
    const put = await t.app.inject({ method: 'GET', url: `${cmURL}/settings` })
    const body = { ...put.json(), data: { ...put.json().data, c: '3' } }
    await t.app.inject({
      method: 'PUT',
      url: `${cmURL}/settings`,
      headers: { 'content-type': 'application/json', 'user-agent': 'my-operator/v0.1 (linux)' },
      payload: body,
    })
    const r = await t.app.inject({
      method: 'PATCH',
      url: `${cmURL}/settings?fieldManager=patcher`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: { data: { d: '4' } },
    })
    const byManager = Object.fromEntries(r.json().metadata.managedFields.map((e: { manager: string; fieldsV1: unknown }) => [e.manager, e.fieldsV1]))
    expect(byManager['my-operator']).toEqual({ 'f:data': { 'f:c': {} } })
    expect(byManager.patcher).toEqual({ 'f:data': { 'f:d': {} } })
  })

  it("refuses PatchOptions upstream's ValidatePatchOptions refuses", async () => {
    const forced = await t.app.inject({
      method: 'PATCH',
      url: `${cmURL}/settings?force=true`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: { data: { e: '5' } },
    })
    expect(forced.statusCode).toBe(422)
    expect(forced.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch')
    const unnamed = await apply(cm({ a: '1' }), '')
    expect(unnamed.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
    const long = await apply(cm({ a: '1' }), `fieldManager=${'x'.repeat(129)}`)
    expect(long.statusCode).toBe(422)
    expect(long.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes')
    const wrongKind = await apply(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'settings' } }), 'fieldManager=a')
    expect(wrongKind.statusCode).toBe(400)
    expect(wrongKind.json().message).toBe('invalid object type: /v1, Kind=Secret')
  })
})
