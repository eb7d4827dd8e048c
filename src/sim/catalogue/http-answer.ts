/** @module http-answer: builds one HTTP response of a catalogue server (status text, Date, Content-Length, keep-alive, HEAD). */
import type { HTTPRequest, HTTPResponse } from '../containers/http.js'

const statusTexts: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The path of a request without its query. */
export const pathOf = (req: HTTPRequest): string => req.path.split('?')[0]

/**
 * A response as Go's net/http (and most servers) write it: the given headers, then Date and
 * Content-Length; an empty body for HEAD; keep-alive unless the client asked to close.
 */
export function answer(req: HTTPRequest, now: number, status: number, headers: Record<string, string>, body = ''): HTTPResponse {
  const conn = (req.headers.connection ?? '').toLowerCase()
  const keepAlive = (req.httpVersion ?? '1.1') === '1.0' ? conn.includes('keep-alive') : !conn.includes('close')
  const all = { ...headers, Date: new Date(now).toUTCString(), 'Content-Length': String(Buffer.byteLength(body)) }
  return { status, statusText: statusTexts[status] ?? '', headers: all, body: req.method === 'HEAD' ? '' : body, keepAlive }
}

/** A JSON answer (`application/json`), pretty or compact as the server prints it. */
export function json(req: HTTPRequest, now: number, status: number, value: unknown, pretty = false, type = 'application/json'): HTTPResponse {
  return answer(req, now, status, { 'Content-Type': type }, `${pretty ? JSON.stringify(value, null, 2).replace(/": /g, '" : ') : JSON.stringify(value)}\n`)
}

/** Go's `http.NotFound`: `404 page not found`. */
export function goNotFound(req: HTTPRequest, now: number): HTTPResponse {
  return answer(req, now, 404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, '404 page not found\n')
}
