/** @module session: one `exec`'d process in a container — argv or an interactive shell with a tty line editor; ends with an exit code. */
import type { Registry } from '../../registry/registry.js'
import { behaviourFor } from '../containers/behaviours.js'
import { fsFor } from '../containers/fs.js'
import { processesFor, type Process } from '../containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../containers/runtime.js'
import { commands } from './commands.js'
import { Shell, ShellExit, type Input, type ShellFlavour } from './shell.js'

/** What the session writes; `stderr` is merged into stdout by the caller in tty mode. */
export interface SessionIO {
  stdout(s: string): void
  stderr(s: string): void
}

/** Why exec could not start the command: the runtime's error text (kubectl shows it as an internal error). */
export class ExecStartError extends Error {}

/** Streaming stdin: bytes pushed by the transport, EOF when the client half-closes. */
class StreamInput implements Input {
  private buf = ''
  private eof = false
  private waiters: (() => void)[] = []

  push(s: string): void {
    this.buf += s
    this.wake()
  }

  end(): void {
    this.eof = true
    this.wake()
  }

  private wake() {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  private wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r))
  }

  async readAll(): Promise<string> {
    while (!this.eof) await this.wait()
    const r = this.buf
    this.buf = ''
    return r
  }

  async read(): Promise<string | undefined> {
    while (!this.buf && !this.eof) await this.wait()
    if (!this.buf) return undefined
    const r = this.buf
    this.buf = ''
    return r
  }

  async readLine(): Promise<string | undefined> {
    for (;;) {
      const nl = this.buf.indexOf('\n')
      if (nl >= 0) {
        const line = this.buf.slice(0, nl)
        this.buf = this.buf.slice(nl + 1)
        return line
      }
      if (this.eof) {
        if (!this.buf) return undefined
        const r = this.buf
        this.buf = ''
        return r
      }
      await this.wait()
    }
  }
}

/** Options of an exec session. */
export interface ExecOptions {
  command: string[]
  tty: boolean
  stdin: boolean
  io: SessionIO
}

/**
 * One process started by exec. `start()` validates the command like the OCI runtime does (throws
 * ExecStartError), then runs it; `done` resolves with its exit code (137 when PID 1 ended and the
 * kernel killed everything else). Input arrives through `input()`, `closeStdin()`, `resize()`.
 */
export class ExecSession {
  readonly done: Promise<number>
  private resolveDone!: (code: number) => void
  private finished = false
  private readonly stdinStream = new StreamInput()
  private shell?: Shell
  private proc?: Process
  private line = ''
  private interactiveShell = false
  private busy = false

  constructor(
    private readonly registry: Registry,
    private readonly inst: ContainerInstance,
    private readonly opts: ExecOptions,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r))
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
    this.shell = new Shell({ registry: this.registry, inst: this.inst, fs: fsFor(this.registry, this.inst), procs, flavour, process: this.proc })
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

  /** Bytes from the client's stdin (raw keystrokes with a tty). */
  input(data: string): void {
    if (this.finished) return
    if (!this.opts.tty || !this.interactiveShell) {
      if (this.opts.tty && data.includes('\x03')) this.shell?.interrupt()
      this.stdinStream.push(this.opts.tty ? data.replace(/\r/g, '\n') : data)
      return
    }
    for (const ch of data) this.key(ch)
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
    if (this.finished) return
    this.shell?.interrupt()
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
    this.stdinStream.end()
    if (this.proc) processesFor(this.registry, this.inst).exit(this.proc.pid)
    this.resolveDone(code)
  }

  private io() {
    return { stdin: this.stdinStream as Input, out: { write: (s: string) => this.write(s) }, err: { write: (s: string) => this.writeErr(s) } }
  }

  private async runArgv(argv: string[]) {
    try {
      const code = await this.shell!.exec(argv, this.io())
      this.finish(code)
    } catch (e) {
      this.finish(e instanceof ShellExit ? e.code : 1)
    }
  }

  /** A shell reading commands from non-tty stdin (`kubectl exec -i x -- sh < script`). */
  private async readScript() {
    for (;;) {
      const line = await this.stdinStream.readLine()
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

  /** The tty line discipline plus readline basics: echo, backspace, ^C, ^D, ^U, Enter. */
  private key(ch: string) {
    if (this.busy) {
      if (ch === '\x03') {
        this.write('^C\n')
        this.shell!.interrupt()
        this.typeahead = ''
      } else this.typeahead += ch
      return
    }
    if (ch === '\r' || ch === '\n') {
      this.write('\r\n')
      const line = this.line
      this.line = ''
      void this.runLine(line)
    } else if (ch === '\x7f' || ch === '\b') {
      if (this.line) {
        this.line = this.line.slice(0, -1)
        this.write('\b \b')
      }
    } else if (ch === '\x03') {
      this.line = ''
      this.write('^C\r\n' + this.shell!.prompt())
    } else if (ch === '\x04') {
      if (!this.line) {
        this.write(this.shell!.flavour === 'bash' ? 'exit\r\n' : '\r\n')
        this.finish(this.shell!.status)
      }
    } else if (ch === '\x15') {
      this.write('\b \b'.repeat(this.line.length))
      this.line = ''
    } else if (ch === '\x1b') {
      this.lastWasEsc = true
    } else if (ch.charCodeAt(0) < 0x20) {
      // Escape sequences (arrows) and other controls are ignored.
    } else if (!this.escapeTail(ch)) {
      this.line += ch
      this.write(ch)
    }
  }

  private pendingEscape = 0
  /** Swallows the `[A`-style tail of an arrow key's escape sequence. */
  private escapeTail(ch: string): boolean {
    if (this.pendingEscape > 0) {
      this.pendingEscape--
      return true
    }
    if (ch === '[' && this.lastWasEsc) {
      this.pendingEscape = 1
      this.lastWasEsc = false
      return true
    }
    return false
  }
  private lastWasEsc = false

  private async runLine(line: string) {
    this.busy = true
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
    this.typeahead = ''
    for (const c of ahead) this.key(c)
  }

  private typeahead = ''
}

function randomHex(): string {
  let s = ''
  for (let i = 0; i < 64; i++) s += '0123456789abcdef'[Math.floor(Math.random() * 16)]
  return s
}
