/** @module session: one `exec`'d process in a container — argv or an interactive shell with a tty line editor; ends with an exit code. */
import type { Registry } from '../../registry/registry.js'
import { behaviourFor } from '../containers/behaviours.js'
import { fsFor } from '../containers/fs.js'
import { processesFor, type Process } from '../containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../containers/runtime.js'
import { commands } from './commands.js'
import { chunks, isAbortError, Scheduler } from './scheduler.js'
import { Shell, ShellExit, type ShellFlavour } from './shell.js'
import { StreamInput } from './stream-input.js'

/**
 * Where the session writes; `stderr` is merged into stdout by the caller in tty mode. `backlog`
 * reports bytes written but not yet flushed to the client (a WebSocket's bufferedAmount): while
 * it is large the interpreter pauses instead of buffering without bound.
 */
export interface SessionIO {
  stdout(s: string): void
  stderr(s: string): void
  backlog?(): number
}

/** Why exec could not start the command: the runtime's error text (kubectl shows it as an internal error). */
export class ExecStartError extends Error {}

/** Options of an exec session. */
export interface ExecOptions {
  command: string[]
  tty: boolean
  stdin: boolean
  io: SessionIO
}

/** Runs of typed characters the line editor inserts as they are (no control characters). */
const printableRun = /[^\x00-\x1f\x7f]+/y

/**
 * One process started by exec. `start()` validates the command like the OCI runtime does (throws
 * ExecStartError), then runs it; `done` resolves with its exit code (137 when PID 1 ended and the
 * kernel killed everything else). Input arrives through `input()`, `closeStdin()`, `resize()`;
 * `abort()` ends it from outside. However it ends, its Scheduler is closed: every loop, sleep and
 * read of its shell and subshells stops at its next step, and nothing more is written.
 */
export class ExecSession {
  readonly done: Promise<number>
  /** The interpreter's run state: time slices, ^C, backpressure from `io.backlog`, `steps` taken. */
  readonly scheduler: Scheduler
  private resolveDone!: (code: number) => void
  private finished = false
  private readonly stdinStream: StreamInput
  private shell?: Shell
  private proc?: Process
  /** The line being edited, as the pieces typed (joined once on Enter). */
  private line: string[] = []
  private lineLength = 0
  private interactiveShell = false
  private busy = false
  /** Keys not yet handled (interactive tty), each at most `chunkUnits` long. */
  private keyQueue: string[] = []
  private pumping = false
  /** Echo written by the line editor in one batch. */
  private echo: string[] = []
  private typeahead: string[] = []
  private pendingEscape = 0
  private lastWasEsc = false

  constructor(
    private readonly registry: Registry,
    private readonly inst: ContainerInstance,
    private readonly opts: ExecOptions,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r))
    this.scheduler = new Scheduler({ backlog: opts.io.backlog && (() => opts.io.backlog!()) })
    this.stdinStream = new StreamInput(() => this.scheduler.signal)
  }

  /** Starts the process; throws ExecStartError for a binary the image does not have. */
  start(): void {
    const argv = this.opts.command
    const b = behaviourFor(this.inst.image)
    const name = argv[0] ?? ''
    const base = name.split('/').pop()!
    const shells: Record<string, ShellFlavour> = b.shell === 'bash' ? { bash: 'bash', sh: 'dash' } : b.shell === 'busybox' ? { sh: 'ash', ash: 'ash' } : {}
    const isShell = ['sh', 'bash', 'ash', 'dash'].includes(base)
    const known = isShell ? !!shells[base] : (!!commands[base] && !b.missing?.includes(base) && b.os !== 'distroless') || !!b.binaries?.[base]
    if (!known) {
      const why = name.includes('/') ? `exec: "${name}": stat ${name}: no such file or directory` : `exec: "${name}": executable file not found in $PATH`
      throw new ExecStartError(`Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${randomHex()}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`)
    }
    const procs = processesFor(this.registry, this.inst)
    this.proc = procs.spawn({ ppid: 0, user: 'root', command: argv.join(' '), tty: this.opts.tty ? 'pts/0' : undefined, vszKb: 4188, rssKb: 3328 })
    this.proc.onKill = (sig) => this.finish(128 + sig)
    // However the main process ends (crash, pod deletion, the kubelet), the kernel kills this one too.
    const stop = runtimeFor(this.registry).onExit((i) => {
      if (i.containerID === this.inst.containerID) this.finish(128 + 9)
    })
    void this.done.then(stop)
    const flavour: ShellFlavour = shells[base] ?? (b.shell === 'busybox' ? 'ash' : 'dash')
    this.shell = new Shell({ registry: this.registry, inst: this.inst, fs: fsFor(this.registry, this.inst), procs, flavour, process: this.proc, scheduler: this.scheduler })
    this.shell.tty = this.opts.tty
    // containerd sets TERM for processes that get a terminal.
    if (this.opts.tty) this.shell.env.TERM ??= 'xterm'
    this.interactiveShell = !!shells[base] && argv.length === 1
    if (this.interactiveShell) {
      this.shell.interactive = true
      if (this.opts.tty) this.write(this.shell.prompt())
      else void this.readScript()
      return
    }
    void this.runArgv(argv)
  }

  /** Bytes from the client's stdin (raw keystrokes with a tty); handled in bounded chunks. */
  input(data: string): void {
    if (this.finished) return
    if (!this.opts.tty || !this.interactiveShell) {
      if (this.opts.tty && data.includes('\x03')) this.shell?.interrupt()
      this.stdinStream.push(this.opts.tty ? data.replace(/\r/g, '\n') : data)
      return
    }
    this.keyQueue.push(...chunks(data))
    void this.pumpKeys()
  }

  /** The client will send no more stdin. */
  closeStdin(): void {
    this.stdinStream.end()
  }

  /** Terminal size change. */
  resize(width: number, _height: number): void {
    if (this.shell && width > 0) this.shell.width = width
  }

  /** Ends the session from outside (client went away): the shell process is gone. */
  abort(): void {
    this.finish(129)
  }

  private write(s: string) {
    if (!this.finished) this.opts.io.stdout(this.opts.tty ? s.replace(/\r?\n/g, '\r\n') : s)
  }

  private writeErr(s: string) {
    if (this.finished) return
    if (this.opts.tty) this.opts.io.stdout(s.replace(/\r?\n/g, '\r\n'))
    else this.opts.io.stderr(s)
  }

  private finish(code: number) {
    if (this.finished) return
    this.finished = true
    this.scheduler.close()
    this.keyQueue = []
    this.stdinStream.end()
    if (this.proc) processesFor(this.registry, this.inst).exit(this.proc.pid)
    this.resolveDone(code)
  }

  private io() {
    return { stdin: this.stdinStream, out: { write: (s: string) => this.write(s) }, err: { write: (s: string) => this.writeErr(s) } }
  }

  private async runArgv(argv: string[]) {
    try {
      const code = await this.shell!.exec(argv, this.io())
      this.finish(code)
    } catch (e) {
      this.finish(e instanceof ShellExit ? e.code : isAbortError(e) ? 130 : 1)
    }
  }

  /** A shell reading commands from non-tty stdin (`kubectl exec -i x -- sh < script`). */
  private async readScript() {
    for (;;) {
      let line: string | undefined
      try {
        line = await this.stdinStream.readLine()
      } catch (e) {
        if (isAbortError(e)) break
        throw e
      }
      if (line === undefined || this.finished) break
      try {
        await this.shell!.run(line, { out: { write: (s) => this.write(s) }, err: { write: (s) => this.writeErr(s) } })
      } catch (e) {
        if (e instanceof ShellExit) return this.finish(e.code)
        throw e
      }
    }
    this.finish(this.shell!.status)
  }

  /** Feeds queued keys to the line editor, one chunk at a time, yielding when a time slice is used up. */
  private async pumpKeys() {
    if (this.pumping) return
    this.pumping = true
    try {
      let sliceStart = performance.now()
      while (this.keyQueue.length && !this.finished) {
        this.keys(this.keyQueue.shift()!)
        if (performance.now() - sliceStart >= 5) {
          await new Promise<void>((r) => setImmediate(r))
          sliceStart = performance.now()
        }
      }
    } finally {
      this.pumping = false
    }
  }

  /** The tty line discipline over one chunk: runs of plain characters at once, control keys one by one. */
  private keys(data: string) {
    let i = 0
    while (i < data.length && !this.finished) {
      if (this.busy) {
        // While a command runs the tty buffers keys; ^C interrupts it.
        const c = data.indexOf('\x03', i)
        if (c < 0) {
          this.typeahead.push(data.slice(i))
          break
        }
        if (c > i) this.typeahead.push(data.slice(i, c))
        this.echo.push('^C\n')
        this.shell!.interrupt()
        this.typeahead = []
        i = c + 1
        continue
      }
      printableRun.lastIndex = i
      const run = this.pendingEscape || this.lastWasEsc ? null : printableRun.exec(data)
      if (run) {
        this.line.push(run[0])
        this.lineLength += run[0].length
        this.echo.push(run[0])
        i += run[0].length
        continue
      }
      const cp = data.codePointAt(i)!
      const ch = String.fromCodePoint(cp)
      i += ch.length
      this.key(ch)
    }
    this.flushEcho()
  }

  private flushEcho() {
    if (!this.echo.length) return
    const s = this.echo.join('')
    this.echo = []
    this.write(s)
  }

  /** One key outside a plain run: Enter, backspace, ^C, ^D, ^U, escape sequences. */
  private key(ch: string) {
    if (ch === '\r' || ch === '\n') {
      this.echo.push('\r\n')
      const line = this.line.join('')
      this.line = []
      this.lineLength = 0
      this.flushEcho()
      void this.runLine(line)
    } else if (ch === '\x7f' || ch === '\b') {
      if (this.lineLength) {
        const last = this.line[this.line.length - 1]
        if (last.length <= 1) this.line.pop()
        else this.line[this.line.length - 1] = last.slice(0, -1)
        this.lineLength--
        this.echo.push('\b \b')
      }
    } else if (ch === '\x03') {
      this.line = []
      this.lineLength = 0
      this.echo.push('^C\r\n' + this.shell!.prompt())
    } else if (ch === '\x04') {
      if (!this.lineLength) {
        this.echo.push(this.shell!.flavour === 'bash' ? 'exit\r\n' : '\r\n')
        this.flushEcho()
        this.finish(this.shell!.status)
      }
    } else if (ch === '\x15') {
      this.echo.push('\b \b'.repeat(this.lineLength))
      this.line = []
      this.lineLength = 0
    } else if (ch === '\x1b') {
      this.lastWasEsc = true
    } else if (ch.charCodeAt(0) < 0x20) {
      // Other controls are ignored.
    } else if (!this.escapeTail(ch)) {
      this.line.push(ch)
      this.lineLength += ch.length
      this.echo.push(ch)
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
    this.scheduler.resume()
    try {
      if (line.trim()) {
        await this.shell!.run(line, { out: { write: (s) => this.write(s) }, err: { write: (s) => this.writeErr(s) } })
      }
    } catch (e) {
      if (e instanceof ShellExit) {
        // Interactive bash says goodbye on its terminal.
        if (this.shell!.flavour === 'bash') this.write('exit\n')
        this.finish(e.code)
        return
      }
      this.writeErr(`${this.shell!.errPrefix()}${(e as Error).message}\n`)
    } finally {
      this.busy = false
    }
    if (this.finished) return
    this.write(this.shell!.prompt())
    // Keys typed while the command ran are read now, as the tty buffered them.
    const ahead = this.typeahead
    this.typeahead = []
    this.keyQueue.unshift(...ahead.flatMap(chunks))
    void this.pumpKeys()
  }
}

function randomHex(): string {
  let s = ''
  for (let i = 0; i < 64; i++) s += '0123456789abcdef'[Math.floor(Math.random() * 16)]
  return s
}
