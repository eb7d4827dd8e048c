/** @module multi-cluster.test: `--clusters N` serves N isolated clusters from one process, with real kubectl on manual clocks. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { repoRoot } from '../helpers/kubectl-path.js'
import { runProcess } from '../helpers/run-process.js'

/** Whether `port` on loopback can be bound right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** A port P such that P and P+1 are both free (a free port from the OS, checked with its neighbour). */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const p = await new Promise<number>((resolve) => {
      const s = createServer()
      s.listen(0, '127.0.0.1', () => {
        const a = s.address()
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
      })
    })
    if (p < 65535 && (await portFree(p + 1))) return p
  }
}

/** The URLs the CLI printed, by cluster name. */
function listening(km: Kubemock): Record<string, string> {
  return Object.fromEntries([...km.logs().matchAll(/^(kubemock-\d+) listening on (\S+)$/gm)].map((m) => [m[1], m[2]]))
}

describe('kubemock --clusters', () => {
  let km: Kubemock | undefined
  afterEach(async () => {
    await km?.stop()
    km = undefined
  })

  it('serves two isolated clusters with a context each: a pod created in one is not in the other, and each has its own clock', async () => {
    km = await startKubemock({ args: ['--clusters', '2', '--speed', '0'] })
    const urls = listening(km)
    expect(Object.keys(urls)).toEqual(['kubemock-1', 'kubemock-2'])
    expect(urls['kubemock-1']).toBe(km.url)
    expect(urls['kubemock-2']).not.toBe(urls['kubemock-1'])

    const cfg = parseYaml(readFileSync(km.kubeconfigPath, 'utf8'))
    expect(cfg['current-context']).toBe('kubemock-1')
    expect(cfg.clusters.map((c: { name: string; cluster: { server: string } }) => [c.name, c.cluster.server])).toEqual([
      ['kubemock-1', urls['kubemock-1']],
      ['kubemock-2', urls['kubemock-2']],
    ])
    const contexts = await km.kubectl(['config', 'get-contexts', '-o', 'name'])
    expect(contexts).toMatchObject({ code: 0, stdout: 'kubemock-1\nkubemock-2\n' })

    const run = await km.kubectl(['run', 'only-here', '--image', 'nginx:1.27'])
    expect(run).toMatchObject({ code: 0, stdout: 'pod/only-here created\n' })
    expect((await km.kubectl(['get', 'pods', '-o', 'name'])).stdout).toBe('pod/only-here\n')
    const other = await km.kubectl(['--context', 'kubemock-2', 'get', 'pods'])
    expect(other).toMatchObject({ code: 0, stdout: '' })
    expect(other.stderr).toBe('No resources found in default namespace.\n')
    const missing = await km.kubectl(['--context', 'kubemock-2', 'get', 'pod', 'only-here'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe('Error from server (NotFound): pods "only-here" not found\n')
    // Same names, separate objects: each cluster seeded its own nodes with their own uids.
    const uids = async (ctx: string) => (await km!.kubectl(['--context', ctx, 'get', 'nodes', '-o', 'jsonpath={.items[*].metadata.uid}'])).stdout
    expect(await uids('kubemock-1')).not.toBe(await uids('kubemock-2'))

    // An hour on the first cluster's clock only.
    const clock = async (url: string) => (await (await fetch(`${url}/kubemock/v1/clock`)).json()) as { epochMillis: number; mode: string }
    const before = [await clock(urls['kubemock-1']), await clock(urls['kubemock-2'])]
    expect(before.map((c) => c.mode)).toEqual(['manual', 'manual'])
    const adv = await fetch(`${urls['kubemock-1']}/kubemock/v1/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ seconds: 3600 }),
      headers: { 'content-type': 'application/json' },
    })
    expect(adv.status).toBe(200)
    expect((await clock(urls['kubemock-1'])).epochMillis - before[0].epochMillis).toBe(3_600_000)
    expect((await clock(urls['kubemock-2'])).epochMillis).toBe(before[1].epochMillis)
    const age = async (ctx: string) => (await km!.kubectl(['--context', ctx, 'get', 'node', 'kubemock-worker', '--no-headers'])).stdout.trim().split(/\s+/)[3]
    expect(await age('kubemock-1')).toBe('60m')
    expect(await age('kubemock-2')).toMatch(/^\d+s$/)
    expect((await km.kubectl(['--context', 'kubemock-2', 'get', 'pods', '-A', '-o', 'name'])).stdout).not.toContain('only-here')
  })

  it('keeps a change to a bootstrap ClusterRole (whose rules the clusters share, frozen) in its own cluster', async () => {
    km = await startKubemock({ args: ['--clusters', '2', '--speed', '0'] })
    const label = await km.kubectl(['label', 'clusterrole', 'system:discovery', 'mine=yes'])
    expect(label).toMatchObject({ code: 0, stdout: 'clusterrole.rbac.authorization.k8s.io/system:discovery labeled\n' })
    const rule = '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]}}]'
    const patch = await km.kubectl(['patch', 'clusterrole', 'system:discovery', '--type', 'json', '-p', rule])
    expect(patch).toMatchObject({ code: 0, stdout: 'clusterrole.rbac.authorization.k8s.io/system:discovery patched\n' })
    const get = async (ctx: string, path: string) =>
      (await km!.kubectl(['--context', ctx, 'get', 'clusterrole', 'system:discovery', '-o', `jsonpath=${path}`])).stdout
    expect(await get('kubemock-1', '{.metadata.labels.mine}')).toBe('yes')
    expect(await get('kubemock-1', '{.rules[*].resources}')).toContain('["configmaps"]')
    expect(await get('kubemock-2', '{.metadata.labels.mine}')).toBe('')
    expect(await get('kubemock-2', '{.rules[*].resources}')).not.toContain('configmaps')
    expect(await get('kubemock-2', '{.rules[*].nonResourceURLs}')).toBe(await get('kubemock-1', '{.rules[0].nonResourceURLs}'))
  })

  it('listens on consecutive ports from --port, prints each, and stops every cluster on SIGTERM', async () => {
    const base = await twoFreePorts()
    km = await startKubemock({ args: ['--clusters', '2', '--port', String(base), '--speed', '0'] })
    expect(listening(km)).toEqual({ 'kubemock-1': `http://127.0.0.1:${base}`, 'kubemock-2': `http://127.0.0.1:${base + 1}` })
    const second = await km.kubectl(['--context', 'kubemock-2', 'get', 'nodes', '-o', 'name'])
    expect(second.stdout.split('\n').filter(Boolean)).toHaveLength(4)
    expect(await km.stop()).toBe(0)
    expect(km.logs()).toContain('kubeconfig written to')
    expect(km.logs()).toContain('  kubectl --context kubemock-2 get nodes   talks to the second cluster\n')
    expect(await portFree(base)).toBe(true)
    expect(await portFree(base + 1)).toBe(true)
  })

  it('serves one cluster per entry of a scenario listing clusters, each with its own nodes and objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-fleet-'))
    try {
      const file = join(dir, 'fleet.yaml')
      writeFileSync(
        file,
        `apiVersion: kubemock.dev/v1alpha1
kind: Scenario
objects:
- { apiVersion: v1, kind: ConfigMap, metadata: { name: everywhere, namespace: default } }
clusters:
- nodes: [{ name: east-cp, controlPlane: true }, { name: east-1 }]
- nodes: [{ name: west-1 }]
  objects:
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: west-only, namespace: default } }
`,
      )
      km = await startKubemock({ args: ['--scenario', file, '--speed', '0'] })
      expect(Object.keys(listening(km))).toEqual(['kubemock-1', 'kubemock-2'])
      const names = async (ctx: string, what: string) => (await km!.kubectl(['--context', ctx, 'get', what, '-o', 'name'])).stdout
      expect(await names('kubemock-1', 'nodes')).toBe('node/east-1\nnode/east-cp\n')
      expect(await names('kubemock-2', 'nodes')).toBe('node/west-1\n')
      expect(await names('kubemock-1', 'configmaps')).not.toContain('west-only')
      expect(await names('kubemock-1', 'configmaps')).toContain('configmap/everywhere\n')
      expect(await names('kubemock-2', 'configmaps')).toContain('configmap/everywhere\nconfigmap/kube-root-ca.crt\nconfigmap/west-only\n')
      const mismatch = await runProcess(process.execPath, [join(repoRoot, 'bin', 'kubemock.js'), '--port', '0', '--scenario', file, '--clusters', '3'], {
        timeoutMs: 20_000,
      })
      expect(mismatch.code).toBe(1)
      expect(mismatch.stderr).toBe(`--clusters 3 does not match scenario ${file}, which lists 2 clusters\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
