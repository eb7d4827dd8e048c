/** @module line-editor: an interactive shell's tty line discipline plus readline basics — echo, backspace, ^C, ^D, ^U — over bounded chunks of keys. */
import { chunks } from './scheduler.js'

/** What the editor drives. */
export interface LineEditorHooks {
  /** Terminal output (echo, `^C`), one write per chunk of keys. */
  write(s: string): void
  /** Enter: runs the line. Keys typed meanwhile are buffered (^C calls `interrupt`) and read once it resolves. */
  run(line: string): Promise<void>
  /** ^C while a line runs. */
  interrupt(): void
  /** The prompt shown again after ^C on the line being edited. */
  prompt(): string
  /** ^D on an empty line (the echo so far is written first). */
  eof(): void
  /** True once the session ended: nothing more is handled. */
  closed(): boolean
}

/** Runs of typed characters inserted as they are (no control characters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the run stops at exactly the control characters.
const printableRun = /[^\x00-\x1f\x7f]+/y

/** Longest stretch of key handling before yielding to the event loop. */
const sliceMs = 5

/**
 * Keys arrive through `input()` in any amount: they are queued in chunks of at most
 * `chunkUnits`, handled a slice at a time, runs of plain characters at once (one echo write per
 * chunk, never one per key). The line is kept as the pieces typed and joined once, on Enter.
 */
export class LineEditor {
  private queue: string[] = []
  private pumping = false
  private busy = false
  private line: string[] = []
  private lineLength = 0
  private echo: string[] = []
  private typeahead: string[] = []
  private pendingEscape = 0
  private lastWasEsc = false

  constructor(private readonly hooks: LineEditorHooks) {}

  /** Raw keystrokes from the terminal. */
  input(data: string): void {
    this.queue.push(...chunks(data))
    void this.pump()
  }

  /**
   * The terminal changed size (SIGWINCH): at the prompt, ash's and readline's line editors redraw
   * it with the line typed so far; while a line runs nothing is drawn.
   */
  redraw(): void {
    if (this.busy || this.hooks.closed()) return
    this.hooks.write(`\r${this.hooks.prompt()}${this.line.join('')}`)
  }

  /** Forgets queued keys (the session ended). */
  clear(): void {
    this.queue = []
    this.typeahead = []
  }

  private async pump() {
    if (this.pumping) return
    this.pumping = true
    try {
      let sliceStart = performance.now()
      while (this.queue.length && !this.hooks.closed()) {
        this.keys(this.queue.shift()!)
        if (performance.now() - sliceStart >= sliceMs) {
          await new Promise<void>((r) => setImmediate(r))
          sliceStart = performance.now()
        }
      }
    } finally {
      this.pumping = false
    }
  }

  /** One chunk: plain runs at once, control keys one by one; while a line runs, keys are buffered. */
  private keys(data: string) {
    let i = 0
    while (i < data.length && !this.hooks.closed()) {
      if (this.busy) {
        const c = data.indexOf('\x03', i)
        if (c < 0) {
          this.typeahead.push(data.slice(i))
          break
        }
        if (c > i) this.typeahead.push(data.slice(i, c))
        this.echo.push('^C\n')
        this.hooks.interrupt()
        this.typeahead = []
        i = c + 1
        continue
      }
      printableRun.lastIndex = i
      const run = this.pendingEscape || this.lastWasEsc ? null : printableRun.exec(data)
      if (run) {
        this.insert(run[0])
        i += run[0].length
        continue
      }
      const ch = String.fromCodePoint(data.codePointAt(i)!)
      i += ch.length
      this.key(ch)
    }
    this.flush()
  }

  private insert(s: string) {
    this.line.push(s)
    this.lineLength += s.length
    this.echo.push(s)
  }

  private flush() {
    if (!this.echo.length) return
    const s = this.echo.join('')
    this.echo = []
    this.hooks.write(s)
  }

  private reset() {
    this.line = []
    this.lineLength = 0
  }

  /** Enter, backspace, ^C, ^D, ^U, escape sequences (arrows are swallowed), other controls ignored. */
  private key(ch: string) {
    if (ch === '\r' || ch === '\n') {
      this.echo.push('\r\n')
      const line = this.line.join('')
      this.reset()
      this.flush()
      void this.runLine(line)
    } else if (ch === '\x7f' || ch === '\b') {
      if (!this.lineLength) return
      const last = this.line[this.line.length - 1]
      if (last.length <= 1) this.line.pop()
      else this.line[this.line.length - 1] = last.slice(0, -1)
      this.lineLength--
      this.echo.push('\b \b')
    } else if (ch === '\x03') {
      this.reset()
      this.echo.push(`^C\r\n${this.hooks.prompt()}`)
    } else if (ch === '\x04') {
      if (this.lineLength) return
      this.flush()
      this.hooks.eof()
    } else if (ch === '\x15') {
      this.echo.push('\b \b'.repeat(this.lineLength))
      this.reset()
    } else if (ch === '\x1b') {
      this.lastWasEsc = true
    } else if (ch.charCodeAt(0) >= 0x20 && !this.escapeTail(ch)) {
      this.insert(ch)
    }
  }

  /** Swallows the `[A`-style tail of an arrow key's escape sequence. */
  private escapeTail(ch: string): boolean {
    if (this.pendingEscape > 0) {
      this.pendingEscape--
      return true
    }
    const esc = this.lastWasEsc
    this.lastWasEsc = false
    if (ch === '[' && esc) {
      this.pendingEscape = 1
      return true
    }
    return false
  }

  private async runLine(line: string) {
    this.busy = true
    try {
      await this.hooks.run(line)
    } finally {
      this.busy = false
    }
    if (this.hooks.closed()) return
    // Keys typed while the line ran are read now, as the tty buffered them.
    this.queue.unshift(...this.typeahead.flatMap(chunks))
    this.typeahead = []
    void this.pump()
  }
}
