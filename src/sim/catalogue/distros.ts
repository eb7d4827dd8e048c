/** @module distros: ubuntu and debian — shell images whose CMD is `bash` (no terminal: it exits 0 at once). */
import type { CatalogueImage } from './catalogue-image.js'
import { debianRelease, ubuntuRelease } from './base-os.js'

const ubuntuTags: Record<string, string> = {
  '20.04': '20.04',
  focal: '20.04',
  '22.04': '22.04',
  jammy: '22.04',
  '24.04': '24.04',
  noble: '24.04',
  'noble-20250805': '24.04',
  latest: '24.04',
  '25.04': '25.04',
  plucky: '25.04',
  rolling: '25.04',
  '25.10': '25.10',
  devel: '25.10',
}

const bash = { user: 'root', command: 'bash', vszKb: 4_588, rssKb: 3_328 }

/** docker.io/library/ubuntu. */
export const ubuntu: CatalogueImage = {
  repository: 'docker.io/library/ubuntu',
  tags: Object.fromEntries(Object.entries(ubuntuTags).map(([t, r]) => [t, r === '20.04' ? 27_510_000 : r === '22.04' ? 29_540_000 : 29_720_000])),
  version: (tag) => ubuntuTags[tag] ?? tag,
  os: () => 'ubuntu',
  builtAt: Date.UTC(2025, 7, 5),
  shell: true,
  // CMD ["/bin/bash"]: without stdin it reads EOF and exits 0 at once (with stdin: true it waits for an attach).
  cmd: ['/bin/bash'],
  env: () => ({}),
  processes: () => [bash],
  files: (ctx) => ({ '/etc/os-release': { content: ubuntuRelease(ctx.version === '25.10' ? '25.04' : ctx.version) } }),
}

const debianTags: Record<string, string> = {
  '11': '11',
  bullseye: '11',
  '11.11': '11',
  oldoldstable: '11',
  '12': '12',
  bookworm: '12',
  '12.11': '12',
  oldstable: '12',
  '13': '13',
  trixie: '13',
  '13.0': '13',
  stable: '13',
  latest: '13',
}

/** docker.io/library/debian (`-slim` variants of every tag). */
export const debian: CatalogueImage = {
  repository: 'docker.io/library/debian',
  tags: Object.fromEntries(Object.keys(debianTags).flatMap((t) => [[t, 48_490_000] as const, [`${t}-slim`, 28_230_000] as const])),
  version: (tag) => debianTags[tag.replace(/-slim$/, '')] ?? tag,
  os: () => 'debian',
  builtAt: Date.UTC(2025, 7, 11),
  shell: true,
  // CMD ["/bin/bash"]: without stdin it reads EOF and exits 0 at once (with stdin: true it waits for an attach).
  cmd: ['/bin/bash'],
  env: () => ({}),
  processes: () => [bash],
  files: (ctx) => ({
    '/etc/os-release': { content: debianRelease(ctx.version) },
    '/etc/debian_version': { content: ctx.version === '13' ? '13.0\n' : ctx.version === '12' ? '12.11\n' : '11.11\n' },
  }),
}
