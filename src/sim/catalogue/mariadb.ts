/** @module mariadb: the official mariadb image (Ubuntu noble) — the entrypoint's MARIADB_* password check, its Note lines, mariadbd on 3306. */
import type { StartupLine } from '../containers/behaviours.js'
import type { CatalogueImage } from './catalogue-image.js'
import { entrypointStamp, mariadbStamp } from './log-stamps.js'
import { has } from './mysql.js'
import { patches, type ReleaseLine, resolveVersion, tagTable } from './tag-table.js'

const mariadbLines: ReleaseLine[] = [
  { releases: patches('11.8', 2, 3), size: 118_000_000 },
  { releases: patches('11.4', 2, 8), size: 116_000_000 },
  { releases: patches('10.11', 6, 14), size: 114_000_000 },
  { releases: patches('10.6', 16, 23), size: 112_000_000 },
].map((l) => ({ ...l, variants: { noble: 0, jammy: -2_000_000, ubi: 20_000_000, ubi9: 20_000_000 } }))
const mariadbAliases = { latest: '11.8.3', lts: '11.8.3' }

/** docker.io/library/mariadb (Ubuntu noble): the same check, with MARIADB_* names (MYSQL_* still accepted). */
export const mariadb: CatalogueImage = {
  repository: 'docker.io/library/mariadb',
  tags: tagTable(mariadbLines, mariadbAliases),
  version: (tag) =>
    resolveVersion(
      tag,
      mariadbLines.flatMap((l) => l.releases),
      mariadbAliases,
      /-(noble|jammy|ubi9?)$/,
    ),
  os: () => 'ubuntu',
  builtAt: Date.UTC(2025, 7, 7),
  daemon: 'mariadbd',
  preflight: (env, tag) => {
    if (has(env, 'MARIADB_ROOT_PASSWORD', 'MARIADB_ROOT_PASSWORD_HASH', 'MARIADB_ALLOW_EMPTY_ROOT_PASSWORD', 'MARIADB_RANDOM_ROOT_PASSWORD')) return undefined
    if (has(env, 'MYSQL_ROOT_PASSWORD', 'MYSQL_ALLOW_EMPTY_PASSWORD', 'MYSQL_RANDOM_ROOT_PASSWORD')) return undefined
    const pkg = `1:${mariadb.version(tag)}+maria~ubu2404`
    const line = (t: number, level: string, text: string) => `${entrypointStamp(t)} [${level}] [Entrypoint]: ${text}`
    return {
      exitCode: 1,
      afterMs: 100,
      lines: (t) => [
        { text: line(t, 'Note', `Entrypoint script for MariaDB Server ${pkg} started.`), stream: 'stdout', offsetMs: 0 },
        { text: line(t, 'Warn', '/sys/fs/cgroup///memory.pressure not writable, functionality unavailable to MariaDB'), stream: 'stdout', offsetMs: 10 },
        { text: line(t, 'Note', "Switching to dedicated user 'mysql'"), stream: 'stdout', offsetMs: 20 },
        { text: line(t, 'Note', `Entrypoint script for MariaDB Server ${pkg} started.`), stream: 'stdout', offsetMs: 60 },
        { text: line(t, 'ERROR', 'Database is uninitialized and password option is not specified'), stream: 'stderr', offsetMs: 90 },
        {
          text: '\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD',
          stream: 'stderr',
          offsetMs: 90,
        },
      ],
    }
  },
  env: (v) => ({ GOSU_VERSION: '1.17', LANG: 'C.UTF-8', MARIADB_VERSION: `1:${v}+maria~ubu2404` }),
  processes: () => [{ user: 'mysql', command: 'mariadbd', vszKb: 1_189_216, rssKb: 104_448 }],
  files: () => ({
    '/var/lib/mysql': { dir: true, owner: 'mysql' },
    '/usr/local/bin/docker-entrypoint.sh': { content: '#!/bin/bash\nset -eo pipefail\n', mode: 0o755 },
  }),
  logs: (ctx): StartupLine[] => {
    const t = ctx.inst.startedAt + 2500
    const v = ctx.version
    const s = (text: string) => ({ text: `${mariadbStamp(t)} 0 [Note] ${text}`, stream: 'stderr' as const, offsetMs: 2500 })
    return [
      {
        text: `${entrypointStamp(ctx.inst.startedAt)} [Note] [Entrypoint]: Entrypoint script for MariaDB Server 1:${v}+maria~ubu2404 started.`,
        stream: 'stdout',
        offsetMs: 0,
      },
      { text: `${entrypointStamp(ctx.inst.startedAt)} [Note] [Entrypoint]: Switching to dedicated user 'mysql'`, stream: 'stdout', offsetMs: 20 },
      { text: `${entrypointStamp(ctx.inst.startedAt)} [Note] [Entrypoint]: Initializing database files`, stream: 'stdout', offsetMs: 60 },
      { text: `${entrypointStamp(t)} [Note] [Entrypoint]: MariaDB init process done. Ready for start up.`, stream: 'stdout', offsetMs: 2500 },
      s(`Starting MariaDB ${v}-MariaDB-ubu2404 source revision 0000000000000000000000000000000000000000 server_uid 00000000000000000000000= as process 1`),
      s('InnoDB: Completed initialization of buffer pool'),
      s("Server socket created on IP: '0.0.0.0', port: '3306'."),
      s("Server socket created on IP: '::', port: '3306'."),
      s(`mariadbd: ready for connections.\nVersion: '${v}-MariaDB-ubu2404'  socket: '/run/mysqld/mysqld.sock'  port: 3306  mariadb.org binary distribution`),
    ].flatMap((l) => l.text.split('\n').map((text) => ({ ...l, text, stream: l.stream as StartupLine['stream'] })))
  },
  binaries: {
    mariadbd: (args, ctx) =>
      args[0] === '--version'
        ? { stdout: `mariadbd  Ver ${ctx.version}-MariaDB-ubu2404 for debian-linux-gnu on x86_64 (mariadb.org binary distribution)\n`, code: 0 }
        : { code: 1 },
    mariadb: (args, ctx) =>
      args[0] === '--version'
        ? { stdout: `mariadb from ${ctx.version}-MariaDB, client 15.2 for debian-linux-gnu (x86_64) using  EditLine wrapper\n`, code: 0 }
        : { stderr: "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)\n", code: 1 },
  },
  ports: () => [3306],
}
