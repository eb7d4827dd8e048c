/** @module package.test: the `npm pack` tarball holds only what kubemock needs, and installed into a fresh prefix gives a `kubemock` that kubectl talks to. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubectlPath, repoRoot } from '../helpers/kubectl-path.js'
import { runProcess, startProcess } from '../helpers/run-process.js'

let dir: string
let tarball: string
let prefix: string
/** The installed package's root, where `npm install -g` put it. */
let installed: string
/**
 * npm's environment here: a cache of its own (the install fills it, npx reuses it), so the user's
 * ~/.npm is neither read nor written. Install scripts are off for npx as for the install below.
 */
let npmEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubemock-package-'))
  // prepack builds dist/ from scratch (scripts/clean-dist.mjs, then npm run build).
  const pack = await runProcess('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, timeoutMs: 180_000 })
  expect(pack.code, `${pack.stdout}${pack.stderr}`).toBe(0)
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!)
  prefix = join(dir, 'prefix')
  npmEnv = {
    ...process.env,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  }
  // --ignore-scripts: better-sqlite3 (optional, only for --data-dir) compiles from source for
  // about three minutes when its prebuilt binary cannot be downloaded, as on CI; nothing else
  // kubemock runs needs an install script. Dependencies come from the registry (or npm's cache).
  const install = await runProcess('npm', ['install', '-g', '--prefix', prefix, tarball, '--ignore-scripts', '--no-fund', '--no-audit'], {
    cwd: dir,
    env: npmEnv,
    timeoutMs: 180_000,
  })
  expect(install.code, `${install.stdout}${install.stderr}`).toBe(0)
  installed = join(prefix, 'lib', 'node_modules', 'kubemock')
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the npm package', () => {
  it('contains the CLI, the compiled library, its types and the data read at run time, and nothing else', async () => {
    const list = await runProcess('tar', ['tzf', tarball], { timeoutMs: 20_000 })
    const files = list.stdout.split('\n').filter((f) => f && !f.endsWith('/'))
    for (const f of files)
      expect(f).toMatch(
        /^package\/(package\.json|README\.md|bin\/kubemock\.js|dist\/[\w/.-]+\.(js|mjs|d\.ts)|dist\/ui\/[\w.-]+\.(html|css|js|svg)|openapi\/[\w-]+\.(json|yaml))$/,
      )
    expect(files).toEqual(
      expect.arrayContaining(['package/bin/kubemock.js', 'package/dist/bundle/server.mjs', 'package/dist/index.js', 'package/dist/index.d.ts']),
    )
    // What src/ reads with new URL('../../openapi/…', import.meta.url).
    expect(files.filter((f) => f.startsWith('package/openapi/')).sort()).toEqual([
      'package/openapi/definitions.json',
      'package/openapi/go-struct-tags.json',
      'package/openapi/kubemock-control.yaml',
      'package/openapi/metrics-definitions.json',
      'package/openapi/protobuf-fields.json',
    ])
    // Built from an empty dist/: every compiled module has its source (no leftovers of renamed files);
    // dist/ui/ is the web view's bundle from ui/ (scripts/bundle-ui.mjs).
    for (const f of files.filter((f) => f.startsWith('package/dist/') && !f.startsWith('package/dist/bundle/') && !f.startsWith('package/dist/ui/')))
      expect(existsSync(join(repoRoot, f.replace(/^package\/dist\//, 'src/').replace(/(\.d)?\.js$|\.d\.ts$/, '.ts'))), f).toBe(true)
  })

  it('installs a kubemock command: --help lists the flags, an unknown flag exits 2', async () => {
    const bin = join(prefix, 'bin', 'kubemock')
    const help = await runProcess(bin, ['--help'], { cwd: dir, timeoutMs: 20_000 })
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: kubemock \[options\]\n/)
    expect(help.stdout).toContain('  --clusters N')
    const bad = await runProcess(bin, ['--bogus'], { cwd: dir, timeoutMs: 20_000 })
    expect(bad).toMatchObject({ code: 2, stderr: "kubemock: unknown flag --bogus\nRun 'kubemock --help' to see every flag.\n" })
  })

  it('the installed kubemock serves a cluster kubectl lists, explains and writes to', async () => {
    const kubeconfig = join(dir, 'config')
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, NO_COLOR: '1' }
    delete env.KUBECONFIG
    // Started outside the checkout: only the installed package and its own node_modules can be found.
    const server = startProcess(join(prefix, 'bin', 'kubemock'), ['--port', '0', '--kubeconfig', kubeconfig, '--speed', '0'], {
      cwd: dir,
      env,
      timeoutMs: 600_000,
    })
    try {
      await server.waitForStdout(/kubeconfig written to/, 15_000)
      const kubectl = (args: string[], input?: string) =>
        runProcess(kubectlPath(), ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args], { env, input, timeoutMs: 20_000 })
      const nodes = await kubectl(['get', 'nodes'])
      expect(nodes.code, nodes.stderr).toBe(0)
      const rows = nodes.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/))
      expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'])
      expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
        ['kubemock-control-plane', 'Ready'],
        ['kubemock-worker', 'Ready'],
        ['kubemock-worker2', 'Ready'],
        ['kubemock-worker3', 'Ready'],
      ])
      const explain = await kubectl(['explain', 'pods.spec.restartPolicy'])
      expect(explain.code, explain.stderr).toBe(0)
      expect(explain.stdout).toContain('FIELD: restartPolicy <string>')
      const apply = await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: packaged\ndata:\n  a: "1"\n')
      expect(apply).toMatchObject({ code: 0, stdout: 'configmap/packaged created\n' })
      expect((await kubectl(['get', 'configmap', 'packaged', '-o', 'jsonpath={.data.a}'])).stdout).toBe('1')
    } finally {
      const stopped = await server.stop(5_000)
      expect(stopped.code, stopped.stderr).toBe(0)
    }
  })

  it('npx --package=<tarball> kubemock serves a cluster kubectl lists (the first run the README shows)', async () => {
    const kubeconfig = join(dir, 'npx-config')
    // A fresh prefix as well as the test's cache: npx installs the tarball into the cache's _npx/.
    const env: NodeJS.ProcessEnv = { ...npmEnv, HOME: dir, NO_COLOR: '1', npm_config_prefix: join(dir, 'npx-prefix'), npm_config_ignore_scripts: 'true' }
    delete env.KUBECONFIG
    const server = startProcess('npx', ['--yes', `--package=${tarball}`, 'kubemock', '--port', '0', '--kubeconfig', kubeconfig, '--speed', '0'], {
      cwd: dir,
      env,
      timeoutMs: 300_000,
    })
    try {
      // npx first installs the package and its dependencies (from the cache the install above filled).
      const out = await server.waitForStdout(/kubeconfig written to/, 120_000)
      expect(out).toMatch(/^kubemock listening on http:\/\/127\.0\.0\.1:\d+\n/)
      const nodes = await runProcess(kubectlPath(), ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), 'get', 'nodes'], {
        env,
        timeoutMs: 20_000,
      })
      expect(nodes.code, nodes.stderr).toBe(0)
      expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nkubemock-control-plane\s+Ready\s+control-plane\s/)
      expect(nodes.stdout.trim().split('\n')).toHaveLength(5)
      // npx put its copy in the test's cache (the user's ~/.npm is not used), out of the checkout.
      const [copy] = readdirSync(join(dir, 'npm-cache', '_npx'))
      expect(existsSync(join(dir, 'npm-cache', '_npx', copy, 'node_modules', 'kubemock', 'bin', 'kubemock.js'))).toBe(true)
    } finally {
      const stopped = await server.stop(5_000)
      expect(stopped.stderr).not.toMatch(/npm (ERR|error)/)
    }
    // The stop reached kubemock under npx (npx itself ends by the signal): nothing listens any more.
    const url = /listening on (\S+)/.exec(server.stdout())![1]
    expect(
      await fetch(`${url}/version`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down')
  }, 180_000)

  it('the installed library starts a cluster in-process', async () => {
    const script = `const { start } = await import(${JSON.stringify(pathToFileURL(join(installed, 'dist', 'index.js')).href)})
const c = await start({ speed: 0 })
const nodes = await (await fetch(c.url + '/api/v1/nodes')).json()
console.log(nodes.items.length)
await c.close()`
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, timeoutMs: 20_000 })
    expect(r).toMatchObject({ code: 0, stdout: '4\n' })
  })
})
