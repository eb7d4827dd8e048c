/** @module data-dir.test: `--data-dir` through real processes: kill -9 mid-burst, restart, kubectl and watches continue. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/kubectl-path.js'
import { type Kubemock, startKubemock } from '../helpers/kubemock-process.js'

const dataDir = mkdtempSync(join(tmpdir(), 'kubemock-data-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const start = (...args: string[]) => startKubemock({ args: ['--data-dir', dataDir, '--log-level', 'warn', ...args] })

/** kill -9 and wait until the process is gone. */
async function kill9(k: Kubemock): Promise<void> {
  process.kill(k.pid, 'SIGKILL')
  await k.stop()
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } })

describe('--data-dir', () => {
  it('keeps every acknowledged write through kill -9 in the middle of a write burst; the restarted cluster continues', async () => {
    const first = await start()
    let acknowledged: { name: string; rv: number }[] = []
    try {
      expect((await first.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'])).code).toBe(0)
      // 16 writers creating ConfigMaps as fast as the server answers; killed once 200 were acknowledged.
      let next = 0
      let killed = false
      const writer = async () => {
        while (!killed) {
          const name = `burst-${next++}`
          try {
            const r = await fetch(`${first.url}/api/v1/namespaces/default/configmaps`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(configMap(name)),
            })
            if (r.status !== 201) throw new Error(`POST ${name}: ${r.status} ${await r.text()}`)
            const created = (await r.json()) as { metadata: { resourceVersion: string } }
            acknowledged.push({ name, rv: Number(created.metadata.resourceVersion) })
            if (acknowledged.length >= 200 && !killed) {
              killed = true
              process.kill(first.pid, 'SIGKILL')
            }
          } catch (err) {
            // Requests in flight when the process died fail: they were never acknowledged.
            if (!killed) throw err
          }
        }
      }
      await Promise.all(Array.from({ length: 16 }, writer))
      await first.stop()
    } finally {
      await first.stop()
    }
    acknowledged = acknowledged.sort((a, b) => a.rv - b.rv)
    expect(acknowledged.length).toBeGreaterThanOrEqual(200)

    const second = await start()
    try {
      const list = (await (await fetch(`${second.url}/api/v1/namespaces/default/configmaps`)).json()) as {
        metadata: { resourceVersion: string }
        items: { metadata: { name: string; resourceVersion: string } }[]
      }
      const present = new Map(list.items.map((i) => [i.metadata.name, Number(i.metadata.resourceVersion)]))
      const missing = acknowledged.filter((a) => present.get(a.name) !== a.rv)
      expect(missing, 'acknowledged writes missing (or at another resourceVersion) after kill -9').toEqual([])
      // resourceVersions keep increasing across the restart.
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(acknowledged.at(-1)!.rv)
      const made = await second.kubectl(['create', 'configmap', 'after-restart', '-o', 'jsonpath={.metadata.resourceVersion}'])
      expect(Number(made.stdout)).toBeGreaterThan(Number(list.metadata.resourceVersion))

      // A watch resumed from before the restart gets the events after it, from the journal's history.
      const from = acknowledged[100].rv
      const ac = new AbortController()
      const res = await fetch(`${second.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}`, { signal: ac.signal })
      expect(res.status).toBe(200)
      const reader = res.body!.getReader()
      let text = ''
      const wantLast = acknowledged.at(-1)!.name
      while (!text.includes(`"name":"${wantLast}"`)) {
        const { value, done } = await reader.read()
        if (done) break
        text += Buffer.from(value).toString('utf8')
      }
      ac.abort()
      const names = text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string; object: { metadata: { name: string } } }).object.metadata.name)
      expect(names.slice(0, acknowledged.length - 101)).toEqual(acknowledged.slice(101).map((a) => a.name))

      // The controllers pick up where they were: the Deployment is still there and still reconciled.
      expect((await second.kubectl(['scale', 'deployment', 'web', '--replicas=3'])).code).toBe(0)
      const rollout = await second.kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s'])
      expect(rollout.stdout).toContain('successfully rolled out')
      const pods = await second.kubectl(['get', 'pods', '-l', 'app=web', '--no-headers'])
      expect(pods.stdout.trim().split('\n')).toHaveLength(3)
    } finally {
      await second.stop()
    }
  })

  it('refuses a data directory another kubemock holds, naming it', async () => {
    const holder = await start()
    try {
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kubemock.js'), '--port', '0', '--data-dir', dataDir], { encoding: 'utf8', timeout: 15_000 })
      expect(r.status).toBe(1)
      expect(r.stderr.trim()).toBe(`--data-dir ${dataDir} is in use by another kubemock process`)
    } finally {
      await kill9(holder)
    }
  })

  it('continues a saved cluster whatever --nodes says, until a reset applies it; the reset is kept too', async () => {
    const nodeNames = async (k: Kubemock) => (await k.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n')
    const first = await start('--nodes', '5')
    let before: string[]
    try {
      // Printed right after the listening line, which startKubemock waited for.
      for (let i = 0; i < 100 && !first.logs().includes('warning:'); i++) await new Promise((r) => setTimeout(r, 20))
      expect(first.logs()).toContain(`continuing the cluster saved in ${dataDir}`)
      expect(first.logs()).toContain(`warning: --nodes shapes a new cluster, and ${dataDir} holds one already`)
      // The cluster of the first test: the control plane and three workers.
      before = await nodeNames(first)
      expect(before).toHaveLength(4)
      const reset = await fetch(`${first.url}/kubemock/v1/reset`, { method: 'POST' })
      expect(reset.status).toBe(200)
      expect(await nodeNames(first)).toHaveLength(6)
    } finally {
      await kill9(first)
    }
    const second = await start()
    try {
      expect(await nodeNames(second)).toHaveLength(6)
      expect((await second.kubectl(['get', 'deployment', 'web'])).stderr).toContain('not found')
    } finally {
      await second.stop()
    }
  })

  it('converges after kill -9 in the middle of a rollout: the controllers take over what they left half done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-data-'))
    try {
      const first = await startKubemock({ args: ['--data-dir', dir, '--log-level', 'warn', '--nodes', '5'] })
      try {
        expect((await first.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=400'])).code).toBe(0)
        // Killed while the ReplicaSet is still creating pods and the kubelets starting them.
        for (let i = 0; i < 200; i++) {
          const count = (await (await fetch(`${first.url}/api/v1/namespaces/default/pods?limit=1`)).json()) as {
            items: unknown[]
            metadata: { remainingItemCount?: number }
          }
          if (count.items.length + (count.metadata.remainingItemCount ?? 0) >= 50) break
          await new Promise((r) => setTimeout(r, 10))
        }
      } finally {
        await kill9(first)
      }
      const second = await startKubemock({ args: ['--data-dir', dir, '--log-level', 'warn'] })
      try {
        const rollout = await second.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s'])
        expect(rollout.stdout).toContain('successfully rolled out')
        const phases = (await second.kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'])).stdout.split(' ')
        expect(phases).toHaveLength(400)
        expect(new Set(phases)).toEqual(new Set(['Running']))
        expect((await second.kubectl(['get', 'rs', '--no-headers'])).stdout.trim().split('\n')).toHaveLength(1)
      } finally {
        await second.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
