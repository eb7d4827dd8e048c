/** @module kubemock: the library API — start a simulated cluster in-process for tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { defaultTokenUser, TokenAuthenticator } from './api/auth.js'
import { hostAllowList } from './api/host-check.js'
import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { buildSharedApp } from './app.js'
import { Cluster, type ClusterOptions } from './cluster.js'
import { kubeconfigYAML } from './kubeconfig.js'
import type { Clock } from './sim/clock.js'
import { controlHelpers, type ControlHelpers } from './api/control.js'
import { resolveScenario, type ScenarioInput } from './sim/scenario.js'
import type { CertificateAuthority, TLSMaterial } from './tls.js'

export interface StartOptions extends Omit<ClusterOptions, 'scenario'> {
  /** A scenario file path, a Scenario object (the file's first document), or one already loaded. */
  scenario?: ScenarioInput
  /** Also write the kubeconfig to a file: a path, or `true` for a temporary file removed by close(). */
  kubeconfigPath?: string | boolean
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Require `Authorization: Bearer <token>` with one of these; the kubeconfig carries the first. */
  tokens?: string[]
  /** Serve HTTPS: `true` generates a CA and certificate (a few ms), or pass your own PEM pair. */
  tls?: boolean | { cert: string; key: string; ca?: string }
  /**
   * Origins allowed cross-origin besides loopback pages (`http(s)://localhost|127.x|[::1]:*`,
   * always allowed); `['*']` = any; `false` = none, not even loopback. Others get 403.
   */
  corsOrigins?: string[] | false
  /**
   * Host names to answer besides loopback names, IP addresses, `host` and this machine's
   * hostname (DNS-rebinding protection); `['*']` = any. Others get 403.
   */
  allowedHosts?: string[]
}

/** A running kubemock server, with helpers for the control API (see {@link ControlHelpers}). */
export interface RunningCluster extends ControlHelpers {
  url: string
  /** A kubeconfig YAML pointing at `url`, with the CA and the first token when configured. */
  kubeconfig: string
  /** Where the kubeconfig was written, when `kubeconfigPath` asked for a file. */
  kubeconfigPath?: string
  /** With `tls`: the CA certificate (PEM) clients should trust. */
  ca?: string
  /**
   * With `tls: true`: a kubeconfig YAML (same server and CA) whose user is a client certificate
   * from the cluster CA for `user` in `groups` (CN and O), as `kubeadm kubeconfig user` makes.
   * The server authenticates it as that user (system:authenticated added).
   */
  kubeconfigFor?(user: string, groups?: string[]): string
  clock: Clock
  cluster: Cluster
  /** Stops the server, controllers and timers. */
  close(): Promise<void>
}

/** Starts a cluster and its API server; many can run in one process. */
export async function start(options: StartOptions = {}): Promise<RunningCluster> {
  const host = options.host ?? '127.0.0.1'
  const tokens = options.tokens ?? []
  if (tokens.some((t) => t === '')) throw new Error('start(): tokens must not be empty strings')
  let tls: TLSMaterial | undefined
  // Loaded on demand: the X.509 library costs tens of milliseconds to evaluate.
  let ca: CertificateAuthority | undefined
  if (options.tls === true) {
    // One CA for the serving certificate and the CSR signer.
    const lib = await import('./tls.js')
    ca = lib.generateCA()
    tls = lib.generateTLS({ hosts: [host], ca })
  } else if (options.tls) tls = { cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca ?? options.tls.cert }
  const cluster = await Cluster.open({ ...options, scenario: resolveScenario(options.scenario), ...(ca ? { ca } : {}) })
  const allowedHosts = hostAllowList({ bindHost: host, configured: options.allowedHosts })
  const corsOrigins = options.corsOrigins ?? []
  const app = await sharedApp({ corsOrigins, allowedHosts })
  const scope = app.kubemockAddCluster({
    cluster,
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
    ...(tokens.length ? { auth: new TokenAuthenticator(tokens.map((token) => ({ token, ...defaultTokenUser }))) } : {}),
    // The generated CA also verifies client certificates (kubeconfigFor).
    ...(ca ? { clientCA: ca.cert } : {}),
  })
  // Once only: a second close() must not release the shared app a second time.
  let stopped: Promise<void> | undefined
  const stopServing = () =>
    (stopped ??= (async () => {
      await scope.close()
      await releaseSharedApp(app)
    })())
  let port: number
  try {
    port = await listenOn(scope.server!, host, options.port ?? 0)
  } catch (err) {
    await stopServing()
    cluster.close()
    throw err
  }
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
  const certificateAuthorityData = tls ? Buffer.from(tls.ca).toString('base64') : undefined
  const lib = ca ? await import('./tls.js') : undefined
  const kubeconfigFor = (user: string, groups: string[] = []) =>
    kubeconfigYAML({ server: url, certificateAuthorityData, clientCertificate: lib!.issueClientCertificate(ca!, { user, groups }), userName: user })
  const kubeconfig = kubeconfigYAML({
    server: url,
    ...(tokens.length ? { token: tokens[0] } : {}),
    ...(certificateAuthorityData ? { certificateAuthorityData } : {}),
  })
  const file = options.kubeconfigPath ? writeKubeconfigFile(kubeconfig, options.kubeconfigPath) : undefined
  return {
    url,
    kubeconfig,
    ...(file ? { kubeconfigPath: file.path } : {}),
    ...(tls ? { ca: tls.ca } : {}),
    ...(ca ? { kubeconfigFor } : {}),
    clock: cluster.clock,
    cluster,
    ...controlHelpers(scope.control, cluster),
    close: async () => {
      await cluster.resign()
      cluster.close()
      await stopServing()
      file?.remove()
    },
  }
}

export { buildApp, buildSharedApp, type ClusterScope } from './app.js'
export { Cluster, type ClusterOptions } from './cluster.js'
export { SimClock, type Clock } from './sim/clock.js'
export { StatusError } from './errors.js'
export type { KubeObject } from './types.js'
export type { ControlHelpers } from './api/control.js'
export type { Fault, FaultSpec } from './api/faults.js'
export type { RequestFilter, RequestRecord } from './api/journal.js'
export type { ObjectList } from './sim/snapshot.js'
export type { Scenario, ScenarioInput } from './sim/scenario.js'

/**
 * The apps that start() calls of this process share, by the options that shape an app (CORS
 * origins and host allow-list; everything else is per cluster): many clusters in one process pay
 * for one Fastify app and router, not one each (README "Memory per cluster"). An app closes when
 * its last cluster does.
 */
const sharedApps = new Map<string, { app: Promise<FastifyInstance>; users: number }>()

function sharedApp(shape: { corsOrigins: readonly string[] | false; allowedHosts: readonly string[] }): Promise<FastifyInstance> {
  const key = JSON.stringify(shape)
  let entry = sharedApps.get(key)
  if (!entry) {
    const app = buildSharedApp({ clusters: [], ...shape })
    entry = { app, users: 0 }
    sharedApps.set(key, entry)
    app.catch(() => sharedApps.delete(key))
  }
  entry.users++
  return entry.app
}

async function releaseSharedApp(app: FastifyInstance): Promise<void> {
  for (const [key, entry] of sharedApps) {
    if ((await entry.app) !== app) continue
    if (--entry.users > 0) return
    sharedApps.delete(key)
    await app.close()
    return
  }
}

/** Listens on one cluster's server of a shared app and returns its port. */
function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', fail)
    server.listen({ host, port }, () => {
      server.removeListener('error', fail)
      const addr = server.address()
      done(typeof addr === 'object' && addr ? addr.port : port)
    })
  })
}

/** Writes the kubeconfig (mode 0600) to `path`, or into a fresh temporary directory for `true`; `remove` deletes that directory. */
function writeKubeconfigFile(kubeconfig: string, path: string | true): { path: string; remove(): void } {
  const dir = path === true ? mkdtempSync(join(tmpdir(), 'kubemock-')) : undefined
  const file = dir ? join(dir, 'kubeconfig') : resolve(path as string)
  if (!dir) mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, kubeconfig, { mode: 0o600 })
  // A path the caller chose stays after close(); only our temporary directory goes.
  return { path: file, remove: () => dir && rmSync(dir, { recursive: true, force: true }) }
}
export type { TLSMaterial } from './tls.js'
