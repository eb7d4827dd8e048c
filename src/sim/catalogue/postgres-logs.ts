/** @module postgres-logs: what a postgres container prints on its first start — initdb, the temporary server for the init scripts, then the server as PID 1. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import { pgStamp } from './log-stamps.js'

/** The data directory (PGDATA, as the image sets it). */
export const pgdata = (env: ImageEnv) => env.PGDATA || '/var/lib/postgresql/data'
/** `16.10` → 16. */
export const major = (v: string) => Number(v.split('.')[0])
/** Whether a tag is an Alpine variant. */
export const alpine = (tag: string) => tag.includes('alpine')
import type { ImageEnv } from './catalogue-image.js'

/** `16.10 (Debian 16.10-1.pgdg120+1)` as `postgres --version` and the start line print it. */
export function postgresBuild(ctx: BehaviourContext): { banner: string; full: string } {
  const v = ctx.version
  if (alpine(ctx.tag)) return { banner: `${v} on x86_64-pc-linux-musl, compiled by gcc (Alpine 14.2.0) 14.2.0, 64-bit`, full: v }
  const deb = ctx.tag.endsWith('bullseye') ? '110' : '120'
  const gcc = deb === '110' ? 'gcc (Debian 10.2.1-6) 10.2.1 20210110' : 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0'
  return { banner: `${v} (Debian ${v}-1.pgdg${deb}+1) on x86_64-pc-linux-gnu, compiled by ${gcc}, 64-bit`, full: `${v} (Debian ${v}-1.pgdg${deb}+1)` }
}

/** Whether this start finds the data of an earlier run: a restart with PGDATA on a volume. */
function dataSurvives(ctx: BehaviourContext): boolean {
  const data = pgdata(ctx.inst.env)
  return ctx.inst.restartCount > 0 && (ctx.inst.mounts ?? []).some((m) => data === m || data.startsWith(`${m.replace(/\/$/, '')}/`))
}

/** A restart on a kept data directory: no initdb, and the startup process notices the crash. */
function restartLogs(ctx: BehaviourContext): StartupLine[] {
  const t0 = ctx.inst.startedAt
  const { banner } = postgresBuild(ctx)
  const log = (ms: number, pid: number, msg: string) => ({ text: `${pgStamp(t0 + ms)} [${pid}] LOG:  ${msg}`, stream: 'stderr' as const, offsetMs: ms })
  return [
    { text: '', stream: 'stdout', offsetMs: 20 },
    { text: 'PostgreSQL Database directory appears to contain a database; Skipping initialization', stream: 'stdout', offsetMs: 20 },
    { text: '', stream: 'stdout', offsetMs: 20 },
    log(60, 1, `starting PostgreSQL ${banner}`),
    log(62, 1, 'listening on IPv4 address "0.0.0.0", port 5432'),
    log(63, 1, 'listening on IPv6 address "::", port 5432'),
    log(65, 1, 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"'),
    log(70, 29, `database system was interrupted; last known up at ${pgStamp(t0 - 60_000).slice(0, 19)} UTC`),
    log(90, 29, 'database system was not properly shut down; automatic recovery in progress'),
    log(92, 29, 'redo starts at 0/1A2B3C8'),
    log(93, 29, 'invalid record length at 0/1A2B4B0: expected at least 24, got 0'),
    log(94, 29, 'redo done at 0/1A2B478 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s'),
    log(100, 27, 'checkpoint starting: end-of-recovery immediate wait'),
    log(
      110,
      27,
      'checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.002 s, sync=0.001 s, total=0.008 s; sync files=2, longest=0.001 s, average=0.001 s; distance=0 kB, estimate=0 kB; lsn=0/1A2B4B0, redo lsn=0/1A2B4B0',
    ),
    log(115, 1, 'database system is ready to accept connections'),
  ]
}

/**
 * What the container prints: on a first start (or a restart without a volume at PGDATA) initdb, a
 * temporary server for the init scripts, then the real one as PID 1; a restart on kept data skips all that.
 */
export function postgresLogs(ctx: BehaviourContext): StartupLine[] {
  if (dataSurvives(ctx)) return restartLogs(ctx)
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
  const { banner } = postgresBuild(ctx)
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
