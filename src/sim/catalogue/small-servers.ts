/** @module small-servers: memcached (11211, text protocol), traefik (80, Go 404s) and haproxy (its NOTICE lines). */
import type { CatalogueImage } from './catalogue-image.js'
import { goNotFound } from './http-answer.js'
import { rfc3339 } from './log-stamps.js'
import { patches, resolveVersion, tagTable } from './tag-table.js'

const mc = { releases: patches('1.6', 30, 39), size: 31_000_000, variants: { alpine: -27_000_000, 'alpine3.22': -27_000_000, bookworm: 0 } }
const mcAliases = { latest: '1.6.39' }

/** docker.io/library/memcached: silent at start; `version` / `stats` on the wire. */
export const memcached: CatalogueImage = {
  repository: 'docker.io/library/memcached',
  tags: tagTable([mc], mcAliases),
  version: (tag) => resolveVersion(tag, mc.releases, mcAliases, /-(alpine3\.\d+|alpine|bookworm)$/),
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'debian'),
  builtAt: Date.UTC(2025, 6, 29),
  daemon: 'memcached',
  env: (v) => ({ MEMCACHED_VERSION: v, MEMCACHED_URL: `https://memcached.org/files/memcached-${v}.tar.gz`, MEMCACHED_SHA1: '0'.repeat(40) }),
  processes: () => [{ user: 'memcache', command: 'memcached', vszKb: 407_144, rssKb: 3_840 }],
  binaries: {
    memcached: (args, ctx) =>
      args[0] === '--version' || args[0] === '-V'
        ? { stdout: `memcached ${ctx.version}\n`, code: 0 }
        : { code: 71, stderr: 'failed to listen on TCP port 11211: Address in use\n' },
  },
  ports: () => [11211],
  wire: (bytes, { version: v }) => {
    const cmd = bytes.trim().split(/\s+/)[0]?.toLowerCase()
    if (!cmd) return undefined
    if (cmd === 'version') return `VERSION ${v}\r\n`
    if (cmd === 'stats') return `STAT pid 1\r\nSTAT version ${v}\r\nSTAT curr_connections 2\r\nEND\r\n`
    return 'ERROR\r\n'
  },
}

const tr = { releases: ['3.5.0', '3.4.5', '3.4.4', '3.3.7', '2.11.28', '2.11.27'], size: 50_000_000 }
const trAliases = { latest: '3.5.0' }

/** docker.io/library/traefik: the `web`-less default entry point on :80, nothing routed (Go's 404 text). */
export const traefik: CatalogueImage = {
  repository: 'docker.io/library/traefik',
  tags: { ...tagTable([tr], trAliases), ...Object.fromEntries(Object.keys(tagTable([tr], {})).map((t) => [`v${t}`, tr.size])) },
  version: (tag) => resolveVersion(tag.replace(/^v/, ''), tr.releases, trAliases, /-(alpine|nanoserver.*|windowsservercore.*)$/),
  os: () => 'alpine',
  builtAt: Date.UTC(2025, 6, 23),
  daemon: 'traefik',
  env: () => ({}),
  processes: () => [{ user: 'root', command: 'traefik', vszKb: 1_291_000, rssKb: 62_000 }],
  logs: (ctx) => {
    const t = rfc3339(ctx.inst.startedAt)
    const v = ctx.version
    return [
      `${t} INF Traefik version ${v} built on 2025-07-23T15:18:27Z version=${v}`,
      `${t} INF Version check is enabled.`,
      `${t} INF Traefik checks for new releases to notify you if your version is out of date.`,
      `${t} INF It also collects usage data during this process.`,
      `${t} INF Check the documentation to get more info: https://doc.traefik.io/traefik/contributing/data-collection/`,
      `${t} INF Starting provider aggregator *aggregator.ProviderAggregator`,
      `${t} INF Starting provider *traefik.Provider`,
      `${t} INF Starting provider *acme.ChallengeTLSALPN`,
    ].map((text) => ({ text, stream: 'stdout' as const }))
  },
  binaries: {
    traefik: (args, ctx) =>
      args[0] === 'version'
        ? {
            stdout: `Version:      ${ctx.version}\nCodename:     chabichou\nGo version:   go1.24.5\nBuilt:        2025-07-23T15:18:27Z\nOS/Arch:      linux/amd64\n`,
            code: 0,
          }
        : { code: 1 },
  },
  ports: () => [80],
  serve: (req, now) => goNotFound(req, now),
}

const hp = { releases: ['3.2.4', '3.2.3', '3.1.8', '3.0.11', '2.8.15', '2.6.22'], size: 40_000_000, variants: { alpine: -27_000_000, bookworm: 0 } }
const hpAliases = { latest: '3.2.4', lts: '3.2.4' }

const haproxyCfg = '/usr/local/etc/haproxy/haproxy.cfg'

/** docker.io/library/haproxy: master-worker mode; the configuration comes from the pod (a ConfigMap mount), so it listens on nothing of its own, and without one it exits 1. */
export const haproxy: CatalogueImage = {
  repository: 'docker.io/library/haproxy',
  tags: tagTable([hp], hpAliases),
  version: (tag) => resolveVersion(tag, hp.releases, hpAliases, /-(alpine|bookworm)$/),
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'debian'),
  builtAt: Date.UTC(2025, 7, 13),
  daemon: 'haproxy',
  // The image ships no haproxy.cfg: without a volume at (or above) it, haproxy cannot stat the file and exits (haproxy.c readcfgfile).
  preflight: (_env, tag, mounts) => {
    if (mounts.some((m) => haproxyCfg === m || haproxyCfg.startsWith(`${m.replace(/\/$/, '')}/`))) return undefined
    const v = haproxy.version(tag)
    return {
      exitCode: 1,
      afterMs: 20,
      lines: () =>
        [
          `[NOTICE]   (1) : haproxy version is ${v}-98813a1`,
          '[NOTICE]   (1) : path to executable is /usr/local/sbin/haproxy',
          `[ALERT]    (1) : config : Cannot open configuration file/directory ${haproxyCfg} : No such file or directory`,
        ].map((text) => ({ text, stream: 'stderr' as const, offsetMs: 10 })),
    }
  },
  env: (v) => ({
    HAPROXY_VERSION: v,
    HAPROXY_URL: `https://www.haproxy.org/download/${v.split('.').slice(0, 2).join('.')}/src/haproxy-${v}.tar.gz`,
    HAPROXY_SHA256: '0'.repeat(64),
  }),
  processes: () => [
    { user: 'haproxy', command: 'haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg', vszKb: 12_000, rssKb: 8_000 },
    { user: 'haproxy', command: 'haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg', vszKb: 160_000, rssKb: 12_000, pid: 8 },
  ],
  logs: (ctx) =>
    [
      `[NOTICE]   (1) : haproxy version is ${ctx.version}-98813a1`,
      '[NOTICE]   (1) : path to executable is /usr/local/sbin/haproxy',
      '[NOTICE]   (1) : New worker (8) forked',
      '[NOTICE]   (1) : Loading success.',
    ].map((text) => ({ text, stream: 'stderr' as const })),
  binaries: {
    haproxy: (args, ctx) =>
      args[0] === '-v' || args[0] === '-vv' ? { stdout: `HAProxy version ${ctx.version}-98813a1 2025/08/13 - https://haproxy.org/\n`, code: 0 } : { code: 1 },
  },
}
