/** @module ui/watch: list + watch of one resource, as client-go's Reflector: resume from the last resourceVersion, re-list on 410 Gone. No DOM here. */

/** The part of a Kubernetes object the web view reads. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace?: string
    uid?: string
    resourceVersion?: string
    creationTimestamp?: string
    deletionTimestamp?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[]
  }
  // biome-ignore lint/suspicious/noExplicitAny: objects of any kind pass through; views narrow them.
  spec?: any
  // biome-ignore lint/suspicious/noExplicitAny: as spec
  status?: any
  // biome-ignore lint/suspicious/noExplicitAny: Events keep their fields at the top level.
  [field: string]: any
}

/** One watch event as the API sends it (a JSON text frame per event). */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: KubeObject
}

/** A list answer, all pages joined. */
export interface ListResult {
  items: KubeObject[]
  resourceVersion: string
}

/** An open watch; close() ends it without calling its onClose. */
export interface WatchHandle {
  close(): void
}

/** How a reflector reaches the API (api.ts implements it with fetch and WebSocket; tests with a fake). */
export interface WatchTransport {
  /** Lists `path`; rejects with an error carrying `code` (HTTP status) on failure. */
  list(path: string): Promise<ListResult>
  /** Watches `path` from `resourceVersion`; `onClose` runs once when the server or the network ends it. */
  watch(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, onClose: () => void): WatchHandle
}

/** Where a reflector puts what it learns. */
export interface ReflectorSink {
  /** Everything of this resource is now `items` (after a list or a re-list). */
  replace(resource: string, items: KubeObject[]): void
  /** One change. */
  apply(resource: string, event: WatchEvent): void
}

/** Options for {@link Reflector}. */
export interface ReflectorOptions {
  /** Waits before trying again after a failure (default: setTimeout). */
  delay?: (ms: number, fn: () => void) => void
  /** Told about failures and re-lists, for the status line. */
  onState?: (state: 'listing' | 'watching' | 'retrying', detail?: string) => void
}

/** True for a 410 Gone / Expired: the resourceVersion is too old and only a new list helps. */
export function isExpired(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 410
}

/**
 * Keeps one resource in a sink: lists, then watches from the list's resourceVersion; when a watch
 * ends it watches again from the last resourceVersion seen (events and bookmarks both move it); an
 * ERROR event with code 410, or a list/watch that fails with 410, means a fresh list. Other failures
 * retry after a backoff (0.5 s doubling to 8 s).
 */
export class Reflector {
  private rv = ''
  private handle: WatchHandle | undefined
  private stopped = false
  private backoffMs = 500
  private readonly delay: (ms: number, fn: () => void) => void

  constructor(
    readonly resource: string,
    private readonly path: string,
    private readonly transport: WatchTransport,
    private readonly sink: ReflectorSink,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.delay = opts.delay ?? ((ms, fn) => void setTimeout(fn, ms))
  }

  /** The resourceVersion the next watch starts from ('' before the first list). */
  get resourceVersion(): string {
    return this.rv
  }

  /** Starts listing; call once. */
  start(): void {
    void this.relist()
  }

  /** Ends the watch; nothing is retried after this. */
  stop(): void {
    this.stopped = true
    this.handle?.close()
    this.handle = undefined
  }

  private async relist(): Promise<void> {
    if (this.stopped) return
    this.opts.onState?.('listing')
    let list: ListResult
    try {
      list = await this.transport.list(this.path)
    } catch (err) {
      this.retry(() => void this.relist(), err)
      return
    }
    if (this.stopped) return
    this.sink.replace(this.resource, list.items)
    this.rv = list.resourceVersion
    this.backoffMs = 500
    this.watch()
  }

  private watch(): void {
    if (this.stopped) return
    this.opts.onState?.('watching')
    let ended = false
    let heard = false
    const end = (next: () => void) => {
      if (ended) return
      ended = true
      this.handle?.close()
      this.handle = undefined
      next()
    }
    this.handle = this.transport.watch(
      this.path,
      this.rv,
      (e) => {
        if (ended) return
        heard = true
        if (e.type === 'ERROR') {
          const err = e.object as unknown as { code?: number; message?: string }
          end(() => (isExpired(err) ? void this.relist() : this.retry(() => void this.relist(), err)))
          return
        }
        const rv = e.object?.metadata?.resourceVersion
        if (rv) this.rv = rv
        this.backoffMs = 500
        if (e.type !== 'BOOKMARK') this.sink.apply(this.resource, e)
      },
      // A watch that ends after events is resumed at once; one that ends silently backs off, so a
      // server refusing watches is not asked again in a tight loop.
      () => end(() => (heard ? this.delay(0, () => this.watch()) : this.retry(() => this.watch(), { message: 'watch closed' }))),
    )
  }

  private retry(fn: () => void, err: unknown): void {
    if (this.stopped) return
    this.opts.onState?.('retrying', (err as { message?: string })?.message)
    const ms = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, 8000)
    this.delay(ms, fn)
  }
}
