/** @module kubemock: the library API — start a simulated cluster in-process for tests. */
import { defaultTokenUser, TokenAuthenticator } from './api/auth.js'
import { defaultCorsOrigins } from './api/cors.js'
import { buildApp } from './app.js'
import { Cluster, type ClusterOptions } from './cluster.js'
import { kubeconfigYAML } from './kubeconfig.js'
import type { Clock } from './sim/clock.js'
import { generateTLS, type TLSMaterial } from './tls.js'

export interface StartOptions extends ClusterOptions {
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Require `Authorization: Bearer <token>` with one of these; the kubeconfig carries the first. */
  tokens?: string[]
  /** Serve HTTPS: `true` generates a CA and certificate (a few ms), or pass your own PEM pair. */
  tls?: boolean | { cert: string; key: string; ca?: string }
  /** Origins allowed cross-origin (`*` = any); default any on loopback, none elsewhere; false = off. */
  corsOrigins?: string[] | false
}

/** A running kubemock server. */
export interface RunningCluster {
  url: string
  /** A kubeconfig YAML pointing at `url`, with the CA and the first token when configured. */
  kubeconfig: string
  /** With `tls`: the CA certificate (PEM) clients should trust. */
  ca?: string
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
  if (options.tls === true) tls = generateTLS({ hosts: [host] })
  else if (options.tls) tls = { cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca ?? options.tls.cert }
  const cluster = new Cluster(options)
  const app = await buildApp({
    cluster,
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
    ...(tokens.length ? { auth: new TokenAuthenticator(tokens.map((token) => ({ token, ...defaultTokenUser }))) } : {}),
    corsOrigins: options.corsOrigins === false ? [] : defaultCorsOrigins(host, options.corsOrigins),
  })
  await app.listen({ host, port: options.port ?? 0 })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    kubeconfig: kubeconfigYAML({
      server: url,
      ...(tokens.length ? { token: tokens[0] } : {}),
      ...(tls ? { certificateAuthorityData: Buffer.from(tls.ca).toString('base64') } : {}),
    }),
    ...(tls ? { ca: tls.ca } : {}),
    clock: cluster.clock,
    cluster,
    close: async () => {
      cluster.close()
      await app.close()
    },
  }
}

export { buildApp } from './app.js'
export { Cluster, type ClusterOptions } from './cluster.js'
export { SimClock, type Clock } from './sim/clock.js'
export { StatusError } from './errors.js'
export type { KubeObject } from './types.js'
export { generateTLS, type TLSMaterial } from './tls.js'
