/** @module shell: an interpreter for bash/dash/ash command lines over a container's simulated fs, processes and env. */
import type { Registry } from '../../registry/registry.js'
import { behaviourContext, behaviourFor, type ContainerBehaviour } from '../containers/behaviours.js'
import type { ShellFlavour } from '../containers/executable.js'
import { FsError, resolvePath, type VirtualFS } from '../containers/fs.js'
import type { ContainerInstance } from '../containers/runtime.js'
import type { Process, ProcessTable } from '../containers/processes.js'
import { commands } from './commands.js'
import { parse, ShellSyntaxError, type CommandList, type Compound, type Pipeline, type SimpleCommand, type Word } from './parse.js'
import { Pipe } from './pipe.js'
import { abortError, BrokenPipe, chunks, chunkUnits, isAbortError, Scheduler } from './scheduler.js'

/** Which shell program this is: error texts and prompts differ (executable.ts decides it from the image). */
export type { ShellFlavour }

/** Where a command's bytes go. Pipes also tell the interpreter when their reader is behind or gone. */
export interface Output {
  write(s: string): void
  /**
   * Binary output, delivered as these exact bytes (an exec session's stdout: `tar zcf -`). Absent
   * on pipes, files and `$(…)`, which hold strings: {@link writeBytes} gives them one character per
   * byte (latin1), which a reader that wants bytes back (`tar x`) turns into the same bytes.
   */
  writeBytes?(b: Buffer): void
  /** True once nobody reads any more (the writer's next step fails: SIGPIPE). */
  broken?(): boolean
  /** Resolves when the reader has caught up (the writer's next step waits for it). */
  drained?(): Promise<void>
}

/** Standard input: pipes and files give a string, sessions stream what the client sends. */
export interface Input {
  /** The next chunk (at most `chunkUnits` long, never empty), or undefined at EOF. */
  read(): Promise<string | undefined>
  /** Everything until EOF. */
  readAll(): Promise<string>
  /** One line without its newline, or undefined at EOF. */
  readLine(): Promise<string | undefined>
  /**
   * Everything until EOF as the exact bytes the client sent, when this is a session's stdin and
   * nothing of it was read as text yet; undefined otherwise (then use `readAll`).
   */
  readAllBytes?(): Promise<Buffer | undefined>
}

/** Writes bytes: as they are where `out` takes bytes, else as a latin1 string (one character per byte). */
export function writeBytes(out: Output, b: Buffer): void {
  if (out.writeBytes) out.writeBytes(b)
  else out.write(b.toString('latin1'))
}

/** What a command implementation receives. */
export interface CommandContext {
  shell: Shell
  /** argv; args[0] is the command name as typed. */
  args: string[]
  stdin: Input
  out: Output
  err: Output
  /** Aborted by Ctrl-C or when the session's shell is killed. */
  signal: AbortSignal
}

/** A command: returns its exit status. */
export type CommandFn = (ctx: CommandContext) => number | Promise<number>

/** Thrown by `break` / `continue` inside loops. */
export class LoopControl extends Error {
  constructor(readonly kind: 'break' | 'continue') {
    super(kind)
  }
}

/** Thrown by `exit`; carries the status. */
export class ShellExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

/** Where the shell runs. */
export interface ShellOptions {
  registry: Registry
  inst: ContainerInstance
  fs: VirtualFS
  procs: ProcessTable
  flavour: ShellFlavour
  /** `bash` for `-c` scripts vs an interactive prompt (error prefixes differ). */
  interactive?: boolean
  env?: Record<string, string>
  cwd?: string
  /** This shell's process (its PID is `$$`). */
  process?: Process
  /** Shared with the parent shell (subshells, `sh -c`); a fresh one when absent. */
  scheduler?: Scheduler
}

/** A string Input. */
export function stringInput(s: string): Input {
  let rest: string | undefined = s
  return {
    async read() {
      if (!rest) return (rest = undefined)
      const c = chunks(rest.slice(0, chunkUnits + 1))[0]
      rest = rest.slice(c.length)
      return c
    },
    async readAll() {
      const r = rest ?? ''
      rest = undefined
      return r
    },
    async readLine() {
      if (rest === undefined || rest === '') return undefined
      const nl = rest.indexOf('\n')
      const line = nl < 0 ? rest : rest.slice(0, nl)
      rest = nl < 0 ? '' : rest.slice(nl + 1)
      return line
    },
  }
}

/** Collects writes. */
export function bufferOutput(): Output & { text: string } {
  const o = {
    text: '',
    write(s: string) {
      o.text += s
    },
  }
  return o
}

/**
 * One shell process: its cwd, variables and `$?`. Never touches the host: every command is an
 * implementation in commands.ts over the container's VirtualFS and ProcessTable.
 */
export class Shell {
  readonly registry: Registry
  readonly inst: ContainerInstance
  readonly fs: VirtualFS
  readonly procs: ProcessTable
  readonly flavour: ShellFlavour
  readonly behaviour: ContainerBehaviour
  interactive: boolean
  env: Record<string, string>
  cwd: string
  status = 0
  /** True on a terminal (ls prints columns); `width` is its column count (resize messages update it). */
  tty = false
  width = 80
  /** Lines run so far (dash numbers its errors). */
  lineNo = 0
  process?: Process
  /** Time slices, ^C and the session's end, shared with subshells. */
  readonly scheduler: Scheduler

  constructor(opts: ShellOptions) {
    this.registry = opts.registry
    this.inst = opts.inst
    this.fs = opts.fs
    this.procs = opts.procs
    this.flavour = opts.flavour
    this.behaviour = behaviourFor(opts.inst.image)
    this.interactive = opts.interactive ?? false
    this.env = { ...(opts.env ?? opts.inst.env) }
    this.cwd = opts.cwd ?? '/'
    this.process = opts.process
    this.scheduler = opts.scheduler ?? new Scheduler()
    if (!this.env.PWD) this.env.PWD = this.cwd
  }

  /** The name errors start with: `bash`, `sh`. */
  get name(): string {
    return this.flavour === 'bash' ? 'bash' : 'sh'
  }

  /** Error prefix for the shell itself: `bash: `, `bash: line 1: `, `sh: 1: `, `sh: `. */
  errPrefix(): string {
    if (this.flavour === 'bash') return this.interactive ? 'bash: ' : `bash: line ${this.lineNo}: `
    if (this.flavour === 'dash') return `sh: ${this.lineNo}: `
    return 'sh: '
  }

  /** The prompt an interactive session shows. */
  prompt(): string {
    if (this.flavour === 'bash') {
      const home = this.env.HOME ?? '/root'
      const dir = this.cwd === home ? '~' : this.cwd.startsWith(`${home}/`) ? `~${this.cwd.slice(home.length)}` : this.cwd
      return `root@${this.inst.hostname}:${dir}# `
    }
    if (this.flavour === 'ash') return `${this.cwd === (this.env.HOME ?? '/root') ? '~' : this.cwd} # `
    return '# '
  }

  /** Aborts the foreground job (Ctrl-C) in this shell and its subshells, until `scheduler.resume()`. */
  interrupt(): void {
    this.scheduler.interrupt()
  }

  /** Aborted by ^C or when the session ends. */
  get signal(): AbortSignal {
    return this.scheduler.signal
  }

  /** Absolute path for a user-supplied one. */
  resolve(path: string): string {
    return resolvePath(path, this.cwd)
  }

  /**
   * Runs one command line (may hold `;`, `&&`, `||`, `|`); returns `$?` (130 when interrupted or
   * the session ended). Throws ShellExit for `exit`.
   */
  async run(line: string, io: { stdin?: Input; out: Output; err: Output }): Promise<number> {
    this.lineNo++
    let list: CommandList
    try {
      list = parse(line)
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e
      if (this.flavour === 'bash') io.err.write(`${this.errPrefix()}${e.message}\n`)
      else if (this.flavour === 'dash') io.err.write(`sh: ${this.lineNo}: Syntax error: "${e.token}" unexpected\n`)
      else io.err.write(`sh: syntax error: unexpected "${e.token}"\n`)
      this.status = 2
      return 2
    }
    try {
      return await this.runList(list, io)
    } catch (e) {
      if (!isAbortError(e)) throw e
      return (this.status = 130)
    }
  }

  /** Runs a parsed list (also loop and if bodies). */
  async runList(list: CommandList, io: { stdin?: Input; out: Output; err: Output }): Promise<number> {
    for (const { op, pipeline } of list) {
      if (op === '&&' && this.status !== 0) continue
      if (op === '||' && this.status === 0) continue
      const code = await this.runPipeline(pipeline, { stdin: io.stdin ?? stringInput(''), out: io.out, err: io.err })
      this.status = pipeline.negated ? (code === 0 ? 1 : 0) : code
    }
    return this.status
  }

  /** A copy of this shell for a pipeline stage or `$(…)`: same container and scheduler, its own variables, cwd and `$?`. */
  subshell(): Shell {
    const sub = new Shell({
      registry: this.registry,
      inst: this.inst,
      fs: this.fs,
      procs: this.procs,
      flavour: this.flavour,
      env: this.env,
      cwd: this.cwd,
      process: this.process,
      scheduler: this.scheduler,
      interactive: this.interactive,
    })
    sub.tty = this.tty
    sub.width = this.width
    sub.lineNo = this.lineNo
    sub.status = this.status
    return sub
  }

  /**
   * `a | b | c`: every stage runs at once in its own subshell, joined by bounded pipes. A stage's
   * end gives its reader EOF; a reader's end makes its writer fail with SIGPIPE (141) at its next
   * step, so `while true; do echo y; done | head -1` ends. The status is the last stage's.
   * A single command runs in this shell (so `cd`, assignments and `exit` take effect).
   */
  private async runPipeline(p: Pipeline, io: { stdin: Input; out: Output; err: Output }): Promise<number> {
    if (p.commands.length === 1) return this.runSimple(p.commands[0], io)
    const last = p.commands.length - 1
    const pipes = p.commands.slice(1).map(() => new Pipe(() => this.scheduler.signal))
    const codes = await Promise.all(
      p.commands.map(async (cmd, i) => {
        const sub = this.subshell()
        // Only the last stage may write to the terminal (ls prints columns only there).
        if (i < last) sub.tty = false
        try {
          return await sub.runSimple(cmd, { stdin: i === 0 ? io.stdin : pipes[i - 1].reader, out: i === last ? io.out : pipes[i], err: io.err })
        } catch (e) {
          if (e instanceof ShellExit) return e.code
          if (e instanceof BrokenPipe) return 141
          if (e instanceof LoopControl) return 0
          if (isAbortError(e)) return 130
          throw e
        } finally {
          if (i < last) pipes[i].close()
          if (i > 0) pipes[i - 1].closeReader()
        }
      }),
    )
    return codes[last]
  }

  /** Expands words: variables, `$(…)`, `$((…))`, field splitting and globbing of unquoted parts. */
  async expand(words: Word[]): Promise<string[]> {
    const fields: string[] = []
    for (const w of words) {
      let cur: string | undefined
      let globbable = false
      const push = () => {
        if (cur === undefined) return
        if (globbable && /[*?]/.test(cur)) fields.push(...this.glob(cur))
        else fields.push(cur)
        cur = undefined
        globbable = false
      }
      for (const part of w) {
        if (part.kind === 'lit') {
          cur = (cur ?? '') + part.text
          if (!part.quoted && /[*?]/.test(part.text)) globbable = true
          continue
        }
        const value = await this.partValue(part)
        if (part.quoted) {
          cur = (cur ?? '') + value
          continue
        }
        const pieces = value.split(/[ \t\n]+/)
        pieces.forEach((p, i) => {
          if (i > 0) push()
          if (p !== '' || i === 0) cur = (cur ?? '') + p
        })
        if (value === '' && cur === '') cur = undefined
      }
      if (w.length === 0 || w.every((p) => p.kind === 'lit' && p.quoted)) cur ??= ''
      push()
    }
    return fields
  }

  /** One word to a single string (assignments, redirection targets). */
  async expandOne(w: Word): Promise<string> {
    let s = ''
    for (const part of w) s += part.kind === 'lit' ? part.text : await this.partValue(part)
    return s
  }

  private async partValue(part: Exclude<Word[number], { kind: 'lit' }>): Promise<string> {
    if (part.kind === 'var') {
      const n = part.name
      if (n === '?') return String(this.status)
      if (n === '$') return String(this.process?.pid ?? 1)
      if (n === '#') return '0'
      if (n === '0') return this.name === 'bash' ? 'bash' : 'sh'
      return this.env[n] ?? ''
    }
    if (part.kind === 'arith') return String(arith(part.expr, this.env))
    const sub = this.subshell()
    sub.interactive = false
    sub.tty = false
    sub.lineNo = this.lineNo - 1
    const out = bufferOutput()
    try {
      await sub.run(part.source, { out, err: { write: (s) => this.lastErr?.write(s) } })
    } catch (e) {
      if (!(e instanceof ShellExit)) throw e
    }
    return out.text.replace(/\n+$/, '')
  }

  private lastErr?: Output

  private glob(pattern: string): string[] {
    const abs = pattern.startsWith('/')
    const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0)
    let paths = [abs ? '/' : '']
    for (const part of parts.slice(abs ? 1 : 0)) {
      const next: string[] = []
      for (const base of paths) {
        const dir = base === '' ? this.cwd : base
        if (!/[*?]/.test(part)) {
          const p = base === '' ? part : `${base === '/' ? '' : base}/${part}`
          if (this.fs.lookup(resolvePath(p, this.cwd))) next.push(p)
          continue
        }
        const re = new RegExp(
          `^${part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        )
        try {
          for (const [name] of this.fs.list(dir)) {
            if (name.startsWith('.') && !part.startsWith('.')) continue
            if (re.test(name)) next.push(base === '' ? name : `${base === '/' ? '' : base}/${name}`)
          }
        } catch {
          // Not a directory: no match.
        }
      }
      paths = next
    }
    return paths.length ? paths : [pattern]
  }

  /**
   * Loops, conditionals and groups. A loop runs until it breaks, is interrupted, or its container
   * or session ends; every turn is a scheduler step, so it never holds the event loop for long.
   */
  private async runCompound(c: Compound, io: { stdin: Input; out: Output; err: Output }): Promise<number> {
    const turn = async () => {
      await this.scheduler.step()
      if (!this.inst.running) throw abortError()
    }
    const loop = async (body: () => Promise<void>): Promise<void> => {
      for (;;) {
        await turn()
        try {
          await body()
        } catch (e) {
          if (!(e instanceof LoopControl)) throw e
          if (e.kind === 'break') return
        }
      }
    }
    let code = 0
    if (c.kind === 'group') return this.runList(c.body, io)
    if (c.kind === 'if') {
      for (const b of c.branches) {
        if ((await this.runList(b.cond, io)) === 0) return this.runList(b.body, io)
      }
      return c.otherwise ? this.runList(c.otherwise, io) : 0
    }
    if (c.kind === 'for') {
      const values = await this.expand(c.words)
      let idx = 0
      await loop(async () => {
        if (idx >= values.length) throw new LoopControl('break')
        this.env[c.name] = values[idx++]
        code = await this.runList(c.body, io)
      })
      return code
    }
    await loop(async () => {
      const ok = (await this.runList(c.cond, io)) === 0
      if (ok !== (c.kind === 'while')) throw new LoopControl('break')
      code = await this.runList(c.body, io)
    })
    return code
  }

  /** Runs one simple command with its redirections. */
  private async runSimple(cmd: SimpleCommand, io: { stdin: Input; out: Output; err: Output }): Promise<number> {
    await this.scheduler.step(io.out)
    this.lastErr = io.err
    if (cmd.compound) {
      try {
        return await this.runCompound(cmd.compound, io)
      } catch (e) {
        if (isAbortError(e)) return 130
        throw e
      }
    }
    const args = await this.expand(cmd.words)
    let stdin = io.stdin
    let out = io.out
    let err = io.err
    const files: { path: string; buf: ReturnType<typeof bufferOutput>; append: boolean }[] = []
    for (const r of cmd.redirects) {
      const target = await this.expandOne(r.target)
      if (r.op === '>&') {
        if (r.fd === 2 && target === '1') err = out
        else if (r.fd === 1 && target === '2') out = err
        continue
      }
      if (r.op === '<') {
        try {
          stdin = stringInput(this.fs.readFile(this.resolve(target)))
        } catch (e) {
          io.err.write(`${this.errPrefix()}${target}: ${(e as Error).message}\n`)
          return 1
        }
        continue
      }
      const path = this.resolve(target)
      try {
        if (path !== '/dev/null' && path !== '/dev/stdout' && path !== '/dev/stderr') this.fs.writeFile(path, '', { append: true })
      } catch (e) {
        io.err.write(`${this.errPrefix()}${target}: ${(e as Error).message}\n`)
        return 1
      }
      const buf = bufferOutput()
      if (path === '/dev/stdout') {
        if (r.fd === 2) err = io.out
        continue
      }
      if (path === '/dev/stderr') {
        if (r.fd === 1) out = io.err
        continue
      }
      files.push({ path, buf, append: r.op === '>>' })
      if (r.fd === 1) out = buf
      else if (r.fd === 2) err = buf
    }
    const assigns: Record<string, string> = {}
    for (const a of cmd.assigns) assigns[a.name] = await this.expandOne(a.value)
    if (!args.length) {
      Object.assign(this.env, assigns)
      for (const f of files) this.fs.writeFile(f.path, f.buf.text, { append: f.append })
      return 0
    }
    const saved = { ...this.env }
    if (Object.keys(assigns).length) Object.assign(this.env, assigns)
    let code: number
    try {
      code = await this.exec(args, { stdin, out, err })
    } finally {
      if (Object.keys(assigns).length) this.env = { ...saved, ...Object.fromEntries(Object.entries(this.env).filter(([k]) => !(k in assigns))) }
      for (const f of files) this.fs.writeFile(f.path, f.buf.text, { append: f.append })
    }
    return code
  }

  /** Looks a command up (builtins, the image's binaries, the OS tools) and runs it. */
  async exec(args: string[], io: { stdin: Input; out: Output; err: Output }): Promise<number> {
    const name = args[0]
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name
    if (name.includes('/') && !this.fs.lookup(this.resolve(name)) && !commands[base]) {
      io.err.write(`${this.errPrefix()}${name}: No such file or directory\n`)
      return 127
    }
    const binary = this.behaviour.binaries?.[base]
    if (binary) {
      const r = binary(args.slice(1), behaviourContext(this.inst))
      if (r.stdout) io.out.write(r.stdout)
      if (r.stderr) io.err.write(r.stderr)
      return r.code
    }
    const fn = commands[base]
    if (!fn || this.behaviour.missing?.includes(base) || this.behaviour.os === 'distroless') {
      io.err.write(this.flavour === 'bash' ? `${this.errPrefix()}${name}: command not found\n` : `${this.errPrefix()}${name}: not found\n`)
      return 127
    }
    try {
      return await fn({ shell: this, args, stdin: io.stdin, out: io.out, err: io.err, signal: this.signal })
    } catch (e) {
      if (e instanceof ShellExit || e instanceof LoopControl) throw e
      if (e instanceof FsError) {
        io.err.write(`${base}: ${e.path}: ${e.message}\n`)
        return 1
      }
      if (isAbortError(e)) return 130
      throw e
    }
  }
}

/** Integer arithmetic for `$((…))`: + - * / % and parentheses over numbers and variables. */
export function arith(expr: string, env: Record<string, string>): number {
  const tokens = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|\+\+|--|[-+*/%()]/g) ?? []
  let i = 0
  const primary = (): number => {
    const t = tokens[i++]
    if (t === '(') {
      const v = sum()
      i++
      return v
    }
    if (t === '-') return -primary()
    if (t === '+') return primary()
    if (t === '++' || t === '--') {
      const name = tokens[i++]
      const v = Number(env[name] ?? 0) + (t === '++' ? 1 : -1)
      env[name] = String(v)
      return v
    }
    if (t && /^[A-Za-z_]/.test(t)) {
      const v = Number(env[t] ?? 0) || 0
      if (tokens[i] === '++' || tokens[i] === '--') {
        env[t] = String(v + (tokens[i] === '++' ? 1 : -1))
        i++
      }
      return v
    }
    return Number(t ?? 0)
  }
  const product = (): number => {
    let v = primary()
    while (tokens[i] === '*' || tokens[i] === '/' || tokens[i] === '%') {
      const op = tokens[i++]
      const r = primary()
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r
    }
    return v
  }
  const sum = (): number => {
    let v = product()
    while (tokens[i] === '+' || tokens[i] === '-') {
      const op = tokens[i++]
      const r = product()
      v = op === '+' ? v + r : v - r
    }
    return v
  }
  return sum()
}
