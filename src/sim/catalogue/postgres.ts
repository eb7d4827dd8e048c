/** @module postgres: the official postgres image — initdb on first start, the server's LOG lines, the entrypoint's password check, port 5432. */
import type { CatalogueImage, ImageEnv } from './catalogue-image.js'
import { standardPath } from './base-os.js'
import { alpine, postgresBuild as build, major, pgdata, postgresLogs as logs } from './postgres-logs.js'
import { patches, resolveVersion, tagTable } from './tag-table.js'

// Newest patch of each supported major when the catalogue was taken (August 2025 releases).
const lines = [
  { releases: patches('17', 0, 6), size: 158_000_000 },
  { releases: patches('16', 0, 10), size: 154_000_000 },
  { releases: patches('15', 0, 14), size: 152_000_000 },
  { releases: patches('14', 0, 19), size: 150_000_000 },
  { releases: patches('13', 0, 22), size: 148_000_000 },
].map((l) => ({ ...l, variants: { alpine: -50_000_000, 'alpine3.22': -50_000_000, bookworm: 0, bullseye: -4_000_000 } }))
const aliases = { latest: '17.6' }
const variant = /-(alpine3\.\d+|alpine|bookworm|bullseye)$/

/** The entrypoint's docker_verify_minimum_env (docker-library/postgres docker-entrypoint.sh), on an empty data directory. */
function preflight(env: ImageEnv): ReturnType<NonNullable<CatalogueImage['preflight']>> {
  // file_env: POSTGRES_PASSWORD_FILE (a mounted Secret) counts as set.
  if (env.POSTGRES_PASSWORD || env.POSTGRES_PASSWORD_FILE || env.POSTGRES_HOST_AUTH_METHOD === 'trust') return undefined
  const text = `Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html`
  return { exitCode: 1, afterMs: 50, lines: () => text.split('\n').map((t) => ({ text: t, stream: 'stderr' as const, offsetMs: 40 })) }
}

/** docker.io/library/postgres. */
export const postgres: CatalogueImage = {
  repository: 'docker.io/library/postgres',
  tags: tagTable(lines, aliases),
  version: (tag) =>
    resolveVersion(
      tag,
      lines.flatMap((l) => l.releases),
      aliases,
      variant,
    ),
  os: (tag) => (alpine(tag) ? 'alpine' : 'debian'),
  builtAt: Date.UTC(2025, 7, 14),
  daemon: 'postgres',
  preflight,
  env: (v, tag) => ({
    GOSU_VERSION: '1.17',
    ...(alpine(tag) ? {} : { LANG: 'en_US.utf8' }),
    PG_MAJOR: String(major(v)),
    PG_VERSION: alpine(tag) ? v : `${v}-1.pgdg120+1`,
    ...(alpine(tag) ? { PG_SHA256: '0000000000000000000000000000000000000000000000000000000000000000', DOCKER_PG_LLVM_DEPS: 'llvm19-dev \t\tclang19' } : {}),
    PGDATA: '/var/lib/postgresql/data',
  }),
  path: (v, tag) => (alpine(tag) ? standardPath : `${standardPath}:/usr/lib/postgresql/${major(v)}/bin`),
  processes: () => [
    { user: 'postgres', command: 'postgres', vszKb: 219_148, rssKb: 29_440 },
    { user: 'postgres', command: 'postgres: checkpointer ', vszKb: 219_284, rssKb: 7_168, pid: 60 },
    { user: 'postgres', command: 'postgres: background writer ', vszKb: 219_148, rssKb: 5_120, pid: 61 },
    { user: 'postgres', command: 'postgres: walwriter ', vszKb: 219_148, rssKb: 9_984, pid: 63 },
    { user: 'postgres', command: 'postgres: autovacuum launcher ', vszKb: 220_732, rssKb: 7_936, pid: 64 },
    { user: 'postgres', command: 'postgres: logical replication launcher ', vszKb: 220_708, rssKb: 6_656, pid: 65 },
  ],
  files: (ctx) => {
    const data = pgdata(ctx.inst.env)
    const start = Math.floor(ctx.inst.startedAt / 1000)
    return {
      '/usr/local/bin/docker-entrypoint.sh': { content: '#!/usr/bin/env bash\nset -Eeo pipefail\n', mode: 0o755 },
      '/docker-entrypoint-initdb.d': { dir: true },
      '/var/run/postgresql': { dir: true, owner: 'postgres', mode: 0o3777 },
      [data]: { dir: true, owner: 'postgres', mode: 0o700, mtime: ctx.inst.startedAt },
      [`${data}/PG_VERSION`]: { content: `${major(ctx.version)}\n`, owner: 'postgres', mode: 0o600, mtime: ctx.inst.startedAt },
      [`${data}/postmaster.pid`]: {
        content: `1\n${data}\n${start}\n5432\n/var/run/postgresql\n*\n   123456         0\nready   \n`,
        owner: 'postgres',
        mode: 0o600,
        mtime: ctx.inst.startedAt,
      },
      [`${data}/pg_hba.conf`]: {
        content: `local   all             all                                     trust\nhost    all             all             127.0.0.1/32            trust\nhost    all             all             ::1/128                 trust\n\nhost all all all ${ctx.inst.env.POSTGRES_HOST_AUTH_METHOD || 'scram-sha-256'}\n`,
        owner: 'postgres',
        mode: 0o600,
        mtime: ctx.inst.startedAt,
      },
    }
  },
  logs,
  binaries: {
    postgres: (args, ctx) =>
      args[0] === '--version' || args[0] === '-V'
        ? { stdout: `postgres (PostgreSQL) ${build(ctx).full}\n`, code: 0 }
        : {
            stderr:
              '"root" execution of the PostgreSQL server is not permitted.\nThe server must be started under an unprivileged user ID to prevent\npossible system security compromise.  See the documentation for\nmore information on how to properly start the server.\n',
            code: 1,
          },
    psql: (args, ctx) => {
      if (args[0] === '--version' || args[0] === '-V') return { stdout: `psql (PostgreSQL) ${build(ctx).full}\n`, code: 0 }
      const u = args.indexOf('-U')
      const user = u >= 0 ? args[u + 1] : (args.find((a) => a.startsWith('--username='))?.slice(11) ?? 'root')
      return user === 'root'
        ? { stderr: 'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  role "root" does not exist\n', code: 2 }
        : /-c\s*select 1;?$/i.test(args.join(' '))
          ? { stdout: ' ?column? \n----------\n        1\n(1 row)\n\n', code: 0 }
          : { stderr: 'psql: error: the simulated server runs no SQL beyond select 1\n', code: 2 }
    },
    pg_isready: () => ({ stdout: '/var/run/postgresql:5432 - accepting connections\n', code: 0 }),
  },
  ports: () => [5432],
}
