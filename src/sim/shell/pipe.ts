/** @module pipe: `a | b` — a bounded buffer between two concurrently running pipeline stages, with EOF and a broken-pipe signal. */
import { abortError } from './scheduler.js'
import type { Output } from './shell.js'
import { StreamInput } from './stream-input.js'

/** Linux's default pipe capacity: a writer this far ahead of its reader waits. */
export const pipeCapacity = 64 * 1024

/**
 * The writer end is an Output (`write` never blocks: the interpreter's next step waits while
 * `backlog()` exceeds `pipeCapacity`); `reader` is the reading stage's stdin. `close()` gives
 * the reader EOF; `closeReader()` drops what is buffered and makes `broken()` true.
 */
export class Pipe implements Output {
  readonly reader: StreamInput
  private gone = false
  private writers: (() => boolean)[] = []

  constructor(private readonly signal: () => AbortSignal) {
    this.reader = new StreamInput(signal, () => this.wakeWriters())
  }

  write(s: string): void {
    if (!this.gone) this.reader.push(s)
  }

  /** UTF-16 units written and not yet read. */
  backlog(): number {
    return this.reader.buffered
  }

  /** True once the reading stage has ended. */
  broken(): boolean {
    return this.gone
  }

  /** Resolves once the reader took enough to be below capacity again (or is gone); rejects with AbortError on ^C or the session's end. */
  drained(): Promise<void> {
    const signal = this.signal()
    if (signal.aborted) return Promise.reject(abortError())
    if (this.gone || this.backlog() <= pipeCapacity) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.writers = this.writers.filter((w) => w !== wake)
        reject(abortError())
      }
      const wake = () => {
        if (!this.gone && this.backlog() > pipeCapacity) return false
        signal.removeEventListener('abort', onAbort)
        resolve()
        return true
      }
      this.writers.push(wake)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** The writing stage ended: the reader sees EOF after the buffered data. */
  close(): void {
    this.reader.end()
  }

  /** The reading stage ended. */
  closeReader(): void {
    this.gone = true
    this.reader.discard()
  }

  private wakeWriters() {
    this.writers = this.writers.filter((w) => !w())
  }
}
