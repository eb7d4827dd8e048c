/** @module session: one `exec`'d process in a container — argv or an interactive shell with a tty line editor; ends with an exit code. */
import type { Registry } from '../../registry/registry.js'
import { behaviourFor } from '../containers/behaviours.js'
import { findExecutable, notFoundText } from '../containers/executable.js'
import { fsFor } from '../containers/fs.js'
import { processesFor, type Process } from '../containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../containers/runtime.js'
import { LineEditor } from './line-editor.js'
import { isAbortError, Scheduler } from './scheduler.js'
import { randomHex } from '../../util/random.js'
import { Shell, ShellExit, type ShellFlavour } from './shell.js'
import { StreamInput } from './stream-input.js'

/**
 * Where the session writes; `stderr` is merged into stdout by the caller in tty mode. `backlog`
 * reports bytes written but not yet flushed to the client (a WebSocket's bufferedAmount): while
 * it is large the interpreter pauses instead of buffering without bound.
 */
export interface SessionIO {
  stdout(s: string): void
  /** Binary stdout (`tar zcf -`), sent as these bytes; without it bytes go to `stdout` as latin1 text. */
  stdoutBytes?(b: Buffer): void
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
  /** The container's main process itself (pid1.ts), not a process exec starts beside it: the session is PID 1 of the table. */
  pid1?: boolean
}

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
  private interactiveShell = false
  /** The tty line editor of an interactive shell. */
  private readonly editor = new LineEditor({
    write: (s) => this.write(s),
    run: (line) => this.runLine(line),
    interrupt: () => this.shell!.interrupt(),
    prompt: () => this.shell!.prompt(),
    eof: () => {
      this.write(this.shell!.flavour === 'bash' ? 'exit\r\n' : '\r\n')
      this.finish(this.shell!.status)
    },
    closed: () => this.finished,
  })

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
    const found = findExecutable(b, name)
    if (!found) {
      throw new ExecStartError(
        `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${randomHex(32)}": OCI runtime exec failed: exec failed: unable to start container process: ${notFoundText(name)}: unknown`,
      )
    }
    const procs = processesFor(this.registry, this.inst)
    if (this.opts.pid1) this.proc = procs.mainOf(this.inst)
    else {
      this.proc = procs.spawn({
        ppid: 0,
        user: 'root',
        command: argv.join(' '),
        tty: this.opts.tty ? 'pts/0' : undefined,
        vszKb: 4188,
        rssKb: 3328,
        owner: this.inst.containerID,
      })
      this.proc.onKill = (sig) => this.finish(128 + sig)
    }
    // However the main process ends (crash, pod deletion, the kubelet), the kernel kills this one too.
    const stop = runtimeFor(this.registry).onExit((i) => {
      if (i.containerID === this.inst.containerID) this.finish(128 + 9)
    })
    void this.done.then(stop)
    const flavour: ShellFlavour = found.kind === 'shell' ? found.flavour : b.shell === 'busybox' ? 'ash' : 'dash'
    this.shell = new Shell({
      registry: this.registry,
      inst: this.inst,
      fs: fsFor(this.registry, this.inst),
      procs,
      flavour,
      process: this.proc,
      scheduler: this.scheduler,
    })
    this.shell.tty = this.opts.tty
    // containerd sets TERM for processes that get a terminal.
    if (this.opts.tty) this.shell.env.TERM ??= 'xterm'
    this.interactiveShell = found.kind === 'shell' && argv.length === 1
    if (this.interactiveShell) {
      this.shell.interactive = true
      if (this.opts.tty) this.write(this.shell.prompt())
      else void this.readScript()
      return
    }
    void this.runArgv(argv)
  }

  /**
   * Text from the client's stdin (raw keystrokes with a tty); handled in bounded chunks. `raw` is
   * the bytes it was decoded from: without a tty a command may read them as they are (`tar xzf -`).
   */
  input(data: string, raw?: Buffer): void {
    if (this.finished || (this.opts.tty && !data)) return
    if (!this.opts.tty || !this.interactiveShell) {
      if (this.opts.tty && data.includes('\x03')) this.shell?.interrupt()
      this.stdinStream.push(this.opts.tty ? data.replace(/\r/g, '\n') : data, this.opts.tty ? undefined : raw)
      return
    }
    this.editor.input(data)
  }

  /** The client will send no more stdin. */
  closeStdin(): void {
    this.stdinStream.end()
  }

  /** Terminal size change. */
  resize(width: number, height: number): void {
    if (this.shell && width > 0) this.shell.width = width
    // A PID 1 shell's terminal starts without a size: the first one an attached client sends is a
    // change, so the shell redraws its prompt (what makes `kubectl run -it`/`debug -it` show one).
    const size = `${width}x${height}`
    if (this.opts.pid1 && this.opts.tty && this.interactiveShell && size !== this.size) this.editor.redraw()
    this.size = size
  }

  /** The terminal size last set (undefined until a client sends one). */
  private size?: string

  /** Ends the session from outside (client went away): the shell process is gone. */
  abort(): void {
    this.finish(129)
  }

  private write(s: string) {
    if (!this.finished) this.opts.io.stdout(this.opts.tty ? s.replace(/\r?\n/g, '\r\n') : s)
  }

  /** Binary stdout: a tty still turns `\n` into `\r\n` (onlcr), byte for byte. */
  private writeBytes(b: Buffer) {
    if (this.finished) return
    const bytes = this.opts.tty ? Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : b
    if (this.opts.io.stdoutBytes) this.opts.io.stdoutBytes(bytes)
    else this.opts.io.stdout(bytes.toString('latin1'))
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
    this.editor.clear()
    this.stdinStream.end()
    if (this.proc && !this.opts.pid1) processesFor(this.registry, this.inst).exit(this.proc.pid)
    this.resolveDone(code)
  }

  private io() {
    return {
      stdin: this.stdinStream,
      out: { write: (s: string) => this.write(s), writeBytes: (b: Buffer) => this.writeBytes(b) },
      err: { write: (s: string) => this.writeErr(s) },
    }
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

  /** One line typed at the prompt (a ^C before it ended the previous job only). */
  private async runLine(line: string) {
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
    }
    if (!this.finished) this.write(this.shell!.prompt())
  }
}
