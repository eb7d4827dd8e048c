/** @module api/cors: cross-origin access for browser clients, after kube-apiserver's --cors-allowed-origins filter. */
import type { FastifyRequest } from 'fastify'
import { StatusError } from '../errors.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'

/** kube-apiserver's default allowed methods (staging/src/k8s.io/apiserver/pkg/server/filters/cors.go). */
export const corsAllowMethods = 'POST, GET, OPTIONS, PUT, DELETE, PATCH'

/**
 * kube-apiserver's default allowed request headers, plus the ones Kubernetes clients send that a
 * browser would otherwise refuse to send cross-origin: Accept (Table requests exceed the
 * safelisted form), impersonation, the stream protocol header, kubectl's own headers.
 */
export const corsAllowHeaders = [
  'Content-Type',
  'Content-Length',
  'Accept-Encoding',
  'X-CSRF-Token',
  'Authorization',
  'X-Requested-With',
  'If-Modified-Since',
  'Accept',
  'Impersonate-User',
  'Impersonate-Group',
  'Impersonate-Uid',
  'X-Stream-Protocol-Version',
  'Kubectl-Command',
  'Kubectl-Session',
].join(', ')

/**
 * Response headers a page may read: kube-apiserver's default (`Date`) plus those that carry
 * meaning for Kubernetes clients (warnings, the audit ID, rate-limit and priority-and-fairness hints).
 */
export const corsExposeHeaders = ['Date', 'Warning', 'Audit-Id', 'Retry-After', 'X-Kubernetes-Pf-Flowschema-Uid', 'X-Kubernetes-Pf-Prioritylevel-Uid'].join(
  ', ',
)

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || h.startsWith('127.')
}

/**
 * True for an Origin served from this machine: `http` or `https` on `localhost`, `*.localhost`,
 * 127.0.0.0/8 or `[::1]`, any port (a dev server on `http://localhost:5173`).
 */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  const host = url.hostname.toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * A predicate for allowed Origin values: loopback origins ({@link isLoopbackOrigin}) plus
 * `extra`, exact origins compared case-insensitively, or `*` for any. `false` allows none.
 * kube-apiserver takes regular expressions here; exact strings avoid the classic
 * unanchored-pattern mistake (`localhost:3000` also matching `localhost:30000.evil.example`).
 */
export function originMatcher(extra: readonly string[] | false = []): (origin: string) => boolean {
  if (extra === false) return () => false
  if (extra.includes('*')) return () => true
  const set = new Set(extra.map((o) => o.replace(/\/+$/, '').toLowerCase()))
  return (origin) => isLoopbackOrigin(origin) || set.has(origin.toLowerCase())
}

/** True when `origin` is the server's own (`<scheme>://<Host header>`): a same-origin request, never a cross-site one. */
export function isSameOrigin(req: FastifyRequest, origin: string): boolean {
  const host = req.headers.host
  return host !== undefined && origin.toLowerCase() === `${req.protocol}://${host}`.toLowerCase()
}

/** The 403 for a request from a page kubemock does not serve; it names the flag that allows the origin. */
export function forbiddenOrigin(origin: string): StatusError {
  return new StatusError(
    403,
    'Forbidden',
    `forbidden: origin "${origin}" is not allowed to use this server from a browser; start kubemock with --cors-origin ${origin} to allow it`,
  )
}

/**
 * Adds the CORS filter to the request filters (add it before authentication). For a request
 * whose Origin is allowed ({@link originMatcher} over `extra`), it echoes the origin in
 * Access-Control-Allow-Origin with credentials allowed, and sets the allowed methods/headers and
 * exposed headers on every response, as kube-apiserver does; an OPTIONS preflight is answered
 * `204 No Content` right there, before authentication. The headers are set on the reply early so
 * that hijacked responses (watch streams) copy them. Requests without Origin (kubectl, client
 * libraries) and same-origin ones pass untouched. Any other Origin is refused with 403 Forbidden,
 * whatever the method: withholding the CORS headers only stops a page from reading the answer,
 * not a "simple" cross-site POST (text/plain, no preflight) or a WebSocket from having its effect.
 */
export function installCors(chain: FilterChain, extra: readonly string[] | false = []): void {
  const allowed = originMatcher(extra)
  chain.add((req, reply) => {
    const origin = req.headers.origin
    if (origin === undefined) return false
    if (!allowed(origin)) {
      if (isSameOrigin(req, origin)) return false
      req.log.debug({ origin }, 'refused a cross-origin request')
      sendStatus(reply, forbiddenOrigin(origin))
      return true
    }
    reply.header('Access-Control-Allow-Origin', origin)
    reply.header('Access-Control-Allow-Methods', corsAllowMethods)
    reply.header('Access-Control-Allow-Headers', preflightHeaders(req))
    reply.header('Access-Control-Expose-Headers', corsExposeHeaders)
    reply.header('Access-Control-Allow-Credentials', 'true')
    if (req.method === 'OPTIONS') {
      reply.code(204).send()
      return true
    }
    return false
  })
}

/**
 * The allowed-headers list, extended on preflights with any `Impersonate-Extra-<key>` headers the
 * page asked for: their names are open-ended, so no fixed list can name them.
 */
function preflightHeaders(req: FastifyRequest): string {
  const requested = req.method === 'OPTIONS' ? req.headers['access-control-request-headers'] : undefined
  if (typeof requested !== 'string') return corsAllowHeaders
  const extra = requested
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.toLowerCase().startsWith('impersonate-extra-'))
  return extra.length ? `${corsAllowHeaders}, ${extra.join(', ')}` : corsAllowHeaders
}
