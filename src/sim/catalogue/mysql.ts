/** @module mysql: the official mysql image — the entrypoint's password check, its Note lines, mysqld on 3306/33060. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { CatalogueImage, EntrypointFailure, ImageEnv } from './catalogue-image.js'
import { entrypointStamp, mysqldStamp } from './log-stamps.js'
import { patches, type ReleaseLine, resolveVersion, tagTable } from './tag-table.js'

const mysqlLines: ReleaseLine[] = [
  { releases: ['9.4.0', '9.3.0', '9.2.0', '9.1.0', '9.0.1'], size: 172_000_000, variants: { oracle: 0, oraclelinux9: 0 } },
  { releases: patches('8.4', 0, 6), size: 170_000_000, variants: { oracle: 0, oraclelinux9: 0 } },
  { releases: patches('8.0', 30, 43), size: 168_000_000, variants: { oracle: 0, oraclelinux9: 0, debian: -50_000_000, bookworm: -50_000_000 } },
  { releases: patches('5.7', 40, 44), size: 158_000_000, variants: { oracle: 0, oraclelinux7: 0, debian: -40_000_000 } },
]
const mysqlAliases = { latest: '9.4.0', innovation: '9.4.0', lts: '8.4.6', oracle: '9.4.0' }
const mysqlVariant = /-(oracle|oraclelinux\d|debian|bookworm)$/

/** Whether any of the variables is set to a non-empty value (the entrypoints' `[ -n … ]`). */
export const has = (env: ImageEnv, ...names: string[]) => names.some((n) => !!env[n])

/** The entrypoint's `mysql_note`/`mysql_error` lines: `2025-08-14 10:00:00+00:00 [Note] [Entrypoint]: …`. */
const note = (t: number, level: 'Note' | 'ERROR', text: string, stream: 'stdout' | 'stderr' = level === 'ERROR' ? 'stderr' : 'stdout') => ({
  text: `${entrypointStamp(t)} [${level}] [Entrypoint]: ${text}`,
  stream,
})

/** `8.4.6-1.el9` as the entrypoint names the server package. */
const mysqlPackage = (v: string, tag: string) =>
  tag.includes('debian') || tag.includes('bookworm') ? `${v}-1debian12` : v.startsWith('5.7') ? `${v}-1.el7` : `${v}-1.el9`

/** docker_verify_minimum_env of docker-library/mysql: one of the three password variables must be set. */
function mysqlPreflight(env: ImageEnv, tag: string): EntrypointFailure | undefined {
  if (has(env, 'MYSQL_ROOT_PASSWORD', 'MYSQL_ROOT_PASSWORD_FILE', 'MYSQL_ALLOW_EMPTY_PASSWORD', 'MYSQL_RANDOM_ROOT_PASSWORD')) return undefined
  const v = mysql.version(tag)
  return {
    exitCode: 1,
    afterMs: 120,
    lines: (t) => [
      { ...note(t, 'Note', `Entrypoint script for MySQL Server ${mysqlPackage(v, tag)} started.`), offsetMs: 0 },
      { ...note(t, 'Note', "Switching to dedicated user 'mysql'"), offsetMs: 40 },
      { ...note(t, 'Note', `Entrypoint script for MySQL Server ${mysqlPackage(v, tag)} started.`), offsetMs: 80 },
      { ...note(t, 'ERROR', 'Database is uninitialized and password option is not specified'), offsetMs: 110 },
      { text: '    You need to specify one of the following as an environment variable:', stream: 'stderr', offsetMs: 110 },
      { text: '    - MYSQL_ROOT_PASSWORD', stream: 'stderr', offsetMs: 110 },
      { text: '    - MYSQL_ALLOW_EMPTY_PASSWORD', stream: 'stderr', offsetMs: 110 },
      { text: '    - MYSQL_RANDOM_ROOT_PASSWORD', stream: 'stderr', offsetMs: 110 },
    ],
  }
}

/** First start: initialize, temporary server, time zones, then mysqld as PID 1 on 3306 and X Plugin on 33060. */
function mysqlLogs(ctx: BehaviourContext): StartupLine[] {
  const t0 = ctx.inst.startedAt
  const v = ctx.version
  const pkg = mysqlPackage(v, ctx.tag)
  const out: StartupLine[] = []
  let at = 0
  const n = (text: string, step = 20) => {
    at += step
    out.push({ ...note(t0 + at, 'Note', text), offsetMs: at })
  }
  const s = (thread: number, level: string, code: string, sub: string, text: string, step = 15) => {
    at += step
    out.push({ text: `${mysqldStamp(t0 + at)} ${thread} [${level}] [${code}] [${sub}] ${text}`, stream: 'stderr', offsetMs: at })
  }
  const plain = (text: string, stream: 'stdout' | 'stderr' = 'stdout') => out.push({ text, stream, offsetMs: at })
  n(`Entrypoint script for MySQL Server ${pkg} started.`, 0)
  n("Switching to dedicated user 'mysql'")
  n(`Entrypoint script for MySQL Server ${pkg} started.`)
  n('Initializing database files')
  s(0, 'System', 'MY-015017', 'Server', 'MySQL Server Initialization - start.')
  s(0, 'System', 'MY-013169', 'Server', `/usr/sbin/mysqld (mysqld ${v}) initializing of server in progress as process 80`)
  s(1, 'System', 'MY-013576', 'InnoDB', 'InnoDB initialization has started.')
  s(1, 'System', 'MY-013577', 'InnoDB', 'InnoDB initialization has ended.', 600)
  s(
    6,
    'Warning',
    'MY-010453',
    'Server',
    'root@localhost is created with an empty password ! Please consider switching off the --initialize-insecure option.',
    900,
  )
  s(0, 'System', 'MY-015018', 'Server', 'MySQL Server Initialization - end.', 1200)
  n('Database files initialized')
  n('Starting temporary server')
  const start = (pid: number, port: number) => {
    s(0, 'System', 'MY-015015', 'Server', 'MySQL Server - start.')
    s(0, 'System', 'MY-010116', 'Server', `/usr/sbin/mysqld (mysqld ${v}) starting as process ${pid}`)
    s(1, 'System', 'MY-013576', 'InnoDB', 'InnoDB initialization has started.')
    s(1, 'System', 'MY-013577', 'InnoDB', 'InnoDB initialization has ended.', 300)
    s(0, 'Warning', 'MY-010068', 'Server', 'CA certificate ca.pem is self signed.')
    s(0, 'System', 'MY-013602', 'Server', 'Channel mysql_main configured to support TLS. Encrypted connections are now supported for this channel.')
    s(
      0,
      'Warning',
      'MY-011810',
      'Server',
      "Insecure configuration for --pid-file: Location '/var/run/mysqld' in the path is accessible to all OS users. Consider choosing a different directory.",
    )
    s(
      0,
      'System',
      'MY-011323',
      'Server',
      port
        ? "X Plugin ready for connections. Bind-address: '::' port: 33060, socket: /var/run/mysqld/mysqlx.sock"
        : 'X Plugin ready for connections. Socket: /var/run/mysqld/mysqlx.sock',
    )
    s(
      0,
      'System',
      'MY-010931',
      'Server',
      `/usr/sbin/mysqld: ready for connections. Version: '${v}'  socket: '/var/run/mysqld/mysqld.sock'  port: ${port}  MySQL Community Server - GPL.`,
    )
  }
  start(124, 0)
  n('Temporary server started.')
  plain("'/var/lib/mysql/mysql.sock' -> '/var/run/mysqld/mysqld.sock'")
  for (const f of ['iso3166.tab', 'leap-seconds.list', 'leapseconds', 'tzdata.zi', 'zone.tab', 'zone1970.tab'])
    plain(`Warning: Unable to load '/usr/share/zoneinfo/${f}' as time zone. Skipping it.`, 'stderr')
  if (ctx.inst.env.MYSQL_DATABASE) n(`Creating database ${ctx.inst.env.MYSQL_DATABASE}`)
  if (ctx.inst.env.MYSQL_USER && ctx.inst.env.MYSQL_PASSWORD) n(`Creating user ${ctx.inst.env.MYSQL_USER}`)
  plain('')
  n('Stopping temporary server')
  s(10, 'System', 'MY-013172', 'Server', `Received SHUTDOWN from user root. Shutting down mysqld (Version: ${v}).`)
  s(0, 'System', 'MY-010910', 'Server', `/usr/sbin/mysqld: Shutdown complete (mysqld ${v})  MySQL Community Server - GPL.`, 400)
  s(0, 'System', 'MY-015016', 'Server', 'MySQL Server - end.')
  n('Temporary server stopped')
  plain('')
  n('MySQL init process done. Ready for start up.')
  plain('')
  start(1, 3306)
  return out
}

/** docker.io/library/mysql (Oracle Linux 9; `-debian` variants of 8.0). */
export const mysql: CatalogueImage = {
  repository: 'docker.io/library/mysql',
  tags: tagTable(mysqlLines, mysqlAliases, { '8': 170_000_000, '8-oracle': 170_000_000 }),
  version: (tag) =>
    resolveVersion(
      tag,
      mysqlLines.flatMap((l) => l.releases),
      { ...mysqlAliases, '8': '8.4.6' },
      mysqlVariant,
    ),
  os: (tag) => (tag.includes('debian') || tag.includes('bookworm') ? 'debian' : 'oracle'),
  builtAt: Date.UTC(2025, 6, 22),
  daemon: 'mysqld',
  preflight: mysqlPreflight,
  env: (v) => ({ GOSU_VERSION: '1.17', MYSQL_MAJOR: v.split('.').slice(0, 2).join('.'), MYSQL_VERSION: `${v}-1.el9`, MYSQL_SHELL_VERSION: `${v}-1.el9` }),
  processes: () => [{ user: 'mysql', command: 'mysqld', vszKb: 2_471_072, rssKb: 438_672 }],
  files: () => ({
    '/var/lib/mysql': { dir: true, owner: 'mysql', mode: 0o750 },
    '/var/run/mysqld': { dir: true, owner: 'mysql', mode: 0o1777 },
    '/etc/my.cnf': {
      content:
        '[mysqld]\nhost-cache-size=0\nskip-name-resolve\ndatadir=/var/lib/mysql\nsocket=/var/run/mysqld/mysqld.sock\nsecure-file-priv=/var/lib/mysql-files\nuser=mysql\n\npid-file=/var/run/mysqld/mysqld.pid\n[client]\nsocket=/var/run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n',
    },
    '/usr/local/bin/docker-entrypoint.sh': { content: '#!/bin/bash\nset -eo pipefail\n', mode: 0o755 },
  }),
  logs: mysqlLogs,
  binaries: {
    mysqld: (args, ctx) =>
      args[0] === '--version' || args[0] === '-V'
        ? { stdout: `/usr/sbin/mysqld  Ver ${ctx.version} for Linux on x86_64 (MySQL Community Server - GPL)\n`, code: 0 }
        : {
            stderr: `${mysqldStamp(ctx.inst.startedAt)} 0 [ERROR] [MY-010123] [Server] Fatal error: Please read "Security" section of the manual to find out how to run mysqld as root!\n`,
            code: 1,
          },
    mysql: (args, ctx) =>
      args[0] === '--version' || args[0] === '-V'
        ? { stdout: `mysql  Ver ${ctx.version} for Linux on x86_64 (MySQL Community Server - GPL)\n`, code: 0 }
        : { stderr: "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)\n", code: 1 },
    mysqladmin: (args) =>
      args.includes('ping') ? { stdout: 'mysqld is alive\n', code: 0 } : { stderr: "mysqladmin: connect to server at 'localhost' failed\n", code: 1 },
  },
  ports: () => [3306, 33060],
}
