/** @module bench/run: startup, GET/LIST throughput and latency, watch fan-out and idle RSS of the compiled server. */
// Usage: npm run bench            (builds first)
//        node bench/run.js [--duration 5] [--json] [--shard-nodes 200] [--shard-processes 2] [--stores-only | --heartbeats-only]
// The server runs as a child process (node bin/kubemock.js --port 0) so its RSS and CPU are its own.
// autocannon runs in this process and competes for the same cores; when `wrk` is installed its
// throughput figures are printed too, and every row says which tool produced it.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// $KUBEMOCK_CLI benchmarks another build (e.g. a published package); default: this checkout.
const cli = process.env.KUBEMOCK_CLI ?? join(root, 'bin', 'kubemock.js')
const argv = process.argv.slice(2)
const duration = Number(argv[argv.indexOf('--duration') + 1]) || 5
const asJson = argv.includes('--json')
const listening = /kubemock listening on (http:\/\/\S+)/

if (!process.env.KUBEMOCK_CLI && !existsSync(join(root, 'dist', 'server.js'))) {
  console.error('dist/server.js is missing: run `npm run bench` (it builds first) or `npm run build`')
  process.exit(1)
}

/** Spawns the server; resolves with timings once it printed its line and once /readyz said 200. */
async function startServer(args = []) {
  const t0 = performance.now()
  const child = spawn(process.execPath, [cli, '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  // Always drain the pipes: a chatty logger that fills a 64 KiB pipe would block the server.
  child.stderr.resume()
  let out = ''
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d
      const m = listening.exec(out)
      if (m) {
        child.stdout.off('data', onData)
        child.stdout.resume()
        resolve(m[1])
      }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${out}`)))
    setTimeout(() => reject(new Error(`server not listening after 15 s:\n${out}`)), 15_000).unref()
  })
  const tListening = performance.now()
  // Tight loop on purpose: we want the first moment /readyz answers 200, not a polling interval.
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`)
      await r.arrayBuffer()
      if (r.status === 200) break
    } catch {
      /* not accepting yet */
    }
  }
  const tReady = performance.now()
  return { child, url, listeningMs: tListening - t0, readyMs: tReady - t0 }
}

function stopServer(child) {
  return new Promise((resolve) => {
    // A process killed by a signal has no exit code, only signalCode.
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
  })
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

function rssMb(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

async function api(url, method, path, body, contentType = 'application/json') {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body ? { 'Content-Type': contentType } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`)
  return JSON.parse(text)
}

const podBody = (name, ns) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
})

/**
 * A bare Fastify process answering every GET with `body` as application/json: the floor the issue
 * holds kubemock's GET to (at least half its throughput), on the same machine and client.
 */
async function bareFastify(body) {
  const script = `import Fastify from 'fastify'
const body = ${JSON.stringify(body)}
const app = Fastify()
app.get('/*', (_req, reply) => reply.type('application/json').send(body))
await app.listen({ host: '127.0.0.1', port: 0 })
console.log('listening ' + app.server.address().port)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      const m = /listening (\d+)/.exec(d)
      if (m) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`bare Fastify exited with ${code}`)))
  })
  return { child, url: `http://127.0.0.1:${port}/api/v1/namespaces/default/pods/bench-pod` }
}

async function runAutocannon(url, connections, seconds) {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 })
  if (r.non2xx || r.errors) throw new Error(`autocannon ${url}: ${r.non2xx} non-2xx, ${r.errors} errors`)
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 }
}

/** wrk prints its version and exits non-zero; only a missing binary (ENOENT) means "not installed". */
/**
 * One keep-alive connection, requests back to back for `seconds`: autocannon's histogram has
 * whole-millisecond resolution, which reads 0 ms for a sub-millisecond GET, so the 1-connection
 * latencies come from here (performance.now around each request, response fully read).
 */
async function sequentialLatency(url, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const samples = []
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    const t0 = performance.now()
    await new Promise((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`GET ${url} → ${res.statusCode}`))
          res
            .on('data', () => {})
            .on('end', resolve)
            .on('error', reject)
        })
        .on('error', reject)
    })
    samples.push(performance.now() - t0)
  }
  agent.destroy()
  const total = samples.reduce((a, b) => a + b, 0)
  return { rps: samples.length / (total / 1000), p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length }
}

function hasWrk() {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined
}

/** wrk -t1 -c50 -d5s --latency; parses Requests/sec and the 50%/99% latency lines (to ms). */
function runWrk(url, connections, seconds) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' })
  const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN)
  const lat = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out)
    return m ? toMs(m[1], m[2]) : NaN
  }
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  if (non2xx) throw new Error(`wrk ${url}: ${non2xx[1]} non-2xx responses`)
  return { rps: rps ? Number(rps[1]) : NaN, p50: lat(50), p99: lat(99) }
}

/**
 * Opens `n` chunked watch streams on one configmap, then patches it `rounds` times; each sample
 * is the time from just before the PATCH is sent to one watcher parsing the MODIFIED event.
 */
async function watchFanout(url, n, rounds) {
  const ns = 'default'
  const name = 'bench-fanout'
  const cm = await api(url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name }, data: { round: '-1' } })
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
  const samples = []
  let round = -1
  let t0 = 0
  let pending = 0
  let roundDone = () => {}
  const path = `/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${cm.metadata.resourceVersion}`
  const requests = []
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) => {
          const req = http.get(`${url}${path}`, { agent }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`watch → ${res.statusCode}`))
            let buf = ''
            res.setEncoding('utf8').on('data', (chunk) => {
              buf += chunk
              for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
                const line = buf.slice(0, i)
                buf = buf.slice(i + 1)
                const ev = JSON.parse(line)
                if (ev.type === 'MODIFIED' && ev.object.data?.round === String(round)) {
                  samples.push(performance.now() - t0)
                  if (--pending === 0) roundDone()
                }
              }
            })
            res.on('error', () => {})
            resolve()
          })
          req.on('error', (e) => {
            if (round < rounds) reject(e)
          })
          requests.push(req)
        }),
    ),
  )
  for (round = 0; round < rounds; round++) {
    pending = n
    const done = new Promise((resolve, reject) => {
      roundDone = resolve
      setTimeout(() => reject(new Error(`round ${round}: ${pending} of ${n} watchers got nothing within 5 s`)), 5_000).unref()
    })
    t0 = performance.now()
    await api(url, 'PATCH', `/api/v1/namespaces/${ns}/configmaps/${name}`, { data: { round: String(round) } }, 'application/merge-patch+json')
    await done
  }
  for (const r of requests) r.destroy()
  agent.destroy()
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length }
}

/** ConfigMap creates per second with `concurrency` requests in flight for `seconds` (each one acknowledged 201). */
async function createThroughput(url, concurrency, seconds, prefix) {
  let n = 0
  const end = performance.now() + seconds * 1000
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const r = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}${w}-${i}` }, data: { key: 'value' } }),
        })
        await r.arrayBuffer()
        if (r.status !== 201) throw new Error(`create: ${r.status}`)
        n++
      }
    }),
  )
  return n / ((performance.now() - t0) / 1000)
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Debian's etcd on free ports with a temporary data directory; resolves once /health answers. */
async function startEtcd() {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-bench-etcd-'))
  const [client, peer] = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]
  const child = spawn(
    'etcd',
    [
      `--data-dir=${dir}/etcd`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  )
  for (const deadline = performance.now() + 15_000; ; ) {
    if (
      await fetch(`${client}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    if (performance.now() > deadline || child.exitCode !== null) throw new Error('etcd did not start (is etcd-server installed?)')
    await new Promise((r) => setTimeout(r, 50))
  }
  const stop = async () => {
    await stopServer(child)
    rmSync(dir, { recursive: true, force: true })
  }
  return { url: client, stop }
}

/** Creates/s in memory, with --data-dir and over etcd, in the same run (issue 10: the durable store keeps ≥ 50 %). */
async function writeThroughput(row, log) {
  const results = {}
  const etcd = await startEtcd()
  for (const [label, args] of [
    ['in memory', []],
    ['--data-dir', ['--data-dir', mkdtempSync(join(tmpdir(), 'kubemock-bench-'))]],
    ['--etcd-servers', ['--etcd-servers', etcd.url]],
  ]) {
    log(`creates, 16 in flight (${label}) …`)
    const { child, url } = await startServer(args)
    try {
      await createThroughput(url, 16, 1, 'warm') // warm-up
      results[label] = await createThroughput(url, 16, duration, 'w')
    } finally {
      await stopServer(child)
      if (args[0] === '--data-dir') rmSync(args[1], { recursive: true, force: true })
    }
    row(`create ConfigMap, 16 in flight (${label}): creates/s`, results[label], 'req/s', '—', null, 'bench (fetch)')
  }
  const ratio = results['--data-dir'] / results['in memory']
  row('creates/s with --data-dir ÷ in memory', ratio * 100, '%', '≥ 50 %', ratio >= 0.5, 'bench (fetch)')
  row('creates/s over etcd ÷ in memory', (results['--etcd-servers'] / results['in memory']) * 100, '%', '—', null, 'bench (fetch)')
  log('failover: two processes on one etcd, the leader killed …')
  const s = await failover(etcd.url)
  row('leader kill -9 → Deployment scaled through the survivor, all Running', s, 's', '≤ 30 s', s <= 30, 'bench (fetch)')
  await etcd.stop()
  await heartbeatRows(row, log)
}

/** Node heartbeats of one process, then of `shardProcesses` processes with as many nodes each, on one etcd. */
async function heartbeatRows(row, log) {
  const n = shardProcesses
  log(`heartbeats: 1 process with ${shardNodes} nodes, then ${n} processes with ${n * shardNodes}, each on a fresh etcd …`)
  const one = await heartbeats(1, shardNodes)
  row(`1 process on etcd, ${shardNodes} nodes: node Lease renewals per node per 10 s`, one, '', '≈ 1 (one per 10 s)', one >= 0.9, 'bench (watch)')
  const many = await heartbeats(n, n * shardNodes)
  row(`${n} processes on one etcd, ${n * shardNodes} nodes: the same`, many, '', '≥ 90 % of 1 process', many >= 0.9 * one, 'bench (watch)')
}

/** Nodes per process in the heartbeat comparison, and how many processes share one etcd in it. */
const shardNodes = Number(argv[argv.indexOf('--shard-nodes') + 1]) || 200
const shardProcesses = Number(argv[argv.indexOf('--shard-processes') + 1]) || 2

/**
 * `processes` kubemock processes on a fresh etcd with `nodes` nodes; once the node shards are
 * balanced (every process holds its share of the 16 shard Leases), counts node Lease renewals on a
 * watch for 20 s: renewals per node per 10 s (the kubelet renews every 10 s, so 1 is on time).
 */
async function heartbeats(processes, nodes) {
  const etcd = await startEtcd()
  const servers = []
  try {
    for (let i = 0; i < processes; i++) servers.push(await startServer(['--etcd-servers', etcd.url, '--nodes', String(nodes - 1), '--log-level', 'warn']))
    const url = servers[0].url
    const leases = async (ns) => (await fetch(`${url}/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`).then((r) => r.json())).items
    for (;;) {
      const holders = new Map()
      for (const l of await leases('kube-system'))
        if (l.metadata.name.startsWith('kubemock-kubelets-')) holders.set(l.spec.holderIdentity, (holders.get(l.spec.holderIdentity) ?? 0) + 1)
      const nodeLeases = (await leases('kube-node-lease')).length
      if (nodeLeases >= nodes && holders.size === processes && Math.max(...holders.values()) <= Math.ceil(16 / processes)) break
      await new Promise((r) => setTimeout(r, 500))
    }
    // A full renewal period first, so every kubelet runs at its steady pace.
    await new Promise((r) => setTimeout(r, 10_000))
    const list = await fetch(`${url}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases`).then((r) => r.json())
    const windowMs = 20_000
    const res = await fetch(`${url}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?watch=1&resourceVersion=${list.metadata.resourceVersion}`)
    const reader = res.body.getReader()
    let renewals = 0
    let rest = ''
    const end = performance.now() + windowMs
    while (performance.now() < end) {
      const chunk = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r({ value: undefined }), end - performance.now()))])
      if (!chunk.value) continue
      const lines = (rest + Buffer.from(chunk.value).toString()).split('\n')
      rest = lines.pop()
      renewals += lines.filter((l) => l.startsWith('{"type":"MODIFIED"')).length
    }
    await reader.cancel()
    return (renewals / nodes) * (10_000 / windowMs)
  } finally {
    for (const s of servers) await stopServer(s.child)
    await etcd.stop()
  }
}

/**
 * Two processes on one etcd; the first leads. It is killed with SIGKILL, the Deployment is scaled
 * from 2 to 5 through the other, and the seconds until all 5 pods are Running are returned.
 */
async function failover(etcdURL) {
  const args = ['--etcd-servers', etcdURL, '--nodes', '3']
  const leader = await startServer(args)
  const follower = await startServer(args)
  const running = async (url) => {
    const r = await fetch(`${url}/api/v1/namespaces/default/pods?labelSelector=app%3Dfailover`)
    return (await r.json()).items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length
  }
  const until = async (fn) => {
    while (!(await fn())) await new Promise((r) => setTimeout(r, 100))
  }
  try {
    await until(async () => (await fetch(`${follower.url}/api/v1/nodes`).then((r) => r.json())).items.length === 4)
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'failover' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'failover' } },
        template: { metadata: { labels: { app: 'failover' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    }
    await api(follower.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', d)
    await until(async () => (await running(follower.url)) === 2)
    leader.child.kill('SIGKILL')
    const t0 = performance.now()
    const scale = await fetch(`${follower.url}/apis/apps/v1/namespaces/default/deployments/failover/scale`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 5 } }),
    })
    if (scale.status !== 200) throw new Error(`scale: ${scale.status}`)
    await until(async () => (await running(follower.url)) === 5)
    return (performance.now() - t0) / 1000
  } finally {
    await stopServer(leader.child)
    await stopServer(follower.child)
  }
}

async function main() {
  const rows = []
  const row = (metric, value, unit, target, ok, tool) => rows.push({ metric, value, unit, target, ok, tool })
  const log = (msg) => {
    if (!asJson) process.stderr.write(`${msg}\n`)
  }

  // --stores-only: just the write throughput of the three stores, the failover and the heartbeats.
  if (argv.includes('--heartbeats-only')) {
    await heartbeatRows(row, log)
    return asJson ? console.log(JSON.stringify(rows, null, 2)) : printTable(rows)
  }
  if (argv.includes('--stores-only')) {
    await writeThroughput(row, log)
    return asJson ? console.log(JSON.stringify(rows, null, 2)) : printTable(rows)
  }
  log('startup ×5 …')
  const starts = []
  for (let i = 0; i < 5; i++) {
    const s = await startServer()
    starts.push(s)
    await stopServer(s.child)
  }
  const listenMed = median(starts.map((s) => s.listeningMs))
  const readyMed = median(starts.map((s) => s.readyMs))
  row('startup: spawn → listening line (median of 5)', listenMed, 'ms', '≤ 300 ms', listenMed <= 300, 'bench (performance.now)')
  row('startup: spawn → first 200 /readyz (median of 5)', readyMed, 'ms', '≤ 300 ms', readyMed <= 300, 'bench (performance.now)')

  const { child, url } = await startServer()
  try {
    // Let startup garbage settle before reading the idle footprint.
    await new Promise((r) => setTimeout(r, 1_000))
    const rss = rssMb(child.pid)
    row('RSS idle after start', rss, 'MB', '≤ 80 MB', rss <= 80, '/proc/<pid>/status VmRSS')

    await api(url, 'POST', '/api/v1/namespaces/default/pods', podBody('bench-pod', 'default'))
    const getUrl = `${url}/api/v1/namespaces/default/pods/bench-pod`
    log('GET one pod (autocannon) …')
    await runAutocannon(getUrl, 10, 1) // warm-up: JIT, connection pools
    const g1 = await runAutocannon(getUrl, 1, duration)
    row('GET pod, 1 conn: req/s', g1.rps, 'req/s', '—', null, 'autocannon')
    const s1 = await sequentialLatency(getUrl, duration)
    row(`GET pod, 1 conn: p50 / p99 (${s1.n} reqs)`, [s1.p50, s1.p99], 'ms', '—', null, 'bench (sequential keep-alive)')
    const g50 = await runAutocannon(getUrl, 50, duration)
    row('GET pod, 50 conns: req/s', g50.rps, 'req/s', '≥ 11,000 req/s', g50.rps >= 11_000, 'autocannon')
    row('GET pod, 50 conns: p50 / p99', [g50.p50, g50.p99], 'ms', '—', null, 'autocannon')
    // Bare Fastify logs nothing, so kubemock is compared without its request log line too.
    log('GET of the same bytes: kubemock --log-level warn, then bare Fastify (autocannon) …')
    const quiet = await startServer(['--log-level', 'warn'])
    const bare = await bareFastify(await (await fetch(getUrl)).text())
    try {
      await api(quiet.url, 'POST', '/api/v1/namespaces/default/pods', podBody('bench-pod', 'default'))
      const quietUrl = `${quiet.url}/api/v1/namespaces/default/pods/bench-pod`
      await runAutocannon(quietUrl, 10, 1)
      const q50 = await runAutocannon(quietUrl, 50, duration)
      await runAutocannon(bare.url, 10, 1)
      const b50 = await runAutocannon(bare.url, 50, duration)
      const ratio = q50.rps / b50.rps
      row('GET pod, 50 conns, --log-level warn: req/s', q50.rps, 'req/s', '—', null, 'autocannon')
      row('bare Fastify, same bytes, 50 conns: req/s', b50.rps, 'req/s', '—', null, 'autocannon')
      row('GET pod (--log-level warn) ÷ bare Fastify', ratio * 100, '%', '≥ 50 %', ratio >= 0.5, 'autocannon')
    } finally {
      await stopServer(bare.child)
      await stopServer(quiet.child)
    }
    if (hasWrk()) {
      log('GET one pod (wrk) …')
      const w1 = runWrk(getUrl, 1, duration)
      row('GET pod, 1 conn: req/s', w1.rps, 'req/s', '—', null, 'wrk -t1 -c1')
      row('GET pod, 1 conn: p50 / p99', [w1.p50, w1.p99], 'ms', '—', null, 'wrk -t1 -c1')
      const w50 = runWrk(getUrl, 50, duration)
      row('GET pod, 50 conns: req/s', w50.rps, 'req/s', '≥ 11,000 req/s', w50.rps >= 11_000, `wrk -t1 -c50 -d${duration}s`)
      row('GET pod, 50 conns: p50 / p99', [w50.p50, w50.p99], 'ms', '—', null, `wrk -t1 -c50 -d${duration}s`)
    } else {
      log('wrk not installed: throughput from autocannon only')
    }

    log('creating 1,000 pods …')
    await api(url, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench-list' } })
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          api(url, 'POST', '/api/v1/namespaces/bench-list/pods', podBody(`pod-${String(i + j).padStart(4, '0')}`, 'bench-list')),
        ),
      )
    }
    const listUrl = `${url}/api/v1/namespaces/bench-list/pods`
    const listed = await api(url, 'GET', '/api/v1/namespaces/bench-list/pods')
    if (listed.items.length !== 1000) throw new Error(`LIST returned ${listed.items.length} pods, expected 1000`)
    log('LIST 1,000 pods …')
    const l1 = await sequentialLatency(listUrl, duration)
    row(`LIST 1,000 pods, 1 conn: p50 / p99 (${l1.n} reqs)`, [l1.p50, l1.p99], 'ms', 'p99 ≤ 20 ms', l1.p99 <= 20, 'bench (sequential keep-alive)')
    row('LIST 1,000 pods, 1 conn: req/s', l1.rps, 'req/s', '—', null, 'bench (sequential keep-alive)')

    log('watch fan-out to 100 watchers …')
    const f = await watchFanout(url, 100, 20)
    row(`write → 100 watchers (${f.samples} samples): p50 / p99`, [f.p50, f.p99], 'ms', 'p99 ≤ 20 ms', f.p99 <= 20, 'bench (http watch streams)')
  } finally {
    await stopServer(child)
  }
  await writeThroughput(row, log)

  if (asJson) {
    console.log(JSON.stringify(rows, null, 2))
  } else {
    printTable(rows)
  }
}

function fmt(value, unit) {
  const one = (v) => (unit === 'req/s' ? Math.round(v).toLocaleString('en-US') : v.toFixed(unit === 'MB' || unit === '%' ? 1 : 2))
  return Array.isArray(value) ? `${value.map(one).join(' / ')} ${unit}` : `${one(value)} ${unit}`
}

function printTable(rows) {
  const cells = rows.map((r) => [r.metric, fmt(r.value, r.unit), r.target, r.ok === null ? '' : r.ok ? 'ok' : 'MISS', r.tool])
  const head = ['Metric', 'Value', 'Target', '', 'Tool']
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  console.log(`kubemock benchmark — node ${process.version}, ${availableParallelism()} CPUs, ${duration}s per load run`)
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const c of cells) console.log(line(c))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
