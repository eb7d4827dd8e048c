/** @module cli.test: the CLI contract the harness, Docker image and benchmark rely on. */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

describe('kubemock CLI', () => {
  let km: Kubemock | undefined
  afterEach(async () => {
    await km?.stop()
    km = undefined
  })

  it('prints the listening line with a real port and writes a kubeconfig with context kubemock', async () => {
    km = await startKubemock()
    expect(km.url).toBe(`http://127.0.0.1:${km.port}`)
    expect(km.port).toBeGreaterThan(0)
    const cfg = parseYaml(readFileSync(km.kubeconfigPath, 'utf8'))
    expect(cfg['current-context']).toBe('kubemock')
    const ctx = cfg.contexts.find((c: { name: string }) => c.name === 'kubemock')
    const cluster = cfg.clusters.find((c: { name: string }) => c.name === ctx.context.cluster)
    expect(cluster.cluster.server).toBe(km.url)
    const r = await km.kubectl(['config', 'current-context'])
    expect(r).toMatchObject({ code: 0, stdout: 'kubemock\n' })
  })

  it('reports minor 32 by default and the --kube-version minor otherwise', async () => {
    km = await startKubemock()
    const v = (await (await fetch(`${km.url}/version`)).json()) as { major: string; minor: string; gitVersion: string }
    expect(v).toMatchObject({ major: '1', minor: '32' })
    expect(v.gitVersion).toMatch(/^v1\.32\.\d+$/)
    await km.stop()
    km = await startKubemock({ kubeVersion: '1.30' })
    const v30 = (await (await fetch(`${km.url}/version`)).json()) as { minor: string; gitVersion: string }
    expect(v30.minor).toBe('30')
    expect(v30.gitVersion).toMatch(/^v1\.30\.\d+$/)
  })

  it('exits 0 on SIGTERM', async () => {
    km = await startKubemock()
    expect(await km.stop()).toBe(0)
  })

  it('exits 0 on SIGINT', async () => {
    km = await startKubemock()
    process.kill(km.pid, 'SIGINT')
    expect(await km.stop()).toBe(0)
  })
})
