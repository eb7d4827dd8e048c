/** @module api/auth: static bearer-token authentication, over the Authorization header and the WebSocket subprotocol. */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { StatusError } from '../errors.js'
import { sendStatus } from './errors.js'
import type { FilterChain } from './filter-chain.js'
import { isUiPath } from './ui.js'

/** Who a token belongs to, as in kube-apiserver's `--token-auth-file` (token,user,uid,"group1,group2"). */
export interface TokenUser {
  token: string
  user: string
  uid: string
  groups: string[]
}

/** The identity given to a bare `--token T`: an administrator, as kubeadm's admin.conf user is. */
export const defaultTokenUser = { user: 'kubemock-admin', uid: '', groups: ['system:masters', 'system:authenticated'] }

/** The browser WebSocket subprotocol that carries a bearer token (base64url without padding). */
export const bearerProtocolPrefix = 'base64url.bearer.authorization.k8s.io.'

/**
 * Paths answered without credentials, as a 1.32 cluster does for anonymous requests
 * (system:public-info-viewer; AnonymousAuthConfigurableEndpoints limits anonymous access to such
 * paths, everything else is 401). `/version` stays open so the kubectl dispatcher's probe works.
 */
export const openPaths: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/'])

/**
 * Parses a token file: one entry per line, either a bare token or kube-apiserver's static token
 * CSV `token,user,uid[,"group1,group2"]` (staging/src/k8s.io/apiserver/pkg/authentication/token/
 * tokenfile/tokenfile.go). Blank lines and `#` comments are skipped. A line with two columns is
 * rejected with kube-apiserver's message; `source` names the file in it.
 */
export function parseTokenFile(text: string, source = 'token file'): TokenUser[] {
  const out: TokenUser[] = []
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue
    const record = csvFields(line)
    if (record.length === 1) {
      out.push({ token: record[0], ...defaultTokenUser })
      continue
    }
    if (record.length < 3) {
      throw new Error(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${record.length}`)
    }
    // kube-apiserver skips empty tokens with a warning rather than failing the whole file.
    if (record[0] === '') continue
    out.push({ token: record[0], user: record[1], uid: record[2], groups: record.length >= 4 ? record[3].split(',') : [] })
  }
  return out
}

/**
 * Splits one CSV record with RFC 4180 quotes. Fields are trimmed (Go's csv.Reader would keep the
 * spaces), so `token, user, uid` written by hand means what it looks like.
 */
function csvFields(line: string): string[] {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) throw new Error(`token file: unterminated quoted field in "${line}"`)
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += line[i++]
      }
      while (i < line.length && line[i] !== ',') i++
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++]
    }
    fields.push(field.trim())
    if (i >= line.length) return fields
    i++ // the comma
  }
}

/** Reads and parses `--token-file`; errors name the file. */
export function readTokenFile(path: string): TokenUser[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`--token-file: cannot read ${path}: ${(err as Error).message}`)
  }
  return parseTokenFile(text, path)
}

/** The result of authenticating one request. */
export type AuthResult = { ok: true; user: TokenUser } | { ok: false; anonymous: boolean; error?: string }

/**
 * Checks bearer tokens against a fixed set. Mirrors the request authenticator union of
 * kube-apiserver: the `Authorization: Bearer` header (request/bearertoken/bearertoken.go), then,
 * for WebSocket upgrades, the bearer subprotocol (request/websocket/protocol.go). A request with no
 * credentials at all is anonymous; one with a wrong token fails even on the open paths, because
 * kube-apiserver only falls back to anonymous when no authenticator reported an error.
 */
export class TokenAuthenticator {
  private readonly byToken = new Map<string, TokenUser>()

  /** `users` must not be empty: an authenticator that accepts nothing is a configuration error. */
  constructor(users: TokenUser[]) {
    if (users.length === 0) throw new Error('no tokens configured')
    for (const u of users) this.byToken.set(u.token, u)
  }

  /** The user for `token`, if it is one of ours. */
  authenticateToken(token: string): TokenUser | undefined {
    return this.byToken.get(token)
  }

  /**
   * Authenticates from the request headers. For WebSocket upgrades whose token came in the
   * subprotocol, a success rewrites `sec-websocket-protocol` without the token entry (as the real
   * filter does), so the handshake echoes the remaining protocol.
   */
  authenticate(headers: FastifyRequest['headers'], isWebSocket: boolean): AuthResult {
    const errors: string[] = []
    let sawCredentials = false
    const header = headers.authorization
    if (header !== undefined) {
      const parts = header.trim().split(' ')
      if (parts.length >= 2 && parts[0].toLowerCase() === 'bearer' && parts[1] !== '') {
        sawCredentials = true
        const user = this.authenticateToken(parts[1])
        if (user) return { ok: true, user }
        errors.push('invalid bearer token')
      }
    }
    if (isWebSocket) {
      const ws = webSocketToken(headers['sec-websocket-protocol'])
      if ('error' in ws) {
        sawCredentials = true
        errors.push(ws.error)
      } else if (ws.token !== undefined) {
        sawCredentials = true
        const user = this.authenticateToken(ws.token)
        if (user) {
          headers['sec-websocket-protocol'] = ws.rest.join(',')
          return { ok: true, user }
        }
        errors.push('invalid bearer token')
      }
    }
    return { ok: false, anonymous: !sawCredentials, ...(errors.length ? { error: errors.join(', ') } : {}) }
  }
}

/**
 * Extracts the token from the bearer subprotocol: `{token, rest}` (rest = the other protocols),
 * `{rest}` when none is offered, or `{error}` with kube-apiserver's texts for two token protocols,
 * bad base64url, non-UTF-8 tokens, or a token with nothing else to echo.
 */
export function webSocketToken(header: string | string[] | undefined): { token?: string; rest: string[] } | { error: string } {
  const rest: string[] = []
  let token: string | undefined
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header]
  for (const value of values) {
    for (const raw of value.split(',')) {
      const p = raw.trim()
      if (!p.startsWith(bearerProtocolPrefix)) {
        rest.push(p)
        continue
      }
      if (token !== undefined) return { error: 'multiple base64.bearer.authorization tokens specified' }
      const encoded = p.slice(bearerProtocolPrefix.length)
      // Go's RawURLEncoding is strict: URL alphabet only, no padding, no stray length.
      if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) return { error: 'invalid base64.bearer.authorization token encoding' }
      const bytes = Buffer.from(encoded, 'base64url')
      let decoded: string
      try {
        decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      } catch {
        return { error: 'invalid base64.bearer.authorization token' }
      }
      token = decoded
    }
  }
  if (token && rest.length === 0) return { error: 'missing additional subprotocol' }
  return token ? { token, rest } : { rest }
}

/**
 * `handleProtocols` for the WebSocket server: echo the single protocol left once the bearer-token
 * one is removed (kube-apiserver's handshake fails when more than one remains). Also used when auth
 * is off, so a browser that always sends its token still connects.
 */
export function selectWebSocketProtocol(protocols: Set<string>, request?: { url?: string }): string | false {
  const rest = [...protocols].filter((p) => !p.startsWith(bearerProtocolPrefix))
  // Streaming subresources (exec, attach, portforward) negotiate like wsstream: the first protocol
  // the client offers that the server speaks (client-node offers v5…v1 at once).
  if (request?.url && streamingPath.test(request.url.split('?')[0])) {
    return rest.find((p) => streamingProtocols.test(p)) ?? false
  }
  return rest.length === 1 ? rest[0] : false
}

const streamingPath = /\/pods\/[^/]+\/(exec|attach|portforward)$/
/** v5/v4 channel protocols and the port-forward tunnel (its slash may arrive escaped, see portforward.ts). */
const streamingProtocols = /^(v5\.channel\.k8s\.io|v4\.channel\.k8s\.io|.*portforward\.k8s\.io)$/

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; null when authentication is off or the path is open. */
    kubeUser: TokenUser | null
  }
}

function isWebSocketUpgrade(req: FastifyRequest): boolean {
  const upgrade = req.headers.upgrade
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket'
}

/**
 * Adds the authentication filter to the request filters: requests without a valid token get the
 * 401 `Unauthorized` Status (kubectl: `error: You must be logged in to the server (Unauthorized)`),
 * except credential-less requests to {@link openPaths} and the web view's files (api/ui.ts). Add it after the CORS filter, so that
 * preflights (which never carry credentials) are answered first, as kube-apiserver's filter chain
 * puts WithCORS outside WithAuthentication. Failures are logged at debug level with the reason.
 */
export function installAuth(app: FastifyInstance, chain: FilterChain, auth: TokenAuthenticator): void {
  app.decorateRequest('kubeUser', null)
  chain.add((req, reply) => {
    const result = auth.authenticate(req.headers, isWebSocketUpgrade(req))
    if (result.ok) {
      req.kubeUser = result.user
      return false
    }
    if (result.anonymous) {
      const url = req.raw.url ?? '/'
      const q = url.indexOf('?')
      const path = q < 0 ? url : url.slice(0, q)
      // The web view's static files carry no cluster data; the page asks for the token itself.
      if (openPaths.has(path) || isUiPath(path)) return false
    }
    if (result.error) req.log.debug({ reason: result.error }, 'Unable to authenticate the request')
    sendStatus(reply, StatusError.unauthorized())
    return true
  })
}
