/** @module ws-subresources: the registry of subresources served over WebSocket (exec, attach, portforward). */
import type { FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { queryBool } from './query-params.js'
import type { ResourceCall } from './resources.js'
import { isWebSocketHeader } from './upgrade.js'

/** What a WebSocket subresource handler receives (a ResourceCall without a reply). */
export type WsCall = Omit<ResourceCall, 'reply'>

/** One subresource served over WebSocket. */
export interface WsSubresource {
  /**
   * Runs before the upgrade; throwing a StatusError answers with that status instead of 101 (what
   * kubectl's SPDY fallback then prints). Must not write anything.
   */
  preflight?(call: WsCall): void
  /** Awaited after a successful preflight, before the upgrade: loads what `serve` needs. */
  prepare?(): Promise<void>
  /** Serves the upgraded connection. */
  serve(socket: WebSocket, call: WsCall): void
}

/** WebSocket subresources by name; resources.ts dispatches upgrades of `<object>/<name>` here. */
export const wsSubresources: Record<string, WsSubresource> = {}

/** True when the request asks for a WebSocket upgrade. */
export function isWebSocketUpgrade(req: FastifyRequest): boolean {
  return isWebSocketHeader(req)
}

/**
 * True for the requests kube-apiserver answers with a WebSocket when asked to: GET watches
 * (`/watch/` paths or `watch=true`) and GET on a WebSocket subresource (exec, attach,
 * portforward). Every other WebSocket upgrade is served as a plain HTTP request.
 */
export function servesWebSocket(method: string | undefined, url: string): boolean {
  if (method !== 'GET') return false
  const q = url.indexOf('?')
  const seg = (q < 0 ? url : url.slice(0, q)).split('/').filter(Boolean)
  const afterVersion = seg[0] === 'api' ? 2 : seg[0] === 'apis' ? 3 : -1
  if (afterVersion < 0 || seg.length <= afterVersion) return false
  if (seg[afterVersion] === 'watch') return true
  if (q >= 0 && queryBool({ watch: new URLSearchParams(url.slice(q + 1)).getAll('watch') }, 'watch')) return true
  // <plural>/<name>/<subresource>, possibly under namespaces/<ns>.
  return seg.length >= afterVersion + 3 && Object.hasOwn(wsSubresources, seg[seg.length - 1])
}
