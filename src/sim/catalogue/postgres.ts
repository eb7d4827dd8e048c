/** @module postgres: the official postgres image — initdb on first start, the server's LOG lines, the entrypoint's password check, port 5432. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { CatalogueImage, ImageEnv } from './catalogue-image.js'
import { standardPath } from './base-os.js'
import { pgStamp } from './log-stamps.js'
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
const major = (v: string) => Number(v.split('.')[0])
const alpine = (tag: string) => tag.includes('alpine')

/** `16.10 (Debian 16.10-1.pgdg120+1)` as `postgres --version` and the start line print it. */
function build(ctx: BehaviourContext): { banner: string; full: string } {
  const v = ctx.version
  if (alpine(ctx.tag)) return { banner: `${v} on x86_64-pc-linux-musl, compiled by gcc (Alpine 14.2.0) 14.2.0, 64-bit`, full: v }
  const deb = ctx.tag.endsWith('bullseye') ? '110' : '120'
  const gcc = deb === '110' ? 'gcc (Debian 10.2.1-6) 10.2.1 20210110' : 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0'
  return { banner: `${v} (Debian ${v}-1.pgdg${deb}+1) on x86_64-pc-linux-gnu, compiled by ${gcc}, 64-bit`, full: `${v} (Debian ${v}-1.pgdg${deb}+1)` }
}

const pgdata = (env: ImageEnv) => env.PGDATA || '/var/lib/postgresql/data'

/** The entrypoint's docker_verify_minimum_env (docker-library/postgres docker-entrypoint.sh), on an empty data directory. */
function preflight(env: ImageEnv): ReturnType<NonNullable<CatalogueImage['preflight']>> {
  if (env.POSTGRES_PASSWORD || env.POSTGRES_HOST_AUTH_METHOD === 'trust') return undefined
  const text = `Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html`
  return { exitCode: 1, afterMs: 50, lines: () => text.split('\n').map((t) => ({ text: t, stream: 'stderr' as const, offsetMs: 40 })) }
}

/** First start on an empty volume: initdb, a temporary server for the init scripts, then the real one as PID 1. */
function logs(ctx: BehaviourContext): StartupLine[] {
  const env = ctx.inst.env
  const t0 = ctx.inst.startedAt
  const out: StartupLine[] = []
  let at = 0
  const say = (text: string, stream: 'stdout' | 'stderr' = 'stdout', step = 0) => {
    at += step
    out.push({ text, stream, offsetMs: at })
  }
  const log = (pid: number, msg: string, step = 5) => say(`${pgStamp(t0 + at + step)} [${pid}] LOG:  ${msg}`, 'stderr', step)
  const data = pgdata(env)
  const { banner } = build(ctx)
  const user = env.POSTGRES_USER || 'postgres'
  for (const l of [
    `The files belonging to this database system will be owned by user "postgres".`,
    'This user must also own the server process.',
    '',
    'The database cluster will be initialized with locale "en_US.utf8".',
    'The default database encoding has accordingly been set to "UTF8".',
    'The default text search configuration will be set to "english".',
    '',
    'Data page checksums are disabled.',
    '',
    `fixing permissions on existing directory ${data} ... ok`,
    'creating subdirectories ... ok',
    'selecting dynamic shared memory implementation ... posix',
    'selecting default max_connections ... 100',
    'selecting default shared_buffers ... 128MB',
    'selecting default time zone ... Etc/UTC',
    'creating configuration files ... ok',
    'running bootstrap script ... ok',
    'performing post-bootstrap initialization ... ok',
    'syncing data to disk ... ok',
    '',
    '',
    'Success. You can now start the database server using:',
    '',
    `    pg_ctl -D ${data} -l logfile start`,
    '',
  ])
    say(l, 'stdout', 30)
  if (major(ctx.version) >= 15) {
    say('initdb: warning: enabling "trust" authentication for local connections', 'stderr')
    say(
      'initdb: hint: You can change this by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.',
      'stderr',
    )
  } else {
    say('initdb: warning: enabling "trust" authentication for local connections', 'stderr')
    say('You can change this by editing pg_hba.conf or using the option -A, or', 'stderr')
    say('--auth-local and --auth-host, the next time you run initdb.', 'stderr')
  }
  at += 400
  say(`waiting for server to start....${pgStamp(t0 + at)} [48] LOG:  starting PostgreSQL ${banner}`)
  log(48, 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"')
  log(51, `database system was shut down at ${pgStamp(t0 + at - 600).slice(0, 19)} UTC`)
  log(48, 'database system is ready to accept connections')
  say(' done')
  say('server started')
  if ((env.POSTGRES_DB || user) !== 'postgres') say('CREATE DATABASE', 'stdout', 20)
  say('')
  say('/usr/local/bin/docker-entrypoint.sh: ignoring /docker-entrypoint-initdb.d/*')
  say('')
  say(`waiting for server to shut down....${pgStamp(t0 + at + 10)} [48] LOG:  received fast shutdown request`, 'stdout', 10)
  log(48, 'aborting any active transactions', 1)
  log(48, 'background worker "logical replication launcher" (PID 54) exited with exit code 1', 1)
  log(49, 'shutting down', 1)
  log(49, 'checkpoint starting: shutdown immediate', 1)
  log(
    49,
    'checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.002 s, sync=0.001 s, total=0.006 s; sync files=2, longest=0.001 s, average=0.001 s; distance=0 kB, estimate=0 kB; lsn=0/14F0A28, redo lsn=0/14F0A28',
    6,
  )
  log(48, 'database system is shut down', 4)
  say(' done')
  say('server stopped')
  say('')
  say('PostgreSQL init process complete; ready for start up.')
  say('')
  const down = pgStamp(t0 + at).slice(0, 19)
  log(1, `starting PostgreSQL ${banner}`, 100)
  log(1, 'listening on IPv4 address "0.0.0.0", port 5432', 2)
  log(1, 'listening on IPv6 address "::", port 5432', 1)
  log(1, 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"', 2)
  log(62, `database system was shut down at ${down} UTC`, 4)
  log(1, 'database system is ready to accept connections', 3)
  return out
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
