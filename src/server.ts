/** @module server: the CLI — parse flags, listen, print how to connect, close cleanly on signals. */
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from './app.js'
import { Cluster } from './cluster.js'
import { kubeconfigYAML } from './kubeconfig.js'

const usage = `Usage: kubemock [options]

Serves a simulated Kubernetes API (kubectl works against it).

Options:
  --host HOST           address to bind (default 127.0.0.1)
  --port PORT           port to listen on; 0 picks a free port (default 8080)
  --kubeconfig PATH     write a kubeconfig with a "kubemock" context pointing here
  --kube-version X.Y    Kubernetes version to report (default 1.32)
  --nodes N             number of worker nodes in the default cluster (default 3)
  --speed X             simulated time runs at X times real time; 0 = only when advanced (default 1)
  --log-level LEVEL     fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help            show this help
`

/** Parsed and validated command-line options. */
export interface CliOptions {
  host: string
  port: number
  kubeconfig?: string
  kubeVersion: string
  nodes?: number
  speed: number
  logLevel: string
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
      speed: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
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
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
  if (!levels.includes(values['log-level']!)) throw new Error(`--log-level must be one of ${levels.join(', ')}`)
  return { host: values.host!, port, kubeconfig: values.kubeconfig, kubeVersion: values['kube-version']!, nodes, speed, logLevel: values['log-level']! }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** Runs the server until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const opts = parseCli(argv)
  if (opts === 'help') {
    process.stdout.write(usage)
    return
  }
  const cluster = new Cluster({ kubeVersion: opts.kubeVersion, nodes: opts.nodes, speed: opts.speed })
  const app = await buildApp({ cluster, logger: opts.logLevel === 'silent' ? false : { level: opts.logLevel } })
  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    cluster.close()
    await app.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
  await app.listen({ host: opts.host, port: opts.port })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : opts.port
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  const url = `http://${host}:${port}`
  // Write the kubeconfig before announcing readiness: whoever waits for the line may read it at once.
  let kubeconfigPath: string | undefined
  if (opts.kubeconfig) {
    kubeconfigPath = resolve(opts.kubeconfig)
    mkdirSync(dirname(kubeconfigPath), { recursive: true })
    writeFileSync(kubeconfigPath, kubeconfigYAML({ server: url }), { mode: 0o600 })
  }
  process.stdout.write(`kubemock listening on ${url}\n`)
  if (!isLoopback(opts.host)) {
    process.stderr.write(`warning: kubemock is bound to ${opts.host}, which is reachable from other machines; it has no authentication unless you configure a token\n`)
  }
  if (kubeconfigPath) {
    process.stdout.write(`kubeconfig written to ${kubeconfigPath}\n  export KUBECONFIG=${kubeconfigPath}\n`)
  } else if (opts.port === 8080 && isLoopback(opts.host)) {
    process.stdout.write(`kubectl with no kubeconfig talks to this address: try  kubectl get nodes\n`)
  } else {
    process.stdout.write(`point kubectl at it with  kubectl --server ${url} get nodes  (or pass --kubeconfig PATH)\n`)
  }
}
