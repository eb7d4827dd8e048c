/** @module errors: the one catalogue of API errors; every failure becomes a metav1.Status. */
import { goSyntax } from './util/go-value.js'
import { StoreError } from './store/store-error.js'
import type { FieldError } from './types.js'

/**
 * etcd's texts for the store's size failures, as kube-apiserver passes them on (rpctypes
 * ErrGRPCRequestTooLarge, ErrGRPCNoSpace); neither has a Status reason.
 */
export const etcdErrorText = { TooLarge: 'etcdserver: request is too large', NoSpace: 'etcdserver: mvcc: database space exceeded' } as const

/** The metav1.Status body the API sends for a failure. */
export interface StatusBody {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, unknown>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: { reason?: string; message?: string; field?: string }[]
  retryAfterSeconds?: number
}

/** Identifies a resource the way apimachinery's errors do: plural resource plus group. */
export interface ResourceRef {
  group: string
  resource: string
}

/** `pods` or `deployments.apps`: the qualified resource used in NotFound/AlreadyExists/Conflict texts. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource
}

const fieldErrorText: Record<FieldError['type'], string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
}

const omitsValue = new Set<FieldError['type']>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError'])

/** A `badValue` the message leaves out (field.OmitValueType{}): `rules[0]: Invalid value: specifying …`. */
export const omitValue: unique symbol = Symbol('omitValue')

/**
 * Renders a value the way field.Error does: strings quoted, numbers and bools raw, structs in Go
 * `%#v` syntax (callers pass those pre-rendered as `{ goString }`), maps via goSyntax.
 */
function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  // ErrorBody: a nil BadValue becomes the string "null", which %q prints quoted.
  if (v === null || v === undefined) return '"null"'
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof (v as { goString?: unknown }).goString === 'string') return (v as { goString: string }).goString
  return goSyntax(v)
}

/** The cause message without the field: `Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorBody(e: FieldError): string {
  let s = fieldErrorText[e.type]
  if (!omitsValue.has(e.type) && e.badValue !== omitValue) {
    s += `: ${renderValue(e.badValue)}`
    if (e.type === 'FieldValueNotSupported' && !e.detail) return s
  }
  if (e.detail) s += `: ${e.detail}`
  return s
}

/** `spec.replicas: Invalid value: -1: must be …` as in field.Error.Error(). */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`
}

/** A typed API failure; api/errors.ts turns it into the HTTP response. */
export class StatusError extends Error {
  readonly status: StatusBody
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string>

  constructor(code: number, reason: string, message: string, details?: StatusDetails, headers: Record<string, string> = {}) {
    super(message)
    // An empty reason is StatusReasonUnknown, which metav1.Status omits (json omitempty).
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      ...(reason ? { reason } : {}),
      ...(details ? { details } : {}),
      code,
    }
    this.headers = headers
  }

  get code(): number {
    return this.status.code
  }

  get reason(): string {
    return this.status.reason ?? ''
  }

  static notFound(ref: ResourceRef, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualifiedResource(ref)} "${name}" not found`, detailsFor(ref, name))
  }

  static alreadyExists(ref: ResourceRef, name: string): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualifiedResource(ref)} "${name}" already exists`, detailsFor(ref, name))
  }

  /** The optimistic-concurrency conflict text from storage. */
  static conflict(
    ref: ResourceRef,
    name: string,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ): StatusError {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${why}`, detailsFor(ref, name))
  }

  /** 422 with causes; `kindGroup` is e.g. `Deployment.apps` and `kind` the bare Kind. */
  static invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
    const kindGroup = group ? `${kind}.${group}` : kind
    const list = errors.map(fieldErrorString)
    const agg = list.length === 1 ? list[0] : `[${list.join(', ')}]`
    const details: StatusDetails = {
      ...(name ? { name } : {}),
      ...(group ? { group } : {}),
      kind,
      causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
    }
    return new StatusError(422, 'Invalid', `${kindGroup} "${name}" is invalid: ${agg}`, details)
  }

  /**
   * The Status for a store failure that reached the API without a kind-specific mapping (the
   * registry maps NotFound/AlreadyExists/Conflict with the resource's name first).
   */
  static fromStoreError(err: StoreError): StatusError {
    switch (err.code) {
      case 'BadRequest':
        return StatusError.badRequest(err.message)
      case 'Expired':
        return StatusError.expired(err.message)
      case 'Conflict':
        return new StatusError(409, 'Conflict', err.message)
      case 'AlreadyExists':
        return new StatusError(409, 'AlreadyExists', err.message)
      case 'NotFound':
        return new StatusError(404, 'NotFound', err.message)
      case 'TooLarge':
      case 'NoSpace':
        return StatusError.untranslated(etcdErrorText[err.code])
      case 'Internal':
        return StatusError.internal(err.message)
      case 'Timeout':
        // What the request-timeout filter answers while etcd does not (finishRequest's deadline).
        return StatusError.timeout('Timeout: request did not complete within requested timeout - context deadline exceeded')
    }
  }

  /** Runs `fn`, turning a StoreError it throws (or its promise rejects with) into its Status (see fromStoreError). */
  static fromStore<R>(fn: () => R): R {
    const status = (err: unknown) => (err instanceof StoreError ? StatusError.fromStoreError(err) : err)
    try {
      const r = fn()
      return (r instanceof Promise ? r.catch((err) => Promise.reject(status(err))) : r) as R
    } catch (err) {
      throw status(err)
    }
  }

  static badRequest(message: string): StatusError {
    return new StatusError(400, 'BadRequest', message)
  }

  static methodNotAllowed(verb: string, resource: string): StatusError {
    return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`)
  }

  static gone(message: string): StatusError {
    return new StatusError(410, 'Expired', message)
  }

  static expired(message: string): StatusError {
    return new StatusError(410, 'Expired', message)
  }

  /** 415: `accepted` lists the media types the endpoint takes. */
  static unsupportedMediaType(accepted: string[]): StatusError {
    return new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    )
  }

  static tooLarge(): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')
  }

  static internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] })
  }

  /**
   * An error storage returned that kube-apiserver does not translate (etcd's ErrRequestTooLarge,
   * ErrNoSpace): responsewriters.ErrorToAPIStatus makes it a 500 with no reason and the error's
   * own text, so kubectl prints `Error from server: <message>`.
   */
  static untranslated(message: string): StatusError {
    return new StatusError(500, '', message)
  }

  static tooManyRequests(message: string, retryAfterSeconds?: number, causes?: StatusDetails['causes']): StatusError {
    const details: StatusDetails = { ...(causes ? { causes } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }
    return new StatusError(
      429,
      'TooManyRequests',
      message,
      Object.keys(details).length ? details : undefined,
      retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {},
    )
  }

  static unauthorized(): StatusError {
    return new StatusError(401, 'Unauthorized', 'Unauthorized')
  }

  static forbidden(ref: ResourceRef, name: string, why: string): StatusError {
    const subject = name ? `${qualifiedResource(ref)} "${name}"` : qualifiedResource(ref)
    return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, detailsFor(ref, name))
  }

  /** 504 Timeout; a positive `retryAfterSeconds` goes into the details and a Retry-After header, as NewTimeoutError and the response writer do. */
  static timeout(message: string, causes?: StatusDetails['causes'], retryAfterSeconds = 0): StatusError {
    const details: StatusDetails = { ...(causes ? { causes } : {}), ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) }
    return new StatusError(
      504,
      'Timeout',
      message,
      Object.keys(details).length ? details : undefined,
      retryAfterSeconds > 0 ? { 'Retry-After': String(retryAfterSeconds) } : {},
    )
  }
}

function detailsFor(ref: ResourceRef, name: string): StatusDetails {
  return { name, ...(ref.group ? { group: ref.group } : {}), kind: ref.resource }
}
