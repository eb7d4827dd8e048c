/** @module journal: the request journal — a bounded ring of recent API calls, and kube-apiserver's RequestInfo parsing. */
import { StatusError } from '../errors.js'
import { parseQueryBool } from './query-params.js'

/**
 * What a request addresses, derived the way kube-apiserver's RequestInfoFactory does
 * (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): GET of a collection is
 * `list`, with `watch=1` (or the `/watch/` prefix) `watch`, DELETE of a collection
 * `deletecollection`; `fieldSelector=metadata.name=x` on a list/watch names the object.
 */
export interface RequestInfo {
  isResourceRequest: boolean
  /** API verb, or the lower-case HTTP method for non-resource paths (`/version`, `/openapi/v3`). */
  verb: string
  apiGroup: string
  apiVersion: string
  resource: string
  subresource: string
  namespace: string
  name: string
}

/** The fields of a RequestInfo that say what it addresses: everything but the resource/non-resource flag. */
export type RequestAddress = Omit<RequestInfo, 'isResourceRequest'>

/**
 * The address fields of `info` as a new object: the one place that copies them, for the journal's
 * records and the authorizer's attributes alike (must not mutate `info`).
 */
export function requestAddress(info: RequestInfo): RequestAddress {
  const { isResourceRequest: _, ...address } = info
  return address
}

/** Path segments that are namespace subresources rather than resources (requestinfo.go namespaceSubresources). */
const namespaceSubresources = new Set(['status', 'finalize'])

const methodVerbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Parses a request the way RequestInfoFactory.NewRequestInfo does. `rawQuery` is the part after `?`. */
export function requestInfo(method: string, path: string, rawQuery: string): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    verb: method.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  }
  let parts = path
    .split('/')
    .filter((p) => p.length > 0)
    .map(decode)
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info
  const grouped = parts[0] === 'apis'
  parts = parts.slice(1)
  if (grouped) {
    if (parts.length < 3) return info
    info.apiGroup = parts[0]
    parts = parts.slice(1)
  }
  info.isResourceRequest = true
  info.apiVersion = parts[0]
  parts = parts.slice(1)
  let special = false
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts.length < 2) return info
    info.verb = parts[0]
    special = parts[0] === 'proxy'
    parts = parts.slice(1)
  } else {
    info.verb = methodVerbs[method] ?? ''
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2)
    }
  }
  if (parts.length >= 3 && !special) info.subresource = parts[2]
  if (parts.length >= 2) info.name = parts[1]
  if (parts.length >= 1) info.resource = parts[0]
  if (!info.name && info.verb === 'get') {
    const q = new URLSearchParams(rawQuery)
    const watch = q.get('watch')
    info.verb = watch !== null && parseQueryBool(watch) ? 'watch' : 'list'
    const fs = q.get('fieldSelector')
    const m = fs ? /^metadata\.name==?([^,]+)$/.exec(fs) : null
    if (m) info.name = m[1]
  } else if (!info.name && info.verb === 'delete') {
    info.verb = 'deletecollection'
  }
  return info
}

/** One API call as the journal reports it. */
export interface RequestRecord {
  /** Increasing per journal; usable as `since`. */
  id: number
  /** Wall-clock arrival time, RFC 3339 with milliseconds. */
  timestamp: string
  verb: string
  apiGroup: string
  apiVersion: string
  resource: string
  subresource: string
  namespace: string
  name: string
  method: string
  path: string
  /** Decoded query parameters; a repeated parameter becomes an array. */
  query: Record<string, string | string[]>
  userAgent: string
  /** HTTP status; 0 while the request (e.g. a watch) is still open. */
  status: number
  durationMs: number
  /** Who sent it (the authenticated user; empty for requests the journal saw before authentication). */
  user: string
  groups: string[]
  /**
   * The authorization decision (audit's `authorization.k8s.io/decision`): `allow` or `forbid`,
   * and the authorizer's reason (`RBAC: allowed by ClusterRoleBinding …`); empty when the request
   * was answered before authorization (401, CORS preflight).
   */
  decision: string
  reason: string
}

/** Filters of GET /kubemock/v1/requests (all optional, combined with AND). */
export interface RequestFilter {
  verb?: string
  /** `pods` or `pods/status`. */
  resource?: string
  namespace?: string
  name?: string
  /** Case-insensitive substring of the User-Agent. */
  userAgent?: string
  /** `404`, or a class such as `5xx`. */
  status?: string | number
  /** An RFC 3339 time (at or after it) or a request id (after it). */
  since?: string | number
  /** At most this many, the newest. */
  limit?: number
}

/**
 * The mutable entry recorded on the hot path: only what the request line and headers give,
 * so recording costs an object and an array slot. Everything else is derived when listed.
 */
export interface JournalEntry {
  id: number
  at: number
  started: number
  method: string
  url: string
  userAgent: string
  status: number
  durationMs: number
  info?: RequestInfo
  /** Set by the authorization filter. */
  user?: string
  groups?: string[]
  decision?: 'allow' | 'forbid'
  reason?: string
}

/** A bounded ring of the newest requests (1,000 by default). Not thread-safe; Node is single-threaded. */
export class RequestJournal {
  private ring: (JournalEntry | undefined)[]
  private next = 0
  private seq = 0

  constructor(readonly capacity = 1000) {
    // Filled by push up to `capacity`, then overwritten in place: no 1,000 empty slots per cluster.
    this.ring = []
  }

  /** Records a request as it arrives; the caller fills `status`/`durationMs` when it ends. */
  start(method: string, url: string, userAgent: string | undefined): JournalEntry {
    const e: JournalEntry = { id: ++this.seq, at: Date.now(), started: performance.now(), method, url, userAgent: userAgent ?? '', status: 0, durationMs: 0 }
    if (this.ring.length < this.capacity) this.ring.push(e)
    else this.ring[this.next] = e
    this.next = (this.next + 1) % this.capacity
    return e
  }

  /** Marks an entry finished with `status`. */
  finish(e: JournalEntry, status: number): void {
    e.status = status
    e.durationMs = Math.round((performance.now() - e.started) * 1000) / 1000
  }

  /** Forgets everything (ids keep increasing, so an old `since` stays meaningful). */
  clear(): void {
    this.ring = []
    this.next = 0
  }

  /** The recorded requests matching `f`, oldest first. */
  list(f: RequestFilter = {}): RequestRecord[] {
    const sinceId = typeof f.since === 'number' || (typeof f.since === 'string' && /^\d+$/.test(f.since)) ? Number(f.since) : undefined
    const sinceTime = typeof f.since === 'string' && sinceId === undefined ? Date.parse(f.since) : undefined
    if (sinceTime !== undefined && Number.isNaN(sinceTime))
      throw StatusError.badRequest(`invalid control request: since: must be an RFC 3339 time or a request id, got "${String(f.since)}"`)
    const status = f.status === undefined ? undefined : String(f.status)
    const ua = f.userAgent?.toLowerCase()
    const [res, sub] = f.resource ? (f.resource.split('/', 2) as [string, string?]) : [undefined, undefined]
    const out: RequestRecord[] = []
    const n = this.ring.length
    // Until the ring is full, `next` is its length: the oldest entry is at 0.
    for (let i = 0; i < n; i++) {
      const e = this.ring[(this.next + i) % n]
      if (!e) continue
      if (sinceId !== undefined && e.id <= sinceId) continue
      if (sinceTime !== undefined && e.at < sinceTime) continue
      if (ua !== undefined && !e.userAgent.toLowerCase().includes(ua)) continue
      if (status !== undefined && !statusMatches(e.status, status)) continue
      const info = infoOf(e)
      if (f.verb !== undefined && info.verb !== f.verb) continue
      if (res !== undefined && (info.resource !== res || info.subresource !== (sub ?? ''))) continue
      if (f.namespace !== undefined && info.namespace !== f.namespace) continue
      if (f.name !== undefined && info.name !== f.name) continue
      out.push(toRecord(e, info))
    }
    return f.limit !== undefined && out.length > f.limit ? out.slice(out.length - f.limit) : out
  }
}

function statusMatches(code: number, want: string): boolean {
  if (/^[1-5]xx$/.test(want)) return Math.floor(code / 100) === Number(want[0])
  return String(code) === want
}

/** Request info for an entry, parsed on first use and kept. */
/** Subresources whose requests are long-running (kube-apiserver's BasicLongRunningRequestCheck). */
const longRunningSubresources = new Set(['attach', 'exec', 'proxy', 'log', 'portforward'])

/**
 * BasicLongRunningRequestCheck(watch, proxy verbs; attach, exec, proxy, log, portforward
 * subresources): such requests get no request deadline, so their `timeout` parameter is not parsed.
 */
export function isLongRunning(info: RequestInfo): boolean {
  return info.verb === 'watch' || info.verb === 'proxy' || longRunningSubresources.has(info.subresource)
}

export function infoOf(e: JournalEntry): RequestInfo {
  if (!e.info) {
    const q = e.url.indexOf('?')
    e.info = requestInfo(e.method, q < 0 ? e.url : e.url.slice(0, q), q < 0 ? '' : e.url.slice(q + 1))
  }
  return e.info
}

function toRecord(e: JournalEntry, info: RequestInfo): RequestRecord {
  const q = e.url.indexOf('?')
  const query: Record<string, string | string[]> = {}
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(e.url.slice(q + 1))) {
      const prev = query[k]
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
  }
  return {
    id: e.id,
    timestamp: new Date(e.at).toISOString(),
    ...requestAddress(info),
    method: e.method,
    path: q < 0 ? e.url : e.url.slice(0, q),
    query,
    userAgent: e.userAgent,
    status: e.status,
    durationMs: e.durationMs,
    user: e.user ?? '',
    groups: e.groups ?? [],
    decision: e.decision ?? '',
    reason: e.reason ?? '',
  }
}
