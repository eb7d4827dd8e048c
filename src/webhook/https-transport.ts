/**
 * @module https-transport: the WebhookTransport the server calls admission and conversion webhooks
 * with — Node https with the webhook's caBundle as the only trusted CA, the service's TLS name, a
 * real-time timeout — reporting failures in Go's words, as kube-apiserver's client-go would.
 */
import { request } from 'node:https'
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../registry/admissionregistration/webhook-client.js'

/** Bodies above this are refused (upstream's webhook response limit is 3 MiB plus slack). */
const maxResponseBytes = 8 << 20

/** A transport over node:https; every call opens its own connection (no agent keeps sockets open). */
export function createHTTPSTransport(): WebhookTransport {
  return { post }
}

function post(req: WebhookRequest): Promise<WebhookResponse> {
  const u = new URL(req.url)
  const host = req.connect?.host ?? u.hostname.replace(/^\[|\]$/g, '')
  const port = req.connect?.port ?? Number(u.port || 443)
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (err: Error | undefined, res?: WebhookResponse) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (err) reject(err)
      else resolve(res!)
    }
    const r = request(
      {
        host,
        port,
        method: 'POST',
        path: u.pathname + u.search,
        agent: false,
        ...(req.ca ? { ca: req.ca } : {}),
        servername: req.servername ?? (isIP(u.hostname) ? undefined : u.hostname),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', Host: u.host, 'Content-Length': Buffer.byteLength(req.body) },
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > maxResponseBytes) {
            r.destroy()
            finish(new Error('response body too large'))
            return
          }
          chunks.push(c)
        })
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', (e) => finish(goError(e, host, port)))
      },
    )
    const timer = setTimeout(() => {
      r.destroy()
      finish(new Error('context deadline exceeded'))
    }, req.timeoutMs)
    r.on('error', (e) => finish(goError(e, host, port)))
    r.end(req.body)
  })
}

function isIP(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':') || h.startsWith('[')
}

/** Node's socket and TLS errors in Go's net/http and crypto/tls wording. */
function goError(e: Error & { code?: string; hostname?: string }, host: string, port: number): Error {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  switch (e.code) {
    case 'ECONNREFUSED':
      return new Error(`dial tcp ${addr}: connect: connection refused`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new Error(`dial tcp: lookup ${host}: no such host`)
    case 'ECONNRESET':
      return new Error('read: connection reset by peer')
    case 'ETIMEDOUT':
      return new Error(`dial tcp ${addr}: i/o timeout`)
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return new Error('tls: failed to verify certificate: x509: certificate signed by unknown authority')
    case 'CERT_HAS_EXPIRED':
      return new Error('tls: failed to verify certificate: x509: certificate has expired or is not yet valid')
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new Error(`tls: failed to verify certificate: x509: ${e.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}`)
    case 'EPROTO':
      return new Error('tls: first record does not look like a TLS handshake')
    default:
      return new Error(e.message)
  }
}
