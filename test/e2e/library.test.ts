/** @module library.test: the in-process library API — isolated clusters, control helpers through client-node, clean close. */
import { existsSync } from 'node:fs'
import { ApiException, CoreV1Api } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { StatusError, start } from '../../src/index.js'
import { makeKubeConfig } from '../helpers/kube-config.js'

/** Counts of the handle kinds a leaked server, socket or timer shows up as. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const h of process.getActiveResourcesInfo()) if (/TCP|Timeout|Immediate|Pipe/.test(h)) out[h] = (out[h] ?? 0) + 1
  return out
}

/** Handles close asynchronously after close(); wait (bounded) until none above the baseline remain. */
async function settledHandles(baseline: Record<string, number>): Promise<Record<string, number>> {
  const extra = () => Object.fromEntries(Object.entries(handles()).filter(([k, n]) => n > (baseline[k] ?? 0)))
  for (let i = 0; i < 200 && Object.keys(extra()).length; i++) await new Promise((r) => setImmediate(r))
  return extra()
}

describe('library API', () => {
  it('two clusters in one process are isolated, and close() leaves no handles behind', async () => {
    const baseline = handles()
    const a = await start({ speed: 0, kubeconfigPath: true })
    const b = await start({ speed: 0, nodes: 1 })
    expect(a.url).not.toBe(b.url)
    expect(existsSync(a.kubeconfigPath!)).toBe(true)
    const coreA = makeKubeConfig(a.url).makeApiClient(CoreV1Api)
    const coreB = makeKubeConfig(b.url).makeApiClient(CoreV1Api)
    await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'only-in-a' } } })
    expect((await coreA.listNamespacedConfigMap({ namespace: 'default' })).items.map((c) => c.metadata?.name)).toContain('only-in-a')
    expect((await coreB.listNamespacedConfigMap({ namespace: 'default' })).items.map((c) => c.metadata?.name)).not.toContain('only-in-a')
    expect((await coreB.listNode()).items).toHaveLength(2)

    a.faults.add({ verb: 'list', resource: 'pods', status: 500, count: 1 })
    const err = await coreA.listNamespacedPod({ namespace: 'default' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiException)
    expect((err as ApiException<string>).code).toBe(500)
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({ reason: 'InternalError' })
    await coreB.listNamespacedPod({ namespace: 'default' })
    expect(a.requests({ verb: 'list', resource: 'pods' }).map((r) => r.status)).toEqual([500])
    expect(b.requests({ verb: 'list', resource: 'pods' }).map((r) => r.status)).toEqual([200])

    const t0 = a.clock.now()
    await a.advance(90)
    expect(a.clock.now() - t0).toBe(90_000)
    expect(b.clock.now()).toBeLessThan(a.clock.now())

    const path = a.kubeconfigPath!
    await a.close()
    await b.close()
    expect(existsSync(path)).toBe(false)
    expect(await settledHandles(baseline)).toEqual({})
  })

  it('snapshot, restore and reset through the helpers', async () => {
    const c = await start({ speed: 0, scenario: { nodes: [{ name: 'solo', controlPlane: true }] } })
    try {
      const core = makeKubeConfig(c.url).makeApiClient(CoreV1Api)
      expect((await core.listNode()).items.map((n) => n.metadata?.name)).toEqual(['solo'])
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'x' }, data: { k: 'v' } } })
      const snap = c.snapshot()
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'x' })
      expect(await c.restore(snap)).toMatchObject({ ConfigMap: expect.any(Number) })
      expect((await core.readNamespacedConfigMap({ namespace: 'default', name: 'x' })).data).toEqual({ k: 'v' })
      await c.reset()
      const gone = await core.readNamespacedConfigMap({ namespace: 'default', name: 'x' }).catch((e: unknown) => e)
      expect((gone as ApiException<string>).code).toBe(404)
      await expect(c.restore('items: [{kind: Widget}]')).rejects.toThrow(/ObjectList is invalid/)
      expect(() => c.faults.add({ status: 500, latencyMs: 1 })).toThrow(
        'FaultSpec is invalid: latencyMs: Invalid value: 1: only one effect per fault (also given: status)',
      )
      expect(() => c.failNode('nope')).toThrow('nodes "nope" not found')
    } finally {
      await c.close()
    }
  })

  it('restore past the storage quota throws the Invalid Status PUT /kubemock/v1/snapshot answers, and changes nothing', async () => {
    const c = await start({ speed: 0, storageQuotaBytes: 2_000_000 })
    try {
      const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default' }, data: { v: 'x'.repeat(1_000_000) } }
      const twice = [big, { ...big, metadata: { ...big.metadata, name: 'big2' } }, { ...big, metadata: { ...big.metadata, name: 'big3' } }]
      let err: unknown
      try {
        await c.restore(twice)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(StatusError)
      expect((err as StatusError).status).toMatchObject({
        code: 422,
        reason: 'Invalid',
        message: expect.stringMatching(
          /^ObjectList is invalid: items: Too long: \d+ bytes serialized; the storage quota is 2000000 \(etcdserver: mvcc: database space exceeded\)$/,
        ),
      })
      expect(c.snapshot().items.some((o) => o.metadata?.name === 'big')).toBe(false)
      expect(c.snapshot().items.some((o) => o.kind === 'Namespace' && o.metadata?.name === 'kube-system')).toBe(true)
    } finally {
      await c.close()
    }
  })
})
