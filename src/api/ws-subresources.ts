/** @module ws-subresources: the registry of subresources served over WebSocket (exec, attach, portforward). */
import type { FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { ResourceCall } from './resources.js'

/** What a WebSocket subresource handler receives (a ResourceCall without a reply). */
export type WsCall = Omit<ResourceCall, 'reply'>

/** One subresource served over WebSocket. */
export interface WsSubresource {
  /**
   * Runs before the upgrade; throwing a StatusError answers with that status instead of 101 (what
   * kubectl's SPDY fallback then prints). Must not write anything.
   */
  preflight?(call: WsCall): void
  /** Serves the upgraded connection. */
  serve(socket: WebSocket, call: WsCall): void
}

/** WebSocket subresources by name; resources.ts dispatches upgrades of `<object>/<name>` here. */
export const wsSubresources: Record<string, WsSubresource> = {}

/** True when the request asks for a WebSocket upgrade. */
export function isWebSocketUpgrade(req: FastifyRequest): boolean {
  const u = req.headers.upgrade
  return typeof u === 'string' && u.toLowerCase() === 'websocket'
}
