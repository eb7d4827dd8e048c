/** @module bench/configmap-memory: resident memory per stored 1 MiB ConfigMap (create, then GET, LIST and update each). */
// Usage: npm run build && node --expose-gc bench/configmap-memory.js [--count 40] [--updates 0] [--json]
// Runs the library in this process (no child), so RSS is the server's plus this small driver.
// Prints MB of RSS / heap / external (Buffers) per ConfigMap after a full GC.
import { start } from '../dist/index.js'

const argv = process.argv.slice(2)
const arg = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt)
const count = arg('--count', 40)
const updates = arg('--updates', 0)
const asJson = argv.includes('--json')
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc')
  process.exit(1)
}

const MB = 1024 * 1024
function sample() {
  for (let i = 0; i < 3; i++) globalThis.gc()
  const m = process.memoryUsage()
  // `external` already includes `arrayBuffers` (Buffers).
  return { rss: m.rss, heap: m.heapUsed, external: m.external }
}

const k8s = await start({ speed: 0 })
const url = `${k8s.url}/api/v1/namespaces/default/configmaps`
// ASCII data just under the 1 MiB ConfigMap limit (keys count too).
const value = 'x'.repeat(MB - 64)
const send = async (method, path, body) => {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
  await res.arrayBuffer()
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`)
}

// Warm up every code path once so JIT and lazily loaded modules are not counted.
await send('POST', url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'warm' }, data: { v: 'x' } })
await send('GET', `${url}/warm`)
await send('GET', url)
const before = sample()
for (let i = 0; i < count; i++) {
  await send('POST', url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { v: value } })
  await send('GET', `${url}/big-${i}`)
  for (let u = 0; u < updates; u++) {
    await send('PUT', `${url}/big-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { v: value.slice(0, -1 - u) } })
  }
}
await send('GET', url)
const after = sample()
const per = (k) => (after[k] - before[k]) / count / MB
const result = {
  count,
  updates,
  rssPerConfigMapMB: per('rss'),
  heapPerConfigMapMB: per('heap'),
  externalPerConfigMapMB: per('external'),
  storedBytes: k8s.cluster.store.storedBytes?.(),
}
await k8s.close()
if (asJson) console.log(JSON.stringify(result))
else {
  console.log(`${count} ConfigMaps of 1 MiB, ${updates} update(s) each, after GET and LIST:`)
  console.log(`  RSS      ${result.rssPerConfigMapMB.toFixed(2)} MB per ConfigMap`)
  console.log(`  heap     ${result.heapPerConfigMapMB.toFixed(2)} MB per ConfigMap`)
  console.log(`  external ${result.externalPerConfigMapMB.toFixed(2)} MB per ConfigMap (Buffers)`)
}
