/** @module fs: a container's in-memory filesystem — image files, kubelet mounts, a writable layer; never the host's. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import { behaviourContext, behaviourFor, type FileSpec } from './behaviours.js'
import { nodeCPUs, runtimeFor, type ContainerInstance } from './runtime.js'
import { hostPathFiles, volumeFiles } from './volume-files.js'
import { issuePodToken } from '../../registry/authentication/token-request.js'
import { rootCACertificate } from '../../controllers/serviceaccount.js'

/** One node of the tree. Directories hold children; links hold a target. */
export interface FsNode {
  type: 'file' | 'dir' | 'link'
  content: string
  /** Permission bits (0o644 …). */
  mode: number
  mtime: number
  owner: string
  group: string
  target?: string
  children?: Map<string, FsNode>
}

/** A filesystem error, with the errno text coreutils prints (`No such file or directory`). */
export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'ENOTEMPTY' | 'EACCES',
    readonly path: string,
  ) {
    super(fsErrorText[code])
  }
}

const fsErrorText: Record<FsError['code'], string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EACCES: 'Permission denied',
}

/** Splits and normalizes `path` against `cwd` (handles `.`, `..`, repeated slashes). */
export function resolvePath(path: string, cwd = '/'): string {
  const parts = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')
  const out: string[] = []
  for (const p of parts) {
    if (!p || p === '.') continue
    if (p === '..') out.pop()
    else out.push(p)
  }
  return `/${out.join('/')}`
}

/** The in-memory tree. All paths are absolute or resolved against the caller's cwd first. */
export class VirtualFS {
  readonly root: FsNode

  constructor(
    private readonly now: () => number,
    baseTime = now(),
  ) {
    this.root = { type: 'dir', content: '', mode: 0o755, mtime: baseTime, owner: 'root', group: 'root', children: new Map() }
  }

  /** The node at `path` (links followed unless `noFollow` for the last component). */
  lookup(path: string, noFollow = false, depth = 0): FsNode | undefined {
    if (depth > 8) return undefined
    const parts = resolvePath(path).split('/').filter(Boolean)
    let node = this.root
    let at = ''
    for (let i = 0; i < parts.length; i++) {
      if (node.type !== 'dir') return undefined
      const next = node.children!.get(parts[i])
      if (!next) return undefined
      at += `/${parts[i]}`
      if (next.type === 'link' && (i < parts.length - 1 || !noFollow)) {
        const target = resolvePath(next.target!, at.slice(0, at.lastIndexOf('/')) || '/')
        const rest = parts.slice(i + 1).join('/')
        return this.lookup(rest ? `${target}/${rest}` : target, noFollow, depth + 1)
      }
      node = next
    }
    return node
  }

  /** The directory that would hold `path`, or an error. */
  private parentOf(path: string): { dir: FsNode; name: string } {
    const abs = resolvePath(path)
    const cut = abs.lastIndexOf('/')
    const dir = this.lookup(abs.slice(0, cut) || '/')
    if (!dir) throw new FsError('ENOENT', path)
    if (dir.type !== 'dir') throw new FsError('ENOTDIR', path)
    return { dir, name: abs.slice(cut + 1) }
  }

  /** File contents; ENOENT / EISDIR as the kernel answers. */
  readFile(path: string): string {
    const n = this.lookup(path)
    if (!n) throw new FsError('ENOENT', path)
    if (n.type === 'dir') throw new FsError('EISDIR', path)
    return n.content
  }

  /** Creates or replaces (or appends to) a regular file; `/dev/null` swallows everything. */
  writeFile(path: string, content: string, opts: { append?: boolean; mode?: number; mtime?: number; owner?: string } = {}): void {
    const abs = resolvePath(path)
    if (abs === '/dev/null') return
    const existing = this.lookup(abs)
    if (existing) {
      if (existing.type === 'dir') throw new FsError('EISDIR', path)
      existing.content = opts.append ? existing.content + content : content
      existing.mtime = opts.mtime ?? this.now()
      return
    }
    const { dir, name } = this.parentOf(abs)
    const owner = opts.owner ?? 'root'
    dir.children!.set(name, { type: 'file', content, mode: opts.mode ?? 0o644, mtime: opts.mtime ?? this.now(), owner, group: owner })
    dir.mtime = opts.mtime ?? this.now()
  }

  /** `mkdir [-p]`. */
  mkdir(path: string, opts: { parents?: boolean; mtime?: number; mode?: number; owner?: string } = {}): void {
    const abs = resolvePath(path)
    if (opts.parents) {
      let cur = ''
      for (const part of abs.split('/').filter(Boolean)) {
        cur += `/${part}`
        const n = this.lookup(cur)
        if (n?.type === 'dir') continue
        if (n) throw new FsError('EEXIST', cur)
        this.mkdir(cur, { ...opts, parents: false })
      }
      return
    }
    if (this.lookup(abs, true)) throw new FsError('EEXIST', path)
    const { dir, name } = this.parentOf(abs)
    const owner = opts.owner ?? 'root'
    dir.children!.set(name, { type: 'dir', content: '', mode: opts.mode ?? 0o755, mtime: opts.mtime ?? this.now(), owner, group: owner, children: new Map() })
    dir.mtime = opts.mtime ?? this.now()
  }

  /** A symbolic link at `path` pointing at `target`. */
  symlink(target: string, path: string, mtime?: number): void {
    const { dir, name } = this.parentOf(path)
    dir.children!.set(name, { type: 'link', content: '', target, mode: 0o777, mtime: mtime ?? this.now(), owner: 'root', group: 'root' })
  }

  /** `rm [-r]`: directories need `recursive`; ENOTEMPTY never arises with it. */
  remove(path: string, opts: { recursive?: boolean; dirOnly?: boolean } = {}): void {
    const n = this.lookup(path, true)
    if (!n) throw new FsError('ENOENT', path)
    if (n.type === 'dir' && !opts.recursive && !opts.dirOnly) throw new FsError('EISDIR', path)
    if (opts.dirOnly && n.type !== 'dir') throw new FsError('ENOTDIR', path)
    if (opts.dirOnly && n.children!.size) throw new FsError('ENOTEMPTY', path)
    const { dir, name } = this.parentOf(path)
    dir.children!.delete(name)
    dir.mtime = this.now()
  }

  /** `touch`: updates mtime or creates an empty file. */
  touch(path: string): void {
    const n = this.lookup(path)
    if (n) n.mtime = this.now()
    else this.writeFile(path, '')
  }

  /** Entries of a directory, sorted by name as `ls` sorts in the C locale. */
  list(path: string): [string, FsNode][] {
    const n = this.lookup(path)
    if (!n) throw new FsError('ENOENT', path)
    if (n.type !== 'dir') throw new FsError('ENOTDIR', path)
    return [...n.children!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Size as `ls -l` shows it: bytes for files, 4096 for directories, target length for links. */
  static size(n: FsNode): number {
    if (n.type === 'dir') return 4096
    if (n.type === 'link') return n.target!.length
    return Buffer.byteLength(n.content)
  }

  /** Installs files from behaviour data (creating parent directories with `mtime`). */
  install(files: Record<string, FileSpec>, defaultMtime: number): void {
    for (const [path, spec] of Object.entries(files)) {
      const mtime = spec.mtime ?? defaultMtime
      const parent = path.slice(0, path.lastIndexOf('/')) || '/'
      if (!this.lookup(parent)) this.mkdir(parent, { parents: true, mtime: defaultMtime })
      const existing = this.lookup(path, true)
      if (existing?.type === 'dir' && spec.dir) continue
      if (existing) this.parentOf(path).dir.children!.delete(path.slice(path.lastIndexOf('/') + 1))
      if (spec.link) this.symlink(spec.link, path, mtime)
      else if (spec.dir) this.mkdir(path, { mtime, mode: spec.mode, owner: spec.owner })
      else this.writeFile(path, spec.content ?? '', { mode: spec.mode, mtime, owner: spec.owner })
    }
  }
}

const debianDirs = [
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib64',
  'media',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
]
const busyboxDirs = ['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'proc', 'root', 'sys', 'tmp', 'usr', 'var']

/** The OS skeleton every image of that family has. */
function baseFiles(os: string, hostname: string): Record<string, FileSpec> {
  const dirs = os === 'busybox' ? busyboxDirs : os === 'distroless' ? ['dev', 'etc', 'proc', 'sys', 'tmp', 'var'] : debianDirs
  const out: Record<string, FileSpec> = {}
  for (const d of dirs) out[`/${d}`] = { dir: true, mode: d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755 }
  out['/usr/bin'] = { dir: true }
  out['/usr/share'] = { dir: true }
  out['/var/log'] = { dir: true }
  out['/etc/passwd'] = {
    content: `root:x:0:0:root:/root:/bin/${os === 'debian' ? 'bash' : 'sh'}\n${os === 'debian' ? 'nginx:x:101:101:nginx user:/nonexistent:/bin/false\n' : 'nobody:x:65534:65534:nobody:/home:/bin/false\n'}`,
  }
  out['/etc/group'] = { content: 'root:x:0:\n' }
  // The programs on PATH, so `ls /bin` and `ls -l /bin/bash` look like the image (contents are never run).
  if (os === 'debian') {
    for (const b of ['bash', 'cat', 'date', 'echo', 'grep', 'hostname', 'kill', 'ls', 'mkdir', 'pwd', 'rm', 'rmdir', 'sleep', 'touch', 'uname', 'dash', 'tar'])
      out[`/bin/${b}`] = { content: '\x7fELF', mode: 0o755 }
    out['/bin/sh'] = { link: 'dash' }
    for (const b of ['env', 'head', 'tail', 'wc', 'id', 'whoami', 'printenv', 'xargs', 'which', 'clear'])
      out[`/usr/bin/${b}`] = { content: '\x7fELF', mode: 0o755 }
  } else if (os === 'busybox' || os === 'alpine') {
    out['/bin/busybox'] = { content: '\x7fELF', mode: 0o755 }
    for (const b of [
      'sh',
      'ash',
      'cat',
      'date',
      'echo',
      'grep',
      'hostname',
      'kill',
      'ls',
      'mkdir',
      'ps',
      'pwd',
      'rm',
      'rmdir',
      'sleep',
      'touch',
      'uname',
      'tar',
      'env',
      'head',
      'tail',
      'wc',
      'id',
      'whoami',
      'printenv',
      'wget',
      'xargs',
      'which',
      'clear',
    ])
      out[`/bin/${b}`] = { link: '/bin/busybox' }
  }
  out['/dev/null'] = { content: '', mode: 0o666 }
  out['/proc/1/cmdline'] = { content: '' }
  void hostname
  return out
}

/** What the kubelet mounts into every container: hostname, hosts, resolv.conf, the service account volume. */
function kubeletFiles(inst: ContainerInstance, registry: Registry): Record<string, FileSpec> {
  const pod = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj as
    | { spec?: { automountServiceAccountToken?: boolean; serviceAccountName?: string; dnsPolicy?: string } }
    | undefined
  const t = inst.startedAt
  const out: Record<string, FileSpec> = {
    '/etc/hostname': { content: `${inst.hostname}\n`, mtime: t },
    '/etc/hosts': {
      content: `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${inst.podIP ? `${inst.podIP}\t${inst.domain ? `${inst.hostname}.${inst.domain}\t` : ''}${inst.hostname}\n` : ''}`,
      mtime: t,
    },
    '/etc/resolv.conf': {
      content: `search ${inst.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
      mtime: t,
    },
    '/dev/termination-log': { content: '', mode: 0o666, mtime: t },
  }
  if (pod?.spec?.automountServiceAccountToken !== false) {
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount'
    const stored = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj
    // A real pod-bound token (the kubelet's TokenRequest), which the API server accepts; written
    // once the signing key exists (fsFor installs it then, so a container start never waits).
    const token = stored && registry.serviceAccountTokens.ready ? issuePodToken(registry, stored) : undefined
    if (token) out[`${dir}/token`] = { content: token, mtime: t }
    out[`${dir}/namespace`] = { content: inst.namespace, mtime: t }
    // The root CA publisher's kube-root-ca.crt: the cluster CA (with --tls, what the server's certificate chains to).
    const rootCA = registry.find('', 'configmaps')?.getStored(inst.namespace, 'kube-root-ca.crt')?.obj as { data?: Record<string, string> } | undefined
    out[`${dir}/ca.crt`] = { content: rootCA?.data?.['ca.crt'] ?? rootCACertificate, mtime: t }
  }
  return out
}

/** Writes the service-account token once the signing key is made (the first container of a process may start before). */
async function installTokenLater(registry: Registry, inst: ContainerInstance, fs: VirtualFS): Promise<void> {
  await registry.serviceAccountTokens.whenReady()
  const pod = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj
  if (!pod || (pod.spec as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken === false) return
  const token = issuePodToken(registry, pod)
  if (token) fs.install({ '/var/run/secrets/kubernetes.io/serviceaccount/token': { content: token, mtime: inst.startedAt } }, inst.startedAt)
}

/**
 * The filesystem of one container instance: the OS skeleton and image files (mtime = image build),
 * the image's runtime files (pid file at process start) and the kubelet's mounts. Created on first
 * use and kept for the instance's life; a restart (new instance) starts from a fresh layer.
 */
export function fsFor(registry: Registry, inst: ContainerInstance): VirtualFS {
  return runtimeFor(registry).slot(inst.containerID, 'fs', () => {
    const b = behaviourFor(inst.image)
    const ctx = behaviourContext(inst, undefined, nodeCPUs(registry, inst.nodeName))
    const built = b.builtAt(ctx.version)
    const fs = new VirtualFS(() => registry.clock.now(), built)
    fs.install(baseFiles(b.os, inst.hostname), built)
    fs.install(b.files(ctx), built)
    fs.install(kubeletFiles(inst, registry), built)
    if (!registry.serviceAccountTokens.ready) void installTokenLater(registry, inst, fs)
    const pod = registry.find('', 'pods')?.getStored(inst.namespace, inst.pod)?.obj as Pod | undefined
    fs.install(hostPathFiles(registry, pod, inst.container, inst.nodeName), built)
    fs.install(volumeFiles(registry, pod, inst.container), inst.startedAt)
    return fs
  })
}
