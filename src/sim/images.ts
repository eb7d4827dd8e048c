/** @module images: the simulated registry — which repositories and tags exist, their sizes and digests, and how their processes run. */
import { createHash } from 'node:crypto'
import type { CatalogueImage } from './catalogue/catalogue-image.js'
import { catalogueImage, catalogueRepositories } from './catalogue/catalogue-images.js'

/**
 * How a container's main process behaves once started. `exitAfterMs` absent = runs until stopped.
 * `ignoresSigterm`: PID 1 without a SIGTERM handler (a shell, `sleep`): the kernel drops the
 * signal, so the kubelet waits the whole grace period and SIGKILLs (exit 137).
 */
export interface ProcessPlan {
  exitAfterMs?: number
  exitCode: number
  ignoresSigterm?: boolean
  /** The program runs in the simulated shell as PID 1, which reports when it ends (no timer here). */
  runs?: boolean
  /** The program does not exist in the image: containerd's error; the container never runs (StartError, 128). */
  startError?: string
}

/** Room for later issues (entrypoint, ports, files, HTTP answers); the kubelet ignores what it does not know. */
export interface ImageBehaviour {
  /** What the image does with no `command` in the pod (its ENTRYPOINT/CMD). Default: runs forever. */
  defaultRun?: ProcessPlan
  /** `true` for shell images (busybox, alpine): their default CMD is a shell the simulation runs. */
  shell?: boolean
  /** The catalogue entry behind this behaviour: its entrypoint checks decide whether the process exits at once. */
  catalogue?: CatalogueImage
  [extension: string]: unknown
}

/** One repository of the catalogue. */
export interface ImageRepository {
  /** Fully qualified, as containerd names it: `docker.io/library/nginx`, `registry.k8s.io/pause`. */
  repository: string
  /** Tag → compressed size in bytes (what the Pulled event reports). */
  tags: Record<string, number>
  behaviour?: ImageBehaviour
}

/** A reference split the way containerd's docker reference normalizer does. */
export interface ImageRef {
  /** `docker.io/library/nginx` */
  repository: string
  /** `1.15.12`; `latest` when none was given. */
  tag: string
  /** `sha256:…` when the reference pins a digest. */
  digest?: string
  /** `docker.io/library/nginx:1.15.12` (or `…@sha256:…`). */
  full: string
}

/** What a successful pull gives: the runtime's image name, its repo digest, size. */
export interface PulledImage {
  /** `docker.io/library/nginx:1.15.12`: containerStatuses[].image. */
  image: string
  /** `docker.io/library/nginx@sha256:…`: containerStatuses[].imageID. */
  imageID: string
  sizeBytes: number
  behaviour?: ImageBehaviour
}

/** A pull either succeeds or fails with the CRI error text the kubelet quotes. */
export type PullResult = ({ ok: true } & PulledImage) | { ok: false; error: string }

/**
 * Splits an image reference like containerd/distribution's ParseDockerRef: a first component with
 * a dot, a colon or `localhost` is a registry, else docker.io; single names live under `library/`.
 */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim()
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  const slash = rest.indexOf('/')
  const first = slash < 0 ? '' : rest.slice(0, slash)
  let repository: string
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) repository = rest
  else if (slash < 0) repository = `docker.io/library/${rest}`
  else repository = `docker.io/${rest}`
  if (!tag && !digest) tag = 'latest'
  const full = digest ? `${repository}${tag ? `:${tag}` : ''}@${digest}` : `${repository}:${tag}`
  return { repository, tag: tag ?? '', digest, full }
}

/** A stable fake `sha256:<64 hex>` for a repository and tag (the same on every node and every run). */
export function imageDigest(repository: string, tag: string): string {
  return `sha256:${createHash('sha256').update(`kubemock-image:${repository}:${tag}`).digest('hex')}`
}

/** Sizes for images outside the catalogue. */
const unknownImageSize = 52_428_800

function tags(versions: string[], size: (v: string) => number, suffixes: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of versions) {
    out[v] = size(v)
    for (const [s, delta] of Object.entries(suffixes)) out[`${v}-${s}`] = Math.max(1_000_000, size(v) + delta)
  }
  return out
}

function range(prefix: string, from: number, to: number): string[] {
  const out: string[] = []
  for (let i = from; i <= to; i++) out.push(`${prefix}.${i}`)
  return out
}

// nginx releases with their release times (hex Unix seconds, from the release-X commits of
// nginx/nginx). This one table says which nginx tags exist, what each moving tag runs, what
// `nginx -v`, the Server header, the error pages and the startup log print, and the mtime of the
// image's index.html (Last-Modified, ETag). Three times are replaced by the values commonly seen
// from the official images of the tutorial's versions.
const nginxReleaseTimes: Record<string, number> = Object.fromEntries(
  (
    '1.10.0:571f6da6 1.10.1:574d95d5 1.10.2:580639b0 1.10.3:5890a6b6 1.11.0:57447941 1.11.1:574d9515 1.11.2:577bd89e ' +
    '1.11.3:57976ca2 1.11.4:57d81dab 1.11.5:57fcff24 1.11.6:582b25b2 1.11.7:585011f3 1.11.8:5862794b 1.11.9:58875e6a ' +
    '1.11.10:58a323e4 1.11.11:58d140f6 1.11.12:58d535a1 1.11.13:58e3b565 1.12.0:58ee3da8 1.12.1:5964d174 1.12.2:59e602b5 ' +
    '1.13.0:58ff5aad 1.13.1:592d87da 1.13.2:59526f41 1.13.3:5964d026 1.13.4:5989d1fb 1.13.5:59aebbd3 1.13.6:59dce5ca ' +
    '1.13.7:5a1441b7 1.13.8:5a427247 1.13.9:5a8c2bf0 1.13.10:5ab12fa6 1.13.11:5ac391d1 1.13.12:5accc5fd 1.14.0:5ad6113b ' +
    '1.14.1:5be19cae 1.14.2:5c0692e1 1.15.0:5b16946d 1.15.1:5b3b913f 1.15.2:5b572563 1.15.3:5b856be0 1.15.4:5baa502b ' +
    '1.15.5:5bb38b2f 1.15.6:5be197d8 1.15.7:5bfd5754 1.15.8:5c22444f 1.15.9:5c755b52 1.15.10:5c9a31fe 1.15.11:5cac976e ' +
    '1.15.12:5cb5d3c3 1.16.0:5cbf0f59 1.16.1:5d5279b8 1.17.0:5ce409fd 1.17.1:5d121161 1.17.2:5d36f72b 1.17.3:5d52b104 ' +
    '1.17.4:5d8a3180 1.17.5:5daf1d38 1.17.6:5dd3f9d2 1.17.7:5e0227f9 1.17.8:5e26ff1d 1.17.9:5e5e71f5 1.17.10:5e95c66e ' +
    '1.18.0:5e9efe7d 1.19.0:5ecd2f04 1.19.1:5f049b15 1.19.2:5f32b0ae 1.19.3:5f73456a 1.19.4:5f983820 1.19.5:5fbd217a ' +
    '1.19.6:5fd8cb23 1.19.7:602beb5e 1.19.8:604793f6 1.19.9:606339ef 1.19.10:6075b536 1.20.0:607ed8b2 1.20.1:60acef1a ' +
    '1.20.2:6193c3b2 1.21.0:60aced87 1.21.1:60e46fc4 1.21.2:612e472a 1.21.3:6137835e 1.21.4:61814ff2 1.21.5:61cb2d25 ' +
    '1.21.6:61f01157 1.22.0:628c1fd6 1.22.1:634faf0c 1.23.0:62b1d4e0 1.23.1:62d6ba27 1.23.2:634fada4 1.23.3:6398a011 ' +
    '1.23.4:64230161 1.24.0:6434bbbe 1.25.0:646cd6e3 1.25.1:64888659 1.25.2:64dbafc8 1.25.3:6537cac6 1.25.4:65ccaa42 ' +
    '1.25.5:661e8ae6 1.26.0:6627ba38 1.26.1:6655db9e 1.26.2:66ba1b69 1.26.3:67a3948f 1.27.0:6655d9ea 1.27.1:66ba1a44 ' +
    '1.27.2:66fd630f 1.27.3:6745ef54 1.27.4:67a38e36 1.27.5:67ff9c07 1.28.0:6808d3a6 1.29.0:685adee1 1.29.1:689ca245'
  )
    .split(' ')
    .map((p) => p.split(':'))
    .map(([v, hex]) => [v, parseInt(hex, 16)]),
)

/** Every nginx release in the catalogue, oldest first. */
export const nginxReleases: readonly string[] = Object.keys(nginxReleaseTimes)

/** Last patch release of each minor (`1.15` → 12): what the minor tag points at. */
const nginxLastPatch: Record<string, number> = {}
for (const v of nginxReleases) {
  const [maj, min, patch] = v.split('.')
  nginxLastPatch[`${maj}.${min}`] = Math.max(nginxLastPatch[`${maj}.${min}`] ?? 0, Number(patch))
}

/** What the moving tags pointed at when the catalogue was taken (mainline 1.29, stable 1.28). */
const nginxAliases: Record<string, string> = { latest: '1.29.1', mainline: '1.29.1', stable: '1.28.0', perl: '1.29.1', alpine: '1.29.1' }

/** Variant suffixes of the official images (`1.27-alpine`, `stable-perl`): same software inside. */
const variantSuffix = /-(alpine|perl|slim|alpine-slim|alpine-perl|bookworm|bullseye|buster)$/

/** The nginx version an image tag runs: `1.15.12`, `1.15` → `1.15.12`, `latest` → newest; suffixes (`-alpine`) dropped. */
export function nginxVersion(tag: string): string {
  const base = tag.replace(variantSuffix, '')
  if (nginxAliases[base]) return nginxAliases[base]
  if (/^\d+\.\d+\.\d+$/.test(base)) return base
  if (/^\d+\.\d+$/.test(base) && nginxLastPatch[base] !== undefined) return `${base}.${nginxLastPatch[base]}`
  if (tag.startsWith('stable')) return nginxAliases.stable
  return nginxAliases.latest
}

/** Release time of an nginx version in ms (1.15.12's for a version the table lacks). */
export function nginxReleaseTime(version: string): number {
  return (nginxReleaseTimes[version] ?? nginxReleaseTimes['1.15.12']) * 1000
}

/**
 * The software version an image reference runs (`nginx:1.13` → `1.13.12`, `httpd:alpine` →
 * `2.4.63`); the tag itself for images the catalogue knows nothing about. sysnet4admin's echo
 * images are built `FROM nginx:stable` of 2020, i.e. nginx 1.18.0.
 */
export function versionFor(image: string): string {
  const ref = parseImageRef(image || 'unknown')
  const tag = ref.tag || 'latest'
  const base = tag.replace(variantSuffix, '')
  const exact = /^\d+\.\d+\.\d+$/.test(base)
  if (ref.repository === 'docker.io/library/nginx') return nginxVersion(tag)
  if (ref.repository === 'docker.io/sysnet4admin/echo-hname' || ref.repository === 'docker.io/sysnet4admin/echo-ip') return '1.18.0'
  if (ref.repository === 'docker.io/library/httpd') return exact ? base : '2.4.63'
  const known = catalogueImage(ref.repository)
  if (known) return known.version(tag)
  return tag
}

function nginxTags(): Record<string, number> {
  const versions = [...nginxReleases, ...Object.keys(nginxLastPatch)]
  // Older images were smaller: roughly 44 MB for 1.14 growing to 72 MB for 1.27.
  const size = (v: string) => 40_000_000 + Number(v.split('.')[1]) * 1_200_000 + Number(v.split('.')[2] ?? 0) * 12_345
  const out = tags(versions, size, { alpine: -30_000_000, perl: 25_000_000 })
  for (const alias of ['latest', 'mainline', 'stable', 'alpine', 'perl', 'stable-alpine', 'mainline-alpine'])
    out[alias] = alias.includes('alpine') ? 20_500_000 : 72_099_410
  out['1.14.2'] = 44_710_204
  out['1.15.12'] = 44_710_204 + 1_048_576
  out['1.16.0'] = 51_030_575
  out['1.16.1'] = 51_035_129
  return out
}

const kubeVersions = range('v1.32', 0, 4)

/** The default catalogue: images the tutorial, kind and common manifests use. */
export const defaultImageRepositories: ImageRepository[] = [
  { repository: 'docker.io/library/nginx', tags: nginxTags() },
  {
    repository: 'docker.io/library/busybox',
    tags: tags(
      [
        '1.28',
        '1.28.4',
        '1.31',
        '1.31.1',
        '1.32',
        '1.33',
        '1.34',
        '1.34.1',
        '1.35',
        '1.35.0',
        '1.36',
        '1.36.0',
        '1.36.1',
        '1.37',
        '1.37.0',
        'latest',
        'stable',
        'musl',
        'glibc',
        'uclibc',
      ],
      () => 2_156_000,
    ),
    // CMD ["sh"] runs in the simulated shell (containers/behaviours.ts): without stdin it exits 0 at once.
    behaviour: { shell: true },
  },
  {
    repository: 'docker.io/library/alpine',
    tags: tags(['3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.19.1', '3.20.3', '3.21.0', '3.21.2', '3.21.3', 'latest', 'edge'], () => 3_642_000),
    behaviour: { shell: true },
  },
  {
    repository: 'docker.io/library/httpd',
    tags: tags(['2.4', '2.4.58', '2.4.59', '2.4.62', '2.4.63', 'latest', 'alpine'], () => 58_000_000, { alpine: -37_000_000 }),
  },
  { repository: 'docker.io/sysnet4admin/echo-hname', tags: { latest: 52_311_845 } },
  { repository: 'docker.io/sysnet4admin/echo-ip', tags: { latest: 52_311_845 } },
  { repository: 'registry.k8s.io/kube-proxy', tags: tags(kubeVersions, () => 30_943_520) },
  { repository: 'registry.k8s.io/kube-apiserver', tags: tags(kubeVersions, () => 28_671_000) },
  { repository: 'registry.k8s.io/kube-controller-manager', tags: tags(kubeVersions, () => 26_259_000) },
  { repository: 'registry.k8s.io/kube-scheduler', tags: tags(kubeVersions, () => 20_657_000) },
  { repository: 'registry.k8s.io/coredns/coredns', tags: tags(['v1.10.1', 'v1.11.1', 'v1.11.3', 'v1.12.0'], () => 18_562_039) },
  { repository: 'registry.k8s.io/etcd', tags: tags(['3.5.15-0', '3.5.16-0'], () => 57_680_541) },
  { repository: 'registry.k8s.io/pause', tags: tags(['3.1', '3.2', '3.5', '3.6', '3.7', '3.8', '3.9', '3.10'], () => 320_368) },
  { repository: 'docker.io/kindest/kindnetd', tags: { 'v20241212-9f82dd49': 39_008_320 } },
  { repository: 'registry.k8s.io/metrics-server/metrics-server', tags: tags(['v0.6.4', 'v0.7.0', 'v0.7.1', 'v0.7.2', 'v0.8.0'], () => 19_494_617) },
  // The Kubernetes docs' memory and CPU exercises (stress --vm 1 --vm-bytes 250M).
  { repository: 'docker.io/polinux/stress', tags: { latest: 4_041_495, '1.0.4': 4_041_495 } },
  { repository: 'docker.io/vish/stress', tags: { latest: 1_555_356 } },
  // The catalogue of common images (src/sim/catalogue): each entry holds its own tags and behaviour.
  ...catalogueRepositories.map((c) => ({
    repository: c.repository,
    tags: c.tags,
    behaviour: { shell: c.shell, defaultRun: c.exits && { exitAfterMs: c.exits.afterMs, exitCode: c.exits.exitCode }, catalogue: c },
  })),
]

/** Images every node has before any pod asks (what kind preloads). */
export const preloadedImages = [
  'registry.k8s.io/pause:3.10',
  'registry.k8s.io/coredns/coredns:v1.11.3',
  'registry.k8s.io/etcd:3.5.16-0',
  'registry.k8s.io/kube-apiserver:v1.32.4',
  'registry.k8s.io/kube-controller-manager:v1.32.4',
  'registry.k8s.io/kube-scheduler:v1.32.4',
  'registry.k8s.io/kube-proxy:v1.32.4',
  'docker.io/kindest/kindnetd:v20241212-9f82dd49',
]

/** The registry the kubelets pull from. Entries may be added or replaced at any time (scenarios do). */
/** The default catalogue, normalized once per process and frozen: every cluster starts from it. */
let defaultRepos: ReadonlyMap<string, ImageRepository> | undefined

/** `repositories` by normalized name, each copied (tags too) so that no caller's object is kept. */
function normalizedRepos(repositories: ImageRepository[], into = new Map<string, ImageRepository>()): Map<string, ImageRepository> {
  for (const r of repositories) {
    const repository = parseImageRef(`${r.repository}:x`).repository
    into.set(repository, { ...r, repository, tags: { ...r.tags } })
  }
  return into
}

/** Freezes each entry and its tags (behaviours were always shared: module-level plans). */
function frozenEntries(repos: Map<string, ImageRepository>): ReadonlyMap<string, ImageRepository> {
  for (const r of repos.values()) Object.freeze(Object.freeze(r.tags) && r)
  return repos
}

export class ImageCatalogue {
  /**
   * The default catalogue's shared, frozen map until the first change, then a copy of its own
   * (entries are replaced whole, never changed in place): 300 clusters hold one catalogue.
   */
  private repos: ReadonlyMap<string, ImageRepository>
  private owned = false

  constructor(repositories: ImageRepository[] = defaultImageRepositories) {
    if (repositories === defaultImageRepositories) this.repos = defaultRepos ??= frozenEntries(normalizedRepos(defaultImageRepositories))
    else {
      this.repos = normalizedRepos(repositories)
      this.owned = true
    }
  }

  /** The map to change: this catalogue's own (copied from the shared one on the first change). */
  private writable(): Map<string, ImageRepository> {
    if (!this.owned) {
      this.repos = new Map(this.repos)
      this.owned = true
    }
    return this.repos as Map<string, ImageRepository>
  }

  /**
   * Adds repositories or replaces them whole. `repository` may be short (`myorg/app`): it is
   * normalized like an image reference.
   */
  set(...repositories: ImageRepository[]): void {
    normalizedRepos(repositories, this.writable())
  }

  /** Adds tags (with sizes) to a repository, creating it when absent; existing tags are overwritten. */
  addTags(repository: string, tagSizes: Record<string, number>, behaviour?: ImageBehaviour): void {
    const name = parseImageRef(`${repository}:x`).repository
    const cur = this.repos.get(name)
    this.writable().set(name, { repository: name, tags: { ...(cur?.tags ?? {}), ...tagSizes }, behaviour: behaviour ?? cur?.behaviour })
  }

  /** The catalogue entry of a repository, or undefined when it is not known (such images always pull). */
  repository(ref: string): ImageRepository | undefined {
    return this.repos.get(parseImageRef(ref).repository)
  }

  /**
   * Pulls an image as containerd would: a known repository without the tag (or digest) fails with
   * containerd's NotFound text; an unknown repository succeeds.
   */
  pull(ref: string): PullResult {
    const r = parseImageRef(ref)
    const repo = this.repos.get(r.repository)
    if (repo) {
      const size = r.tag ? repo.tags[r.tag] : undefined
      const digestKnown = r.digest && Object.keys(repo.tags).some((t) => imageDigest(r.repository, t) === r.digest)
      if (size === undefined && !digestKnown) {
        return {
          ok: false,
          error: `rpc error: code = NotFound desc = failed to pull and unpack image "${r.full}": failed to resolve reference "${r.full}": ${r.full}: not found`,
        }
      }
    }
    return { ok: true, ...this.describe(ref) }
  }

  /** The image as it would be once pulled (whether or not the registry has it). */
  describe(ref: string): PulledImage {
    const r = parseImageRef(ref)
    const repo = this.repos.get(r.repository)
    const sizeBytes = (r.tag && repo?.tags[r.tag]) || unknownImageSize
    return { image: r.full, imageID: `${r.repository}@${r.digest ?? imageDigest(r.repository, r.tag)}`, sizeBytes, behaviour: repo?.behaviour }
  }
}
