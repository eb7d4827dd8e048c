/**
 * @module webhook-client: how the API server reaches a webhook — client config (`url` or `service`),
 * caBundle, timeout, the service → local URL mapping — for admission and CRD conversion webhooks alike
 * (staging/src/k8s.io/apiserver/pkg/util/webhook/client.go, error.go). The HTTPS itself is a
 * WebhookTransport the server injects (src/webhook/https-transport.ts): the registry has no HTTP.
 */
import type { KubeObject } from '../../types.js'
import type { Registry } from '../registry.js'
import type { WebhookClientConfig, WebhookService } from './webhook-types.js'

/** One POST to a webhook, as the transport makes it. */
export interface WebhookRequest {
  /** The URL as upstream's REST client shows it in errors: `https://svc.ns.svc:443/path?timeout=10s`. */
  url: string
  /** Where to connect when not the URL's host (a Service mapped to the developer's machine). */
  connect?: { host: string; port: number }
  /** TLS server name to verify (`<service>.<namespace>.svc` for service references). */
  servername?: string
  /** The trusted CA (caBundle decoded), PEM; without it the system roots. */
  ca?: string
  /** Real time: the webhook is a real server. */
  timeoutMs: number
  body: string
}

/** What came back: any status; the caller decides. */
export interface WebhookResponse {
  status: number
  body: string
}

/**
 * Makes HTTPS calls. Rejects only for transport failures, with Go's text of the cause (what follows
 * `Post "<url>": ` in client-go's error), e.g. `dial tcp 127.0.0.1:9443: connect: connection refused`,
 * `context deadline exceeded`, `tls: failed to verify certificate: x509: certificate signed by unknown authority`.
 */
export interface WebhookTransport {
  post(req: WebhookRequest): Promise<WebhookResponse>
}

/** util/webhook.ErrCallingWebhook: the webhook could not be talked to (failurePolicy applies). */
export class WebhookCallError extends Error {
  constructor(
    readonly webhookName: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook "${webhookName}": ${reason}`)
  }
}

/**
 * The annotation on a Service that says where the webhook behind it runs on this machine (pods are
 * simulated, so nothing listens at the Service's cluster IP): `https://127.0.0.1:9443`. Only host and
 * port are used; the path is the webhook's `service.path` and TLS verifies `<name>.<namespace>.svc`,
 * as for a real in-cluster webhook.
 */
export const webhookURLAnnotation = 'kubemock.dev/webhook-url'

/** Builds the request for one call: resolves the client config, or throws WebhookCallError. */
export function webhookRequest(registry: Registry, webhookName: string, cc: WebhookClientConfig, timeoutSeconds: number, body: string): WebhookRequest {
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined
  // client-go appends ?timeout=<n>s to every call with a deadline.
  const timeout = `timeout=${timeoutSeconds}s`
  const timeoutMs = timeoutSeconds * 1000
  if (cc.service) {
    const svc = cc.service
    const port = svc.port ?? 443
    const servername = `${svc.name}.${svc.namespace}.svc`
    const url = `https://${servername}:${port}${svc.path ?? ''}?${timeout}`
    const connect = resolveService(registry, svc, port)
    if (typeof connect === 'string') throw new WebhookCallError(webhookName, `failed to call webhook: Post "${url}": ${connect}`)
    return { url, connect, servername, ca, timeoutMs, body }
  }
  if (!cc.url) throw new WebhookCallError(webhookName, 'webhook configuration must have either service or URL')
  let u: URL
  try {
    u = new URL(cc.url)
  } catch (err) {
    throw new WebhookCallError(webhookName, `Unparsable URL: ${(err as Error).message}`)
  }
  u.search = timeout
  return { url: u.toString(), ca, timeoutMs, body }
}

/** The local address of a Service's webhook, or the error text (upstream's resolver: `service "x" not found`). */
function resolveService(registry: Registry, svc: WebhookService, port: number): { host: string; port: number } | string {
  const mapped = registry.webhookServiceURLs?.[`${svc.namespace}/${svc.name}:${port}`] ?? registry.webhookServiceURLs?.[`${svc.namespace}/${svc.name}`]
  const service = registry.find('', 'services')?.getStored(svc.namespace, svc.name)?.obj as KubeObject | undefined
  const target = mapped ?? service?.metadata.annotations?.[webhookURLAnnotation]
  if (!target) {
    if (!service) return `service "${svc.name}" not found`
    return `no local address for service ${svc.namespace}/${svc.name}: kubemock runs no pods, so annotate the Service with ${webhookURLAnnotation}: https://127.0.0.1:<port> (or start kubemock with --webhook-service ${svc.namespace}/${svc.name}=https://127.0.0.1:<port>)`
  }
  try {
    const u = new URL(target)
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443) }
  } catch {
    return `invalid ${webhookURLAnnotation} ${JSON.stringify(target)} on service ${svc.namespace}/${svc.name}`
  }
}

/** POSTs through the registry's transport; transport failures become WebhookCallError (`failed to call webhook: Post "…": …`). */
export async function callWebhook(registry: Registry, webhookName: string, req: WebhookRequest): Promise<WebhookResponse> {
  const transport = registry.webhookTransport
  if (!transport) throw new WebhookCallError(webhookName, `failed to call webhook: Post "${req.url}": this server has no webhook transport`)
  let res: WebhookResponse
  try {
    res = await transport.post(req)
  } catch (err) {
    throw new WebhookCallError(webhookName, `failed to call webhook: Post "${req.url}": ${(err as Error).message}`)
  }
  if (res.status < 200 || res.status > 299) {
    throw new WebhookCallError(webhookName, `failed to call webhook: ${nonSuccessText(res)}`)
  }
  return res
}

/** client-go's error for a non-2xx answer: the Status it carries, else a generic text by code. */
function nonSuccessText(res: WebhookResponse): string {
  try {
    const s = JSON.parse(res.body) as { kind?: string; message?: string }
    if (s.kind === 'Status' && s.message) return s.message
  } catch {
    // not JSON: fall through
  }
  const body = res.body.trim()
  if (body) return `an error on the server (${JSON.stringify(body.length > 1024 ? body.slice(0, 1024) : body)}) has prevented the request from succeeding`
  return `the server responded with the status code ${res.status} but did not return more information`
}
