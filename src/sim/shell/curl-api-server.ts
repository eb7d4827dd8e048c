/** @module curl-api-server: curl/wget inside a pod talking to the API server through the `kubernetes` Service (in-cluster config, as client-go's rest.InClusterConfig uses it). */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Registry } from '../../registry/registry.js'
import type { CommandContext } from './shell.js'

/** The API server's address as its endpoint reconciler publishes it (the `kubernetes` EndpointSlice), with the port. */
function apiServerEndpoint(registry: Registry): { ip: string; port: number } | undefined {
  const slice = registry.store.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes')?.obj as EndpointSlice | undefined
  const ip = slice?.endpoints?.[0]?.addresses?.[0]
  const port = slice?.ports?.[0]?.port
  return ip && typeof port === 'number' ? { ip, port } : undefined
}

/** Whether a connection to `ip:port` (after kube-proxy) reaches the API server. */
export function isAPIServer(registry: Registry, ip: string, port: number): boolean {
  const ep = apiServerEndpoint(registry)
  return !!ep && ep.ip === ip && ep.port === port && !!registry.apiServerTransport
}

/** The value of each `-H`/`--header` and of `-X`, `-d`/`--data`, `--cacert` (curl's own spellings). */
function curlOptions(args: string[]): { headers: [string, string][]; method?: string; data?: string; cacert?: string; insecure: boolean } {
  const headers: [string, string][] = []
  let method: string | undefined
  let data: string | undefined
  let cacert: string | undefined
  let insecure = false
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    const next = () => args[++i] ?? ''
    if (a === '-H' || a === '--header') {
      const h = next()
      const c = h.indexOf(':')
      if (c > 0) headers.push([h.slice(0, c).trim().toLowerCase(), h.slice(c + 1).trim()])
    } else if (a === '-X' || a === '--request') method = next()
    else if (a === '-d' || a === '--data' || a === '--data-raw') data = next()
    else if (a === '--cacert') cacert = next()
    else if (a === '-k' || a === '--insecure') insecure = true
  }
  return { headers, method, data, cacert, insecure }
}

/**
 * Sends curl's request to the API server in-process and prints the answer as curl does. The
 * server speaks TLS only: `http://` is answered as Go's server answers plain HTTP on a TLS port;
 * the certificate verifies against `--cacert` when that file holds the cluster CA (the pod's
 * `ca.crt`), else curl fails with (60) unless `-k` is given. wget has no `--cacert` here.
 */
export async function curlAPIServer(ctx: CommandContext, url: URL, silent: boolean, showErrors: boolean, fail: boolean): Promise<number> {
  const registry = ctx.shell.registry
  const opts = curlOptions(ctx.args)
  if (url.protocol === 'https:' && !opts.insecure) {
    const ca = (registry.store.get('configmaps', 'default', 'kube-root-ca.crt')?.obj as { data?: Record<string, string> } | undefined)?.data?.['ca.crt']
    let trusted = false
    if (opts.cacert !== undefined) {
      let text: string
      try {
        text = ctx.shell.fs.readFile(ctx.shell.resolve(opts.cacert))
      } catch {
        if (!silent || showErrors) ctx.err.write(`curl: (77) error setting certificate file: ${opts.cacert}\n`)
        return 77
      }
      trusted = !!ca && text.includes(ca.trim())
    }
    if (!trusted) {
      if (!silent || showErrors)
        ctx.err.write(
          'curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n',
        )
      return 60
    }
  }
  if (url.protocol !== 'https:') {
    ctx.out.write('Client sent an HTTP request to an HTTPS server.\n')
    return fail ? 22 : 0
  }
  const headers: Record<string, string> = { 'user-agent': 'curl/7.88.1', accept: '*/*' }
  for (const [k, v] of opts.headers) headers[k] = v
  // The Host header names the Service; the server's host check answers IP addresses.
  headers.host = '10.96.0.1'
  if (opts.data !== undefined && !headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded'
  const method = opts.method ?? (opts.data !== undefined ? 'POST' : 'GET')
  const res = await registry.apiServerTransport!({ method, path: url.pathname + url.search, headers, ...(opts.data !== undefined ? { body: opts.data } : {}) })
  if (ctx.args.includes('-i') || ctx.args.includes('--include')) {
    ctx.out.write(
      `HTTP/2 ${res.status} \r\n${Object.entries(res.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    )
  }
  ctx.out.write(res.body)
  if (fail && res.status >= 400) {
    if (!silent || showErrors) ctx.err.write(`curl: (22) The requested URL returned error: ${res.status}\n`)
    return 22
  }
  return 0
}
