/** @module test-app: one simulated cluster and its Fastify app for the tests of a describe block. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import { buildApp, type AppOptions } from '../../src/app.js'
import { Cluster, type ClusterOptions } from '../../src/cluster.js'

/** What {@link useTestApp} gives the tests; read the fields inside tests, not at collection time. */
export interface TestApp {
  readonly cluster: Cluster
  readonly app: FastifyInstance
}

/**
 * Builds a cluster (manual clock unless `cluster.speed` says otherwise) and its app before the
 * enclosing describe's tests, and closes both after them.
 */
export function useTestApp(opts: { cluster?: ClusterOptions; app?: Omit<AppOptions, 'cluster'> } = {}): TestApp {
  let cluster: Cluster | undefined
  let app: FastifyInstance | undefined
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0, ...opts.cluster })
    app = await buildApp({ cluster, ...opts.app })
  })
  afterAll(async () => {
    await app?.close()
    cluster?.close()
  })
  return {
    get cluster() {
      if (!cluster) throw new Error('useTestApp: the cluster exists only inside tests')
      return cluster
    },
    get app() {
      if (!app) throw new Error('useTestApp: the app exists only inside tests')
      return app
    },
  }
}
