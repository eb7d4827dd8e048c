/** @module ui/api: the page's Kubernetes client — fetch with the bearer token, paged lists, WebSocket watches and the control API. */
import type { KubeObject, ListResult, WatchEvent, WatchHandle, WatchTransport } from './watch.js'

const tokenKey = 'kubemock.token'
/** kube-apiserver's browser subprotocol for a bearer token (api/auth.ts): base64url, no padding. */
const bearerPrefix = 'base64url.bearer.authorization.k8s.io.'

/** A failed request: the HTTP status and the Status object's message when there is one. */
export class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message)
  }
}

/** The token kept for this tab (sessionStorage: gone when the tab closes), or ''. */
export function token(): string {
  return sessionStorage.getItem(tokenKey) ?? ''
}

export function setToken(t: string): void {
  if (t) sessionStorage.setItem(tokenKey, t)
  else sessionStorage.removeItem(tokenKey)
}

let unauthorized: () => void = () => {}
/** Called on every 401 (the page then asks for a token). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token()
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra
}

async function failure(res: Response): Promise<HttpError> {
  if (res.status === 401) unauthorized()
  const text = await res.text()
  try {
    const s = JSON.parse(text) as { message?: string; reason?: string }
    return new HttpError(res.status, s.message ?? `${res.status} ${res.statusText}`, s.reason)
  } catch {
    return new HttpError(res.status, text || `${res.status} ${res.statusText}`)
  }
}

/** One JSON request; a non-2xx answer rejects with {@link HttpError}. */
export async function request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': contentType }),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  if (!res.ok) throw await failure(res)
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** A streamed GET (logs with follow=true): calls `onText` per chunk until the server ends it or `signal` aborts. */
export async function stream(path: string, onText: (s: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers(), signal })
  if (!res.ok) throw await failure(res)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    onText(decoder.decode(value, { stream: true }))
  }
}

/** `ws://` or `wss://` for `path` on this page's server. */
export function wsUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`
}

/** The subprotocols for a WebSocket: the bearer one when a token is set, then `protocols`. */
export function wsProtocols(protocols: string[]): string[] {
  const t = token()
  if (!t) return protocols
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(t)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
  return [`${bearerPrefix}${b64}`, ...protocols]
}

/** Pages of 500: a 50,000-pod list arrives in pieces the server and the page can each digest. */
const pageSize = 500

/** The transport reflectors use in the page: paged lists over fetch, watches over WebSocket (`?watch=1`). */
export const browserTransport: WatchTransport = {
  async list(path: string): Promise<ListResult> {
    const items: KubeObject[] = []
    let cont = ''
    let rv = ''
    for (;;) {
      const sep = path.includes('?') ? '&' : '?'
      const page = await request<{ items: KubeObject[]; metadata: { resourceVersion: string; continue?: string } }>(
        'GET',
        `${path}${sep}limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      )
      for (const i of page.items) items.push(i)
      rv = page.metadata.resourceVersion
      cont = page.metadata.continue ?? ''
      if (!cont) return { items, resourceVersion: rv }
    }
  },
  watch(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, onClose: () => void): WatchHandle {
    const sep = path.includes('?') ? '&' : '?'
    // kube-apiserver serves watches over WebSocket when one other protocol than the bearer one is offered.
    const ws = new WebSocket(
      wsUrl(`${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`),
      wsProtocols(['base64.binary.k8s.io']),
    )
    let closed = false
    ws.onmessage = (m) => {
      if (typeof m.data !== 'string') return
      for (const line of m.data.split('\n')) if (line.trim()) onEvent(JSON.parse(line) as WatchEvent)
    }
    ws.onclose = () => {
      if (!closed) {
        closed = true
        onClose()
      }
    }
    return {
      close() {
        closed = true
        ws.close()
      },
    }
  },
}

/** The control API (README "Control API"): every simulation control on the page goes through here. */
export const control = {
  clock: () => request<{ now: string; epochMillis: number; speed: number; mode: string }>('GET', '/kubemock/v1/clock'),
  setSpeed: (speed: number) => request('PUT', '/kubemock/v1/clock', { speed }),
  advance: (seconds: number) => request('POST', '/kubemock/v1/clock/advance', { seconds }),
  failNode: (name: string) => request('POST', `/kubemock/v1/nodes/${encodeURIComponent(name)}/fail`),
  recoverNode: (name: string) => request('POST', `/kubemock/v1/nodes/${encodeURIComponent(name)}/recover`),
  crash: (ns: string, pod: string, container?: string) =>
    request('POST', `/kubemock/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/crash`, container ? { container } : {}),
  failImage: (image: string) => request('POST', '/kubemock/v1/images/fail', { image }),
  restoreImage: (image: string) => request('POST', '/kubemock/v1/images/restore', { image }),
  addFault: (spec: Record<string, unknown>) => request<{ id: string }>('POST', '/kubemock/v1/faults', spec),
  faults: () =>
    request<{ items: { id: string; verb?: string; resource?: string; status?: number; hits: number; remaining: number | null }[] }>(
      'GET',
      '/kubemock/v1/faults',
    ),
  clearFaults: () => request('DELETE', '/kubemock/v1/faults'),
  snapshot: async (): Promise<string> => {
    const res = await fetch('/kubemock/v1/snapshot', { headers: headers({ Accept: 'application/yaml' }) })
    if (!res.ok) throw await failure(res)
    return res.text()
  },
  restore: (yaml: string) => request('PUT', '/kubemock/v1/snapshot', yaml, 'application/yaml'),
  reset: () => request('POST', '/kubemock/v1/reset'),
}
