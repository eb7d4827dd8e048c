/** @module mongo: the official mongo image — mongod's structured JSON log lines, port 27017, mongosh --version. */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { CatalogueImage } from './catalogue-image.js'
import { mongoStamp } from './log-stamps.js'
import { patches, type ReleaseLine, resolveVersion, tagTable } from './tag-table.js'

const lines: ReleaseLine[] = [
  { releases: patches('8.0', 0, 13), size: 290_000_000, variants: { noble: 0 } },
  { releases: patches('7.0', 0, 24), size: 260_000_000, variants: { jammy: 0 } },
  { releases: patches('6.0', 0, 26), size: 250_000_000, variants: { jammy: 0, focal: -5_000_000 } },
]
const aliases = { latest: '8.0.13' }
/** mongo 8 images build on Ubuntu noble, 6 and 7 on jammy. */
const noble = (v: string) => v.startsWith('8')

/** One mongod log line, field order and padding as mongod writes them. */
function entry(ms: number, s: string, c: string, id: number, ctx: string, msg: string, attr?: unknown): string {
  const pad = (v: string, w: number) => `"${v}",`.padEnd(w)
  return `{"t":{"$date":"${mongoStamp(ms)}"},"s":${pad(s, 6)}"c":${pad(c, 12)}"id":${`${id},`.padEnd(9)}"ctx":"${ctx}","msg":"${msg}"${attr === undefined ? '' : `,"attr":${JSON.stringify(attr)}`}}`
}

function logs(ctx: BehaviourContext): StartupLine[] {
  const t = ctx.inst.startedAt
  const host = ctx.inst.hostname
  const init = !!ctx.inst.env.MONGO_INITDB_ROOT_USERNAME
  const out = [
    entry(t + 2, 'I', 'CONTROL', 23285, 'main', "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'"),
    entry(t + 3, 'I', 'CONTROL', 5945603, 'main', 'Multi threading initialized'),
    entry(
      t + 3,
      'I',
      'NETWORK',
      4648601,
      'main',
      'Implicit TCP FastOpen unavailable. If TCP FastOpen is required, set at least one of the related parameters',
      {
        relatedParameters: ['tcpFastOpenServer', 'tcpFastOpenClient', 'tcpFastOpenQueueSize'],
      },
    ),
    entry(t + 4, 'I', 'NETWORK', 4915701, 'main', 'Initialized wire specification', {
      spec: {
        incomingExternalClient: { minWireVersion: 0, maxWireVersion: 25 },
        incomingInternalClient: { minWireVersion: 0, maxWireVersion: 25 },
        outgoing: { minWireVersion: 6, maxWireVersion: 25 },
        isInternalClient: true,
      },
    }),
    entry(t + 5, 'I', 'CONTROL', 4615611, 'initandlisten', 'MongoDB starting', { pid: 1, port: 27017, dbPath: '/data/db', architecture: '64-bit', host }),
    entry(t + 5, 'I', 'CONTROL', 23403, 'initandlisten', 'Build Info', {
      buildInfo: {
        version: ctx.version,
        gitVersion: '0000000000000000000000000000000000000000',
        openSSLVersion: 'OpenSSL 3.0.13 30 Jan 2024',
        modules: [],
        allocator: 'tcmalloc-google',
        environment: { distmod: noble(ctx.version) ? 'ubuntu2404' : 'ubuntu2204', distarch: 'x86_64', target_arch: 'x86_64' },
      },
    }),
    entry(t + 5, 'I', 'CONTROL', 51765, 'initandlisten', 'Operating System', { os: { name: 'Ubuntu', version: noble(ctx.version) ? '24.04' : '22.04' } }),
    entry(t + 5, 'I', 'CONTROL', 21951, 'initandlisten', 'Options set by command line', {
      options: { net: { bindIp: '*' }, ...(init ? { security: { authorization: 'enabled' } } : {}) },
    }),
    entry(
      t + 6,
      'I',
      'STORAGE',
      22297,
      'initandlisten',
      'Using the XFS filesystem is strongly recommended with the WiredTiger storage engine. See http://dochub.mongodb.org/core/prodnotes-filesystem',
      undefined,
    ),
    entry(t + 900, 'I', 'NETWORK', 23015, 'listener', 'Listening on', { address: '/tmp/mongodb-27017.sock' }),
    entry(t + 900, 'I', 'NETWORK', 23015, 'listener', 'Listening on', { address: '0.0.0.0' }),
    entry(t + 900, 'I', 'NETWORK', 23016, 'listener', 'Waiting for connections', { port: 27017, ssl: 'off' }),
  ]
  return out.map((text, i) => ({ text, stream: 'stdout' as const, offsetMs: i < 9 ? 6 : 900 }))
}

/** docker.io/library/mongo (Ubuntu). */
export const mongo: CatalogueImage = {
  repository: 'docker.io/library/mongo',
  tags: tagTable(lines, aliases),
  version: (tag) =>
    resolveVersion(
      tag,
      lines.flatMap((l) => l.releases),
      aliases,
      /-(noble|jammy|focal)$/,
    ),
  os: () => 'ubuntu',
  builtAt: Date.UTC(2025, 7, 12),
  daemon: 'mongod',
  env: (v) => ({
    GOSU_VERSION: '1.17',
    JSYAML_VERSION: '3.13.1',
    JSYAML_CHECKSUM: '662e32319bdd378e91f67578e56a34954b0a2e33aca11d70ab9f4826af24b941',
    MONGO_PACKAGE: 'mongodb-org',
    MONGO_REPO: 'repo.mongodb.org',
    MONGO_MAJOR: v.split('.').slice(0, 2).join('.'),
    MONGO_VERSION: v,
    HOME: '/data/db',
  }),
  processes: () => [{ user: 'mongodb', command: 'mongod --bind_ip_all', vszKb: 2_653_008, rssKb: 163_840 }],
  files: () => ({
    '/data/db': { dir: true, owner: 'mongodb' },
    '/data/configdb': { dir: true, owner: 'mongodb' },
    '/usr/local/bin/docker-entrypoint.sh': { content: '#!/bin/bash\nset -Eeuo pipefail\n', mode: 0o755 },
  }),
  logs,
  binaries: {
    mongod: (args, ctx) =>
      args[0] === '--version' ? { stdout: `db version v${ctx.version}\nBuild Info: {\n    "version": "${ctx.version}"\n}\n`, code: 0 } : { code: 48 },
    mongosh: (args) => (args[0] === '--version' ? { stdout: '2.5.6\n', code: 0 } : { stdout: '{ ok: 1 }\n', code: 0 }),
  },
  ports: () => [27017],
}
