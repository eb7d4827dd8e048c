/** @module api/errors: the one error handler; every failure leaves as a metav1.Status. */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { StatusError, type StatusBody } from '../errors.js'
import { StoreError } from '../store/store-error.js'

/**
 * etcd's texts for the store's size failures, as kube-apiserver passes them on (rpctypes
 * ErrGRPCRequestTooLarge, ErrGRPCNoSpace); neither has a Status reason.
 */
export const etcdErrorText = { TooLarge: 'etcdserver: request is too large', NoSpace: 'etcdserver: mvcc: database space exceeded' } as const

/** Sends a Status body with its HTTP code. */
export function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v)
  return reply.code(err.code).type('application/json').send(JSON.stringify(err.status))
}

/** Maps Fastify's own errors (body too large, bad media type, …) onto the Kubernetes ones. */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err
  if (err instanceof StoreError && (err.code === 'TooLarge' || err.code === 'NoSpace')) return StatusError.untranslated(etcdErrorText[err.code])
  const fe = err as FastifyError
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return StatusError.tooLarge()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return StatusError.unsupportedMediaType(['application/json', 'application/yaml'])
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return StatusError.badRequest(fe.message)
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new StatusError(fe.statusCode, 'BadRequest', fe.message)
  }
  return StatusError.internal(fe?.message ?? String(err))
}

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const se = toStatusError(err)
    if (se.code >= 500) req.log.error({ err }, 'request failed')
    if (reply.sent || reply.raw.headersSent) return
    sendStatus(reply, se)
  })
  app.setNotFoundHandler((_req, reply) => {
    sendStatus(reply, notFoundResource())
  })
}

/** The generic 404 for paths nothing serves. */
export function notFoundResource(): StatusError {
  const e = new StatusError(404, 'NotFound', 'the server could not find the requested resource', {})
  return e
}

export type { StatusBody }
