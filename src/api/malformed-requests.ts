/** @module api/malformed-requests: requests too broken to route (bad escapes, huge headers) are answered as Go's net/http answers them. */
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/**
 * kube-apiserver's http.Server sets MaxHeaderBytes to 1 MiB (apiserver pkg/server/secure_serving.go);
 * Go adds 4096 bytes of slack. Node's default of 16 KiB refuses long label selectors and
 * continue tokens that a real server takes.
 */
export const maxHeaderBytes = (1 << 20) + 4096

/**
 * Go's net/http refuses a request line or header it cannot parse before any handler runs
 * (server.go conn.serve): a plain-text answer, never a Status, and the connection is closed.
 */
function goPlainAnswer(status: '400 Bad Request' | '431 Request Header Fields Too Large', proto = '1.1'): string {
  return `HTTP/${proto} ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`
}

/**
 * The server's `clientError` handler: headers over {@link maxHeaderBytes} get Go's 431, any other
 * unparsable request Go's `400 Bad Request` (Go writes that one with an HTTP/1.0 status line).
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  if (socket.writable)
    socket.write(err.code === 'HPE_HEADER_OVERFLOW' ? goPlainAnswer('431 Request Header Fields Too Large') : goPlainAnswer('400 Bad Request', '1.0'))
  socket.destroy()
}

/** True when the path (before `?`) has a `%` not followed by two hex digits, which Go's url.ParseRequestURI refuses. */
export function hasBrokenEscape(url: string): boolean {
  const q = url.indexOf('?')
  return /%(?![0-9a-fA-F]{2})/.test(q < 0 ? url : url.slice(0, q))
}

/** Go's plain `400 Bad Request` for a request URI it cannot parse; the connection closes after it. */
export function sendBadRequestURI(reply: FastifyReply): void {
  reply.code(400).header('content-type', 'text/plain; charset=utf-8').header('connection', 'close').send('400 Bad Request')
}

/**
 * Fastify's `frameworkErrors`: a path with an invalid percent-escape (`/api/%ZZ`) fails Go's
 * url.ParseRequestURI in readRequest, so it gets the plain `400 Bad Request`; other router
 * failures (an over-long parameter) go to the error handler and leave as a Status.
 */
export function frameworkErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') return sendBadRequestURI(reply)
  reply.send(err)
}
