/** @module commands: the coreutils/procps/busybox commands the simulated shell knows, over the container's virtual fs and process table. */
import { connectPort, imageServer, serveHTTP } from '../containers/http.js'
import { FsError, VirtualFS, type FsNode } from '../containers/fs.js'
import { parseSignal, signals } from '../containers/processes.js'
import { runtimeFor } from '../containers/runtime.js'
import type { CommandContext, CommandFn } from './shell.js'
import { abortError } from './scheduler.js'
import { LoopControl, Shell, ShellExit, stringInput, type Input } from './shell.js'
import { tar } from './tar.js'
import type { CommandName } from './command-names.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { connectionAllowed } from '../network-policy.js'
import { routeToService } from '../service-routing.js'
import { curlAPIServer, isAPIServer } from './curl-api-server.js'

/** Writes `text` to `stream` and returns `code`: the one-liners' exit status. */
const emit = (stream: { write(s: string): void }, text: string, code: number): number => {
  stream.write(text)
  return code
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const p2 = (n: number) => String(n).padStart(2, '0')

/** Splits `-la --full-time x` into flags and operands (`--` ends options). */
function options(args: string[]): { flags: Set<string>; long: Set<string>; rest: string[]; values: Map<string, string> } {
  const flags = new Set<string>()
  const long = new Set<string>()
  const rest: string[] = []
  const values = new Map<string, string>()
  let done = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (done || a === '-' || !a.startsWith('-')) rest.push(a)
    else if (a === '--') done = true
    else if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2)
      long.add(k)
      if (v !== undefined) values.set(k, v)
    } else for (const c of a.slice(1)) flags.add(c)
  }
  return { flags, long, rest, values }
}

const busy = (ctx: CommandContext) => ctx.shell.behaviour.os === 'busybox' || ctx.shell.behaviour.os === 'alpine'
const now = (ctx: CommandContext) => ctx.shell.registry.clock.now()

/** `drwxr-xr-x` for a node. */
export function modeString(n: FsNode): string {
  const t = n.type === 'dir' ? 'd' : n.type === 'link' ? 'l' : '-'
  let s = ''
  for (const shift of [6, 3, 0]) {
    const bits = (n.mode >> shift) & 7
    s += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-')
  }
  if (n.mode & 0o1000) s = s.slice(0, 8) + (s[8] === 'x' ? 't' : 'T')
  return t + s
}

/** `Nov 27 23:12` within six months of now, else `Nov 27  2019` (coreutils ls). */
export function lsTime(mtime: number, nowMs: number, full = false): string {
  const d = new Date(mtime)
  if (full) {
    return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds() * 1_000_000).padStart(9, '0')} +0000`
  }
  const recent = Math.abs(nowMs - mtime) < 15_778_476_000
  return `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${recent ? `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`
}

function nlink(n: FsNode): number {
  return n.type === 'dir' ? 2 + [...n.children!.values()].filter((c) => c.type === 'dir').length : 1
}

/** Long listing rows, aligned as coreutils (or busybox) prints them. */
function longRows(entries: [string, FsNode][], ctx: CommandContext, full: boolean): string[] {
  const t = now(ctx)
  if (busy(ctx)) {
    return entries.map(
      ([name, n]) =>
        `${modeString(n)} ${String(nlink(n)).padStart(4)} ${n.owner.padEnd(8)} ${n.group.padEnd(8)} ${String(VirtualFS.size(n)).padStart(9)} ${lsTime(n.mtime, t, full)} ${name}${n.type === 'link' ? ` -> ${n.target}` : ''}`,
    )
  }
  const w = (f: (n: FsNode) => string) => Math.max(...entries.map(([, n]) => f(n).length))
  const wl = w((n) => String(nlink(n)))
  const wo = w((n) => n.owner)
  const wg = w((n) => n.group)
  const ws = w((n) => String(VirtualFS.size(n)))
  return entries.map(
    ([name, n]) =>
      `${modeString(n)} ${String(nlink(n)).padStart(wl)} ${n.owner.padEnd(wo)} ${n.group.padEnd(wg)} ${String(VirtualFS.size(n)).padStart(ws)} ${lsTime(n.mtime, t, full)} ${name}${n.type === 'link' ? ` -> ${n.target}` : ''}`,
  )
}

/** Names in columns (vertical fill) for a terminal `width` wide, as ls does on a tty. */
export function columns(names: string[], width: number): string {
  if (!names.length) return ''
  for (let cols = Math.min(names.length, Math.max(1, Math.floor(width / 3))); cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols)
    const widths: number[] = []
    for (let c = 0; c < cols; c++) widths.push(Math.max(0, ...names.slice(c * rows, (c + 1) * rows).map((n) => n.length)))
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (cols - 1)
    if (total > width && cols > 1) continue
    let out = ''
    for (let r = 0; r < rows; r++) {
      const line: string[] = []
      for (let c = 0; c < cols; c++) {
        const n = names[c * rows + r]
        if (n === undefined) continue
        line.push(c * rows + r + rows < names.length ? n.padEnd(widths[c] + 2) : n)
      }
      out += `${line.join('').trimEnd()}\n`
    }
    return out
  }
  return `${names.join('\n')}\n`
}

const ls: CommandFn = (ctx) => {
  const { flags, long, rest } = options(ctx.args.slice(1))
  const full = long.has('full-time')
  const isLong = flags.has('l') || full || flags.has('n')
  const all = flags.has('a') || flags.has('A')
  const fs = ctx.shell.fs
  const targets = rest.length ? rest : ['.']
  let code = 0
  const files: [string, FsNode][] = []
  const dirs: [string, FsNode][] = []
  for (const t of targets) {
    const n = fs.lookup(ctx.shell.resolve(t), isLong)
    if (!n) {
      ctx.err.write(busy(ctx) ? `ls: ${t}: No such file or directory\n` : `ls: cannot access '${t}': No such file or directory\n`)
      code = 2
      continue
    }
    if (n.type === 'dir' && !flags.has('d')) dirs.push([t, n])
    else files.push([t, n])
  }
  const tty = ctx.shell.interactive && ctx.shell.tty
  const render = (entries: [string, FsNode][]) => {
    if (isLong)
      return longRows(entries, ctx, full)
        .map((l) => `${l}\n`)
        .join('')
    if (tty)
      return columns(
        entries.map(([n]) => n),
        ctx.shell.width,
      )
    return entries.map(([n]) => `${n}\n`).join('')
  }
  let out = files.length ? render(files) : ''
  dirs.forEach(([name, n], i) => {
    let entries = [...n.children!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    if (!all) entries = entries.filter(([k]) => !k.startsWith('.'))
    if (flags.has('a')) entries = [['.', n], ['..', fs.lookup(ctx.shell.resolve(`${name}/..`)) ?? n], ...entries]
    if (flags.has('t')) entries.sort(([, a], [, b]) => b.mtime - a.mtime)
    if (flags.has('r')) entries.reverse()
    if (out || i > 0) out += '\n'
    if (targets.length > 1) out += `${name}:\n`
    if (isLong)
      out += `total ${entries.reduce((s, [, c]) => s + (c.type === 'link' ? 0 : c.type === 'dir' ? 4 : Math.ceil(VirtualFS.size(c) / 4096) * 4), 0)}\n`
    out += render(entries)
  })
  ctx.out.write(out)
  return code
}

/** Copies stdin to stdout chunk by chunk as it arrives (cat on a terminal echoes each line at once). */
async function copyStdin(ctx: CommandContext): Promise<void> {
  for (let c = await ctx.stdin.read(); c !== undefined; c = await ctx.stdin.read()) {
    ctx.out.write(c)
    await ctx.shell.scheduler.step(ctx.out)
  }
}

const cat: CommandFn = async (ctx) => {
  const { rest } = options(ctx.args.slice(1))
  if (!rest.length) {
    await copyStdin(ctx)
    return 0
  }
  let code = 0
  for (const f of rest) {
    if (f === '-') {
      await copyStdin(ctx)
      continue
    }
    try {
      ctx.out.write(ctx.shell.fs.readFile(ctx.shell.resolve(f)))
    } catch (e) {
      ctx.err.write(
        busy(ctx) && (e as FsError).code === 'ENOENT' ? `cat: can't open '${f}': ${(e as Error).message}\n` : `cat: ${f}: ${(e as Error).message}\n`,
      )
      code = 1
    }
  }
  return code
}

const echo: CommandFn = (ctx) => {
  let args = ctx.args.slice(1)
  let newline = true
  let escapes = ctx.shell.flavour === 'dash'
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false
    if (args[0].includes('e')) escapes = true
    if (args[0].includes('E')) escapes = false
    args = args.slice(1)
  }
  let s = args.join(' ')
  if (escapes) s = s.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\')
  ctx.out.write(s + (newline ? '\n' : ''))
  return 0
}

const cd: CommandFn = (ctx) => {
  const target = ctx.args[1] === undefined ? (ctx.shell.env.HOME ?? '/') : ctx.args[1] === '-' ? (ctx.shell.env.OLDPWD ?? ctx.shell.cwd) : ctx.args[1]
  const abs = ctx.shell.resolve(target)
  const n = ctx.shell.fs.lookup(abs)
  if (n?.type !== 'dir') {
    const why = !n ? 'No such file or directory' : 'Not a directory'
    const f = ctx.shell.flavour
    ctx.err.write(
      f === 'bash'
        ? `${ctx.shell.errPrefix()}cd: ${target}: ${why}\n`
        : f === 'dash'
          ? `${ctx.shell.errPrefix()}cd: can't cd to ${target}\n`
          : `sh: cd: can't cd to ${target}: ${why}\n`,
    )
    return f === 'dash' ? 2 : 1
  }
  ctx.shell.env.OLDPWD = ctx.shell.cwd
  ctx.shell.cwd = abs
  ctx.shell.env.PWD = abs
  return 0
}

const env: CommandFn = (ctx) => {
  ctx.out.write(
    Object.entries(ctx.shell.env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  )
  return 0
}

const printenv: CommandFn = (ctx) => {
  const names = ctx.args.slice(1)
  if (!names.length) return env(ctx)
  let code = 0
  for (const n of names) {
    if (n in ctx.shell.env) ctx.out.write(`${ctx.shell.env[n]}\n`)
    else code = 1
  }
  return code
}

/** `Wed Nov 27 23:12:01 UTC 2024` (date's default format). */
export function dateString(ms: number): string {
  const d = new Date(ms)
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

const ps: CommandFn = (ctx) => {
  const t = now(ctx)
  // `kubectl exec x -- ps` makes ps itself the exec'd process; from a shell it is a child.
  const direct = ctx.shell.process?.command === ctx.args.join(' ')
  const self = direct
    ? ctx.shell.process!
    : ctx.shell.procs.spawn({
        ppid: ctx.shell.process?.pid ?? 1,
        user: 'root',
        command: ctx.args.join(' '),
        tty: ctx.shell.process?.tty,
        vszKb: 8088,
        rssKb: 4096,
      })
  try {
    const list = ctx.shell.procs.list()
    const mins = (p: { startedAt: number }) => `${p2(new Date(p.startedAt).getUTCHours())}:${p2(new Date(p.startedAt).getUTCMinutes())}`
    if (busy(ctx)) {
      ctx.out.write(
        `PID   USER     TIME  COMMAND\n${list.map((p) => `${String(p.pid).padStart(5)} ${p.user.padEnd(8)} ${'0:00'.padStart(5)} ${p.command}\n`).join('')}`,
      )
      return 0
    }
    const arg = ctx.args.slice(1).join('')
    if (/[aux]/.test(arg) || arg.includes('e')) {
      if (arg.includes('u')) {
        const memKb = 16 * 1024 * 1024
        ctx.out.write('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n')
        for (const p of list) {
          const stat = p.pid === 1 ? 'Ss' : p === self ? 'R+' : p.tty && p.ppid !== 1 ? 'S+' : p.tty ? 'Ss' : 'S'
          ctx.out.write(
            `${p.user.padEnd(8)} ${String(p.pid).padStart(7)} ${'0.0'.padStart(4)} ${((p.rssKb / memKb) * 100).toFixed(1).padStart(4)} ${String(p.vszKb).padStart(6)} ${String(p.rssKb).padStart(5)} ${(p.tty ?? '?').padEnd(8)} ${stat.padEnd(4)} ${mins(p).padStart(5)} ${'0:00'.padStart(6)} ${p.command}\n`,
          )
        }
      } else {
        ctx.out.write(
          `    PID TTY          TIME CMD\n${list.map((p) => `${String(p.pid).padStart(7)} ${(p.tty ?? '?').padEnd(8)} 00:00:00 ${p.command.split(' ')[0].replace(/:$/, '')}\n`).join('')}`,
        )
      }
      void t
      return 0
    }
    const mine = list.filter((p) => p.tty && p.tty === ctx.shell.process?.tty)
    ctx.out.write(
      `    PID TTY          TIME CMD\n${(mine.length ? mine : [self]).map((p) => `${String(p.pid).padStart(7)} ${(p.tty ?? '?').padEnd(8)} 00:00:00 ${p.command.split(' ')[0].split('/').pop()}\n`).join('')}`,
    )
    return 0
  } finally {
    if (!direct) ctx.shell.procs.exit(self.pid)
  }
}

const kill: CommandFn = (ctx) => {
  let args = ctx.args.slice(1)
  let sig = signals.TERM
  if (args[0] === '-l' || args[0] === '-L') {
    ctx.out.write(
      `${Object.entries(signals)
        .map(([n, v]) => `${String(v).padStart(2)}) SIG${n}`)
        .join('\t')}\n`,
    )
    return 0
  }
  if (args[0] === '-s' || args[0] === '-n') {
    const s = parseSignal(args[1] ?? '')
    if (s === undefined) {
      ctx.err.write(`${ctx.shell.errPrefix()}kill: ${args[1]}: invalid signal specification\n`)
      return 1
    }
    sig = s
    args = args.slice(2)
  } else if (args[0]?.startsWith('-') && args[0] !== '--') {
    const s = parseSignal(args[0].slice(1))
    if (s === undefined) {
      ctx.err.write(`${ctx.shell.errPrefix()}kill: ${args[0].slice(1)}: invalid signal specification\n`)
      return 1
    }
    sig = s
    args = args.slice(1)
  }
  if (args[0] === '--') args = args.slice(1)
  if (!args.length) {
    ctx.err.write('kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n')
    return 2
  }
  let code = 0
  for (const a of args) {
    if (!/^-?\d+$/.test(a)) {
      ctx.err.write(`${ctx.shell.errPrefix()}kill: ${a}: arguments must be process or job IDs\n`)
      code = 1
      continue
    }
    const r = ctx.shell.procs.kill(Number(a), sig)
    if (r.error) {
      ctx.err.write(busy(ctx) ? `sh: can't kill pid ${a}: No such process\n` : `${ctx.shell.errPrefix()}kill: ${r.error}\n`)
      code = 1
    }
  }
  return code
}

/**
 * Waits on the simulated clock (with `--speed 0` only clock advances end it; `infinity` never
 * does); ^C or the session's end stop it at once.
 */
const sleep: CommandFn = async (ctx) => {
  const args = ctx.args.slice(1)
  const forever = args.some((a) => /^inf(inity)?$/i.test(a))
  const secs = args.reduce((s, a) => s + (Number(a.replace(/[smhd]$/, '')) || 0) * ({ s: 1, m: 60, h: 3600, d: 86400 }[a.slice(-1)] ?? 1), 0)
  if (!forever && secs <= 0) return 0
  const clock = ctx.shell.registry.clock
  const signal = ctx.signal
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(abortError())
    const onAbort = () => {
      clock.clearTimer(timer)
      reject(abortError())
    }
    const timer = forever
      ? undefined
      : clock.setTimer(secs * 1000, () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        })
    signal.addEventListener('abort', onAbort, { once: true })
  })
  return 0
}

const head: CommandFn = async (ctx) => lines(ctx, 'head')
const tail: CommandFn = async (ctx) => lines(ctx, 'tail')

async function lines(ctx: CommandContext, which: 'head' | 'tail'): Promise<number> {
  let n = 10
  const files: string[] = []
  const args = ctx.args.slice(1)
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-n') n = Number(args[++i])
    else if (/^-n\d+$/.test(args[i])) n = Number(args[i].slice(2))
    else if (/^-\d+$/.test(args[i])) n = Number(args[i].slice(1))
    else if (args[i] !== '-f') files.push(args[i])
  }
  if (which === 'head' && !files.length) {
    // head stops reading once it has its lines (a writer before it in a pipeline then gets SIGPIPE).
    for (let i = 0; i < n; i++) {
      const l = await ctx.stdin.readLine()
      if (l === undefined) break
      ctx.out.write(`${l}\n`)
      await ctx.shell.scheduler.step(ctx.out)
    }
    return 0
  }
  const texts: string[] = []
  if (!files.length) texts.push(await ctx.stdin.readAll())
  for (const f of files) {
    try {
      texts.push(ctx.shell.fs.readFile(ctx.shell.resolve(f)))
    } catch (e) {
      ctx.err.write(`${which}: cannot open '${f}' for reading: ${(e as Error).message}\n`)
      return 1
    }
  }
  for (const text of texts) {
    const ls = text.split('\n')
    if (ls[ls.length - 1] === '') ls.pop()
    const pick = which === 'head' ? ls.slice(0, n) : ls.slice(Math.max(0, ls.length - n))
    ctx.out.write(pick.map((l) => `${l}\n`).join(''))
  }
  return 0
}

const grep: CommandFn = async (ctx) => {
  const { flags, rest } = options(ctx.args.slice(1))
  const pattern = rest.shift()
  if (pattern === undefined) {
    ctx.err.write("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
    return 2
  }
  let re: RegExp
  try {
    re = new RegExp(flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern.replace(/\\\|/g, '|'), flags.has('i') ? 'i' : '')
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  }
  // Standard input is read line by line as it comes (grep in a pipeline prints matches at once; -q stops at the first).
  const sources: [string, Input][] = []
  if (!rest.length) sources.push(['(standard input)', ctx.stdin])
  let code = 1
  for (const f of rest) {
    try {
      sources.push([f, stringInput(ctx.shell.fs.readFile(ctx.shell.resolve(f)))])
    } catch (e) {
      ctx.err.write(`grep: ${f}: ${(e as Error).message}\n`)
      code = 2
    }
  }
  let count = 0
  for (const [name, input] of sources) {
    let c = 0
    for (let i = 0, l = await input.readLine(); l !== undefined; i++, l = await input.readLine()) {
      if (re.test(l) !== flags.has('v')) {
        c++
        if (flags.has('q')) return 0
        if (!flags.has('c') && !flags.has('l')) ctx.out.write(`${sources.length > 1 ? `${name}:` : ''}${flags.has('n') ? `${i + 1}:` : ''}${l}\n`)
      }
      await ctx.shell.scheduler.step(ctx.out)
    }
    if (flags.has('c')) ctx.out.write(`${sources.length > 1 ? `${name}:` : ''}${c}\n`)
    if (flags.has('l') && c) ctx.out.write(`${name}\n`)
    count += c
  }
  return count ? (code === 2 ? 2 : 0) : code
}

/** Lines, words and bytes of an input, counted chunk by chunk (a word may span two chunks). */
async function countInput(ctx: CommandContext, input: Input): Promise<{ lines: number; words: number; bytes: number }> {
  let lines = 0
  let words = 0
  let bytes = 0
  let inWord = false
  for (let c = await input.read(); c !== undefined; c = await input.read()) {
    bytes += Buffer.byteLength(c)
    for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) lines++
    const re = /\S+/g
    while (re.exec(c)) words++
    if (inWord && /^\S/.test(c)) words--
    inWord = /\S$/.test(c)
    await ctx.shell.scheduler.step()
  }
  return { lines, words, bytes }
}

const wc: CommandFn = async (ctx) => {
  const { flags, rest } = options(ctx.args.slice(1))
  const inputs: [string, Input][] = rest.length ? [] : [['', ctx.stdin]]
  for (const f of rest) {
    try {
      inputs.push([f, stringInput(ctx.shell.fs.readFile(ctx.shell.resolve(f)))])
    } catch (e) {
      ctx.err.write(`wc: ${f}: ${(e as Error).message}\n`)
      return 1
    }
  }
  const pick = flags.size ? flags : new Set(['l', 'w', 'c'])
  for (const [name, input] of inputs) {
    const counts = await countInput(ctx, input)
    const nums: number[] = []
    if (pick.has('l')) nums.push(counts.lines)
    if (pick.has('w')) nums.push(counts.words)
    if (pick.has('c') || pick.has('m')) nums.push(counts.bytes)
    const single = nums.length === 1 && !name
    ctx.out.write(`${(single ? String(nums[0]) : nums.map((n) => String(n).padStart(name ? 1 : 7)).join(' ')) + (name ? ` ${name}` : '')}\n`)
  }
  return 0
}

function fsOp(name: string, op: (ctx: CommandContext, path: string, flags: Set<string>) => void): CommandFn {
  return (ctx) => {
    const { flags, rest } = options(ctx.args.slice(1))
    if (!rest.length) {
      ctx.err.write(`${name}: missing operand\nTry '${name} --help' for more information.\n`)
      return 1
    }
    let code = 0
    for (const p of rest) {
      try {
        op(ctx, ctx.shell.resolve(p), flags)
      } catch (e) {
        if (!(e instanceof FsError)) throw e
        if (name === 'rm' && e.code === 'ENOENT' && flags.has('f')) continue
        const verb = { mkdir: 'cannot create directory', rm: 'cannot remove', touch: 'cannot touch', rmdir: 'failed to remove' }[name] ?? name
        ctx.err.write(name === 'rm' && e.code === 'EISDIR' ? `rm: cannot remove '${p}': Is a directory\n` : `${name}: ${verb} '${p}': ${e.message}\n`)
        code = 1
      }
    }
    return code
  }
}

const uname: CommandFn = (ctx) => {
  const { flags } = options(ctx.args.slice(1))
  const host = ctx.shell.inst.hostname
  const all = ['Linux', host, '6.8.0-1021-azure', '#25-Ubuntu SMP Wed Jan 15 20:45:09 UTC 2025', 'x86_64']
  if (flags.has('a')) ctx.out.write(`${[...all, ...(busy(ctx) ? [] : ['GNU/Linux'])].join(' ')}\n`)
  else {
    const pick: string[] = []
    if (flags.has('s') || !flags.size) pick.push(all[0])
    if (flags.has('n')) pick.push(all[1])
    if (flags.has('r')) pick.push(all[2])
    if (flags.has('v')) pick.push(all[3])
    if (flags.has('m')) pick.push(all[4])
    ctx.out.write(`${pick.join(' ')}\n`)
  }
  return 0
}

/** `sh`/`bash` run as a command: `-c script` or a script from stdin. */
const shellCommand: CommandFn = async (ctx) => {
  const name = ctx.args[0].split('/').pop()!
  const parent = ctx.shell
  const flavour = name === 'bash' ? 'bash' : parent.behaviour.shell === 'busybox' ? 'ash' : 'dash'
  if (name === 'bash' && parent.behaviour.shell !== 'bash') {
    ctx.err.write(`${parent.errPrefix()}bash: not found\n`)
    return 127
  }
  const sub = new Shell({
    registry: parent.registry,
    inst: parent.inst,
    fs: parent.fs,
    procs: parent.procs,
    flavour,
    env: parent.env,
    cwd: parent.cwd,
    process: parent.process,
    scheduler: parent.scheduler,
  })
  const i = ctx.args.indexOf('-c')
  const script = i >= 0 ? (ctx.args[i + 1] ?? '') : await ctx.stdin.readAll()
  try {
    let code = 0
    if (i >= 0) code = await sub.run(script, { stdin: ctx.stdin, out: ctx.out, err: ctx.err })
    else for (const line of script.split('\n')) code = await sub.run(line, { out: ctx.out, err: ctx.err })
    return code
  } catch (e) {
    if (e instanceof ShellExit) return e.code
    throw e
  }
}

/** Options of curl and wget that take a value (the value is not the URL). */
const valueFlags = new Set([
  '-o',
  '-O',
  '-X',
  '-H',
  '-A',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-T',
  '--timeout',
  '--header',
  '--request',
  '-d',
  '--data',
  '--data-raw',
  '--cacert',
])

/** The namespace labels NetworkPolicy namespaceSelectors match. */
function namespaceLabels(ctx: CommandContext, name: string): Record<string, string> {
  return (ctx.shell.registry.store.get('namespaces', '', name)?.obj.metadata.labels as Record<string, string> | undefined) ?? {}
}

/** Whether the NetworkPolicies let this shell's pod reach `dst`'s port (a policy-enforcing CNI). */
function policyAllows(ctx: CommandContext, dst: Pod, port: number): boolean {
  const policies = ctx.shell.registry.store.list('networkpolicies.networking.k8s.io').map((s) => s.obj)
  if (policies.length === 0) return true
  const self = ctx.shell.inst
  const src = ctx.shell.registry.store.get('pods', self.namespace, self.pod)?.obj as Pod | undefined
  if (!src) return true
  const end = (pod: Pod) => ({ pod, namespaceLabels: namespaceLabels(ctx, pod.metadata?.namespace ?? '') })
  return connectionAllowed(policies, end(src), end(dst), port)
}

/**
 * A connection a policy drops: no answer to the SYN, so the client waits for its timeout
 * (curl `--connect-timeout`/`-m`, wget `-T`; else the kernel's ~130 s of SYN retries) on the
 * simulated clock, then gives up as curl 7.88 and BusyBox wget word it.
 */
async function dropped(ctx: CommandContext, tool: string, host: string, port: number, silent: boolean): Promise<number> {
  const args = ctx.args
  const value = (...names: string[]) => {
    const i = args.findIndex((a) => names.includes(a))
    return i >= 0 ? Number(args[i + 1]) : Number.NaN
  }
  const limits = (tool === 'curl' ? [value('--connect-timeout'), value('-m', '--max-time')] : [value('-T', '--timeout')]).filter((n) => n > 0)
  const secs = limits.length ? Math.min(...limits) : 130
  await sleepFor(ctx, secs * 1000)
  if (tool === 'curl') {
    if (!silent) ctx.err.write(`curl: (28) Failed to connect to ${host} port ${port} after ${Math.round(secs * 1000)} ms: Timeout was reached\n`)
    return 28
  }
  ctx.err.write(`Connecting to ${host}${port === 80 ? '' : `:${port}`} (${host}${port === 80 ? '' : `:${port}`})\nwget: download timed out\n`)
  return 1
}

/** Waits `ms` on the cluster clock; Ctrl-C (the signal) ends the wait. */
function sleepFor(ctx: CommandContext, ms: number): Promise<void> {
  const clock = ctx.shell.registry.clock
  const signal = ctx.signal
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(abortError())
    const onAbort = () => {
      clock.clearTimer(timer)
      reject(abortError())
    }
    const timer = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** `curl`/`wget` against the pod's own simulated servers (and other pods by IP). */
const http: CommandFn = async (ctx) => {
  const tool = ctx.args[0].split('/').pop()!
  const { flags, long, rest } = options(ctx.args.slice(1).filter((_a, i, all) => !valueFlags.has(all[i - 1])))
  const raw = rest.find((a) => !a.startsWith('-'))
  if (!raw) {
    ctx.err.write(
      tool === 'curl'
        ? "curl: try 'curl --help' or 'curl --manual' for more information\n"
        : 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] URL...\n',
    )
    return tool === 'curl' ? 2 : 1
  }
  const url = new URL(/^[a-z]+:\/\//.test(raw) ? raw : `http://${raw}`)
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const self = ctx.shell.inst
  const host = url.hostname
  let target = ['localhost', '127.0.0.1', self.podIP, self.hostname].includes(host) ? self : undefined
  let targetPod: Pod | undefined
  const silent = flags.has('s') || flags.has('q')
  // A Service's ClusterIP or name: kube-proxy sends the connection to one ready endpoint.
  let backendPort = port
  let refusedAfterMs = 0
  const route = target ? undefined : routeToService(ctx.shell.registry, self.namespace, host, port)
  if (route?.kind === 'unresolved') {
    if (tool === 'curl') {
      if (!silent || flags.has('S')) ctx.err.write(`curl: (6) Could not resolve host: ${host}\n`)
      return 6
    }
    ctx.err.write(`wget: bad address '${url.host}'\n`)
    return 1
  }
  if (route?.kind === 'no-port') return await dropped(ctx, tool, host, port, silent && !flags.has('S'))
  if (route?.kind === 'no-endpoints') refusedAfterMs = 1
  // The `kubernetes` Service (or the API server's own address): the API server answers.
  const apiServerHop = route?.kind === 'endpoint' ? { ip: route.ip, port: route.port } : { ip: host, port }
  if (tool === 'curl' && isAPIServer(ctx.shell.registry, apiServerHop.ip, apiServerHop.port))
    return await curlAPIServer(ctx, url, silent, flags.has('S'), flags.has('f') || long.has('fail'))
  if (route?.kind === 'endpoint') {
    targetPod = route.pod ? (ctx.shell.registry.store.get('pods', route.namespace, route.pod)?.obj as Pod | undefined) : undefined
    target = targetPod ? runtimeFor(ctx.shell.registry).current(route.namespace, route.pod) : undefined
    backendPort = route.port
    refusedAfterMs = 1
  }
  // A pod by IP (also a Service endpoint that names no pod, as mirrored Endpoints may).
  const ip = route?.kind === 'endpoint' ? route.ip : host
  if (!target && !route?.kind.startsWith('no-') && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    for (const s of ctx.shell.registry.store.list('pods')) {
      const pod = s.obj as Pod
      if (pod.status?.podIP !== ip) continue
      target = runtimeFor(ctx.shell.registry).current(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '')
      targetPod = pod
    }
  }
  if (target && targetPod && !policyAllows(ctx, targetPod, backendPort)) return await dropped(ctx, tool, host, port, silent && !flags.has('S'))
  const conn = target ? connectPort(target, backendPort) : 'refused'
  if (conn === 'not-http' && target) {
    // Something listens but does not speak HTTP: redis answers `-ERR …` (HTTP/0.9 to curl), postgres closes without a word.
    const reply = imageServer(target)?.wire?.(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`, target)
    if (tool === 'curl') {
      if (!silent || flags.has('S')) ctx.err.write(reply ? 'curl: (1) Received HTTP/0.9 when not allowed\n' : 'curl: (52) Empty reply from server\n')
      return reply ? 1 : 52
    }
    ctx.err.write(`Connecting to ${url.host} (${url.host})\nwget: ${reply ? `bad header line: ${reply.split('\r\n')[0]}` : 'error getting response'}\n`)
    return 1
  }
  if (conn !== 'http' || !target) {
    if (tool === 'curl') {
      if (!silent || flags.has('S'))
        ctx.err.write(`curl: (7) Failed to connect to ${host} port ${port} after ${refusedAfterMs} ms: Couldn't connect to server\n`)
      return 7
    }
    ctx.err.write(
      `Connecting to ${host}${url.port ? `:${url.port}` : ''} (${host}${url.port ? `:${url.port}` : ''})\nwget: can't connect to remote host (${host}): Connection refused\n`,
    )
    return 1
  }
  const head = flags.has('I') || long.has('head')
  const res = serveHTTP(
    target,
    {
      method: head ? 'HEAD' : 'GET',
      path: url.pathname + url.search,
      headers: { host: url.host, 'user-agent': tool === 'curl' ? 'curl/7.88.1' : 'Wget', accept: '*/*' },
      // Another pod (directly or through a Service) sees this pod's IP; loopback is for the pod itself.
      remoteAddr: target !== self || host === self.podIP ? self.podIP : '127.0.0.1',
    },
    { logs: runtimeFor(ctx.shell.registry).logs(target.containerID), now: now(ctx) },
  )
  if (!res) return 52
  if (tool === 'curl') {
    if (head || flags.has('i'))
      ctx.out.write(
        `HTTP/1.1 ${res.status} ${res.statusText}\r\n${Object.entries(res.headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`,
      )
    if (!head) ctx.out.write(res.body)
    return flags.has('f') && res.status >= 400 ? 22 : 0
  }
  if (res.status >= 400) {
    ctx.err.write(`Connecting to ${url.host} (${url.host})\nwget: server returned error: HTTP/1.1 ${res.status} ${res.statusText}\n`)
    return 1
  }
  const outIdx = ctx.args.indexOf('-O')
  const dest = outIdx >= 0 ? ctx.args[outIdx + 1] : url.pathname.split('/').pop() || 'index.html'
  if (dest === '-') ctx.out.write(res.body)
  else ctx.shell.fs.writeFile(ctx.shell.resolve(dest), res.body)
  if (!silent) ctx.err.write(`Connecting to ${url.host} (${url.host})\n${dest === '-' ? 'writing to stdout' : `saving to '${dest}'`}\n`)
  return 0
}

/** `test` / `[`: file tests, string and integer comparisons (what scripts and `kubectl cp` use). */
const testCommand: CommandFn = (ctx) => {
  const a = ctx.args.slice(1)
  const fs = ctx.shell.fs
  const one = (x: string[]): boolean => {
    if (x[0] === '!') return !one(x.slice(1))
    if (x.length === 0) return false
    if (x.length === 1) return x[0] !== ''
    if (x.length === 2) {
      const n = fs.lookup(ctx.shell.resolve(x[1]))
      switch (x[0]) {
        case '-d':
          return n?.type === 'dir'
        case '-f':
          return n?.type === 'file'
        case '-e':
          return !!n
        case '-s':
          return !!n && VirtualFS.size(n) > 0
        case '-r':
        case '-w':
        case '-x':
          return !!n
        case '-z':
          return x[1] === ''
        case '-n':
          return x[1] !== ''
        case '-L':
        case '-h':
          return fs.lookup(ctx.shell.resolve(x[1]), true)?.type === 'link'
      }
      return false
    }
    const [l, op, r] = x
    switch (op) {
      case '=':
      case '==':
        return l === r
      case '!=':
        return l !== r
      case '-eq':
        return Number(l) === Number(r)
      case '-ne':
        return Number(l) !== Number(r)
      case '-lt':
        return Number(l) < Number(r)
      case '-le':
        return Number(l) <= Number(r)
      case '-gt':
        return Number(l) > Number(r)
      case '-ge':
        return Number(l) >= Number(r)
    }
    return false
  }
  return one(a) ? 0 : 1
}

/** The implementations, one per name in command-names.ts (the type makes a missing or extra one an error). */
const table: Record<CommandName, CommandFn> = {
  ls,
  cat,
  echo,
  cd,
  env,
  printenv,
  ps,
  kill,
  sleep,
  head,
  tail,
  grep,
  wc,
  uname,
  tar,
  test: testCommand,
  '[': (ctx) =>
    ctx.args[ctx.args.length - 1] === ']'
      ? testCommand({ ...ctx, args: ctx.args.slice(0, -1) })
      : emit(ctx.err, `${ctx.shell.errPrefix()}[: missing \`]'\n`, 2),
  curl: http,
  wget: http,
  sh: shellCommand,
  bash: shellCommand,
  dash: shellCommand,
  pwd: (ctx) => emit(ctx.out, `${ctx.shell.cwd}\n`, 0),
  hostname: (ctx) => {
    // -f/-d from the domain /etc/hosts gives the name (pod-hostname.ts), -i the address.
    const { hostname, domain, podIP } = ctx.shell.inst
    const flag = ctx.args[1]
    const out =
      flag === '-f' || flag === '--fqdn'
        ? domain
          ? `${hostname}.${domain}`
          : hostname
        : flag === '-d' || flag === '--domain'
          ? (domain ?? '')
          : flag === '-i' || flag === '--ip-address'
            ? (podIP ?? '')
            : hostname
    ctx.out.write(`${out}\n`)
    return 0
  },
  date: (ctx) => emit(ctx.out, `${ctx.args[1] === '+%s' ? String(Math.floor(now(ctx) / 1000)) : dateString(now(ctx))}\n`, 0),
  id: (ctx) => emit(ctx.out, busy(ctx) ? 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n' : 'uid=0(root) gid=0(root) groups=0(root)\n', 0),
  whoami: (ctx) => emit(ctx.out, 'root\n', 0),
  true: () => 0,
  break: () => {
    throw new LoopControl('break')
  },
  continue: () => {
    throw new LoopControl('continue')
  },
  false: () => 1,
  ':': () => 0,
  exit: (ctx) => {
    throw new ShellExit(ctx.args[1] !== undefined ? Number(ctx.args[1]) & 255 : ctx.shell.status)
  },
  export: (ctx) => {
    for (const a of ctx.args.slice(1)) {
      const eq = a.indexOf('=')
      if (eq > 0) ctx.shell.env[a.slice(0, eq)] = a.slice(eq + 1)
    }
    return 0
  },
  unset: (ctx) => {
    for (const a of ctx.args.slice(1)) delete ctx.shell.env[a]
    return 0
  },
  touch: fsOp('touch', (ctx, p) => ctx.shell.fs.touch(p)),
  mkdir: fsOp('mkdir', (ctx, p, f) => ctx.shell.fs.mkdir(p, { parents: f.has('p') })),
  rm: fsOp('rm', (ctx, p, f) => ctx.shell.fs.remove(p, { recursive: f.has('r') || f.has('R') })),
  rmdir: fsOp('rmdir', (ctx, p) => ctx.shell.fs.remove(p, { dirOnly: true })),
  which: (ctx) => {
    let code = 0
    for (const a of ctx.args.slice(1)) {
      if (commands[a] && !ctx.shell.behaviour.missing?.includes(a)) ctx.out.write(`/usr/bin/${a}\n`)
      else if (ctx.shell.behaviour.binaries?.[a]) ctx.out.write(`/usr/sbin/${a}\n`)
      else code = 1
    }
    return code
  },
  clear: (ctx) => emit(ctx.out, '\x1b[H\x1b[2J\x1b[3J', 0),
  xargs: async (ctx) => {
    const input = (await ctx.stdin.readAll()).split(/\s+/).filter(Boolean)
    return ctx.shell.exec([...(ctx.args.length > 1 ? ctx.args.slice(1) : ['echo']), ...input], { stdin: stringInput(''), out: ctx.out, err: ctx.err })
  },
}

/** Every command by name (paths like /bin/ls resolve to their base name). */
export const commands: Record<string, CommandFn> = table

void signals
