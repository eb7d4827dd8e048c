/** @module bench/scale: issue 9's scale targets (thousands of nodes, 100,000 pods, 1,000 watchers) against the compiled server. */
// Usage: npm run bench:scale                     (builds first; full sizes, takes minutes)
//        node bench/scale.js [--only startup,nodes,rollout,setimage,many,list,delete,watch,kwok]
//                            [--nodes 5000] [--replicas 10000] [--deployments 10] [--kwok-pods 10000]
//                            [--watchers 1000] [--creates 1000] [--concurrency 50]
//                            [--time-limit 120] [--json]
// Quick run: node bench/scale.js --nodes 500 --replicas 1000 --kwok-pods 1000 --watchers 100 --creates 100
//
// The server runs as a child process (`node bin/kubemock.js --port 0 --nodes 0 --log-level warn`,
// plus `--kubeconfig` for the kubectl rows; start-up uses the default flags plus `--log-level warn`),
// so RSS (/proc/<pid>/status VmRSS, peak VmHWM) and CPU are its own; this process competes with it
// for the same cores. Each scenario waits at most --time-limit seconds for its end condition and then
// reports "did not finish in N s" with how far it got, so a slow server never hangs the run.
// Waiting is cheap on purpose (≤ 2–4 requests/s: Deployment status polls, `limit=1` lists, one node
// watch) and confirmed once at the end by lists that count pod phases.
//
// Scenarios (a scenario runs the ones it needs first: `--only delete` also runs nodes and many):
//   startup   spawn → first 200 /readyz, median of 5 (default flags + --log-level warn)
//   nodes     --nodes Nodes created by POST → all Ready (a node watch counts them)
//   rollout   a --replicas Deployment `big` on them → all Running; GET /api/v1/namespaces/default every 100 ms
//   setimage  real `kubectl set image deployment/big c=nginx:1.16.1` → new ReplicaSet all ready, old one at 0
//   many      --deployments Deployments × --replicas in their own namespaces → all Running; RSS
//   list      LIST of one Deployment's pods by label selector (cluster-wide); `kubectl get pods -A --chunk-size=500`
//   delete    DELETE of the many Deployments → no pod left; GET sampler meanwhile
//   watch     --watchers chunked watch streams on configmaps, then --creates creates: latency, every event delivered
//   kwok      kwok's CI shapes (test/kwokctl/kwokctl_benchmark_test.sh): its node objects → Ready; its pods
//             (image `fake`, bound by nodeName) → Running; `delete pod -l app=fake-pod --grace-period 1` as
//             kubectl sends it (one DELETE per pod, gracePeriodSeconds=1) → gone. Creates are POSTs, not kubectl.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = process.env.KUBEMOCK_CLI ?? join(root, 'bin', 'kubemock.js')
const kubectlBin = process.env.KUBECTL ?? 'kubectl'
const argv = process.argv.slice(2)
const flag = (name, def) => {
  const i = argv.indexOf(`--${name}`)
  if (i < 0) return def
  const v = Number(argv[i + 1])
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} wants a whole number, got ${argv[i + 1]}`)
    process.exit(2)
  }
  return v
}
const asJson = argv.includes('--json')
const loadStart = loadavg()
const full = { nodes: 5000, replicas: 10_000, deployments: 10, kwokPods: 10_000, watchers: 1000, creates: 1000 }
const size = {
  nodes: flag('nodes', full.nodes),
  replicas: flag('replicas', full.replicas),
  deployments: flag('deployments', full.deployments),
  kwokPods: flag('kwok-pods', full.kwokPods),
  watchers: flag('watchers', full.watchers),
  creates: flag('creates', full.creates),
}
const concurrency = flag('concurrency', 50) || 1
const timeLimitS = flag('time-limit', 120) || 120
const allScenarios = ['startup', 'nodes', 'rollout', 'setimage', 'many', 'list', 'delete', 'watch', 'kwok']
const onlyArg = argv.indexOf('--only') >= 0 ? argv[argv.indexOf('--only') + 1] : undefined
const only = new Set(onlyArg ? onlyArg.split(',').map((s) => s.trim()) : allScenarios)
for (const s of only) {
  if (!allScenarios.includes(s)) {
    console.error(`--only: unknown scenario ${s} (known: ${allScenarios.join(', ')})`)
    process.exit(2)
  }
}
// Prerequisites: a selected scenario runs what it builds on (and reports it: it was measured anyway).
if (only.has('setimage')) only.add('rollout')
if (only.has('list') || only.has('delete')) only.add('many')
if (only.has('rollout') || only.has('many')) only.add('nodes')
const scaled = Object.keys(full).some((k) => size[k] !== full[k])

if (!process.env.KUBEMOCK_CLI && !existsSync(join(root, 'dist', 'server.js'))) {
  console.error('dist/server.js is missing: run `npm run bench:scale` (it builds first) or `npm run build`')
  process.exit(1)
}

const log = (msg) => {
  if (!asJson) process.stderr.write(`${(performance.now() / 1000).toFixed(1).padStart(6)}s  ${msg}\n`)
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const n = (x) => x.toLocaleString('en-US')
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]

/** A scenario that ran out of --time-limit; `progress` says how far it got. */
class DidNotFinish extends Error {
  constructor(progress) {
    super(`did not finish in ${timeLimitS} s${progress ? ` (${progress})` : ''}`)
  }
}

/** The server process went away mid-scenario (crash, out of memory). */
class ServerDied extends Error {}

// ---------------------------------------------------------------------------------------------
// Server process

/** Spawns `node bin/kubemock.js ARGS`; resolves once it printed its URL and /readyz said 200. */
async function startServer(args) {
  const t0 = performance.now()
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (d) => {
    err = (err + d).slice(-4000)
  })
  let out = ''
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d
      const m = /kubemock listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        child.stdout.off('data', onData)
        child.stdout.resume()
        resolve(m[1])
      }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${out}${err}`)))
    setTimeout(() => reject(new Error(`server not listening after 15 s:\n${out}${err}`)), 15_000).unref()
  })
  // Tight loop: the first moment /readyz answers 200, not a polling interval.
  const probe = new http.Agent({ keepAlive: true, maxSockets: 1 })
  for (;;) {
    try {
      if ((await request(url, 'GET', '/readyz', undefined, { agent: probe })).status === 200) break
    } catch {
      /* not accepting yet */
    }
  }
  probe.destroy()
  const server = {
    child,
    url,
    readyMs: performance.now() - t0,
    stderr: () => err,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    agent: new http.Agent({ keepAlive: true, maxSockets: concurrency + 4 }),
  }
  return server
}

function stopServer(server) {
  server.agent.destroy()
  return new Promise((resolve) => {
    if (server.exited()) return resolve()
    server.child.once('exit', () => resolve())
    server.child.kill('SIGTERM')
    setTimeout(() => server.child.kill('SIGKILL'), 5_000).unref()
  })
}

/** CPU seconds (user + system) the server has used: with other work on the cores, wall time alone misleads. */
function cpuSeconds(server) {
  try {
    const f = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return Number.NaN
  }
}

/** VmRSS and VmHWM (peak) of the server in MB. */
function memory(server) {
  try {
    const s = readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN)
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 }
  } catch {
    return { rss: NaN, hwm: NaN }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** One request, body read in full; `{ status, text }`. Rejects on socket errors (and timeoutMs). */
function request(url, method, path, body, { agent, contentType = 'application/json', accept = 'application/json', timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const headers = { Accept: accept }
    if (payload !== undefined) {
      headers['Content-Type'] = contentType
      headers['Content-Length'] = Buffer.byteLength(payload)
    }
    const req = http.request(`${url}${path}`, { method, headers, agent }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/** JSON API call on the server's pooled agent; throws on non-2xx, ServerDied when the server is gone. */
async function api(server, method, path, body, opts = {}) {
  let res
  try {
    res = await request(server.url, method, path, body, { agent: server.agent, ...opts })
  } catch (e) {
    if (server.exited()) throw new ServerDied(`server exited (${server.child.exitCode ?? server.child.signalCode}): ${server.stderr().slice(-500)}`)
    throw e
  }
  if (res.status >= 300 && !opts.allow?.includes(res.status)) throw new Error(`${method} ${path} → ${res.status}: ${res.text.slice(0, 300)}`)
  return res.status === 404 ? undefined : JSON.parse(res.text)
}

/** Runs `work(i)` for i < count with `concurrency` in flight; stops early at the deadline. */
async function parallel(count, deadline, work) {
  let next = 0
  let failed
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !failed && performance.now() < deadline) {
        const i = next++
        try {
          await work(i)
        } catch (e) {
          failed ??= e
        }
      }
    }),
  )
  if (failed) throw failed
  return next
}

/** Calls `check()` every `everyMs` until it returns a truthy value; DidNotFinish(progress()) at the deadline. */
async function until(deadline, everyMs, check, progress) {
  for (;;) {
    const v = await check()
    if (v) return v
    if (performance.now() + everyMs > deadline) {
      throw new DidNotFinish(await Promise.resolve(progress()).catch((e) => `progress unknown: ${e.message.slice(0, 120)}`))
    }
    await sleep(everyMs)
  }
}

/** Resolves true when `promise` settles before the deadline, false at the deadline (no timer left behind). */
function byDeadline(promise, deadline) {
  let timer
  const late = new Promise((r) => {
    timer = setTimeout(() => r(false), Math.max(0, deadline - performance.now()))
  })
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer))
}

/**
 * GET /api/v1/namespaces/default every 100 ms on its own connection pool, on a fixed schedule (a
 * slow answer does not delay the next request, so a stall shows in every sample it overlaps).
 */
function startSampler(server) {
  const agent = new http.Agent({ keepAlive: true })
  const samples = []
  let errors = 0
  const inflight = new Set()
  const timer = setInterval(() => {
    const t0 = performance.now()
    const p = request(server.url, 'GET', '/api/v1/namespaces/default', undefined, { agent, timeoutMs: 30_000 })
      .then((r) => {
        if (r.status !== 200) errors++
        samples.push(performance.now() - t0)
      })
      .catch(() => errors++)
      .finally(() => inflight.delete(p))
    inflight.add(p)
  }, 100)
  return async () => {
    clearInterval(timer)
    await Promise.all([...inflight])
    agent.destroy()
    const s = samples.sort((a, b) => a - b)
    return { n: s.length, errors, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) }
  }
}

// ---------------------------------------------------------------------------------------------
// Counting

/** Items in a namespace's pods without a selector: `limit=1` gives remainingItemCount. */
async function countPods(server, ns) {
  const l = await api(server, 'GET', `/api/v1/namespaces/${ns}/pods?limit=1`)
  return l.items.length + (l.metadata.remainingItemCount ?? 0)
}

/** Whether some pod of the namespace is not in phase Running (one `limit=1` field-selector list). */
async function anyNotRunning(server, ns) {
  const l = await api(server, 'GET', `/api/v1/namespaces/${ns}/pods?fieldSelector=status.phase%21%3DRunning&limit=1`)
  return l.items.length > 0
}

/**
 * Every item of a list (`rows` for a Table), paged with `limit`. A continue token can expire (410)
 * while the cluster churns, as after an etcd compaction: then the whole list comes in one request.
 */
async function listAll(server, path, limit, accept = 'application/json') {
  const sep = path.includes('?') ? '&' : '?'
  const get = async (p) => {
    const res = await request(server.url, 'GET', p, undefined, { agent: server.agent, timeoutMs: 120_000, accept })
    if (res.status === 410) return undefined
    if (res.status !== 200) throw new Error(`GET ${p} → ${res.status}: ${res.text.slice(0, 200)}`)
    return JSON.parse(res.text)
  }
  const out = []
  let cont = ''
  do {
    const l = await get(`${path}${sep}limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)
    if (!l) {
      const whole = await get(path)
      if (!whole) throw new Error(`GET ${path} → 410`)
      return whole.items ?? whole.rows ?? []
    }
    for (const x of l.items ?? l.rows ?? []) out.push(x)
    cont = l.metadata?.continue
  } while (cont)
  return out
}

/** Lists pods (limit=5000 pages) counting phases; for confirmations of ≤ ~20k pods. */
async function podPhases(server, path) {
  const phases = {}
  const items = await listAll(server, path, 5000)
  for (const p of items) {
    const ph = p.metadata.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? '')
    phases[ph] = (phases[ph] ?? 0) + 1
  }
  return { total: items.length, running: phases.Running ?? 0, phases }
}

/** Counts the objects a list path matches: server-side Tables without objects (small rows). */
async function countRows(server, path) {
  const sep = path.includes('?') ? '&' : '?'
  return (await listAll(server, `${path}${sep}includeObject=None`, 5000, 'application/json;as=Table;v=v1;g=meta.k8s.io')).length
}

/** How far pods matching `selector` (a label selector, all namespaces) got: created, scheduled, Running. */
async function podProgress(server, selector) {
  const base = `/api/v1/pods?labelSelector=${encodeURIComponent(selector)}`
  const [total, unscheduled, running] = [
    await countRows(server, base),
    await countRows(server, `${base}&fieldSelector=${encodeURIComponent('spec.nodeName=')}`),
    await countRows(server, `${base}&fieldSelector=${encodeURIComponent('status.phase=Running')}`),
  ]
  return `${n(total)} pods exist, ${n(unscheduled)} not scheduled, ${n(running)} Running`
}

const phaseText = (phases) =>
  Object.entries(phases)
    .map(([k, v]) => `${n(v)} ${k || '(no phase)'}`)
    .join(', ')

const isReadyNode = (node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/**
 * Counts Ready nodes named `prefix…` through one watch from `rv`; `ready()` is the count,
 * `done` resolves when it reaches `want`. Reconnects from the last event if the stream ends.
 */
function watchReadyNodes(server, prefix, want, rv) {
  const ready = new Set()
  let lastRV = rv
  let stopped = false
  let req
  let resolveDone
  const done = new Promise((r) => {
    resolveDone = r
  })
  const connect = () => {
    req = http.get(`${server.url}/api/v1/nodes?watch=1&resourceVersion=${lastRV}`, (res) => {
      let buf = ''
      res.setEncoding('utf8').on('data', (chunk) => {
        buf += chunk
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i)
          buf = buf.slice(i + 1)
          if (!line.trim()) continue
          const ev = JSON.parse(line)
          const o = ev.object
          if (ev.type === 'ERROR') {
            lastRV = '' // expired: start over from the current state
            continue
          }
          if (o?.metadata?.resourceVersion) lastRV = o.metadata.resourceVersion
          const name = o?.metadata?.name ?? ''
          if (!name.startsWith(prefix)) continue
          if (ev.type !== 'DELETED' && isReadyNode(o)) ready.add(name)
          else ready.delete(name)
        }
        if (ready.size >= want) resolveDone()
      })
      res.on('end', () => {
        if (!stopped) setTimeout(connect, 100)
      })
      res.on('error', () => {})
    })
    req.on('error', () => {
      if (!stopped) setTimeout(connect, 500)
    })
  }
  connect()
  return {
    ready: () => ready.size,
    done,
    stop: () => {
      stopped = true
      req.destroy()
    },
  }
}

/** Pages through the nodes named `prefix…` counting Ready ones (the confirmation of the watch). */
async function countReadyNodes(server, prefix) {
  const mine = (await listAll(server, '/api/v1/nodes', 1000)).filter((node) => node.metadata.name.startsWith(prefix))
  return { ready: mine.filter(isReadyNode).length, total: mine.length }
}

// ---------------------------------------------------------------------------------------------
// Objects

const nodeBody = (name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } })

/** The node kwok's benchmark creates (gen_nodes in test/kwokctl/kwokctl_benchmark_test.sh). */
const kwokNodeBody = (name) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    labels: {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/role': 'agent',
      'node-role.kubernetes.io/agent': '',
      type: 'kwok-controller',
    },
  },
})

const deploymentBody = (name, replicas, labels) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { ...labels, app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.15.12' }] } },
  },
})

/** POSTs `count` nodes `prefix0…` and waits for all Ready; returns timings. */
async function nodesReady(server, prefix, count, body, deadline) {
  const rv = (await api(server, 'GET', '/api/v1/nodes?limit=1')).metadata.resourceVersion
  const watch = watchReadyNodes(server, prefix, count, rv)
  const t0 = performance.now()
  try {
    await parallel(count, deadline, (i) => api(server, 'POST', '/api/v1/nodes', body(`${prefix}${i}`)))
    const posted = performance.now() - t0
    if (!(await byDeadline(watch.done, deadline))) {
      const c = await countReadyNodes(server, prefix)
      throw new DidNotFinish(`${n(c.ready)}/${n(count)} Ready, ${n(c.total)} created`)
    }
    const ms = performance.now() - t0
    const c = await countReadyNodes(server, prefix)
    return { ms, posted, confirmed: c.ready }
  } finally {
    watch.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const rows = []
/** A results row: `ok` true/false against the target, null when the row has no target. */
const row = (measure, result, target, ok, value) => rows.push({ measure, result, target, pass: ok === null ? '' : ok ? 'ok' : 'MISS', value })
/** Runs one measured step; DidNotFinish and errors become a MISS row instead of ending the run. */
async function step(measure, target, fn, server) {
  const before = rows.length
  const cpu0 = server ? cpuSeconds(server) : Number.NaN
  try {
    return await fn()
  } catch (e) {
    if (e instanceof ServerDied) throw e
    row(measure, e instanceof DidNotFinish ? e.message : `error: ${e.message.split('\n')[0].slice(0, 200)}`, target, false)
    log(`${measure}: ${e.message.split('\n')[0]}`)
    return undefined
  } finally {
    // The first row of the step says how much CPU the server burnt meanwhile.
    const used = cpuSeconds(server ?? { child: {} }) - cpu0
    if (rows.length > before && Number.isFinite(used)) {
      rows[before].result += ` [server CPU ${used.toFixed(1)} s]`
      rows[before].serverCpuS = used
    }
  }
}
const deadlineFromNow = () => performance.now() + timeLimitS * 1000
const samplerText = (s) =>
  `p50 ${s.p50?.toFixed(1)} / p99 ${s.p99?.toFixed(1)} / max ${s.max?.toFixed(1)} ms (${n(s.n)} GETs${s.errors ? `, ${s.errors} failed or no answer in 30 s` : ''})`
const samplerOk = (s, maxMs) => s.n > 0 && s.errors === 0 && s.p99 <= 100 && (maxMs === undefined || s.max <= maxMs)

async function startupScenario() {
  log('start-up ×5 …')
  const ms = []
  for (let i = 0; i < 5; i++) {
    const s = await startServer(['--port', '0', '--log-level', 'warn'])
    ms.push(s.readyMs)
    await stopServer(s)
  }
  const med = [...ms].sort((a, b) => a - b)[2]
  row('start-up: spawn → /readyz 200 (median of 5)', `${med.toFixed(0)} ms (${ms.map((x) => x.toFixed(0)).join(', ')})`, '≤ 300 ms', med <= 300, med)
}

/** Waits until the Deployments listed by `path` report every replica updated and ready. */
function deploymentsReady(server, path, count, replicas) {
  let last = { ready: 0, updated: 0, n: 0 }
  const check = async () => {
    const l = await api(server, 'GET', path)
    const ds = l.items ?? [l]
    last = { n: ds.length, ready: 0, updated: 0 }
    let all = ds.length === count
    for (const d of ds) {
      const st = d.status ?? {}
      last.ready += st.readyReplicas ?? 0
      last.updated += st.updatedReplicas ?? 0
      if (
        !((st.observedGeneration ?? 0) >= d.metadata.generation && st.updatedReplicas === replicas && st.readyReplicas === replicas && st.replicas === replicas)
      )
        all = false
    }
    return all
  }
  return { check, progress: () => `Deployment status: ${n(last.ready)}/${n(count * replicas)} ready` }
}

/** The pods of `ns` are exactly `want`, all Running (two cheap lists); returns a text for the row. */
async function confirmRunning(server, namespaces, want) {
  let total = 0
  let notRunning = 0
  for (const ns of namespaces) {
    total += await countPods(server, ns)
    if (await anyNotRunning(server, ns)) notRunning++
  }
  const ok = total === want && notRunning === 0
  return { ok, text: ok ? `lists confirm ${n(total)} pods, all Running` : `lists: ${n(total)} pods, ${notRunning} namespace(s) with pods not Running` }
}

async function clusterScenarios() {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-scale-'))
  const kubeconfig = join(dir, 'kubeconfig')
  log('starting server (--nodes 0) …')
  const server = await startServer(['--port', '0', '--nodes', '0', '--log-level', 'warn', '--kubeconfig', kubeconfig])
  const R = size.replicas
  const D = size.deployments
  const nodeTarget = '≤ 6 s'
  let haveBig = false
  try {
    log(`creating ${n(size.nodes)} nodes …`)
    await step(
      `${n(size.nodes)} nodes created by POST (${concurrency} in flight) → all Ready`,
      nodeTarget,
      async () => {
        const r = await nodesReady(server, 'node-', size.nodes, nodeBody, deadlineFromNow())
        row(
          `${n(size.nodes)} nodes created by POST (${concurrency} in flight) → all Ready`,
          `${secs(r.ms)} (POSTs done at ${secs(r.posted)}; list confirms ${n(r.confirmed)} Ready)`,
          nodeTarget,
          r.ms <= 6000 && r.confirmed === size.nodes,
          r.ms,
        )
      },
      server,
    )
    if (size.nodes * 110 < R * 1.25 || size.nodes * 110 < D * R) log(`warning: ${n(size.nodes)} nodes × 110 pods may not hold the pods asked for`)

    if (only.has('rollout')) {
      const measure = `${n(R)}-replica Deployment → all Running`
      log(`${measure} …`)
      const stopSampler = startSampler(server)
      await step(
        measure,
        '≤ 10 s',
        async () => {
          const deadline = deadlineFromNow()
          const t0 = performance.now()
          await api(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', deploymentBody('big', R, { bench: 'big' }))
          haveBig = true
          const w = deploymentsReady(server, '/apis/apps/v1/namespaces/default/deployments/big', 1, R)
          await until(deadline, 500, w.check, async () => `${w.progress()}; ${await podProgress(server, 'bench=big')}`)
          const ms = performance.now() - t0
          const c = await confirmRunning(server, ['default'], R)
          row(measure, `${secs(ms)} (${c.text})`, '≤ 10 s', ms <= 10_000 && c.ok, ms)
        },
        server,
      )
      const s = await stopSampler()
      row('GET namespace every 100 ms during that rollout', samplerText(s), 'p99 ≤ 100 ms, max ≤ 500 ms', samplerOk(s, 500), s)
    }

    if (only.has('setimage') && haveBig) {
      const measure = `kubectl set image → ${n(R)} new pods Running, old ReplicaSet at 0`
      log(`${measure} …`)
      const stopSampler = startSampler(server)
      await step(
        measure,
        '≤ 30 s',
        async () => {
          const deadline = deadlineFromNow()
          const t0 = performance.now()
          const k = await runKubectl(kubeconfig, ['set', 'image', 'deployment/big', 'c=nginx:1.16.1'], deadline)
          if (k.code !== 0) throw new Error(`kubectl set image exited ${k.code}: ${k.stderr.trim()}`)
          const kubectlMs = performance.now() - t0
          let last = ''
          let newHash = ''
          await until(
            deadline,
            500,
            async () => {
              const l = await api(server, 'GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dbig')
              const isNew = (rs) => rs.spec.template.spec.containers[0].image === 'nginx:1.16.1'
              const fresh = l.items.find(isNew)
              const old = l.items.filter((rs) => !isNew(rs))
              const oldLeft = old.reduce((a, rs) => a + (rs.status?.replicas ?? 0) + (rs.spec.replicas ?? 0), 0)
              last = `new ReplicaSet ${n(fresh?.status?.readyReplicas ?? 0)}/${n(R)} ready, old ones ${n(oldLeft)} (spec + status replicas)`
              newHash = fresh?.metadata.labels?.['pod-template-hash'] ?? ''
              return fresh && fresh.spec.replicas === R && fresh.status?.readyReplicas === R && oldLeft === 0
            },
            () => last,
          )
          const ms = performance.now() - t0
          const p = await podPhases(server, `/api/v1/namespaces/default/pods?labelSelector=pod-template-hash%3D${newHash}`)
          row(measure, `${secs(ms)} (kubectl ${secs(kubectlMs)}; new pods: ${phaseText(p.phases)})`, '≤ 30 s', ms <= 30_000 && p.running === R, ms)
        },
        server,
      )
      const s = await stopSampler()
      row('GET namespace every 100 ms during set image', samplerText(s), '—', null, s)
    }

    let haveMany = false
    let manyDone = false
    if (only.has('many')) {
      if (haveBig) {
        // 100,000 means 100,000: the rollout's Deployment goes first (measured, no target).
        log('deleting Deployment big first …')
        await step(
          `delete the ${n(R)}-replica Deployment → its pods gone`,
          '—',
          async () => {
            const t0 = performance.now()
            await api(server, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/big', {
              kind: 'DeleteOptions',
              apiVersion: 'v1',
              propagationPolicy: 'Background',
            })
            await until(
              deadlineFromNow(),
              500,
              async () => (await countPods(server, 'default')) === 0,
              async () => `${n(await countPods(server, 'default'))} pods left`,
            )
            row(`delete the ${n(R)}-replica Deployment → its pods gone`, secs(performance.now() - t0), '—', null, performance.now() - t0)
          },
          server,
        )
      }
      const measure = `${D} Deployments × ${n(R)} → ${n(D * R)} pods Running`
      log(`${measure} …`)
      const nss = Array.from({ length: D }, (_, i) => `scale-${i}`)
      for (const ns of nss) await api(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
      const stopSampler = startSampler(server)
      await step(
        measure,
        '≤ 60 s',
        async () => {
          const deadline = deadlineFromNow()
          const t0 = performance.now()
          for (const [i, ns] of nss.entries())
            await api(server, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deploymentBody(`scale-${i}`, R, { bench: 'scale' }))
          haveMany = true
          const w = deploymentsReady(server, '/apis/apps/v1/deployments?labelSelector=bench%3Dscale', D, R)
          await until(deadline, 500, w.check, async () => {
            const mem = memory(server)
            return `${w.progress()}; ${await podProgress(server, 'bench=scale')}; RSS ${(mem.rss / 1024).toFixed(2)} GB`
          })
          manyDone = true
          const ms = performance.now() - t0
          const mem = memory(server)
          const c = await confirmRunning(server, nss, D * R)
          row(measure, `${secs(ms)} (${c.text})`, '≤ 60 s', ms <= 60_000 && c.ok, ms)
          row(`RSS with ${n(D * R)} pods Running (VmRSS)`, `${(mem.rss / 1024).toFixed(2)} GB`, '≤ 2.5 GB', mem.rss <= 2560, mem.rss)
        },
        server,
      )
      if (!haveMany) {
        // Deployments that did not finish still exist: later rows measure them as they are.
        haveMany = (await api(server, 'GET', '/apis/apps/v1/deployments?labelSelector=bench%3Dscale')).items.length > 0
      }
      const s = await stopSampler()
      row(`GET namespace every 100 ms while ${n(D * R)} pods start`, samplerText(s), '—', null, s)
    }

    // When the pods did not all start in time, the server is still at it during the rows below.
    const busy = haveMany && !manyDone ? ' [pods still starting]' : ''
    if (only.has('list') && haveMany) {
      const measure = `LIST ${n(R)} pods by label selector, all namespaces (median of 3)${busy}`
      log(`${measure} …`)
      await step(
        measure,
        '≤ 2 s',
        async () => {
          const times = []
          const counts = []
          for (let i = 0; i < 3; i++) {
            const t0 = performance.now()
            const l = await api(server, 'GET', `/api/v1/pods?labelSelector=app%3Dscale-${i % D}`, undefined, { timeoutMs: timeLimitS * 1000 })
            times.push(performance.now() - t0)
            counts.push(l.items.length)
          }
          const med = [...times].sort((a, b) => a - b)[1]
          row(
            measure,
            `${secs(med)} (${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; ${counts.map(n).join(', ')} items)`,
            '≤ 2 s',
            med <= 2000 && counts.every((c) => c === R),
            med,
          )
        },
        server,
      )
      const km = `kubectl get pods -A --chunk-size=500${busy}`
      log(`${km} …`)
      await step(
        km,
        '≤ 30 s',
        async () => {
          const t0 = performance.now()
          const k = await runKubectl(kubeconfig, ['get', 'pods', '-A', '--chunk-size=500'], deadlineFromNow(), true)
          const ms = performance.now() - t0
          if (k.code !== 0) throw new Error(`kubectl exited ${k.code}: ${k.stderr.trim().slice(0, 200)}`)
          const pods = k.lines - 1 // the header line
          row(km, `${secs(ms)} (${n(pods)} pods printed)`, '≤ 30 s', ms <= 30_000 && pods >= D * R, ms)
        },
        server,
      )
    }

    if (only.has('delete') && haveMany) {
      const measure = `delete the ${D} Deployments → no pod left${busy}`
      log(`${measure} …`)
      const stopSampler = startSampler(server)
      await step(
        measure,
        '≤ 30 s',
        async () => {
          const deadline = deadlineFromNow()
          const t0 = performance.now()
          for (let i = 0; i < D; i++) {
            await api(
              server,
              'DELETE',
              `/apis/apps/v1/namespaces/scale-${i}/deployments/scale-${i}`,
              { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
              { allow: [404] },
            )
          }
          await until(
            deadline,
            500,
            async () => (await api(server, 'GET', '/api/v1/pods?labelSelector=bench%3Dscale&limit=1')).items.length === 0,
            async () => {
              let left = 0
              for (let i = 0; i < D; i++) left += await countPods(server, `scale-${i}`)
              return `${n(left)} pods left`
            },
          )
          const ms = performance.now() - t0
          row(measure, `${secs(ms)} (default grace period, background propagation as kubectl delete)`, '≤ 30 s', ms <= 30_000, ms)
        },
        server,
      )
      const s = await stopSampler()
      row('GET namespace every 100 ms during the delete', samplerText(s), 'p99 ≤ 100 ms', samplerOk(s), s)
    }
  } catch (e) {
    if (!(e instanceof ServerDied)) throw e
    row('server', `died: ${e.message.slice(0, 300)}`, '—', false)
    log(e.message)
  } finally {
    const mem = memory(server)
    if (!Number.isNaN(mem.hwm)) row('peak RSS of that server (VmHWM)', `${(mem.hwm / 1024).toFixed(2)} GB`, '≤ 2.5 GB', mem.hwm <= 2560, mem.hwm)
    await stopServer(server)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs kubectl against the kubeconfig; kills it at the deadline. `countLines` counts stdout lines instead of keeping them. */
function runKubectl(kubeconfig, args, deadline, countLines = false) {
  return new Promise((resolve, reject) => {
    const k = spawn(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let lines = 0
    let stderr = ''
    let timedOut = false
    k.stdout.on('data', (d) => {
      if (countLines) {
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++
      } else out += d
    })
    k.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000)
    })
    const timer = setTimeout(
      () => {
        timedOut = true
        k.kill('SIGKILL')
      },
      Math.max(0, deadline - performance.now()),
    )
    k.on('error', reject)
    k.on('close', (code) => {
      clearTimeout(timer)
      if (timedOut) return reject(new DidNotFinish(countLines ? `${n(lines)} rows so far` : 'kubectl still running'))
      resolve({ code, out, lines, stderr })
    })
  })
}

async function watchScenario() {
  const W = size.watchers
  const C = size.creates
  const measure = `${n(W)} watch streams, ${n(C)} creates: create → event`
  log(`${measure} …`)
  const server = await startServer(['--port', '0', '--nodes', '0', '--log-level', 'warn'])
  const ns = 'watch-bench'
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
  const reqs = []
  try {
    await step(
      measure,
      'all delivered, p99 ≤ 100 ms',
      async () => {
        const deadline = deadlineFromNow()
        await api(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
        const rv = (await api(server, 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`)).metadata.resourceVersion
        const sent = new Float64Array(C)
        const lat = new Float64Array(W * C).fill(Number.NaN)
        const got = new Uint32Array(W)
        let streamsComplete = 0
        let duplicates = 0
        let allDone
        const delivered = new Promise((r) => {
          allDone = r
        })
        const marker = '"name":"wb-'
        let connected = 0
        let timer
        const connecting = new Promise((resolve, reject) => {
          timer = setTimeout(() => reject(new DidNotFinish(`${connected}/${W} streams connected`)), Math.max(0, deadline - performance.now()))
          for (let w = 0; w < W; w++) {
            const req = http.get(`${server.url}/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}`, { agent }, (res) => {
              if (res.statusCode !== 200) return reject(new Error(`watch → ${res.statusCode}`))
              let buf = ''
              res.setEncoding('utf8').on('data', (chunk) => {
                const now = performance.now()
                buf += chunk
                for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
                  const line = buf.slice(0, i)
                  buf = buf.slice(i + 1)
                  // No JSON.parse: 1,000 × 1,000 events would make this process the bottleneck.
                  const at = line.indexOf(marker)
                  if (at < 0 || !line.startsWith('{"type":"ADDED"')) continue
                  const k = Number.parseInt(line.slice(at + marker.length, at + marker.length + 8), 10)
                  if (!(k >= 0 && k < C)) continue
                  const slot = w * C + k
                  if (!Number.isNaN(lat[slot])) {
                    duplicates++
                    continue
                  }
                  lat[slot] = now - sent[k]
                  if (++got[w] === C && ++streamsComplete === W) allDone()
                }
              })
              res.on('error', () => {})
              if (++connected === W) resolve()
            })
            req.on('error', (e) => reject(e))
            reqs.push(req)
          }
        })
        await connecting.finally(() => clearTimeout(timer))
        log(`${n(W)} streams connected; ${n(C)} creates …`)
        const t0 = performance.now()
        for (let k = 0; k < C && performance.now() < deadline; k++) {
          sent[k] = performance.now()
          await api(server, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `wb-${k}` },
            data: { k: String(k) },
          })
        }
        const createsMs = performance.now() - t0
        const inTime = await byDeadline(delivered, deadline)
        const total = got.reduce((a, b) => a + b, 0)
        if (!inTime) throw new DidNotFinish(`${n(total)}/${n(W * C)} events delivered, ${n(streamsComplete)}/${n(W)} streams complete`)
        const s = lat.sort()
        const p50 = percentile(s, 50)
        const p99 = percentile(s, 99)
        row(
          measure,
          `${n(total)}/${n(W * C)} delivered${duplicates ? ` (${duplicates} duplicates)` : ''}; p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} / max ${s.at(-1).toFixed(1)} ms (creates back to back, ${secs(createsMs)})`,
          'all delivered, p99 ≤ 100 ms',
          total === W * C && duplicates === 0 && p99 <= 100,
          { p50, p99, max: s.at(-1) },
        )
      },
      server,
    )
  } catch (e) {
    if (!(e instanceof ServerDied)) throw e
    row('server (watch)', `died: ${e.message.slice(0, 300)}`, '—', false)
  } finally {
    for (const r of reqs) r.destroy()
    agent.destroy()
    await stopServer(server)
  }
}

async function kwokScenario() {
  const N = size.nodes
  const P = size.kwokPods
  log('kwok shapes: starting server (--nodes 0) …')
  const server = await startServer(['--port', '0', '--nodes', '0', '--log-level', 'warn'])
  try {
    const nm = `kwok: ${n(N)} nodes (kwok's node object) → all Ready`
    log(`${nm} …`)
    const nodes = await step(
      nm,
      '≤ 6 s',
      async () => {
        const r = await nodesReady(server, 'fake-node-', N, kwokNodeBody, deadlineFromNow())
        row(nm, `${secs(r.ms)} (POSTs done at ${secs(r.posted)}; list confirms ${n(r.confirmed)} Ready)`, '≤ 6 s', r.ms <= 6000 && r.confirmed === N, r.ms)
        return r
      },
      server,
    )
    if (!nodes) return
    // kwok's pod (gen_pods): image `fake` (an image the simulated registry does not know always
    // pulls), bound by nodeName. kwok binds all to one node; a kubelet here admits 110, so spread them.
    const pm = `kwok: ${n(P)} pods (kwok's pod, nodeName spread over the nodes) by POST → all Running`
    log(`${pm} …`)
    const created = await step(
      pm,
      '≤ 6 s',
      async () => {
        const deadline = deadlineFromNow()
        const t0 = performance.now()
        await parallel(P, deadline, (i) =>
          api(server, 'POST', '/api/v1/namespaces/default/pods', {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `fake-pod-${i}`, namespace: 'default', labels: { app: 'fake-pod' } },
            spec: { containers: [{ name: 'fake-pod', image: 'fake' }], nodeName: `fake-node-${i % N}` },
          }),
        )
        const posted = performance.now() - t0
        await until(
          deadline,
          250,
          async () => (await countPods(server, 'default')) === P && !(await anyNotRunning(server, 'default')),
          async () => phaseText((await podPhases(server, '/api/v1/namespaces/default/pods')).phases),
        )
        const ms = performance.now() - t0
        const p = await podPhases(server, '/api/v1/namespaces/default/pods')
        row(pm, `${secs(ms)} (POSTs done at ${secs(posted)}; list: ${phaseText(p.phases)})`, '≤ 6 s', ms <= 6000 && p.running === P, ms)
        return true
      },
      server,
    )
    if (!created) return
    const dm = `kwok: delete the ${n(P)} pods one DELETE each, gracePeriodSeconds=1 (kwok's --grace-period 1) → gone`
    log(`${dm} …`)
    await step(
      dm,
      '≤ 9 s',
      async () => {
        const deadline = deadlineFromNow()
        const t0 = performance.now()
        await parallel(P, deadline, (i) =>
          api(
            server,
            'DELETE',
            `/api/v1/namespaces/default/pods/fake-pod-${i}`,
            { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1, propagationPolicy: 'Background' },
            { allow: [404] },
          ),
        )
        const deleted = performance.now() - t0
        await until(
          deadline,
          250,
          async () => (await countPods(server, 'default')) === 0,
          async () => `${n(await countPods(server, 'default'))} pods left`,
        )
        const ms = performance.now() - t0
        row(dm, `${secs(ms)} (DELETEs answered by ${secs(deleted)})`, '≤ 9 s', ms <= 9000, ms)
      },
      server,
    )
  } catch (e) {
    if (!(e instanceof ServerDied)) throw e
    row('server (kwok)', `died: ${e.message.slice(0, 300)}`, '—', false)
  } finally {
    await stopServer(server)
  }
}

async function main() {
  if (only.has('startup')) await startupScenario()
  if (only.has('nodes')) await clusterScenarios()
  if (only.has('watch')) await watchScenario()
  if (only.has('kwok')) await kwokScenario()
  if (asJson)
    console.log(
      JSON.stringify({ node: process.version, cpus: availableParallelism(), loadavg: { start: loadStart, end: loadavg() }, size, timeLimitS, rows }, null, 2),
    )
  else printTable()
}

function printTable() {
  const cells = rows.map((r) => [r.measure, r.result, r.target, r.pass])
  const head = ['Measure', 'Result', 'Target', 'Pass']
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  const load = (l) => l.map((x) => x.toFixed(1)).join(' ')
  console.log(`kubemock scale benchmark — node ${process.version}, ${availableParallelism()} CPUs, time limit ${timeLimitS} s per scenario`)
  console.log(`load average at start ${load(loadStart)}, at end ${load(loadavg())} (other work on the cores stretches wall times; [server CPU] does not)`)
  console.log(
    `sizes: ${n(size.nodes)} nodes, ${n(size.replicas)} replicas × ${size.deployments} Deployments, ${n(size.kwokPods)} kwok pods, ${n(size.watchers)} watchers × ${n(size.creates)} creates` +
      (scaled ? ' (scaled down: the targets are for the issue sizes)' : ''),
  )
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const c of cells) console.log(line(c))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
