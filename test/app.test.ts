/** @module app.test: what buildApp adds around the routes — here, answers that wait for a durable store. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { Cluster } from '../src/cluster.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function durableApp() {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-app-'))
  const cluster = await Cluster.open({ speed: 0, nodes: 1, dataDir: dir })
  const app = await buildApp({ cluster })
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cleanups.push(() => cluster.close())
  cleanups.push(() => app.close())
  // The controllers' boot work first: a write of theirs, queued during a request, would make that
  // request wait (or meet a commit a test breaks) for reasons of its own.
  await cluster.controllers.whenIdle()
  await cluster.store.durable()
  return { cluster, app }
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })

describe('answers over a durable store', () => {
  it('leave only after the writes made so far are committed', async () => {
    const { cluster, app } = await durableApp()
    const log: string[] = []
    // The journal's group commit, as the store's writes and the answers wait for it.
    const journal = (cluster.store as unknown as { journal: { durable(): Promise<void> | undefined } }).journal
    const durable = journal.durable.bind(journal)
    journal.durable = () => {
      const p = durable()
      return p?.then(() => {
        if (!log.includes('committed')) log.push('committed')
      })
    }
    const res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: configMap('a') })
    log.push('answered')
    expect(res.statusCode).toBe(201)
    expect(log).toEqual(['committed', 'answered'])
    // A read with nothing pending does not wait.
    log.length = 0
    expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/configmaps/a' })).statusCode).toBe(200)
    expect(log).toEqual([])
  })

  it('turn into 500 InternalError when the commit fails, and refuse writes after it while reads go on', async () => {
    const { cluster, app } = await durableApp()
    const journal = (cluster.store as unknown as { journal: { insert: { run: () => unknown } } }).journal
    journal.insert.run = () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })
    }
    const failed = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: configMap('b') })
    expect(failed.statusCode).toBe(500)
    expect(failed.json()).toMatchObject({
      kind: 'Status',
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: data directory: disk I/O error',
    })
    const refused = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: configMap('c') })
    expect(refused.statusCode).toBe(500)
    expect(refused.json().message).toBe('Internal error occurred: data directory: disk I/O error; restart kubemock to continue from what was saved')
    expect((await app.inject({ method: 'GET', url: '/api/v1/namespaces' })).statusCode).toBe(200)
  })
})
