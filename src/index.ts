/** @module kubemock: the library API — start a simulated cluster in-process for tests. */
import { buildApp } from './app.js'
import { Cluster, type ClusterOptions } from './cluster.js'
import { kubeconfigYAML } from './kubeconfig.js'
import type { Clock } from './sim/clock.js'

export interface StartOptions extends ClusterOptions {
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
}

/** A running kubemock server. */
export interface RunningCluster {
  url: string
  /** A kubeconfig YAML pointing at `url`. */
  kubeconfig: string
  clock: Clock
  cluster: Cluster
  /** Stops the server, controllers and timers. */
  close(): Promise<void>
}

/** Starts a cluster and its API server; many can run in one process. */
export async function start(options: StartOptions = {}): Promise<RunningCluster> {
  const cluster = new Cluster(options)
  const app = await buildApp({ cluster })
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`
  return {
    url,
    kubeconfig: kubeconfigYAML({ server: url }),
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
