/** @module tar: ustar archives of the container's virtual fs, for `tar cf -` / `tar xf -` (what `kubectl cp` execs) and `tar zcf -` (client-node's cpFromPod). */
import { gunzipSync, gzipSync } from 'node:zlib'
import { resolvePath, VirtualFS } from '../containers/fs.js'
import { writeBytes, type CommandFn } from './shell.js'

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`
}

/** One 512-byte ustar header (POSIX.1-1988 layout; names longer than 100 bytes use the prefix field). */
function header(name: string, size: number, mode: number, mtime: number, type: '0' | '5' | '2', link = ''): Buffer {
  const h = Buffer.alloc(512)
  let prefix = ''
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155)
    prefix = name.slice(0, cut)
    name = name.slice(cut + 1)
  }
  h.write(name, 0, 100)
  h.write(octal(mode & 0o7777, 8), 100)
  h.write(octal(0, 8), 108)
  h.write(octal(0, 8), 116)
  h.write(octal(size, 12), 124)
  h.write(octal(Math.floor(mtime / 1000), 12), 136)
  h.write('        ', 148)
  h.write(type, 156)
  h.write(link, 157, 100)
  h.write('ustar\0' + '00', 257)
  h.write('root', 265)
  h.write('root', 297)
  h.write(prefix, 345, 155)
  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return h
}

/** Archives `paths` (member names without the leading `/`, as GNU tar stores them). */
export function createTar(fs: VirtualFS, paths: string[], cwd: string): { archive: Buffer; errors: string[] } {
  const parts: Buffer[] = []
  const errors: string[] = []
  const add = (abs: string, name: string) => {
    const n = fs.lookup(abs, true)
    if (!n) {
      errors.push(`tar: ${name}: Cannot stat: No such file or directory`)
      return
    }
    if (n.type === 'dir') {
      parts.push(header(name.endsWith('/') ? name : `${name}/`, 0, n.mode, n.mtime, '5'))
      for (const [child] of fs.list(abs)) add(`${abs === '/' ? '' : abs}/${child}`, `${name.replace(/\/$/, '')}/${child}`)
    } else if (n.type === 'link') {
      parts.push(header(name, 0, 0o777, n.mtime, '2', n.target))
    } else {
      const body = Buffer.from(n.content, 'utf8')
      parts.push(header(name, body.length, n.mode, n.mtime, '0'), body, Buffer.alloc((512 - (body.length % 512)) % 512))
    }
  }
  for (const p of paths) {
    const abs = resolvePath(p, cwd)
    add(abs, p.replace(/^\/+/, '') || '.')
  }
  parts.push(Buffer.alloc(1024))
  return { archive: Buffer.concat(parts), errors }
}

/** Extracts an archive under `dir`; returns the member names. */
export function extractTar(fs: VirtualFS, archive: Buffer, dir: string): string[] {
  const names: string[] = []
  for (let off = 0; off + 512 <= archive.length; ) {
    const h = archive.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const str = (a: number, len: number) =>
      h
        .subarray(a, a + len)
        .toString('utf8')
        .replace(/\0.*$/s, '')
    const name = [str(345, 155), str(0, 100)].filter(Boolean).join('/')
    const size = parseInt(str(124, 12).trim() || '0', 8)
    const mode = parseInt(str(100, 8).trim() || '644', 8)
    const type = str(156, 1) || '0'
    const target = resolvePath(name, dir)
    const parent = target.slice(0, target.lastIndexOf('/')) || '/'
    if (!fs.lookup(parent)) fs.mkdir(parent, { parents: true })
    if (type === '5') {
      if (!fs.lookup(target)) fs.mkdir(target, { mode })
    } else if (type === '2') fs.symlink(str(157, 100), target)
    else fs.writeFile(target, archive.subarray(off + 512, off + 512 + size).toString('utf8'), { mode })
    names.push(name)
    off += 512 + Math.ceil(size / 512) * 512
  }
  return names
}

/** True for gzip's magic bytes 1f 8b. */
export function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
}

/**
 * An archive read back from text (a pipe, a file, `readAll`): gzip went in as latin1, one
 * character per byte ({@link writeBytes}), so its magic shows as U+001F U+008B; a plain archive
 * is UTF-8 text, as `tar cf` writes it.
 */
function textBytes(text: string): Buffer {
  return text.charCodeAt(0) === 0x1f && text.charCodeAt(1) === 0x8b ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8')
}

const gzipFatal = 'tar: Child returned status 1\ntar: Error is not recoverable: exiting now\n'

/**
 * `tar` with the option forms kubectl cp, client libraries and people use: `cf - PATH`,
 * `-xmf - -C DIR`, `tvf -`, and gzip with `z`/`--gzip` (`zcf -`, `-czf`, `xzf`). A plain archive
 * travels as a UTF-8 string (headers and padding are ASCII/NUL, so text files round-trip byte for
 * byte; binary files with invalid UTF-8 do not). A gzip archive is bytes: exact on an exec
 * session's stdout and stdin, latin1 text in pipes and files. Reading detects gzip by its magic,
 * with or without `z` (GNU tar does so for files; busybox always).
 */
export const tar: CommandFn = async (ctx) => {
  const args = ctx.args.slice(1)
  let mode = ''
  let file = '-'
  let dir = ctx.shell.cwd
  let verbose = false
  let gzip = false
  const operands: string[] = []
  const bundle = (flags: string, i: number): number => {
    for (const c of flags) {
      if ('cxt'.includes(c)) mode = c
      else if (c === 'v') verbose = true
      else if (c === 'z') gzip = true
      else if (c === 'f') file = args[++i] ?? '-'
      else if (c === 'C') dir = ctx.shell.resolve(args[++i] ?? '.')
    }
    return i
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (i === 0 && !a.startsWith('-')) i = bundle(a, i)
    else if (a === '-C' || a === '--directory') dir = ctx.shell.resolve(args[++i] ?? '.')
    else if (a === '--gzip' || a === '--gunzip' || a === '--ungzip') gzip = true
    else if (a.startsWith('--')) continue
    else if (a.startsWith('-') && a.length > 1) i = bundle(a.slice(1), i)
    else operands.push(a)
  }
  if (!mode) {
    ctx.err.write(
      "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n",
    )
    return 2
  }
  if (mode === 'c') {
    if (!operands.length) {
      ctx.err.write("tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n")
      return 2
    }
    if (operands.some((p) => p.startsWith('/'))) {
      ctx.err.write(ctx.shell.flavour === 'ash' ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n")
    }
    const { archive, errors } = createTar(ctx.shell.fs, operands, dir)
    for (const e of errors) ctx.err.write(`${e}\n`)
    if (gzip) {
      // In memory: zlib compresses the bytes, nothing runs on the host.
      const gz = gzipSync(archive)
      if (file === '-') writeBytes(ctx.out, gz)
      else ctx.shell.fs.writeFile(ctx.shell.resolve(file), gz.toString('latin1'))
    } else if (file === '-') ctx.out.write(archive.toString('utf8'))
    else ctx.shell.fs.writeFile(ctx.shell.resolve(file), archive.toString('utf8'))
    if (errors.length) ctx.err.write('tar: Exiting with failure status due to previous errors\n')
    return errors.length ? 2 : 0
  }
  let archive =
    file === '-' ? ((await ctx.stdin.readAllBytes?.()) ?? textBytes(await ctx.stdin.readAll())) : textBytes(ctx.shell.fs.readFile(ctx.shell.resolve(file)))
  if (isGzip(archive)) {
    try {
      archive = gunzipSync(archive)
    } catch {
      ctx.err.write(`gzip: stdin: invalid compressed data--format violated\n${gzipFatal}`)
      return 2
    }
  } else if (gzip && archive.length) {
    ctx.err.write(`gzip: stdin: not in gzip format\n${gzipFatal}`)
    return 2
  }
  if (mode === 't') {
    const scratch = new VirtualFS(() => 0)
    for (const n of extractTar(scratch, archive, '/')) ctx.out.write(`${n}\n`)
    return 0
  }
  const names = extractTar(ctx.shell.fs, archive, dir)
  if (verbose) for (const n of names) ctx.out.write(`${n}\n`)
  return 0
}
