/** @module server: the CLI — parse flags, listen, print how to connect, close cleanly on signals. */
import { readFileSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { defaultTokenUser, readTokenFile, TokenAuthenticator, type TokenUser } from './api/auth.js'
import { isLoopbackHost } from './api/cors.js'
import { hostAllowList } from './api/host-check.js'
import { buildSharedApp, type AppClusterOptions } from './app.js'
import { Cluster } from './cluster.js'
import {
  defaultKubeconfigPath,
  kubeconfigYAMLFor,
  kubemockEntryName,
  mergeKubeconfig,
  readKubeconfigFile,
  removeKubeconfigEntries,
  writeKubeconfigFile,
  type KubeconfigEntry,
} from './kubeconfig.js'
import { createLogStream, loggerOptions, logLevels } from './logging.js'
import { loadScenario } from './sim/scenario.js'
import { authorizerForModes, parseAuthorizationModes, type AuthorizationMode } from './registry/authorization/modes.js'
import { createRBACAuthorizer } from './registry/rbac/rbac-state.js'
import { parseSigningKeyPEM, parseVerificationKeysPEM } from './registry/authentication/service-account-keys.js'
import type { ServiceAccountTokenOptions } from './registry/authentication/service-account-tokens.js'
import { loadLazyLibraries } from './util/lazy-libraries.js'
import type { CertificateAuthority, TLSMaterial } from './tls.js'

const usage = `Usage: kubemock [options]

Serves a simulated Kubernetes API (kubectl works against it).

Options:
  --host HOST           address to bind (default 127.0.0.1)
  --port PORT           port to listen on; 0 picks a free port (default 8080); with --clusters N
                        the first of N consecutive ports (0: a free port for each)
  --kubeconfig [PATH]   write a kubeconfig with a "kubemock" context pointing here to PATH
                        (replacing the file); with no PATH (--kubeconfig last, or followed by
                        another flag), merge the context into the first file of $KUBECONFIG, else
                        ~/.kube/config, and make it current, as kind does (default: none written)
  --cleanup             with --kubeconfig [PATH]: take kubemock's clusters, users and contexts
                        (kubemock, kubemock-N) out of that kubeconfig, then exit (default off)
  --kubeconfig-cleanup-on-exit  take them out again when SIGINT or SIGTERM stops kubemock (a PATH
                        it wrote is deleted) (default off)
  --clusters N          serve N isolated clusters (each its own store, clock and controllers) on
                        N ports; the kubeconfig gets contexts kubemock-1 ... kubemock-N; a
                        scenario with "clusters" serves one per entry (default 1)
  --kube-version X.Y    Kubernetes version to report (default 1.32)
  --nodes N             number of worker nodes in the default cluster (default 3)
  --scenario FILE       start from a scenario: nodes, images, timings and objects (README
                        "Scenario format"); POST /kubemock/v1/reset returns to it (default: none)
  --speed X             simulated time runs at X times real time; 0 = only when advanced (default 1)
  --log-level LEVEL     fatal, error, warn, info, debug, trace or silent (default info); one line
                        per request, readable on a terminal, JSON lines otherwise
  --tls                 serve HTTPS with a CA and certificate generated at start (the kubeconfig
                        carries the CA, so kubectl verifies the server) (default off: plain http)
  --tls-cert FILE       serve HTTPS with this PEM certificate (with --tls-key) instead (default: none)
  --tls-key FILE        the PEM private key for --tls-cert (default: none)
  --token TOKEN         require "Authorization: Bearer TOKEN" (repeatable); kubectl sends tokens
                        only over HTTPS, so combine with --tls (default: none, no authentication)
  --token-file FILE     tokens, one per line, or kube-apiserver's CSV: token,user,uid[,"groups"]
                        (default: none)
  --authorization-mode MODE[,MODE...]  AlwaysAllow (default: every request is allowed), RBAC
                        (Roles and bindings decide; the bootstrap policy is there), AlwaysDeny, or
                        kube-apiserver's ordered list such as Node,RBAC; system:masters is always
                        allowed, and refused requests get the 403 Forbidden Status
  --client-ca-file FILE authenticate client certificates signed by a CA in this PEM bundle
                        (CN = user, O = groups; needs HTTPS); with --tls the generated CA
                        verifies client certificates too, and the kubeconfig carries one for
                        kubemock-admin (group system:masters) unless --token is given (default: none)
  --cors-origin ORIGIN  also allow browser pages from ORIGIN (repeatable; * = any). Pages on
                        http(s)://localhost, 127.0.0.1 and [::1] (any port) are always allowed;
                        requests from other origins are refused with 403 (default: none)
  --allowed-host HOST   also answer requests addressed to HOST (repeatable; * = any). Loopback
                        names, IP addresses, this machine's hostname, the --host name and the
                        --kubeconfig-server host are always answered; other Host headers get 403
                        (DNS-rebinding protection) (default: none)
  --data-dir DIR        keep the cluster in DIR (SQLite): every acknowledged write survives a
                        crash or kill -9, and a restart continues the same cluster (objects,
                        resourceVersions, watch history) (default: none, the cluster lives in memory)
  --etcd-servers URL[,URL...]  keep the cluster in etcd (3.4+), as kube-apiserver does: several
                        kubemock processes on one etcd serve the same cluster (default: none)
  --request-timeout DURATION  how long a write waits for an etcd that does not answer before it
                        fails with 504 Timeout (default 1m, kube-apiserver's; e.g. 30s, 2m)
  --storage-quota-bytes N  bytes of stored objects before writes fail with "etcdserver: mvcc:
                        database space exceeded" (default 2147483648, etcd's default quota)
  --webhook-service NS/NAME[:PORT]=URL  where the webhook behind Service NS/NAME runs on this
                        machine (pods are simulated), e.g. webhook-system/my-webhook=https://127.0.0.1:9443;
                        only host and port are used, TLS still verifies NAME.NS.svc; repeatable; a
                        Service's kubemock.dev/webhook-url annotation does the same (default: none)
  --service-account-signing-key-file FILE  sign service-account tokens with this PEM private key
                        (RSA: RS256; EC P-256/P-384/P-521: ES256/ES384/ES512) (default: a key kept
                        in the --data-dir (sa.key) or in etcd, made on first start, so tokens
                        survive restarts; in memory one per process)
  --service-account-key-file FILE  also accept service-account tokens signed by the public keys
                        (or certificates) in this PEM file (repeatable) (default: none)
  --service-account-issuer URL  the issuer of service-account tokens (repeatable: the first signs,
                        all are accepted) and the API audiences (default
                        https://kubernetes.default.svc.cluster.local)
  --kubeconfig-server URL  the server URL written into the kubeconfig (default: the listen
                        address; 127.0.0.1 for 0.0.0.0), e.g. https://kubemock:6443 in compose
  -h, --help            show this help
`

/** Parsed and validated command-line options. */
export interface CliOptions {
  host: string
  port: number
  /** --kubeconfig PATH: write a kubeconfig there (replacing the file). */
  kubeconfig?: string
  /** --kubeconfig without a PATH: merge into {@link defaultKubeconfigPath}. */
  kubeconfigMerge: boolean
  /** --cleanup: take kubemock's entries out of the kubeconfig and exit. */
  cleanup: boolean
  /** --kubeconfig-cleanup-on-exit */
  kubeconfigCleanupOnExit: boolean
  /** --clusters N (default 1) */
  clusters: number
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
  /** --authorization-mode, parsed. */
  authorizationModes: AuthorizationMode[]
  /** --client-ca-file */
  clientCAFile?: string
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
  /** --webhook-service values: `namespace/name` or `namespace/name:port` → local URL (the library's `webhookServices`). */
  webhookServices: Record<string, string>
  /** --service-account-signing-key-file */
  serviceAccountSigningKeyFile?: string
  /** --service-account-key-file values. */
  serviceAccountKeyFiles: string[]
  /** --service-account-issuer values. */
  serviceAccountIssuers: string[]
}

/** Parses argv; throws an Error whose message names the bad flag. */
export function parseCli(argv: string[]): CliOptions | 'help' {
  const { args, kubeconfigMerge } = takeKubeconfigWithoutPath(argv)
  const { values } = parseFlags({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      kubeconfig: { type: 'string' },
      cleanup: { type: 'boolean', default: false },
      'kubeconfig-cleanup-on-exit': { type: 'boolean', default: false },
      clusters: { type: 'string', default: '1' },
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
      'authorization-mode': { type: 'string', default: 'AlwaysAllow' },
      'client-ca-file': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true, default: [] },
      'allowed-host': { type: 'string', multiple: true, default: [] },
      'storage-quota-bytes': { type: 'string' },
      'data-dir': { type: 'string' },
      'etcd-servers': { type: 'string' },
      'request-timeout': { type: 'string' },
      'kubeconfig-server': { type: 'string' },
      'webhook-service': { type: 'string', multiple: true, default: [] },
      'service-account-signing-key-file': { type: 'string' },
      'service-account-key-file': { type: 'string', multiple: true, default: [] },
      'service-account-issuer': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) return 'help'
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`)
  const clusters = Number(values.clusters)
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > maxClusters)
    throw new Error(`--clusters must be a whole number from 1 to ${maxClusters}, got "${values.clusters}"`)
  if (port !== 0 && port + clusters - 1 > 65535)
    throw new Error(`--clusters ${clusters} from --port ${port} needs ports up to ${port + clusters - 1}, above 65535`)
  if (clusters > 1 && (values['data-dir'] !== undefined || values['etcd-servers'] !== undefined))
    throw new Error(`--clusters serves clusters in memory: it cannot be combined with ${values['data-dir'] !== undefined ? '--data-dir' : '--etcd-servers'}`)
  if (values.kubeconfig !== undefined && values.kubeconfig.trim() === '')
    throw new Error('--kubeconfig= needs a path; give --kubeconfig alone to merge into ~/.kube/config')
  const hasKubeconfig = kubeconfigMerge || values.kubeconfig !== undefined
  if (kubeconfigMerge && values.kubeconfig !== undefined) throw new Error('--kubeconfig is given twice, once with a path and once without: give one')
  if (values.cleanup && !hasKubeconfig)
    throw new Error('--cleanup takes kubemock out of a kubeconfig: add --kubeconfig (the default file) or --kubeconfig PATH')
  if (values['kubeconfig-cleanup-on-exit'] && !hasKubeconfig) throw new Error('--kubeconfig-cleanup-on-exit needs --kubeconfig or --kubeconfig PATH')
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
  if (values['client-ca-file'] !== undefined && !values.tls && values['tls-cert'] === undefined)
    throw new Error('--client-ca-file needs HTTPS: add --tls, or --tls-cert and --tls-key')
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
  const serviceAccountIssuers = values['service-account-issuer'] ?? []
  for (const iss of serviceAccountIssuers) {
    // options.go: an issuer is a URL when it holds a colon, any other non-empty string otherwise.
    if (iss === '') throw new Error('--service-account-issuer must be a non-empty string')
    if (iss.includes(':') && !URL.canParse(iss)) throw new Error(`--service-account-issuer "${iss}" contained a ':' but was not a valid URL`)
  }
  for (const [flag, file] of [
    ['--service-account-signing-key-file', values['service-account-signing-key-file']],
    ...(values['service-account-key-file'] ?? []).map((f) => ['--service-account-key-file', f]),
  ])
    if (file !== undefined && file.trim() === '') throw new Error(`${flag} needs a file path`)
  return {
    serviceAccountSigningKeyFile: values['service-account-signing-key-file'],
    serviceAccountKeyFiles: values['service-account-key-file'] ?? [],
    serviceAccountIssuers,
    host: values.host!,
    port,
    kubeconfig: values.kubeconfig,
    kubeconfigMerge,
    cleanup: values.cleanup!,
    kubeconfigCleanupOnExit: values['kubeconfig-cleanup-on-exit']!,
    clusters,
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
    authorizationModes: parseAuthorizationModes(values['authorization-mode']!),
    clientCAFile: values['client-ca-file'],
    corsOrigins,
    allowedHosts,
    kubeconfigServer,
    storageQuotaBytes,
    webhookServices: parseWebhookServices(values['webhook-service'] ?? []),
    ...(values['data-dir'] !== undefined ? { dataDir: resolveDataDir(values['data-dir']) } : {}),
    ...(values['etcd-servers'] !== undefined ? { etcdServers: parseEtcdServers(values['etcd-servers']) } : {}),
    ...(values['request-timeout'] !== undefined ? { requestTimeoutMs: parseDuration('--request-timeout', values['request-timeout']) } : {}),
  }
}

/** --clusters' upper bound: 300 default clusters take about 510 MB in one process (README "Memory per cluster"). */
const maxClusters = 1000

/** A command line kubemock cannot parse (unknown flag, missing value, stray argument): bin/kubemock.js exits 2 with the message. */
export class UsageError extends Error {
  readonly exitCode = 2
}

/**
 * Takes out a `--kubeconfig` that has no path (last, or followed by another flag): parseArgs
 * wants a value for a string option, and a bare `--kubeconfig` means "merge into the default
 * kubeconfig", as `kind create cluster` does. `--kubeconfig=PATH` and `--kubeconfig PATH` are left.
 */
function takeKubeconfigWithoutPath(argv: string[]): { args: string[]; kubeconfigMerge: boolean } {
  const args: string[] = []
  let kubeconfigMerge = false
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      args.push(...argv.slice(i))
      break
    }
    const next = argv[i + 1]
    if (argv[i] === '--kubeconfig' && (next === undefined || next.startsWith('-'))) kubeconfigMerge = true
    else args.push(argv[i])
  }
  return { args, kubeconfigMerge }
}

/** parseArgs, with its errors turned into {@link UsageError}s in kubemock's words (`kubemock: unknown flag --foo`). */
function parseFlags<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config)
  } catch (err) {
    const e = err as Error & { code?: string }
    const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? ''
    const what =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown flag ${quoted}`
        : e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument "${quoted}" (kubemock takes flags only)`
          : e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
            ? /argument missing/.test(e.message)
              ? `flag ${quoted.replace(/ <value>$/, '')} needs a value`
              : `flag ${quoted} takes no value`
            : undefined
    if (!what) throw err
    throw new UsageError(`kubemock: ${what}\nRun 'kubemock --help' to see every flag.`)
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

/**
 * --webhook-service's `namespace/name[:port]=https://host:port` mappings, keyed as the library's
 * `webhookServices` (src/cluster.ts). Names are DNS labels, as a Service's namespace and name are.
 */
function parseWebhookServices(values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const label = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?'
  for (const v of values) {
    const eq = v.indexOf('=')
    const key = eq < 0 ? v : v.slice(0, eq)
    const target = eq < 0 ? '' : v.slice(eq + 1)
    const keyOK = new RegExp(`^${label}/${label}(:\\d{1,5})?$`).test(key) && Number(key.split(':')[1] ?? 1) <= 65535
    let urlOK = false
    try {
      const u = new URL(target)
      urlOK = u.protocol === 'https:' && u.hostname !== '' && /^https:\/\/[^/\s]+\/?$/.test(target)
    } catch {
      urlOK = false
    }
    if (!keyOK || !urlOK)
      throw new Error(`--webhook-service wants NAMESPACE/NAME[:PORT]=https://HOST:PORT, like webhook-system/my-webhook=https://127.0.0.1:9443, got "${v}"`)
    if (key in out) throw new Error(`--webhook-service maps ${key} twice: give it once`)
    out[key] = target
  }
  return out
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

/** The kubeconfig names of `count` clusters: `kubemock` for one, `kubemock-1` … `kubemock-N` for several. */
export function clusterNames(count: number): string[] {
  return count === 1 ? ['kubemock'] : Array.from({ length: count }, (_, i) => `kubemock-${i + 1}`)
}

/** `--cleanup`: takes every kubemock cluster, user and context out of the kubeconfig at `path` and says what it did. */
function cleanupKubeconfig(path: string): void {
  const { text, removed } = removeKubeconfigEntries(readKubeconfigFile(path), (name) => kubemockEntryName.test(name), path)
  if (!removed.length && text === readKubeconfigFile(path)) {
    process.stdout.write(`no kubemock entries in ${path}\n`)
    return
  }
  writeKubeconfigFile(path, text)
  process.stdout.write(`removed ${removed.length ? removed.map((n) => `"${n}"`).join(', ') : 'kubemock entries'} from ${path}\n`)
}

/** The --service-account-* flags' keys and issuers, read and parsed (a bad file throws, naming it). */
function readServiceAccountKeys(opts: CliOptions): ServiceAccountTokenOptions {
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch (err) {
      throw new Error(`${flag} ${file}: ${(err as Error).message}`)
    }
  }
  const signing = opts.serviceAccountSigningKeyFile
  return {
    ...(signing ? { signingKey: parseSigningKeyPEM(read('--service-account-signing-key-file', signing), signing) } : {}),
    ...(opts.serviceAccountKeyFiles.length
      ? { verificationKeys: opts.serviceAccountKeyFiles.flatMap((f) => parseVerificationKeysPEM(read('--service-account-key-file', f), f)) }
      : {}),
    ...(opts.serviceAccountIssuers.length ? { issuers: opts.serviceAccountIssuers } : {}),
  }
}

/** One served cluster: its kubeconfig name, address and cluster. */
interface ServedCluster {
  name: string
  url: string
  cluster: Cluster
  /** Base64 of the CA's PEM the kubeconfig carries (with TLS). */
  caData?: string
  /** The generated CA (--tls): it issues the kubeconfig's administrator certificate. */
  ca?: CertificateAuthority
}

/** Runs the server (one per --clusters) until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const opts = parseCli(argv)
  if (opts === 'help') {
    process.stdout.write(usage)
    return
  }
  const kubeconfigPath = opts.kubeconfig !== undefined ? resolve(opts.kubeconfig) : opts.kubeconfigMerge ? defaultKubeconfigPath() : undefined
  // Scenarios and kubeconfigs are YAML, which is not loaded at start-up otherwise.
  if (opts.scenario || kubeconfigPath) await loadLazyLibraries()
  if (opts.cleanup) {
    cleanupKubeconfig(kubeconfigPath!)
    return
  }
  // A kubeconfig that cannot be merged into fails before anything listens (nothing is written).
  if (opts.kubeconfigMerge) mergeKubeconfig(readKubeconfigFile(kubeconfigPath!), [{ name: 'kubemock', server: 'http://127.0.0.1' }], kubeconfigPath)
  // Tokens and certificates first: a bad file should fail before anything listens.
  const users: TokenUser[] = [...opts.tokens.map((token) => ({ token, ...defaultTokenUser })), ...(opts.tokenFile ? readTokenFile(opts.tokenFile) : [])]
  if (opts.tokenFile && users.length === opts.tokens.length) throw new Error(`--token-file: ${opts.tokenFile} holds no tokens`)
  const serviceAccountTokens = readServiceAccountKeys(opts)
  const clientCAFile = opts.clientCAFile ? (await import('./tls.js')).readClientCAFile(opts.clientCAFile) : undefined
  // Loaded on demand: the X.509 library costs tens of milliseconds of start-up to evaluate.
  const given = opts.tlsCert && opts.tlsKey ? (await import('./tls.js')).loadTLS(opts.tlsCert, opts.tlsKey) : undefined
  const useTLS = Boolean(given || opts.tls)
  const logStream = createLogStream()
  // A bad scenario file throws here, naming the file and the field; bin/kubemock.js prints it and exits 1.
  const scenario = opts.scenario ? loadScenario(opts.scenario) : undefined
  // A scenario listing clusters serves one cluster per entry, each from its own merged scenario.
  const scenarios = scenario?.clusters ?? [scenario]
  if (scenario?.clusters && opts.clusters !== 1 && opts.clusters !== scenario.clusters.length)
    throw new Error(`--clusters ${opts.clusters} does not match scenario ${scenario.source}, which lists ${scenario.clusters.length} clusters`)
  const count = scenario?.clusters ? scenarios.length : opts.clusters
  if (count > 1 && (opts.dataDir || opts.etcdServers))
    throw new Error(
      `scenario ${scenario!.source} lists ${count} clusters, served in memory: it cannot be combined with ${opts.dataDir ? '--data-dir' : '--etcd-servers'}`,
    )
  const withNodes = scenarios.find((s) => s?.nodes)
  if (withNodes && opts.nodes !== undefined) throw new Error(`--nodes cannot be combined with scenario ${withNodes.source}, which lists its own nodes`)
  const served: ServedCluster[] = []
  let app: FastifyInstance | undefined
  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    for (const s of served) {
      await s.cluster.resign()
      s.cluster.close()
    }
    await app?.close()
    if (opts.kubeconfigCleanupOnExit && kubeconfigPath) {
      // A file kubemock wrote whole goes; a merged one loses exactly this run's entries.
      if (!opts.kubeconfigMerge) rmSync(kubeconfigPath, { force: true })
      else {
        const ours = new Set(served.map((s) => s.name))
        const { text, removed } = removeKubeconfigEntries(readKubeconfigFile(kubeconfigPath), (name) => ours.has(name), kubeconfigPath)
        if (removed.length) writeKubeconfigFile(kubeconfigPath, text)
      }
    }
    logStream.flush()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
  // Every cluster is a separate Cluster, as the library's start() makes them: its own store,
  // clock, controllers, port and (with --tls) CA. They share one Fastify app, one set of routes,
  // which answers each request from the cluster whose port it came in on (app.ts buildSharedApp).
  const appClusters: AppClusterOptions[] = []
  for (const [i, name] of clusterNames(count).entries()) {
    let tls: TLSMaterial | undefined = given
    let ca: CertificateAuthority | undefined
    if (opts.tls && !given) {
      // One CA for the serving certificate and the CSR signer, as a kubeadm cluster has; one per cluster.
      const lib = await import('./tls.js')
      ca = lib.generateCA()
      tls = lib.generateTLS({ hosts: [opts.host, ...(opts.kubeconfigServer ? [new URL(opts.kubeconfigServer).hostname] : [])], ca })
    }
    const cluster = await Cluster.open({
      kubeVersion: opts.kubeVersion,
      nodes: opts.nodes,
      speed: opts.speed,
      scenario: scenario?.clusters ? scenario.clusters[i] : scenario,
      storageQuotaBytes: opts.storageQuotaBytes,
      dataDir: opts.dataDir,
      etcdServers: opts.etcdServers,
      storageTimeoutMs: opts.requestTimeoutMs,
      ca,
      webhookServices: opts.webhookServices,
      serviceAccountTokens,
    })
    cluster.registry.authorizer = authorizerForModes(opts.authorizationModes, () => createRBACAuthorizer(cluster.registry))
    appClusters.push({
      cluster,
      ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
      ...(users.length ? { auth: new TokenAuthenticator(users) } : {}),
      // The generated CA verifies client certificates as well as --client-ca-file's CAs.
      ...(ca || clientCAFile ? { clientCA: [ca?.cert ?? '', clientCAFile ?? ''].join('') } : {}),
      authenticationRequired: users.length > 0 || clientCAFile !== undefined,
    })
    served.push({ name, url: '', cluster, ...(tls ? { caData: Buffer.from(tls.ca).toString('base64') } : {}), ...(ca ? { ca } : {}) })
  }
  app = await buildSharedApp({
    clusters: appClusters,
    logger: loggerOptions(opts.logLevel, logStream),
    corsOrigins: opts.corsOrigins,
    allowedHosts: hostAllowList({ bindHost: opts.host, kubeconfigServer: opts.kubeconfigServer, configured: opts.allowedHosts }),
  })
  for (const [i, scope] of app.kubemockClusters.entries()) {
    const port = await listenOn(scope.server!, opts.host, opts.port === 0 ? 0 : opts.port + i)
    served[i].url = `${useTLS ? 'https' : 'http'}://${connectHost(opts.host)}:${port}`
  }
  const url = served[0].url
  const cluster = served[0].cluster
  // Write the kubeconfig before announcing readiness: whoever waits for the line may read it at once.
  if (kubeconfigPath) {
    const tlsLib = served.some((s) => s.ca) ? await import('./tls.js') : undefined
    const entries: KubeconfigEntry[] = served.map((s, i) => ({
      name: s.name,
      // --kubeconfig-server names the first cluster's address; the others keep its host, on their own port.
      server: opts.kubeconfigServer ? kubeconfigServerFor(opts.kubeconfigServer, i === 0 ? undefined : new URL(s.url).port) : s.url,
      ...(users.length ? { token: users[0].token } : {}),
      // Without a token, the generated CA's certificate for the administrator (kubeadm's admin.conf).
      ...(!users.length && s.ca && tlsLib
        ? { clientCertificate: tlsLib.issueClientCertificate(s.ca, { user: defaultTokenUser.user, groups: ['system:masters'] }) }
        : {}),
      ...(s.caData ? { certificateAuthorityData: s.caData } : {}),
    }))
    writeKubeconfigFile(
      kubeconfigPath,
      opts.kubeconfigMerge ? mergeKubeconfig(readKubeconfigFile(kubeconfigPath), entries, kubeconfigPath) : kubeconfigYAMLFor(entries),
    )
  }
  process.stdout.write(served.map((s) => `${s.name} listening on ${s.url}\n`).join(''))
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
  if (users.length && !useTLS) {
    process.stderr.write('warning: kubectl sends no token over plain http, so it will get 401 Unauthorized: add --tls\n')
  }
  if (kubeconfigPath) {
    const secured = [useTLS ? 'the CA' : '', users.length ? 'the token' : ''].filter(Boolean).join(' and ')
    const contexts = served.map((s) => `"${s.name}"`).join(', ')
    if (opts.kubeconfigMerge)
      process.stdout.write(
        `context${served.length > 1 ? 's' : ''} ${contexts} merged into ${kubeconfigPath}${secured ? ` (with ${secured})` : ''}; current context "${served[0].name}"\n`,
      )
    else process.stdout.write(`kubeconfig written to ${kubeconfigPath}${secured ? ` (with ${secured})` : ''}\n  export KUBECONFIG=${kubeconfigPath}\n`)
    if (served.length > 1) process.stdout.write(`  kubectl --context ${served[1].name} get nodes   talks to the second cluster\n`)
  } else if (useTLS || users.length) {
    process.stdout.write(
      `pass --kubeconfig PATH to get a kubeconfig with the ${useTLS ? 'CA' : 'server'}${users.length ? ' and token' : ''}, or try  kubectl --server ${url}${useTLS ? ' --insecure-skip-tls-verify' : ''}${users.length ? ' --token TOKEN' : ''} get nodes\n`,
    )
  } else if (opts.port === 8080 && isLoopbackHost(opts.host)) {
    process.stdout.write(`kubectl with no kubeconfig talks to this address: try  kubectl get nodes\n`)
  } else {
    process.stdout.write(`point kubectl at it with  kubectl --server ${url} get nodes  (or pass --kubeconfig PATH)\n`)
  }
  process.stdout.write(`web view: ${url}/kubemock/ui/${users.length ? '  (it asks for the token)' : ''}\n`)
}

/** --kubeconfig-server's URL without a trailing slash, with `port` instead of its own when given (the second and later clusters). */
function kubeconfigServerFor(server: string, port?: string): string {
  if (port === undefined) return server.replace(/\/$/, '')
  const u = new URL(server)
  u.port = port
  return u.origin
}

/** Listens on `server` (a second or later cluster's, see buildSharedApp) and returns its port. */
function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', fail)
    server.listen({ host, port }, () => {
      server.removeListener('error', fail)
      const addr = server.address()
      done(typeof addr === 'object' && addr ? addr.port : port)
    })
  })
}
