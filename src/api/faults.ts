/** @module faults: injected API faults (error statuses, latency, dropped watches) and the registry of open watch streams. */
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { StatusError } from '../errors.js'
import { rfc3339 } from '../util/time.js'
import { controlSchemaValidator } from '../sim/scenario.js'
import type { RequestInfo } from './journal.js'

/** A fault as posted: match fields, one effect, and count or rate. */
export interface FaultSpec {
  verb?: string
  /** `pods`, `pods/status` or `deployments.apps`; a plural does not match its subresources (as in RBAC). */
  resource?: string
  namespace?: string
  name?: string
  status?: number
  message?: string
  retryAfterSeconds?: number
  latencyMs?: number
  dropWatch?: true
  count?: number
  rate?: number
}

/** A stored fault with its bookkeeping. */
export interface Fault extends FaultSpec {
  id: string
  /** Matching requests it will still affect; null = unlimited. */
  remaining: number | null
  /** Requests (or open watch streams) it affected so far. */
  hits: number
  /** Simulated time it was added (RFC 3339). */
  created: string
}

/** What the matching faults do to one request. */
export interface FaultOutcome {
  latencyMs: number
  error?: StatusError
  dropWatch?: boolean
}

/** The forbidden text of kube-apiserver's authorization filter (endpoints/handlers/responsewriters/errors.go forbiddenMessage). */
function forbiddenWhy(info: RequestInfo): string {
  const user = 'system:anonymous'
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource
  if (info.namespace) return `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" in the namespace "${info.namespace}"`
  return `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" at the cluster scope`
}

/** Reasons for codes the apimachinery errors package names (metav1.StatusReason*). */
const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
}

/**
 * The Status a real kube-apiserver would send with `code` for this request: the texts of the
 * apimachinery errors constructors (NotFound, Conflict, Forbidden…) where the request names an
 * object, the generic ones otherwise. `message` replaces the text.
 */
export function faultStatus(f: Pick<FaultSpec, 'status' | 'message' | 'retryAfterSeconds'>, info: RequestInfo, bodyName = ''): StatusError {
  const code = f.status!
  const ref = { group: info.apiGroup, resource: info.resource }
  const name = info.name || bodyName
  const retry = f.retryAfterSeconds
  let err: StatusError
  switch (code) {
    case 404:
      err = name && info.resource ? StatusError.notFound(ref, name) : new StatusError(404, 'NotFound', 'the server could not find the requested resource', {})
      break
    case 409:
      err = info.verb === 'create' ? StatusError.alreadyExists(ref, name) : StatusError.conflict(ref, name)
      break
    case 403:
      err = StatusError.forbidden(ref, name, forbiddenWhy(info))
      break
    case 401:
      err = StatusError.unauthorized()
      break
    case 500:
      err = StatusError.internal('injected fault')
      break
    case 503:
      err = new StatusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')
      break
    case 429:
      // The max-in-flight / priority-and-fairness rejection (apiserver/pkg/server/filters/maxinflight.go).
      err = StatusError.tooManyRequests('Too many requests, please try again later.', retry ?? 1)
      break
    case 504:
      err = StatusError.timeout('Timeout: request did not complete within requested timeout - context deadline exceeded')
      break
    case 410:
      err = StatusError.expired('too old resource version')
      break
    case 422:
      err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request')
      break
    case 400:
      err = StatusError.badRequest('the server rejected our request for an unknown reason')
      break
    default:
      err =
        code >= 500
          ? new StatusError(code, 'InternalError', `an error on the server ("${STATUS_CODES[code] ?? 'unknown'}") has prevented the request from succeeding`)
          : new StatusError(code, reasons[code] ?? '', STATUS_CODES[code] ?? 'unknown error')
  }
  if (f.message) err = new StatusError(err.code, err.reason, f.message, err.status.details, err.headers)
  if (retry !== undefined && code !== 429) {
    err.status.details = { ...(err.status.details ?? {}), retryAfterSeconds: retry }
    err.headers['Retry-After'] = String(retry)
  }
  return err
}

function split(resource: string): { plural: string; group?: string; sub: string } {
  const [qualified, sub = ''] = resource.split('/', 2)
  const dot = qualified.indexOf('.')
  return dot < 0 ? { plural: qualified, sub } : { plural: qualified.slice(0, dot), group: qualified.slice(dot + 1), sub }
}

/** True when fault `f` selects the request (ignores count and rate). */
export function faultMatches(f: FaultSpec, info: RequestInfo): boolean {
  if (!info.isResourceRequest) return false
  if (f.verb !== undefined && f.verb !== info.verb) return false
  if (f.dropWatch && info.verb !== 'watch') return false
  if (f.resource !== undefined) {
    const r = split(f.resource)
    if (r.plural !== info.resource || r.sub !== info.subresource) return false
    if (r.group !== undefined && r.group !== info.apiGroup) return false
  }
  if (f.namespace !== undefined && f.namespace !== info.namespace) return false
  if (f.name !== undefined && f.name !== info.name) return false
  return true
}

const checkSpec = controlSchemaValidator('FaultSpec')

/**
 * Validates a posted fault: the FaultSpec schema, then the rules a schema states badly (exactly
 * one effect, not both count and rate, dropWatch only for watches). Throws a 422 Status naming
 * the field; nothing is stored.
 */
export function validateFaultSpec(spec: unknown): FaultSpec {
  checkSpec(spec)
  const f = spec as FaultSpec
  const effects = (['status', 'latencyMs', 'dropWatch'] as const).filter((k) => f[k] !== undefined)
  const invalid = (field: string, detail: string, value?: unknown) =>
    new StatusError(
      422,
      'Invalid',
      `FaultSpec is invalid: ${field}: ${value === undefined ? 'Required value' : `Invalid value: ${JSON.stringify(value)}`}: ${detail}`,
      {
        kind: 'FaultSpec',
        causes: [{ reason: value === undefined ? 'FieldValueRequired' : 'FieldValueInvalid', message: detail, field }],
      },
    )
  if (effects.length === 0) throw invalid('status', 'one effect is required: status, latencyMs or dropWatch')
  if (effects.length > 1) throw invalid(effects[1], `only one effect per fault (also given: ${effects[0]})`, f[effects[1]])
  if (f.count !== undefined && f.rate !== undefined) throw invalid('rate', 'give count or rate, not both', f.rate)
  if (f.dropWatch && f.verb !== undefined && f.verb !== 'watch') throw invalid('verb', 'dropWatch applies to watch requests only', f.verb)
  if ((f.message !== undefined || f.retryAfterSeconds !== undefined) && f.status === undefined) {
    throw invalid(f.message !== undefined ? 'message' : 'retryAfterSeconds', 'applies to status faults only', f.message ?? f.retryAfterSeconds)
  }
  return f
}

/** The faults of one server, in the order they were added. */
export class FaultInjector {
  private faults: Fault[] = []
  private nextId = 1

  constructor(
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  /** True when any fault may still fire (the request hook skips all work otherwise). */
  get active(): boolean {
    return this.faults.length > 0
  }

  /** Validates and stores a fault; throws a 422 StatusError when `spec` is bad. */
  add(spec: unknown): Fault {
    const f = validateFaultSpec(spec)
    const fault: Fault = { id: `f${this.nextId++}`, ...f, remaining: f.count ?? null, hits: 0, created: rfc3339(this.now()) }
    this.faults.push(fault)
    return fault
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }))
  }

  get(id: string): Fault | undefined {
    const f = this.faults.find((x) => x.id === id)
    return f && { ...f }
  }

  /** Removes one fault; returns it, or undefined when there is none with that id. */
  remove(id: string): Fault | undefined {
    const i = this.faults.findIndex((x) => x.id === id)
    return i < 0 ? undefined : this.faults.splice(i, 1)[0]
  }

  /** Removes every fault; returns them. */
  clear(): Fault[] {
    return this.faults.splice(0)
  }

  /**
   * Consumes one application of a fault for the request if it matches, is not used up and
   * passes its rate. Returns whether it fired.
   */
  private fire(f: Fault, info: RequestInfo): boolean {
    if (f.remaining === 0 || !faultMatches(f, info)) return false
    if (f.rate !== undefined && this.random() >= f.rate) return false
    f.hits++
    if (f.remaining !== null) f.remaining--
    return true
  }

  /**
   * What the faults do to one request: latency adds up; the first status fault (or, for a new
   * watch, dropWatch fault) that fires decides the answer and later faults are not consulted.
   */
  apply(info: RequestInfo, bodyName?: string): FaultOutcome {
    const out: FaultOutcome = { latencyMs: 0 }
    for (const f of this.faults) {
      if (!this.fire(f, info)) continue
      if (f.latencyMs !== undefined) out.latencyMs += f.latencyMs
      else if (f.status !== undefined) {
        out.error = faultStatus(f, info, bodyName)
        break
      } else if (f.dropWatch) {
        out.dropWatch = true
        break
      }
    }
    return out
  }

  /** For a just-added dropWatch fault: whether it cuts this open watch (consuming count/rate). */
  cutsOpenWatch(fault: Fault, info: RequestInfo): boolean {
    const f = this.faults.find((x) => x.id === fault.id)
    return !!f?.dropWatch && this.fire(f, info)
  }
}

/** An open watch stream: a hijacked chunked HTTP response or an upgraded WebSocket's socket. */
export interface OpenWatch {
  info: RequestInfo
  res?: ServerResponse
  socket?: Socket
}

/** Finds the WebSocket (if any) living on a TCP socket, so it can be closed with a close frame. */
export type WebSocketLookup = (socket: Socket) => { send(data: string): void; close(code?: number): void } | undefined

/**
 * Every watch stream the server has open. Faults cut them (dropWatch); a state replace ends
 * them with a 410 Expired ERROR event so that clients re-list (as after etcd compaction).
 */
export class WatchTracker {
  private readonly open = new Set<OpenWatch>()

  constructor(private readonly findWebSocket: WebSocketLookup = () => undefined) {}

  /** Tracks a watch until its response or socket closes; `onClose` runs then. */
  track(w: OpenWatch, onClose?: () => void): void {
    this.open.add(w)
    const closed = () => {
      this.open.delete(w)
      onClose?.()
    }
    if (w.socket) w.socket.once('close', closed)
    else w.res?.once('close', closed)
  }

  get size(): number {
    return this.open.size
  }

  /**
   * Ends every open watch `select` picks. With `errorStatus` the stream first gets an ERROR event
   * carrying it. Returns how many were ended.
   */
  cut(select: (w: OpenWatch) => boolean, errorStatus?: StatusError): number {
    let n = 0
    const line = errorStatus ? `{"type":"ERROR","object":${JSON.stringify(errorStatus.status)}}\n` : undefined
    for (const w of [...this.open]) {
      if (!select(w)) continue
      n++
      this.open.delete(w)
      if (w.socket) {
        const ws = this.findWebSocket(w.socket)
        if (ws) {
          if (line) ws.send(line)
          ws.close(1000)
        } else {
          w.socket.destroy()
        }
        continue
      }
      const res = w.res!
      // The watch loop may still write before its 'close' listener unsubscribes; a write after
      // end() only emits 'error', which must not crash the server.
      res.on('error', () => {})
      if (!res.headersSent) {
        res.destroy()
        continue
      }
      if (line) res.write(line)
      res.end()
    }
    return n
  }
}
