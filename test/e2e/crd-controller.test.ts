/** @module crd-controller.test: the README's client-node CronTab controller against a spawned kubemock. */
import { readFileSync } from 'node:fs'
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeKubeConfig, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { ok, until } from '../helpers/expect-kubectl.js'
import { startCronTabController, type CronTab } from './crontab-controller.js'

const crdYAML = readFileSync(new URL('../fixtures/crds/crontab-crd.yaml', import.meta.url), 'utf8')

describe('a client-node controller on a CRD', () => {
  let km: Kubemock
  let kc: KubeConfig
  let stop: (() => Promise<void>) | undefined

  beforeAll(async () => {
    km = await startKubemock({})
    kc = makeKubeConfig(km.url)
    ok(await km.kubectl(['apply', '-f', '-'], { input: crdYAML }))
    ok(await km.kubectl(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=15s']))
  })
  afterAll(async () => {
    await stop?.()
    await km?.stop()
  })

  it('writes status for every CronTab, and again when its spec changes', async () => {
    stop = await startCronTabController(kc, 'default')
    const api = kc.makeApiClient(CustomObjectsApi)
    const target = { group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs' }
    await api.createNamespacedCustomObject({
      ...target,
      body: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'ctl' }, spec: { cronSpec: '@daily', image: 'x', replicas: 3 } },
    })
    const get = async () => (await api.getNamespacedCustomObject({ ...target, name: 'ctl' })) as CronTab
    await until(async () => (await get()).status?.replicas === 3)
    expect((await get()).status).toEqual({ replicas: 3, phase: 'Ready' })
    ok(await km.kubectl(['scale', 'crontab', 'ctl', '--replicas=4']))
    await until(async () => (await get()).status?.replicas === 4)
    const table = ok(await km.kubectl(['get', 'crontab', 'ctl']))
    expect(table).toMatch(/ctl\s+@daily\s+4\s+Ready/)
  })
})
