/** @module languages: python, node, golang, eclipse-temurin and openjdk — CMD is a REPL or `bash`, which exits 0 at once without a terminal. */
import type { BehaviourContext } from '../containers/behaviours.js'
import type { CatalogueImage } from './catalogue-image.js'
import { resolveVersion, tagTable } from './tag-table.js'

const slimDebian = { slim: -350_000_000, bookworm: 0, 'slim-bookworm': -350_000_000, alpine: -375_000_000, 'alpine3.22': -375_000_000 }
const os = (tag: string) => (tag.includes('alpine') ? 'alpine' : 'debian') as 'alpine' | 'debian'
const cmdExits = { exitCode: 0, afterMs: 0 }
const proc = (command: string) => () => [{ user: 'root', command, vszKb: 12_000, rssKb: 9_000 }]

const py = { releases: ['3.13.7', '3.13.6', '3.13.5', '3.12.11', '3.12.10', '3.11.13', '3.10.18', '3.9.23'], size: 392_000_000, variants: slimDebian }
const pyAliases = { latest: '3.13.7', '3': '3.13.7' }
const variant = /-(slim-bookworm|slim|bookworm|alpine3\.\d+|alpine)$/
const minor = (v: string) => v.split('.').slice(0, 2).join('.')

/** docker.io/library/python. */
export const python: CatalogueImage = {
  repository: 'docker.io/library/python',
  tags: tagTable([py], pyAliases),
  version: (tag) => resolveVersion(tag, py.releases, pyAliases, variant),
  os,
  builtAt: Date.UTC(2025, 7, 15),
  exits: cmdExits,
  env: (v) => ({ LANG: 'C.UTF-8', GPG_KEY: '7169605F62C751356D054A26A821E680E5FA6305', PYTHON_VERSION: v, PYTHON_SHA256: '0'.repeat(64) }),
  processes: proc('python3'),
  binaries: {
    python3: (args, ctx) => (args[0] === '--version' || args[0] === '-V' ? { stdout: `Python ${ctx.version}\n`, code: 0 } : { code: 0 }),
    python: (args, ctx) => (args[0] === '--version' || args[0] === '-V' ? { stdout: `Python ${ctx.version}\n`, code: 0 } : { code: 0 }),
    pip: (args, ctx) =>
      args[0] === '--version'
        ? { stdout: `pip 25.2 from /usr/local/lib/python${minor(ctx.version)}/site-packages/pip (python ${minor(ctx.version)})\n`, code: 0 }
        : { code: 0 },
  },
}

const nodeLine = { releases: ['24.6.0', '24.5.0', '22.18.0', '22.17.1', '20.19.4', '18.20.8'], size: 405_000_000, variants: slimDebian }
const nodeAliases = { latest: '24.6.0', current: '24.6.0', lts: '22.18.0', jod: '22.18.0', iron: '20.19.4', hydrogen: '18.20.8' }
const npm = (v: string) => (v.startsWith('24') ? '11.5.1' : v.startsWith('22') ? '10.9.3' : v.startsWith('20') ? '10.8.2' : '10.8.2')

/** docker.io/library/node. */
export const node: CatalogueImage = {
  repository: 'docker.io/library/node',
  tags: tagTable([nodeLine], nodeAliases),
  version: (tag) => resolveVersion(tag, nodeLine.releases, nodeAliases, variant),
  os,
  builtAt: Date.UTC(2025, 7, 15),
  exits: cmdExits,
  env: (v) => ({ NODE_VERSION: v, YARN_VERSION: '1.22.22' }),
  processes: proc('node'),
  binaries: {
    node: (args, ctx) => (args[0] === '--version' || args[0] === '-v' ? { stdout: `v${ctx.version}\n`, code: 0 } : { code: 0 }),
    npm: (args, ctx) => (args[0] === '--version' || args[0] === '-v' ? { stdout: `${npm(ctx.version)}\n`, code: 0 } : { code: 0 }),
    yarn: () => ({ stdout: '1.22.22\n', code: 0 }),
  },
}

const go = {
  releases: ['1.25.0', '1.24.6', '1.24.5', '1.23.12'],
  size: 295_000_000,
  variants: { bookworm: 0, alpine: -225_000_000, 'alpine3.22': -225_000_000 },
}
const goAliases = { latest: '1.25.0', '1': '1.25.0' }

/** docker.io/library/golang (CMD is buildpack-deps' `bash`). */
export const golang: CatalogueImage = {
  repository: 'docker.io/library/golang',
  tags: tagTable([go], goAliases),
  version: (tag) => resolveVersion(tag, go.releases, goAliases, variant),
  os,
  builtAt: Date.UTC(2025, 7, 13),
  exits: cmdExits,
  env: (v) => ({ GOLANG_VERSION: v, GOTOOLCHAIN: 'local', GOPATH: '/go' }),
  path: () => '/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: proc('bash'),
  files: () => ({
    '/go': { dir: true, mode: 0o1777 },
    '/go/bin': { dir: true, mode: 0o777 },
    '/usr/local/go/VERSION': { content: 'go1.25.0\ntime 2025-08-08T20:26:49Z\n' },
  }),
  binaries: {
    go: (args, ctx) =>
      args[0] === 'version' ? { stdout: `go version go${ctx.version} linux/amd64\n`, code: 0 } : { code: 2, stderr: 'go: unknown command\n' },
  },
}

/** `java -version` of a Temurin build (`21.0.8_9` → `21.0.8+9`; `8u462-b08`). */
function javaVersion(ctx: BehaviourContext): string {
  const v = ctx.version
  if (v.startsWith('8u')) {
    const [u, b] = v.slice(2).split('-b')
    return `openjdk version "1.8.0_${u}"\nOpenJDK Runtime Environment (Temurin)(build 1.8.0_${u}-b${b})\nOpenJDK 64-Bit Server VM (Temurin)(build 25.${u}-b${b}, mixed mode)\n`
  }
  const [num, build] = v.split('_')
  const lts = /^(11|17|21|25)\./.test(num) ? '-LTS' : ''
  return `openjdk version "${num}" 2025-07-15${lts ? ' LTS' : ''}\nOpenJDK Runtime Environment Temurin-${num}+${build} (build ${num}+${build}${lts})\nOpenJDK 64-Bit Server VM Temurin-${num}+${build} (build ${num}+${build}${lts}, mixed mode, sharing)\n`
}

const temurinReleases = ['24.0.2_12', '21.0.8_9', '17.0.16_8', '11.0.28_6', '8u462-b08']
const temurinTags: Record<string, number> = {}
for (const r of temurinReleases) {
  const major = r.startsWith('8u') ? '8' : r.split('.')[0]
  for (const base of [major, r])
    for (const [suffix, size] of Object.entries({
      '': 200_000_000,
      '-jdk': 200_000_000,
      '-jre': 95_000_000,
      '-jdk-noble': 200_000_000,
      '-jre-noble': 95_000_000,
      '-jdk-jammy': 198_000_000,
      '-jdk-alpine': 160_000_000,
      '-jre-alpine': 60_000_000,
      '-alpine': 160_000_000,
    }))
      temurinTags[`${base}${suffix}`] = size
}
temurinTags.latest = 200_000_000

/** docker.io/library/eclipse-temurin (Ubuntu noble; JDK tags run `jshell`). */
export const eclipseTemurin: CatalogueImage = {
  repository: 'docker.io/library/eclipse-temurin',
  tags: temurinTags,
  version: (tag) => {
    if (tag.startsWith('8u')) return '8u462-b08'
    const base = tag.replace(/-(jdk|jre)?.*$/, '').replace(/^(\d+|latest)$/, (m) => (m === 'latest' ? '21' : m))
    return temurinReleases.find((r) => r === base || r.startsWith(`${base}.`) || (base === '8' && r.startsWith('8u'))) ?? tag
  },
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'ubuntu'),
  builtAt: Date.UTC(2025, 7, 1),
  exits: cmdExits,
  env: (v) => ({
    JAVA_HOME: '/opt/java/openjdk',
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en_US:en',
    LC_ALL: 'en_US.UTF-8',
    JAVA_VERSION: v.startsWith('8u') ? `jdk${v}` : `jdk-${v.replace('_', '+')}`,
  }),
  path: () => '/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: proc('jshell'),
  binaries: { java: (args, ctx) => (args[0] === '-version' || args[0] === '--version' ? { stderr: javaVersion(ctx), code: 0 } : { code: 1 }) },
}

const openjdkTags: Record<string, string> = {
  '8': '1.8.0_342',
  '8-jdk': '1.8.0_342',
  '8-jre': '1.8.0_342',
  '8-jdk-alpine': '1.8.0_212',
  '11': '11.0.16',
  '11-jdk': '11.0.16',
  '11-jre-slim': '11.0.16',
  '11-jdk-slim': '11.0.16',
  '17': '17.0.2',
  '17-jdk': '17.0.2',
  '17-jdk-slim': '17.0.2',
  '17-alpine': '17-ea',
}

/** docker.io/library/openjdk: deprecated upstream, so only the old tags remain and `latest` is gone. */
export const openjdk: CatalogueImage = {
  repository: 'docker.io/library/openjdk',
  tags: Object.fromEntries(Object.keys(openjdkTags).map((t) => [t, t.includes('slim') || t.includes('alpine') ? 105_000_000 : 245_000_000])),
  version: (tag) => openjdkTags[tag] ?? tag,
  os: (tag) => (tag.includes('alpine') ? 'alpine' : tag.includes('slim') || tag.startsWith('8') ? 'debian' : 'oracle'),
  builtAt: Date.UTC(2022, 7, 2),
  exits: cmdExits,
  env: (v) => ({ JAVA_HOME: '/usr/local/openjdk', LANG: 'C.UTF-8', JAVA_VERSION: v }),
  processes: proc('jshell'),
  binaries: {
    java: (args, ctx) =>
      args[0] === '-version'
        ? {
            stderr: `openjdk version "${ctx.version}" 2022-07-19\nOpenJDK Runtime Environment (build ${ctx.version}+8)\nOpenJDK 64-Bit Server VM (build ${ctx.version}+8, mixed mode, sharing)\n`,
            code: 0,
          }
        : { code: 1 },
  },
}
