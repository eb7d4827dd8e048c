/**
 * @module bad-input.test: seeded fuzzing of query parameters, request bodies and paths (API and
 * control API): every refusal is a Kubernetes Status with a 4xx code (5xx only for etcd's size
 * texts and 504 Timeout), nothing is partly written, and no request blocks the event loop.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import type { KubeObject } from '../../src/types.js'
import { prng } from '../helpers/prng.js'

// Set KUBEMOCK_FUZZ_SEED to replay a run; every case draws from its own generator seeded by
// (seed, family, index), so a failure names the one input to replay.
const seed = Number(process.env.KUBEMOCK_FUZZ_SEED ?? 20261201)
const slowMs = 500
/** KUBEMOCK_FUZZ_SCALE=0.1 runs a tenth of the cases (quick look), 10 ten times as many. */
const scale = Number(process.env.KUBEMOCK_FUZZ_SCALE ?? 1)
const cases = (n: number) => Math.max(1, Math.round(n * scale))

class Rng {
  readonly next: () => number
  constructor(family: string, index: number) {
    let h = seed ^ 0x9e3779b9
    for (const c of `${family}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193)
    this.next = prng(h)
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  ascii(n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + this.int(95))
    return s
  }
}

interface Failure {
  family: string
  index: number
  input: string
  problem: string
}

const failures: Failure[] = []
/** Records a failure and prints it at once, so a run that times out still shows what it found. */
function fail(f: Failure): void {
  failures.push(f)
  if (process.env.KUBEMOCK_FUZZ_VERBOSE) console.error(`[${f.family} #${f.index}] ${f.input}\n    → ${f.problem}`)
}

function preview(v: unknown, max = 300): string {
  const s = Buffer.isBuffer(v) ? `<${v.length} bytes> ${v.subarray(0, 60).toString('hex')}` : typeof v === 'string' ? v : JSON.stringify(v)
  return s === undefined ? String(v) : s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s
}

/** The problem with an answer, or undefined when it is a proper one. */
function judge(
  status: number,
  contentType: string | undefined,
  body: string,
  ms: number,
  opts: { allowNonStatus?: boolean; method?: string; url?: string } = {},
): string | undefined {
  // The watch cache holds a too-new list for 3 s before its 504 (waitUntilFreshAndBlock): a wait
  // upstream makes too, on a timer, not a blocked loop.
  const tooLargeRV = status === 504 && body.includes('Too large resource version')
  if (ms > (tooLargeRV ? 3000 + slowMs : slowMs)) return `took ${Math.round(ms)} ms (answered ${status})`
  // Go's net/http refuses a path with a broken percent-escape before kube-apiserver sees it:
  // a plain-text "400 Bad Request", not a Status. (inject resolves `..` and `%2e%2e` segments
  // first, which can drop the broken one: then the answer is judged like any other.)
  if (opts.url && /%(?![0-9a-fA-F]{2})/.test(opts.url.split('?')[0])) {
    const plain = status === 400 && contentType?.startsWith('text/plain') && (body === '400 Bad Request' || opts.method === 'HEAD')
    if (plain) return undefined
    if (!/\/(\.|%2e){1,2}(\/|$)/i.test(opts.url)) return `a broken escape in the path got ${status} ${contentType}: ${preview(body, 200)}`
  }
  if (status < 400) return undefined
  // A HEAD answer has no body to judge.
  if (opts.method === 'HEAD') return status >= 500 ? `HEAD answered ${status}` : undefined
  let st: { kind?: string; code?: number; message?: string; status?: string; reason?: string }
  try {
    st = JSON.parse(body)
  } catch {
    return opts.allowNonStatus ? undefined : `${status} with a non-JSON body: ${preview(body, 200)}`
  }
  if (st?.kind !== 'Status') return opts.allowNonStatus ? undefined : `${status} with a non-Status body: ${preview(body, 200)}`
  if (!contentType?.startsWith('application/json')) return `${status} Status with content-type ${contentType}`
  if (st.code !== status) return `HTTP ${status} but Status code ${st.code}`
  if (st.status !== 'Failure') return `Status.status ${st.status}`
  if (typeof st.message !== 'string' || !st.message) return `${status} Status without a message`
  if (status >= 500) {
    // Upstream's own untranslated 500s (no reason): etcd's texts, strategic merge patch's
    // mergepatch.ErrNoMergeKey and sliceElementType's error, which interpretStrategicMergePatchError
    // passes through as they are, and an apply configuration that does not fit the schema
    // (structuredMergeManager.Apply's fmt.Errorf).
    const untranslated =
      /^etcdserver: |^map: .* does not contain declared merge key: |^list element types are not identical: |^failed to create typed patch object \(/.test(
        st.message,
      )
    const allowed = (status === 500 && untranslated && !st.reason) || (status === 504 && st.reason === 'Timeout')
    if (!allowed) return `${status}: ${preview(st.message, 300)}`
  }
  if (/Maximum call stack|RangeError|TypeError|undefined is not|Cannot read prop|is not a function|\[object Object\]/.test(st.message)) {
    return `${status} leaks a JavaScript error: ${preview(st.message, 300)}`
  }
  return undefined
}

let cluster: Cluster
let app: FastifyInstance
let port = 0
const loopDelay = monitorEventLoopDelay({ resolution: 20 })

const pods = () => cluster.registry.resource('', 'pods')
const configMaps = () => cluster.registry.resource('', 'configmaps')
const deployments = () => cluster.registry.resource('apps', 'deployments')
const rv = () => cluster.store.currentRV()

/** Waits until the controllers stop writing (no commits for a few turns of the event loop). */
async function settle(): Promise<void> {
  let last = rv()
  // Twenty quiet turns: after a reset the RBAC reconcile and the aggregation controller write late.
  for (let quiet = 0, turns = 0; quiet < 20 && turns < 4000; turns++) {
    await new Promise((r) => setImmediate(r))
    const now = rv()
    quiet = now === last ? quiet + 1 : 0
    last = now
  }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await cluster.clock.advance(100)
  if (!cond()) throw new Error('fixture did not become ready')
}

const podFixture = {
  metadata: { name: 'fuzz-pod', labels: { app: 'fuzz' } },
  spec: { nodeName: 'kubemock-worker', containers: [{ name: 'nginx', image: 'nginx:1.15.12', ports: [{ containerPort: 80 }] }] },
}
const cmFixture = { metadata: { name: 'fuzz-cm', labels: { app: 'fuzz' } }, data: { a: '1' } }
const deployFixture = {
  metadata: { name: 'fuzz-deploy' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'fd' } },
    template: { metadata: { labels: { app: 'fd' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.15.12' }] } },
  },
}

/** (Re)creates the objects the cases address, e.g. after a fuzzed delete or snapshot was accepted. */
async function ensureFixtures(): Promise<void> {
  const clone = <T>(o: T): T => structuredClone(o)
  if (!configMaps().getStored('default', 'fuzz-cm')) await configMaps().create('default', clone(cmFixture) as KubeObject)
  if (!configMaps().getStored('default', 'fuzz-del')) await configMaps().create('default', { metadata: { name: 'fuzz-del' } } as KubeObject)
  if (!deployments().getStored('default', 'fuzz-deploy')) await deployments().create('default', clone(deployFixture) as KubeObject)
  const pod = () => pods().getStored('default', 'fuzz-pod')?.obj as { status?: { phase?: string }; metadata?: { deletionTimestamp?: string } } | undefined
  if (pod()?.metadata?.deletionTimestamp) await until(() => pod() === undefined)
  if (!pod()) await pods().create('default', clone(podFixture) as KubeObject)
  await until(() => pod()?.status?.phase === 'Running')
  await settle()
}

/** A valid fault would break the cases after it; drop whatever got accepted. */
async function clearFaults(): Promise<void> {
  app.kubemock.faults.clear()
}

interface Case {
  method: string
  url: string
  headers?: Record<string, string>
  payload?: string | Buffer
  /** A write: a refusal must leave the store's resourceVersion where it was. */
  write?: boolean
  /** Answers from a proxied backend need not be Status objects. */
  allowNonStatus?: boolean
}

/** Sends through app.inject and judges the answer. */
async function injectCase(family: string, index: number, c: Case): Promise<void> {
  const before = rv()
  const t0 = performance.now()
  let status: number
  let body: string
  let type: string | undefined
  try {
    const r = await app.inject({ method: c.method as 'GET', url: c.url, headers: c.headers, payload: c.payload })
    status = r.statusCode
    body = r.body
    type = r.headers['content-type'] as string | undefined
  } catch (err) {
    fail({ family, index, input: describeCase(c), problem: `inject threw ${(err as Error).message}` })
    return
  }
  const ms = performance.now() - t0
  let problem = judge(status, type, body, ms, c)
  if (!problem && c.write && status >= 400 && rv() !== before) problem = `refused with ${status} but the resourceVersion moved ${before} → ${rv()}`
  if (problem) fail({ family, index, input: describeCase(c), problem })
  const tPost = performance.now()
  if (status < 400) {
    // An accepted control write (a snapshot, a crash, a failed image) changes the cluster: start over.
    if (c.url.startsWith('/kubemock/') && c.method !== 'GET') await app.kubemock.reset()
    await clearFaults()
    await settle()
    await ensureFixtures()
  }
  if (process.env.KUBEMOCK_FUZZ_VERBOSE && performance.now() - t0 > 200)
    console.error(
      `[${family} #${index}] ${status} request ${Math.round(ms)} ms, after ${Math.round(performance.now() - tPost)} ms: ${describeCase(c).slice(0, 200)}`,
    )
}

/**
 * Sends over a real socket, for answers that may stream (watch, follow, exec): a 2xx or 3xx is
 * cut as soon as its headers arrive (an accepted request is not judged, only refusals are).
 */
function socketCase(family: string, index: number, c: Case): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const before = rv()
    let done = false
    const finish = (problem?: string) => {
      if (done) return
      done = true
      clearTimeout(hang)
      if (problem) fail({ family, index, input: describeCase(c), problem })
      resolve()
    }
    let req: http.ClientRequest | undefined
    const hang = setTimeout(() => {
      req?.destroy()
      finish(`no response headers within 5 s`)
    }, 5000)
    // Node refuses to send control characters, spaces and non-Latin-1 in a path: escape those only.
    const path = c.url.replace(/[^\u0021-\u007e]/gu, (ch) => encodeURIComponent(ch))
    req = http.request({ host: '127.0.0.1', port, method: c.method, path, headers: c.headers, agent: false }, (res) => {
      const ms = performance.now() - t0
      const chunks: Buffer[] = []
      const status = res.statusCode ?? 0
      if (status < 400) {
        // accepted (a stream, or an answer not judged): cut it at once
        res.destroy()
        req?.destroy()
        finish(ms > slowMs ? `took ${Math.round(ms)} ms (answered ${status})` : undefined)
        return
      }
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('error', () => {})
      res.on('end', () => {
        let problem = judge(status, res.headers['content-type'], Buffer.concat(chunks).toString('utf8'), ms, c)
        if (!problem && c.write && status >= 400 && rv() !== before) problem = `refused with ${status} but the resourceVersion moved`
        finish(problem)
      })
    })
    req.on('error', (err) => finish(`request failed: ${err.message}`))
    if (c.payload !== undefined) req.write(c.payload)
    req.end()
  })
}

function describeCase(c: Case): string {
  const h = c.headers?.['content-type'] ? ` (${c.headers['content-type']})` : ''
  return `${c.method} ${preview(c.url, 400)}${h}${c.payload !== undefined ? ` body ${preview(c.payload)}` : ''}`
}

function report(family: string): void {
  const mine = failures.filter((f) => f.family === family)
  if (mine.length) {
    const shown = mine.slice(0, 15).map((f) => `  [${f.family} #${f.index}] ${f.input}\n    → ${f.problem}`)
    console.error(`bad-input fuzz (seed ${seed}): ${mine.length} failures in ${family}\n${shown.join('\n')}`)
  }
  expect(mine.map((f) => `#${f.index} ${f.problem}`)).toEqual([])
}

beforeAll(async () => {
  console.log(`bad-input fuzz seed ${seed} (KUBEMOCK_FUZZ_SEED=${seed} replays it)`)
  cluster = await Cluster.open({ speed: 0 })
  app = await buildApp({ cluster })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as AddressInfo).port
  await ensureFixtures()
  loopDelay.enable()
})

afterAll(async () => {
  loopDelay.disable()
  await app?.close()
  cluster?.close()
})

// ---- values -------------------------------------------------------------------------------

const numbers = [
  '0',
  '1',
  '-1',
  '5',
  '500',
  '1.5',
  '-0',
  '1e3',
  '0x10',
  '+7',
  '007',
  ' 1',
  '1 ',
  'NaN',
  'Infinity',
  '-Infinity',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '99999999999999999999999999999',
  '1_000',
  '2147483648',
  '4294967296',
]
const durations = ['10s', '1m', '-5s', '0s', '1h30m', '5', 's', '1.5s', '99999999999h', '1ns', '1e3s', '1µs', '300ms']
const times = [
  '2024-01-01T00:00:00Z',
  '2024-13-45T25:61:61Z',
  '2024-01-01',
  '2024-01-01T00:00:00.123456789+02:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  'yesterday',
]
const selectors = [
  'app=fuzz',
  'app!=x',
  'app in (a,b)',
  'app notin (x)',
  '!app',
  'app',
  'a=b,c=d',
  'app in (',
  '=',
  '!=',
  'app==',
  'in',
  '(a)',
  'a b',
  'x/y=z',
  'metadata.name=fuzz-pod',
  'status.phase=Running',
  'spec.nodeName!=',
  'metadata.namespace==default',
  'foo.bar=baz',
  'a=\u0000',
  'a=b,',
  ',',
  'a in (b,,c)',
  `${'k'.repeat(64)}=v`,
  `k=${'v'.repeat(70)}`,
]
const misc = [
  '',
  ' ',
  'true',
  'false',
  'True',
  '1',
  'All',
  'all',
  'Strict',
  'Warn',
  'Ignore',
  'strict',
  'Foreground',
  'Background',
  'Orphan',
  'orphan',
  'NotOlderThan',
  'Exact',
  'nginx',
  'nope',
  'ls',
  'sh',
  '80',
  '8080:80',
  '-1',
  '65536',
  'a,b',
  '💥',
  'é',
  '\u0000',
  '\uFFFD',
  '%',
  '%ZZ',
  '?',
  '#',
  '&',
  '=',
  'a=b',
  '..',
  '/',
  '\\',
  '<script>',
]

function badValue(r: Rng): string {
  switch (r.int(8)) {
    case 0:
    case 1:
      return r.pick(numbers)
    case 2:
      return r.pick(durations)
    case 3:
      return r.pick(times)
    case 4:
      return r.pick(selectors)
    case 5:
      return r.chance(0.1) ? 'x'.repeat(r.pick([300, 5000, 60000])) : r.ascii(r.int(20))
    case 6:
      return String(r.next() < 0.5 ? -r.int(1e9) : r.next() * 1e12)
    default:
      return r.pick(misc)
  }
}

/** Encodes one parameter; sometimes raw (unescaped or broken percent escapes), as a careless client sends it. */
function param(r: Rng, k: string, v: string): string {
  if (r.chance(0.1)) return r.pick([k, `${k}=`, `${k}=${v.replace(/[\s#?&]/g, '')}`, `${k}=%${r.pick(['', 'Z', 'ZZ', 'e9', 'c3%28', '00', 'ff'])}`])
  return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
}

// ---- query parameters ---------------------------------------------------------------------

const queryParams = [
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'timeoutSeconds',
  'timeout',
  'gracePeriodSeconds',
  'labelSelector',
  'fieldSelector',
  'watch',
  'follow',
  'tailLines',
  'sinceSeconds',
  'sinceTime',
  'limitBytes',
  'container',
  'command',
  'ports',
  'dryRun',
  'fieldValidation',
  'fieldManager',
  'propagationPolicy',
  'pretty',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'previous',
  'timestamps',
  'stdin',
  'stdout',
  'tty',
  'orphanDependents',
]

const queryTargets: { method: string; path: string; stream?: boolean; proxy?: boolean; write?: boolean }[] = [
  { method: 'GET', path: '/api/v1/namespaces/default/pods', stream: true },
  { method: 'GET', path: '/api/v1/pods', stream: true },
  { method: 'GET', path: '/apis/apps/v1/namespaces/default/deployments', stream: true },
  { method: 'GET', path: '/api/v1/namespaces/default/configmaps/fuzz-cm', stream: true },
  { method: 'GET', path: '/api/v1/watch/namespaces/default/pods', stream: true },
  { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/fuzz-del', write: true },
  { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps', write: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod/log', stream: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod/exec', stream: true },
  { method: 'POST', path: '/api/v1/namespaces/default/pods/fuzz-pod/exec', stream: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod/attach', stream: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod/portforward', stream: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod/proxy/', proxy: true },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/fuzz-pod:80/proxy/index.html', proxy: true },
]

describe('bad input: query parameters', () => {
  it('answers every generated query with a result or a 4xx Status, without blocking', async () => {
    const family = 'query'
    // Reads go out eight at a time (a too-new resourceVersion waits 3 s, as upstream); writes alone,
    // so their resourceVersion check sees only their own effect.
    let batch: Promise<void>[] = []
    const flush = async () => {
      await Promise.all(batch)
      batch = []
    }
    for (let i = 0; i < cases(1400); i++) {
      const r = new Rng(family, i)
      const t = r.pick(queryTargets)
      const parts: string[] = []
      for (let n = 1 + r.int(4); n > 0; n--) {
        const k = r.chance(0.05) ? r.ascii(1 + r.int(8)) : r.pick(queryParams)
        parts.push(param(r, k, badValue(r)))
        if (r.chance(0.15)) parts.push(param(r, k, badValue(r)))
      }
      const url = `${t.path}?${parts.join('&')}`
      const c: Case = { method: t.method, url, write: t.write, allowNonStatus: t.proxy }
      if (t.write) {
        await flush()
        await injectCase(family, i, c)
        await settle()
        await ensureFixtures()
      } else {
        batch.push(socketCase(family, i, c))
        if (batch.length >= 8) await flush()
      }
    }
    await flush()
    report(family)
  }, 60_000)
})

// ---- bodies -------------------------------------------------------------------------------

const cmBody = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'fuzz-new', namespace: 'default', labels: { a: 'b' }, annotations: { x: 'y' } },
  data: { k: 'v' },
  binaryData: { b: 'AAEC' },
  immutable: false,
})
const podBody = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'fuzz-new', labels: { app: 'n' } },
  spec: {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [{ name: 'A', value: 'b' }],
        resources: { limits: { cpu: '100m', memory: '64Mi' } },
        command: ['nginx'],
      },
    ],
  },
})
const deployBody = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', ...structuredClone(deployFixture), metadata: { name: 'fuzz-new', labels: { a: 'b' } } })

const wrongValues: unknown[] = [0, -1, 1.5, 1e308, -0, 2 ** 63, '', 'x', '💥', true, false, null, [], [1, 'a'], {}, { a: { b: 1 } }, 'x'.repeat(300)]

/** Every path to a value in `o` (objects and arrays both). */
function paths(o: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      const p = [...prefix, Array.isArray(o) ? Number(k) : k]
      out.push(p)
      paths(v, p, out)
    }
  }
  return out
}

function withWrongType(r: Rng, obj: Record<string, unknown>): Record<string, unknown> {
  const all = paths(obj)
  for (let n = 1 + r.int(3); n > 0; n--) {
    const p = r.pick(all)
    let at = obj as Record<string | number, unknown>
    for (const k of p.slice(0, -1)) {
      if (!at[k] || typeof at[k] !== 'object') break
      at = at[k] as Record<string | number, unknown>
    }
    at[p[p.length - 1]] = structuredClone(r.pick(wrongValues))
  }
  return obj
}

function deepJSON(r: Rng, depth: number): string {
  const open = r.pick(['{"a":', '[', '{"a":[', '{"":'])
  const close = open === '[' ? ']' : open === '{"a":[' ? ']}' : '}'
  const closed = r.chance(0.7)
  const inner = `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`
  switch (r.int(3)) {
    case 0:
      return inner
    case 1:
      return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-new","labels":${inner}}}`
    default:
      return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-new"},"deep":${inner}}`
  }
}

const yamlBodies = [
  // billion laughs
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: fuzz-new\ndata: *m\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n fuzz-new\n  labels: {a: *n}\n',
  'a: &a\n  b: *a\n',
  '%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fuzz-new}\n',
  '%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: 1}\n',
  '%YAML 2.0\n---\na: 1\n',
  '%TAG ! tag:x,2000:\n---\n!foo a: 1\n',
  '%FOO bar\n---\na: 1\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: fuzz-new\n',
  '\uFEFFapiVersion: v1\nkind: ConfigMap\nmetadata: {name: 9}\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\n---\n: :\n',
  '---\n---\n---\n',
  '- 1\n- 2\n',
  '"just a string"',
  '? [a, b]\n: c\n',
  '!!binary AAAA',
  'a: !!int notanint\n',
  'metadata: {name: x, name: y}\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fuzz-new}\ndata: {a: 1, b: [1], c: {d: e}}\n',
  '{{{{{{{{{{{{{{{{',
  `${'- '.repeat(2000)}x\n`,
  `${'['.repeat(5000)}`,
  `${'a:\n '.repeat(3000)}b\n`,
  'a: "\\xff"\n',
  'a: |\n  \u0000\n',
]

const invalidUTF8 = [
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\xc3"}}', 'latin1'),
  Buffer.concat([Buffer.from('{"metadata":{"name":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  Buffer.from([0xc0, 0xaf]),
]

function protobufGarbage(r: Rng): Buffer {
  const n = r.int(200)
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = r.int(256)
  if (r.chance(0.6)) return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), b])
  return b
}

/** A malformed or hostile body, as text or bytes, plus the content-type to send it with. */
function badBody(r: Rng, shape: () => Record<string, unknown>): { payload: string | Buffer; type?: string } {
  const valid = JSON.stringify(shape())
  switch (r.int(10)) {
    case 0:
      return { payload: valid.slice(0, r.int(valid.length)) }
    case 1:
      return { payload: deepJSON(r, r.pick([10, 100, 1000, 5000, 9999, 10000, 10001, 20000, 100000])) }
    case 2: {
      const o = shape()
      const big = 'x'.repeat(r.pick([64 * 1024, 1024 * 1024, 2 * 1024 * 1024, 3 * 1024 * 1024 + 10]))
      const place = r.int(3)
      o.metadata ??= {}
      if (place === 0) (o.metadata as Record<string, unknown>).name = big.slice(0, r.pick([254, 64 * 1024]))
      else if (place === 1) (o.metadata as Record<string, unknown>).labels = { [big.slice(0, 400)]: 'v' }
      else (o.metadata as Record<string, unknown>).annotations = { a: big }
      return { payload: JSON.stringify(o) }
    }
    case 3:
    case 4:
      return { payload: JSON.stringify(withWrongType(r, shape())) }
    case 5:
      return { payload: r.pick(yamlBodies), type: r.pick(['application/yaml', 'application/json', 'application/apply-patch+yaml']) }
    case 6:
      return { payload: r.pick(invalidUTF8) }
    case 7:
      return { payload: protobufGarbage(r), type: 'application/vnd.kubernetes.protobuf' }
    case 8:
      return {
        payload: r.pick([
          '',
          ' ',
          'null',
          '[]',
          '"x"',
          '1',
          'true',
          '{}',
          '{"kind":"Pod"}',
          '{"apiVersion":"v2","kind":"ConfigMap"}',
          '{"metadata":[]}',
          '{"metadata":null}',
          '{,}',
          '{"a":1,}',
          '{"a" 1}',
          "{'a':1}",
          '[1,2',
          '{"a":"\\u12"}',
          '{"a":"\t"}',
          '\uFEFF{}',
          '{"a":01}',
          '{"a":1e}',
          '{"a":-}',
          '{"a":tru}',
          'NaN',
          '{"a":Infinity}',
        ]),
      }
    default:
      return { payload: `${valid}${r.pick(['x', '}', ' {}', '\n---\n{}', ',', '\u0000'])}` }
  }
}

const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']

function badPatch(r: Rng): string | Buffer {
  switch (r.int(4)) {
    case 0:
      return r.pick([
        '[{"op":"replace","path":"/data/a","value":1}]',
        '[{"op":"add","path":"/metadata/labels/~2","value":"x"}]',
        '[{"op":"move","from":"/data","path":"/data/a"}]',
        '[{"op":"test","path":"/data/a","value":"nope"}]',
        '[{"op":"remove","path":"/metadata"}]',
        '[{"op":"copy","from":"/nope","path":"/x"}]',
        '[{"op":"bogus"}]',
        '[{"path":"/a"}]',
        '[{"op":"add","path":"/spec/replicas","value":"3"}]',
        '[{"op":"add","path":"/spec/template/spec/containers/99","value":{}}]',
        '[{"op":"add","path":"/spec/template/spec/containers/-1","value":{}}]',
        '[{"op":"add","path":"data/a","value":"x"}]',
        '{"op":"add"}',
        '[null]',
        '[1]',
        '[{"op":"add","path":"/metadata/name","value":"renamed"}]',
        '[{"op":"replace","path":"/kind","value":"Pod"}]',
        '{"$patch":"delete"}',
        '{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}',
        '{"spec":{"$setElementOrder/containers":[{"name":"zz"}]}}',
        '{"spec":{"template":{"spec":{"$retainKeys":"x"}}}}',
        '{"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}}',
        '{"spec":{"replicas":-5}}',
        '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}',
        '{"metadata":{"resourceVersion":"1"}}',
        '{"metadata":{"resourceVersion":"abc"}}',
        '{"metadata":{"name":"other"}}',
        '{"data":{"a":{"b":1}}}',
        '{"apiVersion":"v2"}',
        '{"kind":"Pod"}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fuzz-deploy}\nspec: {replicas: x}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n',
      ])
    case 1:
      return deepJSON(r, r.pick([100, 1000, 10000, 10001, 50000]))
    case 2:
      return badBody(r, () => ({ spec: { replicas: 2 } })).payload
    default:
      return JSON.stringify(withWrongType(r, r.pick([deployBody, cmBody])()))
  }
}

describe('bad input: request bodies', () => {
  it('refuses every generated create/update/patch body with a 4xx Status and writes nothing', async () => {
    const family = 'body'
    const targets = [
      { method: 'POST', url: '/api/v1/namespaces/default/configmaps', shape: cmBody },
      { method: 'POST', url: '/api/v1/namespaces/default/pods', shape: podBody },
      { method: 'POST', url: '/apis/apps/v1/namespaces/default/deployments', shape: deployBody },
      { method: 'PUT', url: '/api/v1/namespaces/default/configmaps/fuzz-cm', shape: () => ({ ...cmBody(), metadata: { name: 'fuzz-cm' } }) },
      { method: 'PUT', url: '/api/v1/namespaces/default/pods/fuzz-pod', shape: () => ({ ...podBody(), metadata: { name: 'fuzz-pod' } }) },
      { method: 'PUT', url: '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy', shape: () => ({ ...deployBody(), metadata: { name: 'fuzz-deploy' } }) },
      {
        method: 'PUT',
        url: '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy/scale',
        shape: () => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'fuzz-deploy' }, spec: { replicas: 2 } }),
      },
      { method: 'PUT', url: '/api/v1/namespaces/default/pods/fuzz-pod/status', shape: () => ({ ...podBody(), metadata: { name: 'fuzz-pod' } }) },
    ]
    for (let i = 0; i < cases(1100); i++) {
      const r = new Rng(family, i)
      const t = r.pick(targets)
      const { payload, type } = badBody(r, t.shape)
      const ct =
        type ??
        (r.chance(0.85)
          ? 'application/json'
          : r.pick([
              'application/yaml',
              'text/plain',
              'application/json; charset=latin1',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              '',
            ]))
      const q = r.chance(0.3) ? `?${param(r, r.pick(['fieldValidation', 'dryRun', 'fieldManager', 'pretty']), badValue(r))}` : ''
      await injectCase(family, i, { method: t.method, url: t.url + q, headers: ct ? { 'content-type': ct } : {}, payload, write: true })
    }
    report(family)
  }, 60_000)

  it('refuses every generated patch, in each of the four patch types, with a 4xx Status and writes nothing', async () => {
    const family = 'patch'
    const targets = [
      '/api/v1/namespaces/default/configmaps/fuzz-cm',
      '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy',
      '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy/status',
      '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy/scale',
      '/api/v1/namespaces/default/pods/fuzz-pod',
      '/api/v1/namespaces/default/configmaps/fuzz-missing',
    ]
    for (let i = 0; i < cases(700); i++) {
      const r = new Rng(family, i)
      const url = r.pick(targets)
      const type = r.chance(0.9)
        ? r.pick(patchTypes)
        : r.pick(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json-patch+json; charset=x'])
      let q = r.chance(0.3) ? `?${param(r, r.pick(['fieldValidation', 'dryRun', 'fieldManager', 'force']), badValue(r))}` : ''
      if (type.startsWith('application/apply-patch') && r.chance(0.5)) q = q ? `${q}&fieldManager=fuzz` : '?fieldManager=fuzz'
      await injectCase(family, i, { method: 'PATCH', url: url + q, headers: { 'content-type': type }, payload: badPatch(r), write: true })
    }
    report(family)
  }, 60_000)

  it('refuses every generated control body (snapshot, faults, clock) with a 4xx Status and changes nothing', async () => {
    const family = 'control'
    const snapshotList = () => ({ apiVersion: 'v1', kind: 'List', items: [cmBody(), podBody(), deployBody()] })
    const targets = [
      { method: 'PUT', url: '/kubemock/v1/snapshot', shape: snapshotList },
      {
        method: 'POST',
        url: '/kubemock/v1/faults',
        shape: () => ({ verb: 'get', resource: 'pods', namespace: 'default', name: 'x', code: 503, count: 1, latencyMs: 5 }),
      },
      { method: 'POST', url: '/kubemock/v1/clock/advance', shape: () => ({ seconds: 1 }) },
      { method: 'PUT', url: '/kubemock/v1/clock', shape: () => ({ speed: 0 }) },
      { method: 'POST', url: '/kubemock/v1/namespaces/default/pods/fuzz-pod/crash', shape: () => ({ container: 'nginx', exitCode: 1 }) },
      { method: 'POST', url: '/kubemock/v1/images/fail', shape: () => ({ image: 'nginx:9.9.9' }) },
    ]
    for (let i = 0; i < cases(500); i++) {
      const r = new Rng(family, i)
      const t = r.pick(targets)
      const { payload, type } = badBody(r, t.shape as () => Record<string, unknown>)
      const nonsense = r.chance(0.3) ? { seconds: r.pick(wrongValues) } : undefined
      const body = nonsense && t.url.endsWith('advance') ? JSON.stringify(nonsense) : payload
      const ct = type ?? (r.chance(0.8) ? 'application/json' : r.pick(['application/yaml', 'text/plain', '']))
      const clockBefore = cluster.clock.now()
      await injectCase(family, i, { method: t.method, url: t.url, headers: ct ? { 'content-type': ct } : {}, payload: body, write: true })
      if (cluster.clock.speed !== 0) cluster.clock.setSpeed(0)
      if (cluster.clock.now() - clockBefore > 3_600_000) {
        // an accepted huge advance is legal; keep the fixtures fresh after it
        await ensureFixtures()
      }
      await clearFaults()
    }
    report(family)
  }, 60_000)
})

// ---- paths --------------------------------------------------------------------------------

const segments = [
  'api',
  'apis',
  'v1',
  'v2',
  'v1beta1',
  'apps',
  'batch',
  'example.com',
  'namespaces',
  'default',
  'kube-system',
  'Default',
  'no-such-ns',
  'pods',
  'pod',
  'Pods',
  'configmaps',
  'deployments',
  'nodes',
  'foos',
  'fuzz-pod',
  'fuzz-cm',
  'status',
  'scale',
  'log',
  'binding',
  'eviction',
  'exec',
  'proxy',
  'watch',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%00',
  '%ZZ',
  '',
  '-bad-',
  'UPPER',
  'a.b',
  'a_b',
  '💥',
  '%F0%9F%92%A5',
  'x'.repeat(254),
  'x'.repeat(1000),
  'x'.repeat(5000),
  ';',
  ':',
  'fuzz-pod:80',
  '*',
  '~',
  '%20',
]

describe('bad input: paths', () => {
  it('answers every generated path with a result or a 4xx Status', async () => {
    const family = 'path'
    for (let i = 0; i < cases(900); i++) {
      const r = new Rng(family, i)
      const segs: string[] = []
      const start = r.pick([
        ['api', 'v1'],
        ['apis', 'apps', 'v1'],
        ['api'],
        ['apis'],
        ['kubemock', 'v1'],
        ['api', 'v1', 'namespaces', 'default'],
        ['apis', r.pick(segments), r.pick(segments)],
        [],
      ])
      segs.push(...start)
      for (let n = r.int(5); n > 0; n--) segs.push(r.pick(segments))
      let url = `/${segs.join('/')}${r.chance(0.2) ? '/' : ''}`
      if (r.chance(0.05)) url = url.replace(/\//g, '//')
      const method = r.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
      const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH'
      const headers: Record<string, string> = hasBody ? { 'content-type': method === 'PATCH' ? r.pick(patchTypes) : 'application/json' } : {}
      const payload = hasBody ? JSON.stringify(r.chance(0.5) ? cmBody() : { metadata: { name: r.pick(segments) } }) : undefined
      const isProxy = segs.includes('proxy')
      // Long-running verbs (watch, log, exec, proxy) go over a socket so an accepted stream does not hang the test.
      if (isProxy || segs.includes('watch') || segs.includes('log') || segs.includes('exec'))
        await socketCase(family, i, { method, url, headers, payload, write: hasBody || method === 'DELETE', allowNonStatus: isProxy })
      else await injectCase(family, i, { method, url, headers, payload, write: hasBody || method === 'DELETE' })
      if (method === 'DELETE') {
        await settle()
        await ensureFixtures()
      }
    }
    report(family)
  }, 60_000)

  it('kept the event loop responsive and the server alive throughout', async () => {
    const maxMs = loopDelay.max / 1e6
    console.log(`bad-input fuzz: event-loop delay max ${maxMs.toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`)
    expect(maxMs).toBeLessThan(slowMs)
    const r = await app.inject({ url: '/readyz' })
    expect(r.statusCode).toBe(200)
    expect((await app.inject({ url: '/api/v1/namespaces/default/configmaps/fuzz-cm' })).statusCode).toBe(200)
  })
})

describe('bad input: the upstream texts the fuzzing found missing', () => {
  const cms = '/api/v1/namespaces/default/configmaps'
  const post = (payload: string, url = cms) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload })

  it('answers JSON nested past the limit with Go scanner\'s "exceeded max depth", wrapped as the create handler wraps decode errors', async () => {
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","x":${'['.repeat(20000)}`
    const r = await post(deep)
    expect(r.statusCode).toBe(400)
    expect(r.json()).toMatchObject({
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '[' exceeded max depth (${deep.slice(0, 30)} ...)`,
    })
    const patch = await app.inject({
      method: 'PATCH',
      url: `${cms}/fuzz-cm`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: '{"a":'.repeat(100000),
    })
    expect(patch.statusCode).toBe(400)
    expect(patch.json().message).toContain("invalid character '{' exceeded max depth")
    const control = await app.inject({
      method: 'POST',
      url: '/kubemock/v1/faults',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(100000),
    })
    expect(control.json()).toMatchObject({ code: 400, message: "invalid control request: the body is not JSON: invalid character '[' exceeded max depth" })
  })

  it('decodes YAML !!binary as goyaml.v2 does (a string), never a byte array the object code trips on', async () => {
    const r = await app.inject({ method: 'POST', url: cms, headers: { 'content-type': 'application/yaml' }, payload: '!!binary AAAA' })
    expect(r.json()).toMatchObject({ code: 400, reason: 'BadRequest' })
    const cm = await app.inject({
      method: 'POST',
      url: `${cms}?dryRun=All`,
      headers: { 'content-type': 'application/yaml' },
      payload: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bin}\ndata: {a: !!binary aGk=}\n',
    })
    expect(cm.json().data).toEqual({ a: 'hi' })
  })

  it('refuses a non-string kind in a patched object without printing a JavaScript object', async () => {
    const r = await app.inject({
      method: 'PATCH',
      url: `${cms}/fuzz-cm`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: '{"kind":{"a":1}}',
    })
    expect(r.json()).toMatchObject({
      code: 400,
      message: "couldn't get version/kind; json parse error: json: cannot unmarshal object into Go struct field .kind of type string",
    })
  })

  it("takes nulls as Go's zero values instead of crashing on them", async () => {
    const before = rv()
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nulls' },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [null], resources: { limits: { cpu: null } } }] },
    }
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/pods?dryRun=All',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(pod),
    })
    expect(r.statusCode).toBe(201)
    const deploy = { ...structuredClone(deployFixture), metadata: { name: 'nulls' } }
    deploy.spec.template.spec.containers = [null as never]
    const d = await app.inject({
      method: 'POST',
      url: '/apis/apps/v1/namespaces/default/deployments',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(deploy),
    })
    expect(d.json()).toMatchObject({ code: 422, reason: 'Invalid' })
    const snap = await app.inject({
      method: 'PUT',
      url: '/kubemock/v1/snapshot',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'List', items: [{ ...podBody(), spec: { containers: [{ name: 'c', image: 7 }] } }] }),
    })
    expect(snap.json()).toMatchObject({ code: 422 })
    expect(snap.json().message).toContain('json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string')
    expect(rv()).toBe(before)
  })

  it("words a non-string apiVersion or kind as Interpret's UnmarshalTypeError", async () => {
    const r = await post('{"apiVersion":{},"kind":"ConfigMap"}')
    expect(r.json().message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal object into Go struct field .apiVersion of type string ({"apiVersion":{},"kind":"Confi ...)',
    )
    const k = await post('{"kind":[1]}')
    expect(k.json().message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go struct field .kind of type string ({"kind":[1]})',
    )
  })

  it("answers a path with a broken percent-escape and oversized headers as Go's net/http does, plain text", async () => {
    for (const method of ['GET', 'OPTIONS', 'DELETE'] as const) {
      const r = await app.inject({ method, url: '/api/v1/namespaces/%ZZ/pods' })
      expect([r.statusCode, r.headers['content-type'], r.body]).toEqual([400, 'text/plain; charset=utf-8', '400 Bad Request'])
    }
    const rawGet = (path: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
          let body = ''
          res.on('data', (d) => {
            body += d
          })
          res.on('end', () => resolve(`${res.statusCode} ${res.headers['content-type']} ${body}`))
        })
        req.on('error', (err) => resolve(`error ${err.message}`))
        req.end()
      })
    // kube-apiserver takes 1 MiB of headers: a 200 KB label selector is an ordinary request
    const long = await rawGet(`${cms}?labelSelector=a+in+(${Array.from({ length: 20000 }, (_, i) => `v${i}`).join(',')})`)
    expect(long).toMatch(/^200 application\/json/)
    const raw = await rawGet('/api', { 'x-big': 'x'.repeat(1100 * 1024) })
    expect(raw).toBe('431 text/plain; charset=utf-8 431 Request Header Fields Too Large')
  })
})

describe('bad input: integers Go cannot hold, and the scale subresource', () => {
  const deploy = '/apis/apps/v1/namespaces/default/deployments/fuzz-deploy'
  const json = { 'content-type': 'application/json' }

  it('refuses replicas past int32 as the decoder does, on the object and on its scale, and writes nothing', async () => {
    const before = rv()
    const patch = await app.inject({
      method: 'PATCH',
      url: deploy,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: '{"spec":{"replicas":2147483648}}',
    })
    expect(patch.json()).toMatchObject({
      code: 400,
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    })
    const scale = await app.inject({
      method: 'PUT',
      url: `${deploy}/scale`,
      headers: json,
      payload: '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"fuzz-deploy"},"spec":{"replicas":9223372036854775808}}',
    })
    expect(scale.json()).toMatchObject({
      code: 400,
      message:
        'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 9223372036854775808 into Go struct field ScaleSpec.spec.replicas of type int32',
    })
    const meta = await app.inject({ method: 'PUT', url: `${deploy}/scale`, headers: json, payload: '{"metadata":"x","spec":{"replicas":1}}' })
    expect(meta.json().message).toBe(
      'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal string into Go struct field Scale.metadata of type v1.ObjectMeta',
    )
    const form = await app.inject({
      method: 'PUT',
      url: `${deploy}/scale`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '{"spec":{"replicas":1}}',
    })
    expect(form.json()).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' })
    expect(rv()).toBe(before)
    // int64 fields take what int32 ones refuse
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'int64' },
      spec: { terminationGracePeriodSeconds: 2147483648, containers: [{ name: 'c', image: 'nginx' }] },
    }
    const created = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods?dryRun=All', headers: json, payload: JSON.stringify(pod) })
    expect(created.statusCode).toBe(201)
  })
})
