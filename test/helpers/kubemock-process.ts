/** @module kubemock-process: spawns the compiled kubemock CLI on a free port and runs kubectl against it. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { kubectlPath, repoRoot } from './kubectl-path.js'
import { startProcess, type ProcessResult, type RunningProcess } from './run-process.js'

export { kubectlBinary, kubectlPath, kubectlFollowsServerVersion } from './kubectl-path.js'
export { makeKubeConfig } from './kube-config.js'

/** Options for {@link startKubemock}. */
export interface StartKubemockOptions {
  /** Passed as `--kube-version`; the dispatcher then runs the matching kubectl minor. */
  kubeVersion?: string
  /** Extra CLI arguments, appended after the harness's own. */
  args?: string[]
  /** How long to wait for the listening line (default 15 s). */
  readyTimeoutMs?: number
  /** The kubectl binary to run (default: {@link kubectlPath}, e.g. the version dispatcher). */
  kubectl?: string
}

/** Options for one kubectl run. */
export interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string
  /** Kill kubectl (and the binary the dispatcher started) after this many ms; default 20 s. */
  timeoutMs?: number
  /** Another kubectl to run instead of {@link kubectlPath} (e.g. `kubectlBinary('1.20')`). */
  binary?: string
}

/** What kubectl printed. `code` is null when it was killed. */
export interface KubectlResult {
  stdout: string
  stderr: string
  code: number | null
}

/** A running kubemock server plus a kubectl wired to it. */
export interface Kubemock {
  /** `http://127.0.0.1:<port>`, exactly as the listening line printed it. */
  url: string
  port: number
  /** The server process id (for signals and /proc reads). */
  pid: number
  /** The kubeconfig the server wrote (context `kubemock`). */
  kubeconfigPath: string
  /** This server's private kubectl cache directory (discovery and the dispatcher's /version). */
  cacheDir: string
  /** The kubectl binary `kubectl()` runs. */
  kubectlPath: string
  /**
   * Runs kubectl with `--kubeconfig` and `--cache-dir` for this server. Never rejects for a
   * non-zero exit; a timeout kills the process group and returns `code: null`.
   */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>
  /**
   * Starts kubectl in the background (e.g. `get pods -w`); the caller must `stop()` it.
   * The default timeout is 60 s so a forgotten watch cannot hang the suite.
   */
  kubectlBackground(args: string[], opts?: KubectlOptions): RunningProcess
  /** Server stdout/stderr so far, for failure messages. */
  logs(): string
  /** SIGTERM, wait for exit (SIGKILL after 5 s), delete the temp dir; resolves with the exit code. */
  stop(): Promise<number | null>
}

/** `$KUBEMOCK_CLI` runs the suite against another build (e.g. an installed package); default: this checkout. */
const cliPath = process.env.KUBEMOCK_CLI ?? join(repoRoot, 'bin', 'kubemock.js')
const serverModule = process.env.KUBEMOCK_CLI ? cliPath : join(repoRoot, 'dist', 'server.js')
/**
 * Servers still running in this worker. They run in their own process group (so stop() can
 * signal the group), which also means they would outlive a crashed worker; kill them on exit.
 */
const live = new Set<RunningProcess>()
process.once('exit', () => {
  for (const s of live)
    if (s.child.pid)
      try {
        process.kill(-s.child.pid, 'SIGKILL')
      } catch {
        /* gone */
      }
})

// With --clusters N the CLI prints `kubemock-1 listening on …` … `kubemock-N listening on …` in
// one write, after the kubeconfig is written: the first is this helper's `url`.
const listeningLine = /kubemock(?:-1)? listening on (https?:\/\/\S+?):(\d+)\s*$/m

/**
 * Spawns `node bin/kubemock.js --port 0 --kubeconfig <tmp>/config` and resolves once it prints
 * `kubemock listening on http://127.0.0.1:<port>`. Rejects (and kills the child) if it exits
 * or stays silent past `readyTimeoutMs`. Requires `dist/` (built by `npm test`'s pretest).
 */
export async function startKubemock(opts: StartKubemockOptions = {}): Promise<Kubemock> {
  if (!existsSync(serverModule)) {
    throw new Error(`${serverModule} does not exist; run \`npm run build\` first (npm test does it in pretest)`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-e2e-'))
  const kubeconfigPath = join(dir, 'config')
  const cacheDir = join(dir, 'kube-cache')
  const args = [cliPath, '--port', '0', '--kubeconfig', kubeconfigPath]
  if (opts.kubeVersion) args.push('--kube-version', opts.kubeVersion)
  args.push(...(opts.args ?? []))
  // No wall-clock kill for the server itself: stop() ends it; vitest's hook timeout bounds startup.
  const server = startProcess(process.execPath, args, { cwd: repoRoot, timeoutMs: 24 * 3600_000 })
  live.add(server)
  void server.done.then(() => live.delete(server))

  let match: RegExpExecArray | null
  try {
    const out = await server.waitForStdout(listeningLine, opts.readyTimeoutMs ?? 15_000)
    match = listeningLine.exec(out)
  } catch (e) {
    await server.stop(1_000)
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  const url = `${match![1]}:${match![2]}`
  const port = Number(match![2])

  const kubectl = opts.kubectl ?? kubectlPath()
  // HOME points into the temp dir so nothing from the developer's ~/.kube (config, cache,
  // kuberc) leaks into a run; KUBECONFIG is set too for plugins that ignore --kubeconfig.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KUBECONFIG: kubeconfigPath, NO_COLOR: '1' }
  const kubectlArgs = (args: string[]) => ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, ...args]

  let stopped: Promise<number | null> | undefined
  return {
    url,
    port,
    pid: server.child.pid!,
    kubeconfigPath,
    cacheDir,
    kubectlPath: kubectl,
    async kubectl(args, o = {}) {
      const r: ProcessResult = await startProcess(o.binary ?? kubectl, kubectlArgs(args), { env, input: o.input, timeoutMs: o.timeoutMs ?? 20_000 }).done
      return { stdout: r.stdout, stderr: r.timedOut ? `${r.stderr}\n[killed after timeout]` : r.stderr, code: r.code }
    },
    kubectlBackground(args, o = {}) {
      return startProcess(o.binary ?? kubectl, kubectlArgs(args), { env, input: o.input, timeoutMs: o.timeoutMs ?? 60_000 })
    },
    logs: () => `${server.stdout()}${server.stderr()}`,
    stop() {
      stopped ??= server.stop(5_000).then((r) => {
        rmSync(dir, { recursive: true, force: true })
        return r.code
      })
      return stopped
    },
  }
}

/**
 * One kubemock for the enclosing describe (started in beforeAll, stopped in afterAll) and `k`,
 * which runs kubectl against it with optional stdin.
 */
export function kubemockPerDescribe(opts: StartKubemockOptions = {}): { readonly km: Kubemock; k: (args: string[], input?: string) => Promise<KubectlResult> } {
  let km: Kubemock | undefined
  beforeAll(async () => {
    km = await startKubemock(opts)
  })
  afterAll(async () => {
    await km?.stop()
  })
  const ctx = {
    get km(): Kubemock {
      if (!km) throw new Error('kubemock is not started yet: use it inside a test or hook')
      return km
    },
    k: (args: string[], input?: string) => ctx.km.kubectl(args, { input }),
  }
  return ctx
}
