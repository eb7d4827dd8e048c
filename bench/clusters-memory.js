/** @module bench/clusters-memory: resident memory of N default clusters in one process (issue 15: 300 in about 410 MB). */
// Usage: npm run bench:clusters                      (builds first; 300 clusters, both modes)
//        node --expose-gc bench/clusters-memory.js [--count 300] [--mode library|cli|both] [--speed 0]
//                                                  [--snapshot FILE] [--json]
// library: `count` start({ speed }) calls in this process, then three forced GCs; prints RSS,
//          heapUsed and external (Buffers included) in total and per cluster, the process before
//          the first start() subtracted for the per-cluster figure.
// cli:     spawns `node bin/kubemock.js --clusters N --speed 0 --port 0 --log-level warn`, waits
//          until every "listening on" line is printed and each port answers /readyz, then reads
//          VmRSS (and VmHWM, the peak) from /proc/<pid>/status; no forced GC there, as users run it.
// --snapshot FILE writes a V8 heap snapshot after the library clusters started (for diffing two counts).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'

const argv = process.argv.slice(2)
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt)
const count = Number(opt('--count', '300'))
const mode = opt('--mode', 'both')
const speed = Number(opt('--speed', '0'))
const snapshot = opt('--snapshot', undefined)
const asJson = argv.includes('--json')
const MB = 1024 * 1024
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const mb = (n) => Math.round((n / MB) * 10) / 10

function sample() {
  for (let i = 0; i < 3; i++) globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed, external: m.external }
}

async function library() {
  if (typeof globalThis.gc !== 'function') throw new Error('library mode: run with node --expose-gc')
  const { start } = await import('../dist/index.js')
  const base = sample()
  const t0 = performance.now()
  const clusters = []
  for (let i = 0; i < count; i++) clusters.push(await start({ speed }))
  const seconds = (performance.now() - t0) / 1000
  // Every cluster answers, so nothing lazily built on the first request is missed. Over a
  // connection that closes after it: fetch() would keep a pooled client per cluster (~40 KB of
  // this process's own, not the clusters'), and the servers an idle socket each.
  for (const c of clusters) {
    const status = await getOnce(`${c.url}/api/v1/namespaces/kube-system/pods`)
    if (status !== 200) throw new Error(`${c.url}: ${status}`)
  }
  const after = sample()
  if (snapshot) v8.writeHeapSnapshot(snapshot)
  for (const c of clusters) await c.close()
  const per = (k) => mb((after[k] - base[k]) / count)
  return {
    mode: 'library',
    count,
    seconds: Math.round(seconds * 10) / 10,
    rssMB: mb(after.rss),
    heapUsedMB: mb(after.heap),
    externalMB: mb(after.external),
    baseRssMB: mb(base.rss),
    perClusterMB: { rss: per('rss'), heapUsed: per('heap'), external: per('external') },
  }
}

/** GETs `url` on a connection of its own that closes after the answer; resolves to the status code. */
function getOnce(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      .on('error', reject)
  })
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

async function cli() {
  const t0 = performance.now()
  const child = spawn(
    process.execPath,
    [join(root, 'bin/kubemock.js'), '--clusters', String(count), '--speed', String(speed), '--port', '0', '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  try {
    const urls = await new Promise((resolve, reject) => {
      let out = ''
      const found = []
      child.stdout.on('data', (d) => {
        out += d
        for (const m of out.matchAll(/listening on (\S+)\n/g)) if (!found.includes(m[1])) found.push(m[1])
        if (found.length >= count) resolve(found)
      })
      child.on('exit', (code) => reject(new Error(`kubemock exited with ${code} before listening`)))
    })
    const listening = (performance.now() - t0) / 1000
    for (const url of urls) {
      const status = await getOnce(`${url}/readyz`)
      if (status !== 200) throw new Error(`${url}/readyz: ${status}`)
    }
    // Let start-up garbage be collected as it would be in a running server.
    await new Promise((r) => setTimeout(r, 2000))
    const { rss, hwm } = procStatus(child.pid)
    return {
      mode: 'cli',
      count,
      seconds: Math.round(listening * 10) / 10,
      rssMB: mb(rss),
      peakRssMB: mb(hwm),
      perClusterMB: { rss: mb(rss / count) },
    }
  } finally {
    child.kill('SIGKILL')
  }
}

const results = []
if (mode === 'library' || mode === 'both') results.push(await library())
if (mode === 'cli' || mode === 'both') results.push(await cli())
if (asJson) console.log(JSON.stringify(results, null, 2))
else
  for (const r of results) {
    const extra =
      r.mode === 'library'
        ? `heapUsed ${r.heapUsedMB} MB, external ${r.externalMB} MB (process before: ${r.baseRssMB} MB RSS); per cluster: RSS ${r.perClusterMB.rss} MB, heap ${r.perClusterMB.heapUsed} MB, external ${r.perClusterMB.external} MB`
        : `peak ${r.peakRssMB} MB; per cluster ${r.perClusterMB.rss} MB`
    console.log(`${r.mode}: ${r.count} clusters up in ${r.seconds} s, RSS ${r.rssMB} MB; ${extra}`)
  }
process.exit(0)
