/** @module bitnami: bitnami/postgresql and bitnami/redis (the charts' images) — their welcome banner, the password check in Bitnami's words, ports 5432/6379. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { CatalogueImage, EntrypointFailure, ImageEnv } from './catalogue-image.js'
import { bitnamiStamp } from './log-stamps.js'
import { redisServerLogs } from './redis.js'
import { redisWire } from './resp.js'

/** Bitnami tags: `17.6.0`, its rebuilds `17.6.0-debian-12-r0` … `-r30` (charts pin one), `17`, `17.6`, `latest`. */
function bitnamiTags(versions: string[], size: number): Record<string, number> {
  const out: Record<string, number> = { latest: size }
  for (const v of versions) {
    for (const t of [v, v.split('.')[0], v.split('.').slice(0, 2).join('.')]) out[t] = size
    for (let r = 0; r <= 30; r++) out[`${v}-debian-12-r${r}`] = size
  }
  return out
}
const bitnamiVersion = (versions: string[]) => (tag: string) => {
  const base = tag.replace(/-debian-\d+-r\d+$/, '')
  return base === 'latest' ? versions[0] : (versions.find((v) => v === base || v.startsWith(`${base}.`)) ?? base)
}

/** The banner every Bitnami container prints before its setup. */
function welcome(app: string, t: number): StartupLine[] {
  const s = bitnamiStamp(t)
  const l = (text: string) => ({ text: `${app} ${s} INFO  ==> ${text}`.trimEnd(), stream: 'stdout' as const })
  return [
    { text: `${app} ${s} INFO  ==> `, stream: 'stdout' },
    l(`Welcome to the Bitnami ${app} container`),
    l('Subscribe to project updates by watching https://github.com/bitnami/containers'),
    l(
      "NOTICE: Starting August 28th, 2025, only a limited subset of images/charts will remain available for free. Backup will be available for some time at the 'Bitnami Legacy' repository. More info at https://github.com/bitnami/containers/issues/83267",
    ),
    { text: `${app} ${s} INFO  ==> `, stream: 'stdout' },
  ]
}

/** Bitnami's `validate` step: a password or ALLOW_EMPTY_PASSWORD=yes. */
function passwordCheck(app: string, variable: string, accepted: string[]): (env: ImageEnv) => EntrypointFailure | undefined {
  return (env) => {
    if (env.ALLOW_EMPTY_PASSWORD === 'yes' || accepted.some((n) => env[n])) return undefined
    return {
      exitCode: 1,
      afterMs: 80,
      lines: (t) => [
        ...welcome(app, t),
        { text: `${app} ${bitnamiStamp(t + 10)} INFO  ==> ** Starting ${app === 'postgresql' ? 'PostgreSQL' : 'Redis'} setup **`, stream: 'stdout' },
        {
          text: `${app} ${bitnamiStamp(t + 40)} INFO  ==> Validating settings in ${app === 'postgresql' ? 'POSTGRESQL' : 'REDIS'}_* env vars..`,
          stream: 'stdout',
        },
        {
          text: `${app} ${bitnamiStamp(t + 60)} ERROR ==> The ${variable} environment variable is empty or not set. Set the environment variable ALLOW_EMPTY_PASSWORD=yes to allow the container to be started with blank passwords. This is recommended only for development.`,
          stream: 'stderr',
        },
      ],
    }
  }
}

const pgVersions = ['17.6.0', '17.5.0', '16.10.0', '16.9.0', '15.14.0', '14.19.0']

/** docker.io/bitnami/postgresql. */
export const bitnamiPostgresql: CatalogueImage = {
  repository: 'docker.io/bitnami/postgresql',
  tags: bitnamiTags(pgVersions, 98_000_000),
  version: bitnamiVersion(pgVersions),
  os: () => 'debian',
  builtAt: Date.UTC(2025, 7, 15),
  daemon: '/opt/bitnami/scripts/postgresql/run.sh',
  preflight: passwordCheck('postgresql', 'POSTGRESQL_PASSWORD', ['POSTGRESQL_PASSWORD', 'POSTGRES_PASSWORD', 'POSTGRESQL_PASSWORD_FILE']),
  env: (v) => ({
    APP_VERSION: v,
    BITNAMI_APP_NAME: 'postgresql',
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en_US:en',
    NSS_WRAPPER_LIB: '/opt/bitnami/common/lib/libnss_wrapper.so',
    PGDATA: '/bitnami/postgresql/data',
  }),
  path: () => '/opt/bitnami/postgresql/bin:/opt/bitnami/common/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: () => [
    {
      user: '1001',
      command:
        '/opt/bitnami/postgresql/bin/postgres -D /bitnami/postgresql/data --config-file=/opt/bitnami/postgresql/conf/postgresql.conf --external_pid_file=/opt/bitnami/postgresql/tmp/postgresql.pid --hba_file=/opt/bitnami/postgresql/conf/pg_hba.conf',
      vszKb: 210_000,
      rssKb: 28_000,
    },
  ],
  logs: (ctx: BehaviourContext) => {
    const t = ctx.inst.startedAt
    const i = (ms: number, text: string) => ({ text: `postgresql ${bitnamiStamp(t + ms)} INFO  ==> ${text}`, stream: 'stdout' as const, offsetMs: ms })
    const pg = (ms: number, text: string) => ({
      text: `${new Date(t + ms).toISOString().slice(0, 23).replace('T', ' ')} GMT [1] LOG:  ${text}`,
      stream: 'stderr' as const,
      offsetMs: ms,
    })
    return [
      ...welcome('postgresql', t),
      i(10, '** Starting PostgreSQL setup **'),
      i(40, 'Validating settings in POSTGRESQL_* env vars..'),
      i(60, 'Loading custom pre-init scripts...'),
      i(70, 'Initializing PostgreSQL database...'),
      i(90, 'pg_hba.conf file not detected. Generating it...'),
      i(100, 'Generating local authentication configuration'),
      i(1500, 'Starting PostgreSQL in background...'),
      i(2200, 'Changing password of postgres'),
      i(2300, 'Configuring replication parameters'),
      i(2350, 'Configuring fsync'),
      i(2400, 'Stopping PostgreSQL...'),
      i(2600, 'Loading custom scripts...'),
      i(2610, 'Enabling remote connections'),
      i(2620, '** PostgreSQL setup finished! **'),
      i(2640, '** Starting PostgreSQL **'),
      pg(2700, `pgaudit extension initialized`),
      pg(2710, `starting PostgreSQL ${ctx.version.replace(/\.0$/, '')} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit`),
      pg(2711, 'listening on IPv4 address "0.0.0.0", port 5432'),
      pg(2712, 'listening on IPv6 address "::", port 5432'),
      pg(2713, 'listening on Unix socket "/tmp/.s.PGSQL.5432"'),
      pg(2720, 'database system is ready to accept connections'),
    ]
  },
  ports: () => [5432],
}

const redisVersions = ['8.2.1', '8.0.3', '7.4.5', '7.2.10']

/** docker.io/bitnami/redis. */
export const bitnamiRedis: CatalogueImage = {
  repository: 'docker.io/bitnami/redis',
  tags: bitnamiTags(redisVersions, 55_000_000),
  version: bitnamiVersion(redisVersions),
  os: () => 'debian',
  builtAt: Date.UTC(2025, 7, 18),
  daemon: '/opt/bitnami/scripts/redis/run.sh',
  preflight: passwordCheck('redis', 'REDIS_PASSWORD', ['REDIS_PASSWORD', 'REDIS_PASSWORD_FILE']),
  env: (v) => ({ APP_VERSION: v, BITNAMI_APP_NAME: 'redis' }),
  path: () => '/opt/bitnami/common/bin:/opt/bitnami/redis/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: () => [{ user: '1001', command: '/opt/bitnami/redis/bin/redis-server 0.0.0.0:6379', vszKb: 140_000, rssKb: 11_000 }],
  logs: (ctx) => {
    const t = ctx.inst.startedAt
    const i = (ms: number, text: string) => ({ text: `redis ${bitnamiStamp(t + ms)} INFO  ==> ${text}`, stream: 'stdout' as const, offsetMs: ms })
    return [
      ...welcome('redis', t),
      i(10, '** Starting Redis setup **'),
      i(30, 'Initializing Redis'),
      i(40, 'Setting Redis config file'),
      i(50, '** Redis setup finished! **'),
      i(60, '** Starting Redis **'),
      ...redisServerLogs(ctx).map((l) => ({ ...l, offsetMs: (l.offsetMs ?? 0) + 60 })),
    ]
  },
  ports: () => [6379],
  wire: redisWire(({ env }) => env.REDIS_PASSWORD || undefined),
}
