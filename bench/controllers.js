/** @module bench/controllers: how fast the control loops converge at scale, with simulated time run as fast as it goes. */
// Usage: npm run bench (runs this after bench/run.js), or node bench/controllers.js [--json]
// Runs in-process on the compiled library (dist/): the clock is manual and advanced in 1 s steps,
// so the figures are wall-clock time spent computing, not simulated waiting.
import { performance } from 'node:perf_hooks'
import { Cluster } from '../dist/cluster.js'

const asJson = process.argv.includes('--json')
const rows = []
const row = (metric, ms, simulatedS, note) => rows.push({ metric, wallMs: Math.round(ms), simulatedS, note })

/** Advances 1 simulated second at a time until `done()` or the simulated limit. */
async function until(cluster, done, limitS = 3600) {
  let s = 0
  while (!done() && s < limitS) {
    await cluster.clock.advance(1000)
    s++
  }
  if (!done()) throw new Error(`not converged after ${limitS} simulated seconds`)
  return s
}

function readyNodes(cluster) {
  return cluster.registry
    .resource('', 'nodes')
    .list(undefined)
    .items.filter((s) => s.obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
}

async function nodesBench() {
  const t0 = performance.now()
  const c = await Cluster.open({ speed: 0, nodes: 999 })
  const sim = await until(c, () => readyNodes(c) === 1000)
  // One more heartbeat period so every kubelet has renewed its lease once.
  await c.clock.advance(10_000)
  row('1,000 nodes Ready (boot + first heartbeat)', performance.now() - t0, sim + 10, `${readyNodes(c)} Ready`)
  c.close()
}

async function deploymentBench() {
  // 110 pods per node: 1,000 replicas need at least 10 workers.
  const c = await Cluster.open({ speed: 0, nodes: 12 })
  const deployments = c.registry.resource('apps', 'deployments')
  const pods = c.registry.resource('', 'pods')
  const running = () => pods.list('bench').items.filter((s) => s.obj.status?.phase === 'Running').length
  c.registry.resource('', 'namespaces').create('', { metadata: { name: 'bench' } })
  const t0 = performance.now()
  deployments.create('bench', {
    metadata: { name: 'web' },
    spec: {
      replicas: 1000,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } },
    },
  })
  const available = () => deployments.getStored('bench', 'web')?.obj.status?.availableReplicas ?? 0
  const sim = await until(c, () => available() === 1000)
  row('Deployment of 1,000 replicas fully Running', performance.now() - t0, sim, `${running()} Running, 12 workers`)

  const t1 = performance.now()
  deployments.delete('bench', 'web', { propagationPolicy: 'Background' })
  const sim2 = await until(c, () => pods.list('bench').items.length === 0)
  row('Deleting 1,000 pods (delete the Deployment, GC + kubelet)', performance.now() - t1, sim2, 'until no pod is left')
  c.close()
}

await nodesBench()
await deploymentBench()
if (asJson) console.log(JSON.stringify(rows, null, 2))
else {
  console.log(`kubemock controller benchmark — node ${process.version}`)
  for (const r of rows)
    console.log(`${r.metric.padEnd(58)} ${String(r.wallMs).padStart(7)} ms wall   ${String(r.simulatedS).padStart(5)} s simulated   ${r.note}`)
}
