/** @module stream-input: a session's stdin as a queue of bounded chunks — pushed by the transport, read by commands, EOF on half-close. */
import { abortError, chunks } from './scheduler.js'
import type { Input } from './shell.js'

/**
 * Streaming stdin. `push` splits what arrives into chunks of at most `chunkUnits`, so a reader
 * handles one bounded piece per step, and nothing is ever appended to one growing string: lines
 * and `readAll` join their pieces once. Reads pending when `signal` aborts (^C, session end)
 * reject with AbortError; after `end()` they drain what is left, then see EOF.
 */
export class StreamInput implements Input {
  private queue: string[] = []
  private eof = false
  private waiters: (() => void)[] = []
  private size = 0
  /**
   * The pushed bytes as they came, while every push brought them and no text was read yet
   * (`readAllBytes` for binary stdin); dropped at the first text read.
   */
  private raw: Buffer[] | undefined = []

  /**
   * `signal()` is asked at each wait: the current foreground job's signal. `onRead` runs after
   * each chunk taken (a pipe wakes its writer).
   */
  constructor(
    private readonly signal: () => AbortSignal = () => new AbortController().signal,
    private readonly onRead: () => void = () => {},
  ) {}

  /** UTF-16 units pushed and not yet read. */
  get buffered(): number {
    return this.size
  }

  /** Appends text from the client (ignored after EOF); `raw` is the bytes it was decoded from, when there were any. */
  push(s: string, raw?: Buffer): void {
    if (this.eof) return
    if (raw && this.raw) this.raw.push(raw)
    else this.raw = undefined
    for (const c of chunks(s)) this.queue.push(c)
    this.size += s.length
    this.wake()
  }

  /** No more input will come. */
  end(): void {
    this.eof = true
    this.wake()
  }

  /** The reader is gone: drop what is queued; later pushes are ignored. */
  discard(): void {
    this.queue = []
    this.size = 0
    this.raw = undefined
    this.end()
    this.onRead()
  }

  private wake() {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  private wait(): Promise<void> {
    const signal = this.signal()
    if (signal.aborted) return Promise.reject(abortError())
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== wake)
        reject(abortError())
      }
      const wake = () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      this.waiters.push(wake)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  async read(): Promise<string | undefined> {
    while (!this.queue.length) {
      if (this.eof) return undefined
      await this.wait()
    }
    const c = this.queue.shift()!
    this.size -= c.length
    this.raw = undefined
    this.onRead()
    return c
  }

  async readAll(): Promise<string> {
    const parts: string[] = []
    for (let c = await this.read(); c !== undefined; c = await this.read()) parts.push(c)
    return parts.join('')
  }

  /** Waits for EOF, then takes everything as the bytes pushed; undefined when some push had none or text was read already. */
  async readAllBytes(): Promise<Buffer | undefined> {
    while (this.raw && !this.eof) await this.wait()
    if (!this.raw) return undefined
    const b = Buffer.concat(this.raw)
    this.raw = undefined
    this.queue = []
    this.size = 0
    this.onRead()
    return b
  }

  async readLine(): Promise<string | undefined> {
    const parts: string[] = []
    for (;;) {
      const c = await this.read()
      if (c === undefined) return parts.length ? parts.join('') : undefined
      const nl = c.indexOf('\n')
      if (nl < 0) {
        parts.push(c)
        continue
      }
      parts.push(c.slice(0, nl))
      if (nl + 1 < c.length) {
        this.queue.unshift(c.slice(nl + 1))
        this.size += c.length - nl - 1
      }
      return parts.join('')
    }
  }
}
