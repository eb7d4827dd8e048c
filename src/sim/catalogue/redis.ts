/** @module redis: the official redis image — redis-server on 6379 speaking RESP, its start-up lines, redis-cli. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { ContainerInstance } from '../containers/runtime.js'
import type { CatalogueImage } from './catalogue-image.js'
import { redisStamp } from './log-stamps.js'
import { redisWire, respAnswer } from './resp.js'
import { patches, resolveVersion, tagTable } from './tag-table.js'

const lines = [
  { releases: patches('8.2', 0, 1), size: 52_000_000 },
  { releases: patches('8.0', 0, 3), size: 50_000_000 },
  { releases: patches('7.4', 0, 5), size: 45_000_000 },
  { releases: patches('7.2', 0, 10), size: 43_000_000 },
  { releases: patches('7.0', 0, 15), size: 42_000_000 },
  { releases: patches('6.2', 0, 19), size: 40_000_000 },
].map((l) => ({ ...l, variants: { alpine: -28_000_000, 'alpine3.22': -28_000_000, bookworm: 0 } }))
const aliases = { latest: '8.2.1' }
const variant = /-(alpine3\.\d+|alpine|bookworm)$/

/** The start-up lines of `redis-server` without a config file and without a terminal (no ASCII art). */
export function redisServerLogs(ctx: BehaviourContext, pid = 1): StartupLine[] {
  const s = (off: number) => redisStamp(ctx.inst.startedAt + off)
  const v = ctx.version
  return [
    `${pid}:C ${s(0)} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
    `${pid}:C ${s(0)} * Redis version=${v}, bits=64, commit=00000000, modified=0, pid=${pid}, just started`,
    `${pid}:C ${s(0)} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
    `${pid}:M ${s(1)} * monotonic clock: POSIX clock_gettime`,
    `${pid}:M ${s(1)} * Running mode=standalone, port=6379.`,
    `${pid}:M ${s(2)} * Server initialized`,
    `${pid}:M ${s(2)} * Ready to accept connections tcp`,
  ].map((text, i) => ({ text, stream: 'stdout' as const, offsetMs: i < 3 ? 0 : i < 5 ? 1 : 2 }))
}

/** The `--requirepass` a pod passes in args (what charts do), if any. */
function requirePass(inst: ContainerInstance): string | undefined {
  const i = inst.args?.indexOf('--requirepass') ?? -1
  return i >= 0 ? inst.args?.[i + 1] : undefined
}

/** `redis-cli PING`, `redis-cli SET k v`, `--version`: answered by the same RESP table the port speaks. */
function redisCli(args: string[], ctx: BehaviourContext) {
  if (args[0] === '--version' || args[0] === '-v') return { stdout: `redis-cli ${ctx.version}\n`, code: 0 }
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (['-h', '-p', '-a', '-n', '--user', '--pass'].includes(args[i])) i++
    else if (!args[i].startsWith('-')) rest.push(args[i])
  }
  if (!rest.length) rest.push('PING')
  const password = requirePass(ctx.inst)
  const a = args.indexOf('-a')
  const warn = a >= 0 ? { stderr: "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n" } : {}
  const raw = respAnswer(rest, ctx.inst, password, { authenticated: a >= 0 && args[a + 1] === password })
  if (raw.startsWith('+')) return { ...warn, stdout: `${raw.slice(1, -2)}\n`, code: 0 }
  if (raw.startsWith('-')) return { ...warn, stdout: `(error) ${raw.slice(1, -2)}\n`, code: 0 }
  if (raw.startsWith(':')) return { ...warn, stdout: `(integer) ${raw.slice(1, -2)}\n`, code: 0 }
  if (raw.startsWith('$-1')) return { ...warn, stdout: '\n', code: 0 }
  return { ...warn, stdout: `${raw.split('\r\n')[1]}\n`, code: 0 }
}

/** docker.io/library/redis. */
export const redis: CatalogueImage = {
  repository: 'docker.io/library/redis',
  tags: tagTable(lines, aliases),
  version: (tag) =>
    resolveVersion(
      tag,
      lines.flatMap((l) => l.releases),
      aliases,
      variant,
    ),
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'debian'),
  builtAt: Date.UTC(2025, 7, 18),
  daemon: 'redis-server',
  env: (v) => ({ REDIS_DOWNLOAD_URL: `https://github.com/redis/redis/archive/refs/tags/${v}.tar.gz`, REDIS_VERSION: v }),
  processes: () => [{ user: 'redis', command: 'redis-server *:6379', vszKb: 141_624, rssKb: 11_520 }],
  files: () => ({ '/data': { dir: true, owner: 'redis' }, '/usr/local/bin/docker-entrypoint.sh': { content: '#!/bin/sh\nset -e\n', mode: 0o755 } }),
  logs: (ctx) => redisServerLogs(ctx),
  binaries: {
    'redis-cli': redisCli,
    'redis-server': (args, ctx) =>
      args[0] === '--version' || args[0] === '-v'
        ? { stdout: `Redis server v=${ctx.version} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0000000000000000\n`, code: 0 }
        : {
            stdout: `1:M ${redisStamp(ctx.inst.startedAt)} # Warning: Could not create server TCP listening socket *:6379: bind: Address already in use\n`,
            code: 1,
          },
  },
  ports: () => [6379],
  // `--requirepass x` in args (what charts pass) makes every command but AUTH answer NOAUTH.
  wire: redisWire(requirePass),
}
