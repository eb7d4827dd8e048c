/** @module server: the CLI — parse flags, listen, print how to connect, close cleanly on signals. */
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultTokenUser, readTokenFile, TokenAuthenticator, type TokenUser } from './api/auth.js'
import { isLoopbackHost } from './api/cors.js'
import { hostAllowList } from './api/host-check.js'
import { buildApp } from './app.js'
import { Cluster } from './cluster.js'
import { kubeconfigYAML } from './kubeconfig.js'
import { createLogStream, loggerOptions, logLevels } from './logging.js'
import { loadScenario } from './sim/scenario.js'
import { loadLazyLibraries } from './util/lazy-libraries.js'
import type { CertificateAuthority, TLSMaterial } from './tls.js'

const usage = `Usage: kubemock [options]

Serves a simulated Kubernetes API (kubectl works against it).

Options:
  --host HOST           address to bind (default 127.0.0.1)
  --port PORT           port to listen on; 0 picks a free port (default 8080)
  --kubeconfig PATH     write a kubeconfig with a "kubemock" context pointing here
  --kube-version X.Y    Kubernetes version to report (default 1.32)
  --nodes N             number of worker nodes in the default cluster (default 3)
  --scenario FILE       start from a scenario: nodes, images, timings and objects (README
                        "Scenario format"); POST /kubemock/v1/reset returns to it
  --speed X             simulated time runs at X times real time; 0 = only when advanced (default 1)
  --log-level LEVEL     fatal, error, warn, info, debug, trace or silent (default info); one line
                        per request, readable on a terminal, JSON lines otherwise
  --tls                 serve HTTPS with a CA and certificate generated at start (the kubeconfig
                        carries the CA, so kubectl verifies the server)
  --tls-cert FILE       serve HTTPS with this PEM certificate (with --tls-key) instead
  --tls-key FILE        the PEM private key for --tls-cert
  --token TOKEN         require "Authorization: Bearer TOKEN" (repeatable); kubectl sends tokens
                        only over HTTPS, so combine with --tls
  --token-file FILE     tokens, one per line, or kube-apiserver's CSV: token,user,uid[,"groups"]
  --cors-origin ORIGIN  also allow browser pages from ORIGIN (repeatable; * = any). Pages on
                        http(s)://localhost, 127.0.0.1 and [::1] (any port) are always allowed;
                        requests from other origins are refused with 403
  --allowed-host HOST   also answer requests addressed to HOST (repeatable; * = any). Loopback
                        names, IP addresses, this machine's hostname, the --host name and the
                        --kubeconfig-server host are always answered; other Host headers get 403
                        (DNS-rebinding protection)
  --data-dir DIR        keep the cluster in DIR (SQLite): every acknowledged write survives a
                        crash or kill -9, and a restart continues the same cluster (objects,
                        resourceVersions, watch history); without it the cluster lives in memory
  --etcd-servers URL[,URL...]  keep the cluster in etcd (3.4+), as kube-apiserver does: several
                        kubemock processes on one etcd serve the same cluster
  --request-timeout DURATION  how long a write waits for an etcd that does not answer before it
                        fails with 504 Timeout (default 1m, kube-apiserver's; e.g. 30s, 2m)
  --storage-quota-bytes N  bytes of stored objects before writes fail with "etcdserver: mvcc:
                        database space exceeded" (default 2147483648, etcd's default quota)
  --kubeconfig-server URL  the server URL written into the kubeconfig (default: the listen
                        address; 127.0.0.1 for 0.0.0.0), e.g. https://kubemock:6443 in compose
  -h, --help            show this help
`

/** Parsed and validated command-line options. */
export interface CliOptions {
  host: string
  port: number
  kubeconfig?: string
  kubeVersion: string
  nodes?: number
  /** --scenario FILE */
  scenario?: string
  speed: number
  logLevel: string
  /** --tls: generate a CA and serving certificate. */
  tls: boolean
  tlsCert?: string
  tlsKey?: string
  /** --token values, in order (the first goes into the kubeconfig). */
  tokens: string[]
  tokenFile?: string
  corsOrigins: string[]
  /** --allowed-host values. */
  allowedHosts: string[]
  kubeconfigServer?: string
  /** --storage-quota-bytes */
  storageQuotaBytes?: number
  /** --data-dir */
  dataDir?: string
  /** --etcd-servers */
  etcdServers?: string[]
  /** --request-timeout, in ms */
  requestTimeoutMs?: number
}

/** Parses argv; throws an Error whose message names the bad flag. */
export function parseCli(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      kubeconfig: { type: 'string' },
      'kube-version': { type: 'string', default: '1.32' },
      nodes: { type: 'string' },
      scenario: { type: 'string' },
      speed: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
      tls: { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      token: { type: 'string', multiple: true, default: [] },
      'token-file': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true, default: [] },
      'allowed-host': { type: 'string', multiple: true, default: [] },
      'storage-quota-bytes': { type: 'string' },
      'data-dir': { type: 'string' },
      'etcd-servers': { type: 'string' },
      'request-timeout': { type: 'string' },
      'kubeconfig-server': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) return 'help'
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`)
  let nodes: number | undefined
  if (values.nodes !== undefined) {
    nodes = Number(values.nodes)
    if (!Number.isInteger(nodes) || nodes < 0 || nodes > 5000) throw new Error(`--nodes must be a whole number from 0 to 5000, got "${values.nodes}"`)
  }
  const speed = Number(values.speed)
  if (!Number.isFinite(speed) || speed < 0 || speed > 10_000) throw new Error(`--speed must be a number from 0 to 10000, got "${values.speed}"`)
  if (!(logLevels as readonly string[]).includes(values['log-level']!)) throw new Error(`--log-level must be one of ${logLevels.join(', ')}`)
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key must be given together')
  if (values.tls && values['tls-cert'] !== undefined) throw new Error('--tls generates a certificate; do not combine it with --tls-cert/--tls-key')
  const tokens = values.token ?? []
  if (tokens.some((t) => t.trim() === '' || /[\s,]/.test(t))) throw new Error('--token must be a non-empty string without spaces or commas')
  const corsOrigins = values['cors-origin'] ?? []
  for (const o of corsOrigins)
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\/?$/i.test(o))
      throw new Error(`--cors-origin must be * or an origin like http://localhost:3000, got "${o}"`)
  const allowedHosts = values['allowed-host'] ?? []
  for (const h of allowedHosts)
    if (h !== '*' && !/^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)$/i.test(h))
      throw new Error(`--allowed-host must be * or a host name without scheme or port, like kubemock, got "${h}"`)
  let storageQuotaBytes: number | undefined
  if (values['storage-quota-bytes'] !== undefined) {
    storageQuotaBytes = Number(values['storage-quota-bytes'])
    if (!Number.isSafeInteger(storageQuotaBytes) || storageQuotaBytes < 1)
      throw new Error(`--storage-quota-bytes must be a whole number of bytes greater than 0, got "${values['storage-quota-bytes']}"`)
  }
  const kubeconfigServer = values['kubeconfig-server']
  if (kubeconfigServer !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(kubeconfigServer))
    throw new Error(`--kubeconfig-server must be a URL like https://kubemock:6443, got "${kubeconfigServer}"`)
  return {
    host: values.host!,
    port,
    kubeconfig: values.kubeconfig,
    kubeVersion: values['kube-version']!,
    nodes,
    scenario: values.scenario,
    speed,
    logLevel: values['log-level']!,
    tls: values.tls!,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    tokens,
    tokenFile: values['token-file'],
    corsOrigins,
    allowedHosts,
    kubeconfigServer,
    storageQuotaBytes,
    ...(values['data-dir'] !== undefined ? { dataDir: resolveDataDir(values['data-dir']) } : {}),
    ...(values['etcd-servers'] !== undefined ? { etcdServers: parseEtcdServers(values['etcd-servers']) } : {}),
    ...(values['request-timeout'] !== undefined ? { requestTimeoutMs: parseDuration('--request-timeout', values['request-timeout']) } : {}),
  }
}

/** Where clients should connect for a bind address: a wildcard bind is reached through loopback. */
/** --data-dir's value as an absolute path; refused when empty (an empty path would mean the working directory). */
function resolveDataDir(dir: string): string {
  if (dir.trim() === '') throw new Error('--data-dir needs a directory path')
  return resolve(dir)
}

/** A Go-style duration of whole units (`500ms`, `30s`, `1m`, `1m30s`, `1h`) in milliseconds, above 0. */
function parseDuration(flag: string, text: string): number {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const parts = /^(\d+(?:ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:ms|s|m|h)/g)! : []
  const ms = parts.reduce((sum, p) => sum + Number(p.match(/^\d+/)![0]) * unit[p.replace(/^\d+/, '')], 0)
  if (!(ms > 0)) throw new Error(`${flag} wants a duration such as 30s or 1m, got "${text}"`)
  return ms
}

/** --etcd-servers' comma-separated client URLs, each http(s)://host:port. */
function parseEtcdServers(list: string): string[] {
  const urls = list
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
  if (!urls.length) throw new Error('--etcd-servers needs at least one URL, e.g. http://127.0.0.1:2379')
  for (const u of urls) if (!/^https?:\/\/[^/\s]+(:\d+)?\/?$/.test(u)) throw new Error(`--etcd-servers: ${u} is not a client URL like http://127.0.0.1:2379`)
  return urls
}

function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::' || host === '[::]') return '[::1]'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** Runs the server until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const opts = parseCli(argv)
  if (opts === 'help') {
    process.stdout.write(usage)
    return
  }
  // Tokens and certificates first: a bad file should fail before anything listens.
  const users: TokenUser[] = [...opts.tokens.map((token) => ({ token, ...defaultTokenUser })), ...(opts.tokenFile ? readTokenFile(opts.tokenFile) : [])]
  if (opts.tokenFile && users.length === opts.tokens.length) throw new Error(`--token-file: ${opts.tokenFile} holds no tokens`)
  let tls: TLSMaterial | undefined
  // Loaded on demand: the X.509 library costs tens of milliseconds of start-up to evaluate.
  if (opts.tlsCert && opts.tlsKey) tls = (await import('./tls.js')).loadTLS(opts.tlsCert, opts.tlsKey)
  let ca: CertificateAuthority | undefined
  if (opts.tls && !(opts.tlsCert && opts.tlsKey)) {
    // One CA for the serving certificate and the CSR signer, as a kubeadm cluster has.
    const lib = await import('./tls.js')
    ca = lib.generateCA()
    tls = lib.generateTLS({ hosts: [opts.host, ...(opts.kubeconfigServer ? [new URL(opts.kubeconfigServer).hostname] : [])], ca })
  }
  const logStream = createLogStream()
  // A bad scenario file throws here, naming the file and the field; bin/kubemock.js prints it and exits 1.
  // Scenarios and kubeconfigs are YAML, which is not loaded at start-up otherwise.
  if (opts.scenario || opts.kubeconfig) await loadLazyLibraries()
  const scenario = opts.scenario ? loadScenario(opts.scenario) : undefined
  if (scenario?.nodes && opts.nodes !== undefined) throw new Error(`--nodes cannot be combined with scenario ${scenario.source}, which lists its own nodes`)
  const cluster = await Cluster.open({
    kubeVersion: opts.kubeVersion,
    nodes: opts.nodes,
    speed: opts.speed,
    scenario,
    storageQuotaBytes: opts.storageQuotaBytes,
    dataDir: opts.dataDir,
    etcdServers: opts.etcdServers,
    storageTimeoutMs: opts.requestTimeoutMs,
    ca,
  })
  const app = await buildApp({
    cluster,
    logger: loggerOptions(opts.logLevel, logStream),
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
    ...(users.length ? { auth: new TokenAuthenticator(users) } : {}),
    corsOrigins: opts.corsOrigins,
    allowedHosts: hostAllowList({ bindHost: opts.host, kubeconfigServer: opts.kubeconfigServer, configured: opts.allowedHosts }),
  })
  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    await cluster.resign()
    cluster.close()
    await app.close()
    logStream.flush()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
  await app.listen({ host: opts.host, port: opts.port })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : opts.port
  const scheme = tls ? 'https' : 'http'
  const url = `${scheme}://${connectHost(opts.host)}:${port}`
  const kubeconfigServer = opts.kubeconfigServer?.replace(/\/$/, '') ?? url
  // Write the kubeconfig before announcing readiness: whoever waits for the line may read it at once.
  let kubeconfigPath: string | undefined
  if (opts.kubeconfig) {
    kubeconfigPath = resolve(opts.kubeconfig)
    mkdirSync(dirname(kubeconfigPath), { recursive: true })
    const kubeconfig = kubeconfigYAML({
      server: kubeconfigServer,
      ...(users.length ? { token: users[0].token } : {}),
      ...(tls ? { certificateAuthorityData: Buffer.from(tls.ca).toString('base64') } : {}),
    })
    writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 })
  }
  process.stdout.write(`kubemock listening on ${url}\n`)
  if (opts.dataDir) {
    process.stdout.write(
      cluster.restored ? `continuing the cluster saved in ${opts.dataDir}\n` : `keeping the cluster in ${opts.dataDir} (it survives restarts)\n`,
    )
    if (cluster.restored && (opts.nodes !== undefined || opts.scenario))
      process.stderr.write(
        `warning: ${opts.nodes !== undefined ? '--nodes' : '--scenario'} shapes a new cluster, and ${opts.dataDir} holds one already: it is continued as it was (POST /kubemock/v1/reset starts it again from the options)\n`,
      )
  }
  if (opts.etcdServers) {
    process.stdout.write(
      cluster.restored ? `continuing the cluster in etcd ${opts.etcdServers.join(',')}\n` : `keeping the cluster in etcd ${opts.etcdServers.join(',')}\n`,
    )
  }
  if (!isLoopbackHost(opts.host) && users.length === 0) {
    process.stderr.write(`warning: kubemock is bound to ${opts.host}, which is reachable from other machines, and anyone can use it: add --tls --token TOKEN\n`)
  }
  if (users.length && !tls) {
    process.stderr.write('warning: kubectl sends no token over plain http, so it will get 401 Unauthorized: add --tls\n')
  }
  if (kubeconfigPath) {
    const secured = [tls ? 'the CA' : '', users.length ? 'the token' : ''].filter(Boolean).join(' and ')
    process.stdout.write(`kubeconfig written to ${kubeconfigPath}${secured ? ` (with ${secured})` : ''}\n  export KUBECONFIG=${kubeconfigPath}\n`)
  } else if (tls || users.length) {
    process.stdout.write(
      `pass --kubeconfig PATH to get a kubeconfig with the ${tls ? 'CA' : 'server'}${users.length ? ' and token' : ''}, or try  kubectl --server ${url}${tls ? ' --insecure-skip-tls-verify' : ''}${users.length ? ' --token TOKEN' : ''} get nodes\n`,
    )
  } else if (opts.port === 8080 && isLoopbackHost(opts.host)) {
    process.stdout.write(`kubectl with no kubeconfig talks to this address: try  kubectl get nodes\n`)
  } else {
    process.stdout.write(`point kubectl at it with  kubectl --server ${url} get nodes  (or pass --kubeconfig PATH)\n`)
  }
  process.stdout.write(`web view: ${url}/kubemock/ui/${users.length ? '  (it asks for the token)' : ''}\n`)
}
