/** @module api/host-check: refuses requests addressed to a host name kubemock does not answer to (DNS rebinding). */
import { isIPv4, isIPv6 } from 'node:net'
import { hostname } from 'node:os'
import { StatusError } from '../errors.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'

/**
 * The host part of a Host header (or URL authority), lower-cased, without port, brackets or a
 * trailing dot: `[::1]:8080` → `::1`, `Kubemock:6443` → `kubemock`.
 */
export function hostOf(header: string): string {
  let h = header.trim().toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    h = end < 0 ? h.slice(1) : h.slice(1, end)
  } else {
    const colon = h.lastIndexOf(':')
    if (colon >= 0 && h.indexOf(':') === colon) h = h.slice(0, colon)
  }
  return h.replace(/\.$/, '')
}

/**
 * `net.isIP(host) !== 0`, without running Node's IPv6 pattern on names: every IPv6 literal has a
 * colon, and that pattern costs milliseconds to compile on first use (start-up) and to run on a name.
 */
function isIPLiteral(host: string): boolean {
  return host.includes(':') ? isIPv6(host) : isIPv4(host)
}

/** True for names that always mean this machine: `localhost` and `*.localhost` (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost')
}

/** What a server answers to besides loopback names and IP addresses. */
export interface HostAllowListInput {
  /** The bind address (`--host`); a name is added, wildcard and IP binds need nothing. */
  bindHost?: string
  /** `--kubeconfig-server`: clients were told to use this URL, so its host is ours. */
  kubeconfigServer?: string
  /** `--allowed-host` values (`*` = any host). */
  configured?: readonly string[]
}

/**
 * The host names a server accepts in addition to loopback names and IP literals: the bind
 * name, the kubeconfig server's host, this machine's hostname, and the configured ones.
 */
export function hostAllowList(input: HostAllowListInput): string[] {
  const names = new Set<string>()
  const add = (h: string | undefined) => {
    if (!h) return
    const host = hostOf(h)
    if (host && !isIPLiteral(host)) names.add(host)
  }
  add(input.bindHost)
  if (input.kubeconfigServer) add(new URL(input.kubeconfigServer).host)
  add(hostname())
  for (const h of input.configured ?? []) h === '*' ? names.add('*') : add(h)
  return [...names]
}

/**
 * True when a request with this Host header may be answered. DNS rebinding needs a name the
 * attacker controls (`evil.example` resolving to 127.0.0.1), so IP literals are always fine (a
 * page can only be at `http://<ip>:<port>` if that address served it), as are loopback names
 * and the names in `allowed`; `*` in `allowed` accepts everything. A missing Host (HTTP/1.0
 * tools) is accepted: browsers always send one.
 */
export function isAllowedHost(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (header === undefined || allowed.has('*')) return true
  const host = hostOf(header)
  return isIPLiteral(host) || isLocalhostName(host) || allowed.has(host)
}

/** The 403 for a request addressed to a foreign host name; it names the flag that accepts it. */
export function forbiddenHost(header: string): StatusError {
  const host = hostOf(header)
  return new StatusError(
    403,
    'Forbidden',
    `forbidden: host "${host}" is not allowed (DNS rebinding protection); start kubemock with --allowed-host ${host} to accept it`,
  )
}

/**
 * Adds the Host check to the request filters (before CORS and authentication): every request,
 * WebSocket upgrades and the /kubemock/ control API included, whose Host is not allowed by
 * {@link isAllowedHost} gets a 403 Forbidden Status and nothing else happens.
 */
export function installHostCheck(chain: FilterChain, allowedHosts: readonly string[] = []): void {
  const allowed = new Set(allowedHosts.map((h) => (h === '*' ? h : hostOf(h))))
  // Clients send the same Host header on every request: remember the ones already accepted
  // (a bounded few), so a request costs one lookup, not a parse.
  const accepted = new Set<string>()
  chain.add((req, reply) => {
    const host = req.headers.host
    if (host !== undefined && accepted.has(host)) return false
    if (isAllowedHost(host, allowed)) {
      if (host !== undefined && accepted.size < 64) accepted.add(host)
      return false
    }
    req.log.debug({ host }, 'refused a request for a foreign host name')
    sendStatus(reply, forbiddenHost(host!))
    return true
  })
}
