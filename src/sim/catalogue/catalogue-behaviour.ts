/** @module catalogue-behaviour: turns a catalogue entry into what the container simulation consumes — the behaviour of one tag, and its server. */
import type { ContainerBehaviour } from '../containers/behaviours.js'
import type { ImageServer } from '../containers/http.js'
import type { CatalogueImage, ImageEnv } from './catalogue-image.js'
import { missingTools, osRelease, shellOf, standardPath } from './base-os.js'

/**
 * Whether the image's own entrypoint runs its server: no pod `command`, and `args` absent, flags
 * (`--appendonly yes`) or the daemon's name (`postgres -c …`), as the official entrypoints decide.
 */
export function entrypointRunsDaemon(image: Pick<CatalogueImage, 'daemon'>, container: { command?: string[]; args?: string[] }): boolean {
  if (container.command?.length) return false
  const first = container.args?.[0]
  return first === undefined || first.startsWith('-') || first === image.daemon
}

/** The entrypoint's failure for this environment, if its checks fail (one fact for the exit and the log lines). */
export function entrypointFailure(
  image: CatalogueImage,
  env: ImageEnv,
  tag: string,
  container: { command?: string[]; args?: string[]; mounts?: readonly string[] },
) {
  return entrypointRunsDaemon(image, container) ? image.preflight?.(env, tag, container.mounts ?? []) : undefined
}

const cache = new WeakMap<CatalogueImage, Map<string, ContainerBehaviour>>()

/** The container behaviour of one tag of a catalogue image (cached: tags share nothing mutable). */
export function catalogueBehaviour(image: CatalogueImage, tag: string): ContainerBehaviour {
  let byTag = cache.get(image)
  if (!byTag) cache.set(image, (byTag = new Map()))
  const hit = byTag.get(tag)
  if (hit) return hit
  const os = image.os(tag)
  const version = image.version(tag)
  const release = osRelease(os)
  const b: ContainerBehaviour = {
    shell: shellOf(os),
    // The file-system skeleton and shell tools follow the libc family.
    os: os === 'alpine' || os === 'busybox' || os === 'distroless' ? os : 'debian',
    path: image.path?.(version, tag) ?? standardPath,
    // The image's ENV HOME wins (mongo: /data/db, rabbitmq: /var/lib/rabbitmq), else root's.
    home: image.env(version, tag).HOME ?? '/root',
    env: (v) => image.env(v, tag),
    builtAt: () => image.builtAt,
    missing: image.shell ? [] : missingTools(os),
    processes: (ctx) => image.processes(ctx),
    files: (ctx) => ({ ...(release ? { '/etc/os-release': { content: release } } : {}), ...(image.files?.(ctx) ?? {}) }),
    startupLogs: (ctx) => {
      const container = { command: ctx.command, args: ctx.inst.args, mounts: ctx.inst.mounts }
      const failed = entrypointFailure(image, ctx.inst.env, tag, container)
      if (failed) return failed.lines(ctx.inst.startedAt)
      if (!entrypointRunsDaemon(image, container) && !image.shell) return []
      if (ctx.command?.length) return []
      return image.logs?.(ctx) ?? []
    },
    binaries: image.binaries,
    // Without a daemon the image has only a CMD (bash, python3, jshell): args replace it.
    argsReplaceCmd: !image.daemon,
    cmd: image.cmd,
    servers: image.daemon ? [image.daemon.split('/').pop()!] : [],
  }
  byTag.set(tag, b)
  return b
}

/** The listener of a catalogue image (undefined when it listens on nothing). */
export function catalogueServer(image: CatalogueImage, tag: string): ImageServer | undefined {
  let byTag = servers.get(image)
  if (!byTag) servers.set(image, (byTag = new Map()))
  if (byTag.has(tag)) return byTag.get(tag)
  const ports = image.ports?.(tag) ?? []
  const serve = image.serve
  const version = image.version(tag)
  const s: ImageServer | undefined = ports.length
    ? {
        ports,
        httpPorts: serve ? (image.httpPorts?.(tag) ?? ports) : [],
        serve: serve && ((inst, req, now) => ({ res: serve(req, now, { inst, tag, version }) })),
        accessLog: image.accessLog,
        wire: image.wire && ((bytes, inst, conn = {}) => image.wire!(bytes, { inst, tag, version }, conn)),
      }
    : undefined
  byTag.set(tag, s)
  return s
}

const servers = new WeakMap<CatalogueImage, Map<string, ImageServer | undefined>>()
