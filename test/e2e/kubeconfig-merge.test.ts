/** @module kubeconfig-merge.test: `--kubeconfig` without a path merges into the user's kubeconfig like kind; `--cleanup` and the on-exit cleanup take it out; real kubectl reads the result. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { kubectlPath, repoRoot } from '../helpers/kubectl-path.js'
import { runProcess, startProcess, type RunningProcess } from '../helpers/run-process.js'

const cli = process.env.KUBEMOCK_CLI ?? join(repoRoot, 'bin', 'kubemock.js')

/** A kubeconfig someone already has: another cluster (current), a user with exec credentials, preferences. */
const theirs = `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://prod.example:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: admin
    namespace: payments
  name: prod
current-context: prod
preferences: {}
users:
- name: admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      args: [eks, get-token]
`

describe('kubemock --kubeconfig without a path', () => {
  let home: string
  let server: RunningProcess | undefined
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'kubemock-home-'))
    mkdirSync(join(home, '.kube'))
    writeFileSync(join(home, '.kube', 'config'), theirs, { mode: 0o644 })
  })
  afterEach(async () => {
    await server?.stop(5_000)
    server = undefined
    rmSync(home, { recursive: true, force: true })
  })

  const env = (extra: NodeJS.ProcessEnv = {}) => {
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, NO_COLOR: '1', ...extra }
    if (!('KUBECONFIG' in extra)) delete e.KUBECONFIG
    return e
  }
  const kubectl = (args: string[], extra?: NodeJS.ProcessEnv) =>
    runProcess(kubectlPath(), ['--cache-dir', join(home, 'kube-cache'), ...args], { env: env(extra), timeoutMs: 20_000 })
  const start = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    server = startProcess(process.execPath, [cli, '--port', '0', '--speed', '0', ...args], { env: env(extra), cwd: home, timeoutMs: 600_000 })
    await server.waitForStdout(/merged into .*\n/, 15_000)
    return server
  }
  const config = (path = join(home, '.kube', 'config')) => parseYaml(readFileSync(path, 'utf8'))

  it('merges a current kubemock context into ~/.kube/config, keeps the rest, and kubectl uses it; --cleanup takes exactly it out', async () => {
    const s = await start(['--kubeconfig'])
    const url = /^kubemock listening on (\S+)$/m.exec(s.stdout())![1]
    expect(s.stdout()).toContain(`context "kubemock" merged into ${join(home, '.kube', 'config')}; current context "kubemock"\n`)
    const file = join(home, '.kube', 'config')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const cfg = config()
    expect(cfg['current-context']).toBe('kubemock')
    expect(cfg.clusters).toEqual([
      { cluster: { server: 'https://prod.example:6443' }, name: 'prod' },
      { name: 'kubemock', cluster: { server: url } },
    ])
    expect(cfg.users[0]).toEqual({
      name: 'admin',
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'] } },
    })

    const contexts = await kubectl(['config', 'get-contexts'])
    expect(contexts.code).toBe(0)
    expect(contexts.stdout.split('\n').map((l) => l.trim().split(/\s+/))).toEqual([
      ['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'],
      ['*', 'kubemock', 'kubemock', 'kubemock', 'default'],
      ['prod', 'prod', 'admin', 'payments'],
      [''],
    ])
    const nodes = await kubectl(['--kubeconfig', file, 'get', 'nodes', '-o', 'name'])
    expect(nodes).toMatchObject({ code: 0, stdout: 'node/kubemock-control-plane\nnode/kubemock-worker\nnode/kubemock-worker2\nnode/kubemock-worker3\n' })
    // Merging again (a second start) replaces the entries instead of adding more.
    await server!.stop(5_000)
    const again = await start(['--kubeconfig'])
    const url2 = /^kubemock listening on (\S+)$/m.exec(again.stdout())![1]
    expect(config().clusters.map((c: { name: string }) => c.name)).toEqual(['prod', 'kubemock'])
    expect(config().clusters[1].cluster.server).toBe(url2)
    await server!.stop(5_000)
    server = undefined

    const cleanup = await runProcess(process.execPath, [cli, '--kubeconfig', '--cleanup'], { env: env(), timeoutMs: 20_000 })
    expect(cleanup).toMatchObject({ code: 0, stdout: `removed "kubemock" from ${file}\n` })
    const after = config()
    expect(after['current-context']).toBe('')
    expect(after.clusters).toEqual([{ cluster: { server: 'https://prod.example:6443' }, name: 'prod' }])
    expect(after.contexts.map((c: { name: string }) => c.name)).toEqual(['prod'])
    expect(after.users.map((c: { name: string }) => c.name)).toEqual(['admin'])
    expect((await kubectl(['config', 'get-contexts', '-o', 'name'])).stdout).toBe('prod\n')
    const twice = await runProcess(process.execPath, [cli, '--kubeconfig', '--cleanup'], { env: env(), timeoutMs: 20_000 })
    expect(twice).toMatchObject({ code: 0, stdout: `no kubemock entries in ${file}\n` })
  })

  it('writes to the first file of $KUBECONFIG, one context per cluster, and takes them out on SIGTERM with --kubeconfig-cleanup-on-exit', async () => {
    const first = join(home, 'first', 'config')
    const second = join(home, '.kube', 'config')
    const KUBECONFIG = `${first}:${second}`
    await start(['--kubeconfig', '--clusters', '2', '--kubeconfig-cleanup-on-exit'], { KUBECONFIG })
    expect(config(first)['current-context']).toBe('kubemock-1')
    expect(readFileSync(second, 'utf8')).toBe(theirs)
    // kubectl merges both files for reading: its own prod context and both kubemock ones.
    const contexts = await kubectl(['config', 'get-contexts', '-o', 'name'], { KUBECONFIG })
    expect(contexts.stdout).toBe('kubemock-1\nkubemock-2\nprod\n')
    for (const ctx of ['kubemock-1', 'kubemock-2']) {
      const r = await kubectl(['--context', ctx, 'get', 'ns', 'default', '-o', 'name'], { KUBECONFIG })
      expect(r, ctx).toMatchObject({ code: 0, stdout: 'namespace/default\n' })
    }
    expect((await server!.stop(5_000)).code).toBe(0)
    server = undefined
    const left = config(first)
    expect([left.clusters, left.contexts, left.users, left['current-context']]).toEqual([[], [], [], ''])
    expect(readFileSync(second, 'utf8')).toBe(theirs)
  })

  it('refuses to merge into a file that is not a kubeconfig, before listening, and leaves it as it was', async () => {
    writeFileSync(join(home, '.kube', 'config'), 'clusters: [\n')
    const r = await runProcess(process.execPath, [cli, '--port', '0', '--kubeconfig'], { env: env(), timeoutMs: 20_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^${join(home, '.kube', 'config').replace(/[.]/g, '\\.')} is not valid YAML: `))
    expect(r.stdout).not.toContain('listening')
    expect(readFileSync(join(home, '.kube', 'config'), 'utf8')).toBe('clusters: [\n')
  })

  it('with a PATH and --kubeconfig-cleanup-on-exit deletes the file it wrote on SIGINT', async () => {
    const path = join(home, 'out', 'config')
    server = startProcess(process.execPath, [cli, '--port', '0', '--kubeconfig', path, '--kubeconfig-cleanup-on-exit'], { env: env(), timeoutMs: 600_000 })
    await server.waitForStdout(/kubeconfig written to/, 15_000)
    expect(config(path)['current-context']).toBe('kubemock')
    process.kill(server.child.pid!, 'SIGINT')
    expect((await server.done).code).toBe(0)
    server = undefined
    expect(existsSync(path)).toBe(false)
  })
})

describe('kubemock command line errors', () => {
  it('an unknown flag exits 2 naming it, with a hint to --help; --help prints every flag and exits 0', async () => {
    const r = await runProcess(process.execPath, [cli, '--port', '0', '--nodez', '3'], { timeoutMs: 20_000 })
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: "kubemock: unknown flag --nodez\nRun 'kubemock --help' to see every flag.\n" })
    const help = await runProcess(process.execPath, [cli, '--help'], { timeoutMs: 20_000 })
    expect(help.code).toBe(0)
    for (const flag of ['--clusters N', '--kubeconfig [PATH]', '--cleanup', '--kubeconfig-cleanup-on-exit', '--port PORT'])
      expect(help.stdout).toContain(`  ${flag}`)
  })
})
