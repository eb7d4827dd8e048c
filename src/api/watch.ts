/** @module watch: watch streams over chunked HTTP and WebSocket, both fed by one event encoder. */
import type { FastifyReply } from 'fastify'
import type { WebSocket } from 'ws'
import { StatusError } from '../errors.js'
import type { ResourceStore, WatchEventOut, WatchOptions } from '../registry/generic-registry.js'
import type { StoredObject } from '../store/object-store.js'
import type { ResponseShape } from './negotiation.js'
import { longTimeout } from '../long-timeout.js'
import { validateWatchOptions } from './list-options.js'
import { tableJSON, type IncludeObject } from './table.js'

/** Watches without timeoutSeconds end after a random 30–60 minutes, like the real server's default. */
function defaultTimeoutMs(): number {
  return (1800 + Math.floor(Math.random() * 1800)) * 1000
}

/** Bookmarks go out about once a minute when the client allows them. */
const bookmarkIntervalMs = 60_000

export interface WatchRequest {
  rs: ResourceStore
  namespace: string | undefined
  opts: WatchOptions
  timeoutSeconds?: number
  shape: ResponseShape
  include: IncludeObject
  now: () => Date
}

/** Where encoded events go; `end` closes the stream. */
interface Sink {
  write(line: string | Buffer): void
  end(): void
  onClose(fn: () => void): void
}

/** Encodes events for one watcher: raw objects, or one-row Tables with columns only on the first. */
function encoder(w: WatchRequest): (type: 'ADDED' | 'MODIFIED' | 'DELETED', s: StoredObject) => string | Buffer {
  let first = true
  return (type, s) => {
    if (w.shape === 'table') {
      const body = tableJSON(w.rs, [s], { resourceVersion: String(s.rv) }, w.now(), w.include, first)
      first = false
      return `{"type":"${type}","object":${body}}\n`
    }
    return s.watchLine(type)
  }
}

function bookmarkLine(w: WatchRequest, rv: number, initialEventsEnd: boolean): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv), creationTimestamp: null }
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' }
  return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: w.rs.def.kind, apiVersion: w.rs.apiVersion, metadata })}}\n`
}

function errorLine(err: StatusError): string {
  return `{"type":"ERROR","object":${JSON.stringify(err.status)}}\n`
}

/**
 * Validates the watch request up front so that problems (bad selectors, a too-new
 * resourceVersion) are ordinary error responses, before any stream is opened.
 */
export function checkWatchRequest(w: WatchRequest): void {
  validateWatchOptions(w.opts)
  w.rs.predicate(w.opts.labelSelector, w.opts.fieldSelector)
}

/**
 * Events of a webhook-converted version: each converted on its own (as the watch cache converts per
 * event), written in the order they happened however long each conversion takes; a failure ends the
 * watch with its error event, as upstream's watch encoder does.
 */
function convertedInOrder(
  convert: (items: StoredObject[]) => Promise<StoredObject[]>,
  write: (ev: WatchEventOut) => void,
  fail: (err: unknown) => void,
): (ev: WatchEventOut) => void {
  let queue: Promise<void> = Promise.resolve()
  let failed = false
  return (ev) => {
    const converted = convert([ev.stored])
    // Start every conversion at once, write them one after another.
    converted.catch(() => {})
    queue = queue.then(async () => {
      if (failed) return
      try {
        const [stored] = await converted
        write({ type: ev.type, stored })
      } catch (err) {
        failed = true
        fail(err)
      }
    })
  }
}

/** Runs one watch into a sink until timeout, client close or an error event. */
function run(w: WatchRequest, sink: Sink): void {
  const encode = encoder(w)
  let closed = false
  let stop: (() => void) | undefined
  const timers: { clear(): void }[] = []
  const close = () => {
    if (closed) return
    closed = true
    stop?.()
    for (const t of timers) t.clear()
    sink.end()
  }
  sink.onClose(() => {
    closed = true
    stop?.()
    for (const t of timers) t.clear()
  })
  let lastRV = 0
  const write = (ev: WatchEventOut) => {
    if (closed) return
    lastRV = ev.stored.rv
    sink.write(encode(ev.type, ev.stored))
  }
  const emit = w.rs.convertOut
    ? convertedInOrder(w.rs.convertOut, write, (err) => {
        if (closed) return
        sink.write(errorLine(err instanceof StatusError ? err : StatusError.internal((err as Error).message)))
        close()
      })
    : write
  try {
    const started = w.rs.watch(w.namespace, w.opts, emit)
    stop = started.stop
    lastRV = Math.max(lastRV, started.initialRV)
    if (w.opts.sendInitialEvents && w.opts.allowWatchBookmarks) sink.write(bookmarkLine(w, started.initialRV, true))
  } catch (err) {
    if (err instanceof StatusError) {
      sink.write(errorLine(err))
      close()
      return
    }
    throw err
  }
  if (closed) {
    stop?.()
    return
  }
  // timeoutSeconds 0 or absent is the server default; a negative one ends the watch at once (Go's
  // timer fires for negative durations); a huge one must not overflow Node's timer into 1 ms.
  const timeoutMs = w.timeoutSeconds ? w.timeoutSeconds * 1000 : defaultTimeoutMs()
  timers.push(longTimeout(close, timeoutMs))
  if (w.opts.allowWatchBookmarks) {
    const b = setInterval(() => {
      if (!closed && lastRV) sink.write(bookmarkLine(w, Math.max(lastRV, w.rs.currentRV()), false))
    }, bookmarkIntervalMs)
    b.unref()
    timers.push({ clear: () => clearInterval(b) })
  }
}

/** Serves a watch as a chunked HTTP response, headers flushed at once (client-go waits for them). */
export function serveHTTPWatch(reply: FastifyReply, w: WatchRequest): void {
  checkWatchRequest(w)
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
    ...corsHeaders(reply),
  })
  res.flushHeaders()
  res.socket?.setNoDelay(true)
  // Events of one turn go out in one socket write: a burst of changes (a ReplicaSet creating pods)
  // costs each of many watchers one syscall, not one per event.
  const lines = perTurn((batch) => {
    if (res.destroyed) return
    if (batch.length === 1) {
      res.write(batch[0])
      return
    }
    res.cork()
    for (const l of batch) res.write(l)
    res.uncork()
  })
  run(w, {
    write: lines.write,
    end: () => {
      lines.flush()
      res.end()
    },
    onClose: (fn) => res.on('close', fn),
  })
}

/**
 * Collects a watch's lines and hands them to `send` once per turn of the event loop. Besides
 * saving syscalls, this is what keeps a durable store's changes from being seen before they are
 * on disk: its group commit runs in a microtask of the turn that wrote them, before this.
 */
function perTurn(send: (lines: (string | Buffer)[]) => void): { write(line: string | Buffer): void; flush(): void } {
  let queued: (string | Buffer)[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    const batch = queued
    queued = []
    if (batch.length) send(batch)
  }
  return {
    write(line) {
      queued.push(line)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}

/** Copies CORS headers already decided for this reply (set by the CORS hook) onto the raw stream. */
function corsHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(reply.getHeaders())) {
    if (k.toLowerCase().startsWith('access-control-') && v !== undefined) out[k] = String(v)
  }
  return out
}

/** Serves a watch over an upgraded WebSocket: one text message per event. */
export function serveWebSocketWatch(socket: WebSocket, w: WatchRequest): void {
  try {
    checkWatchRequest(w)
  } catch (err) {
    if (err instanceof StatusError) {
      socket.send(errorLine(err))
      socket.close(1000)
      return
    }
    throw err
  }
  const lines = perTurn((batch) => {
    for (const line of batch) if (socket.readyState === socket.OPEN) socket.send(line, { binary: false })
  })
  run(w, {
    write: lines.write,
    end: () => {
      lines.flush()
      socket.close(1000)
    },
    onClose: (fn) => socket.on('close', fn),
  })
}
