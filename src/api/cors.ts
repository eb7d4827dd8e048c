/** @module api/cors: cross-origin access for browser clients, after kube-apiserver's --cors-allowed-origins filter. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** kube-apiserver's default allowed methods (staging/src/k8s.io/apiserver/pkg/server/filters/cors.go). */
export const corsAllowMethods = 'POST, GET, OPTIONS, PUT, DELETE, PATCH'

/**
 * kube-apiserver's default allowed request headers, plus the ones Kubernetes clients send that a
 * browser would otherwise refuse to send cross-origin: Accept (Table requests exceed the
 * safelisted form), impersonation, the stream protocol header, kubectl's own headers.
 */
export const corsAllowHeaders = [
  'Content-Type', 'Content-Length', 'Accept-Encoding', 'X-CSRF-Token', 'Authorization', 'X-Requested-With', 'If-Modified-Since',
  'Accept', 'Impersonate-User', 'Impersonate-Group', 'Impersonate-Uid', 'X-Stream-Protocol-Version', 'Kubectl-Command', 'Kubectl-Session',
].join(', ')

/**
 * Response headers a page may read: kube-apiserver's default (`Date`) plus those that carry
 * meaning for Kubernetes clients (warnings, the audit ID, rate-limit and priority-and-fairness hints).
 */
export const corsExposeHeaders = ['Date', 'Warning', 'Audit-Id', 'Retry-After', 'X-Kubernetes-Pf-Flowschema-Uid', 'X-Kubernetes-Pf-Prioritylevel-Uid'].join(', ')

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || h.startsWith('127.')
}

/**
 * The origins to allow for a server bound to `host`: the configured ones (`--cors-origin`) when
 * given, else any origin (`['*']`) on loopback — a page on the developer's machine mocking a
 * cluster — and none (CORS off) on an address other machines can reach.
 */
export function defaultCorsOrigins(host: string, configured?: readonly string[]): string[] {
  if (configured && configured.length > 0) return [...configured]
  return isLoopbackHost(host) ? ['*'] : []
}

/**
 * A predicate for allowed Origin values. Entries are exact origins (`http://localhost:3000`,
 * compared case-insensitively) or `*` for any. kube-apiserver takes regular expressions here; exact
 * strings avoid the classic unanchored-pattern mistake (`localhost:3000` also matching
 * `localhost:30000.evil.example`).
 */
export function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  if (origins.includes('*')) return () => true
  const set = new Set(origins.map((o) => o.replace(/\/+$/, '').toLowerCase()))
  return (origin) => set.has(origin.toLowerCase())
}

/**
 * Installs the CORS filter as an onRequest hook (install it before authentication). For a request
 * whose Origin is allowed, it echoes the origin in Access-Control-Allow-Origin with credentials
 * allowed, and sets the allowed methods/headers and exposed headers on every response, as
 * kube-apiserver does; an OPTIONS preflight is answered `204 No Content` right there, before
 * authentication. Other requests pass untouched. The headers are set on the reply early so that
 * hijacked responses (watch streams) copy them. An empty `origins` installs nothing.
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return
  const allowed = originMatcher(origins)
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const origin = req.headers.origin
    if (origin === undefined || !allowed(origin)) return done()
    reply.header('Access-Control-Allow-Origin', origin)
    reply.header('Access-Control-Allow-Methods', corsAllowMethods)
    reply.header('Access-Control-Allow-Headers', preflightHeaders(req))
    reply.header('Access-Control-Expose-Headers', corsExposeHeaders)
    reply.header('Access-Control-Allow-Credentials', 'true')
    if (req.method === 'OPTIONS') {
      reply.code(204).send()
      return
    }
    done()
  })
}

/**
 * The allowed-headers list, extended on preflights with any `Impersonate-Extra-<key>` headers the
 * page asked for: their names are open-ended, so no fixed list can name them.
 */
function preflightHeaders(req: FastifyRequest): string {
  const requested = req.method === 'OPTIONS' ? req.headers['access-control-request-headers'] : undefined
  if (typeof requested !== 'string') return corsAllowHeaders
  const extra = requested.split(',').map((h) => h.trim()).filter((h) => h.toLowerCase().startsWith('impersonate-extra-'))
  return extra.length ? `${corsAllowHeaders}, ${extra.join(', ')}` : corsAllowHeaders
}
