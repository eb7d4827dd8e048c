/** @module behaviours: what each image's container does, as data — main process, files, environment, startup log lines, shell. */
import { nginxReleaseTime, parseImageRef, versionFor } from '../images.js'
import type { ContainerInstance } from './runtime.js'
import { nginxWelcomePage } from './http.js'
import { catalogueBehaviour } from '../catalogue/catalogue-behaviour.js'
import { catalogueImage } from '../catalogue/catalogue-images.js'

/** One process an image starts (PID 1 first, then its children). */
export interface ProcessSpec {
  user: string
  /** The command line as `ps` shows it. */
  command: string
  vszKb: number
  rssKb: number
  /** Fixed PID (nginx workers get 29+ after the entrypoint scripts ran); default: next free. */
  pid?: number
}

/** One file or directory an image (or the kubelet) puts into the container. */
export interface FileSpec {
  content?: string
  /** Permission bits, e.g. 0o644; directories default to 0o755. */
  mode?: number
  dir?: boolean
  /** Symlink target. */
  link?: string
  /** Milliseconds; default: the image build time. */
  mtime?: number
  /** Owner name (default root). */
  owner?: string
}

/** A line the main process writes at start; `offsetMs` after startedAt. */
export interface StartupLine {
  text: string
  stream: 'stdout' | 'stderr'
  offsetMs?: number
}

/** What the behaviour functions get: the instance plus its image tag and resolved version. */
export interface BehaviourContext {
  inst: ContainerInstance
  tag: string
  /** The software version behind the tag (`latest` → the newest release). */
  version: string
  /** The container's command + args from the pod spec, if it overrides the image's. */
  command?: string[]
  /** CPUs of the node (nginx starts one worker per CPU). */
  cpus: number
}

/** What an image-provided binary answers (e.g. `nginx -v`). */
export interface CommandOutput {
  stdout?: string
  stderr?: string
  code: number
}

/** One image repository's behaviour. */
export interface ContainerBehaviour {
  /** `bash` images print `root@pod:/#`, `busybox` ones `/ #`; `none` has no shell at all. */
  shell: 'bash' | 'busybox' | 'none'
  os: 'debian' | 'alpine' | 'busybox' | 'distroless'
  path: string
  home: string
  /** The image's ENV lines. */
  env: (version: string) => Record<string, string>
  /** PID 1 and its children (the pod's command, when given, replaces PID 1). */
  processes(ctx: BehaviourContext): ProcessSpec[]
  /** Files beyond the OS base (path → spec). */
  files(ctx: BehaviourContext): Record<string, FileSpec>
  startupLogs(ctx: BehaviourContext): StartupLine[]
  /** Build time of the image (mtime of its files). */
  builtAt: (version: string) => number
  /** Binaries the image ships beyond the shell builtins and its OS tools. */
  binaries?: Record<string, (args: string[], ctx: BehaviourContext) => CommandOutput>
  /** OS tools this image lacks (nginx's Debian has no procps: `ps` is not found). */
  missing?: string[]
  /** Whether a pod's `args` alone become PID 1 (a CMD-only image: ubuntu, python); default: busybox-shell images. */
  argsReplaceCmd?: boolean
  /** The image's CMD when it is a simulated program (busybox: `sh`): it runs as PID 1 when the pod gives no command. */
  cmd?: string[]
  /** Program names that start the image's own server (`nginx`, `redis-server`): as a pod command they keep the image's behaviour. */
  servers?: string[]
}

const _day = 86_400_000

function minorOf(version: string): number {
  return Number(version.split('.')[1] ?? 0)
}

/** Debian release, gcc and OpenSSL each nginx line was built with (nginx -V / the notice line). */
function nginxBuild(version: string): { debian: string; codename: string; gcc: string; osVersion: string } {
  const m = minorOf(version)
  if (m >= 25) return { debian: '12', codename: 'bookworm', gcc: 'gcc 12.2.0 (Debian 12.2.0-14)', osVersion: 'Debian GNU/Linux 12 (bookworm)' }
  if (m >= 21) return { debian: '11', codename: 'bullseye', gcc: 'gcc 10.2.1 20210110 (Debian 10.2.1-6)', osVersion: 'Debian GNU/Linux 11 (bullseye)' }
  if (m >= 17) return { debian: '10', codename: 'buster', gcc: 'gcc 8.3.0 (Debian 8.3.0-6)', osVersion: 'Debian GNU/Linux 10 (buster)' }
  return { debian: '9', codename: 'stretch', gcc: 'gcc 6.3.0 20170516 (Debian 6.3.0-18+deb9u1)', osVersion: 'Debian GNU/Linux 9 (stretch)' }
}

/** Debian's /etc/os-release for a release number. */
export function debianOsRelease(release: string): string {
  const names: Record<string, string> = { '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm' }
  const codename = names[release] ?? 'bookworm'
  return [
    `PRETTY_NAME="Debian GNU/Linux ${release} (${codename})"`,
    `NAME="Debian GNU/Linux"`,
    `VERSION_ID="${release}"`,
    `VERSION="${release} (${codename})"`,
    `VERSION_CODENAME=${codename}`,
    'ID=debian',
    'HOME_URL="https://www.debian.org/"',
    'SUPPORT_URL="https://www.debian.org/support"',
    'BUG_REPORT_URL="https://bugs.debian.org/"',
    '',
  ].join('\n')
}

/** Timestamp in nginx's error-log format: `2024/11/27 23:12:01`. */
function nginxTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}

/** Whether this nginx image has /docker-entrypoint.sh (added with 1.19.0). */
function hasEntrypoint(version: string): boolean {
  return minorOf(version) >= 19
}

function nginxWorkers(ctx: BehaviourContext): number[] {
  const first = hasEntrypoint(ctx.version) ? 29 : 6
  return Array.from({ length: Math.max(1, ctx.cpus) }, (_, i) => first + i)
}

function nginxConf(version: string): string {
  // The image's /etc/nginx/nginx.conf; `notice` level since the 1.19 entrypoint images.
  const level = hasEntrypoint(version) ? 'notice' : 'warn'
  return `
user  nginx;
worker_processes  ${hasEntrypoint(version) ? 'auto' : '1'};

error_log  /var/log/nginx/error.log ${level};
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`
}

const nginxDefaultConf = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`

/** nginx: master + workers, pid file, config, default page, entrypoint and notice log lines. */
const nginx: ContainerBehaviour = {
  shell: 'bash',
  os: 'debian',
  path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  home: '/root',
  env: (v) => ({
    NGINX_VERSION: v,
    ...(minorOf(v) >= 15 ? { NJS_VERSION: minorOf(v) >= 25 ? '0.8.9' : '0.3.1' } : {}),
    PKG_RELEASE: minorOf(v) >= 19 ? `1~${nginxBuild(v).codename}` : `1~${nginxBuild(v).codename}`,
  }),
  // Image files carry the release time of the version (the catalogue's table).
  builtAt: nginxReleaseTime,
  servers: ['nginx', 'nginx-debug'],
  missing: ['ps', 'wget', 'top', 'ip', 'ping', 'netstat', 'vi', 'vim', 'less'],
  processes: (ctx) => [
    {
      user: 'root',
      command: 'nginx: master process nginx -g daemon off;',
      vszKb: minorOf(ctx.version) >= 25 ? 11404 : 10628,
      rssKb: minorOf(ctx.version) >= 25 ? 7424 : 5252,
    },
    ...nginxWorkers(ctx).map((pid) => ({
      user: 'nginx',
      command: 'nginx: worker process',
      vszKb: minorOf(ctx.version) >= 25 ? 11868 : 11084,
      rssKb: 2944,
      pid,
    })),
  ],
  files: (ctx) => ({
    '/run/nginx.pid': { content: '1\n', mtime: ctx.inst.startedAt },
    '/var/run': { link: '/run' },
    '/etc/nginx/nginx.conf': { content: nginxConf(ctx.version) },
    '/usr/sbin/nginx': { content: '\x7fELF', mode: 0o755 },
    '/etc/nginx/conf.d/default.conf': { content: nginxDefaultConf, mtime: hasEntrypoint(ctx.version) ? ctx.inst.startedAt : undefined },
    '/etc/nginx/mime.types': {
      content: 'types {\n    text/html                                        html htm shtml;\n    text/css                                         css;\n}\n',
    },
    // The same page the HTTP behaviour serves for this version (one source: http.ts).
    '/usr/share/nginx/html/index.html': { content: nginxWelcomePage(ctx.version) },
    '/usr/share/nginx/html/50x.html': {
      content: '<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n',
    },
    '/var/log/nginx/access.log': { link: '/dev/stdout' },
    '/var/log/nginx/error.log': { link: '/dev/stderr' },
    '/var/cache/nginx': { dir: true },
    '/etc/os-release': { content: debianOsRelease(nginxBuild(ctx.version).debian) },
    ...(hasEntrypoint(ctx.version)
      ? { '/docker-entrypoint.sh': { content: '#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n', mode: 0o775 }, '/docker-entrypoint.d': { dir: true } }
      : {}),
  }),
  startupLogs: (ctx) => {
    const out: StartupLine[] = []
    const v = ctx.version
    if (hasEntrypoint(v)) {
      const e = (text: string) => out.push({ text, stream: 'stdout' })
      e('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration')
      e('/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/')
      e('/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh')
      e('10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf')
      e('10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf')
      if (minorOf(v) >= 25) e('/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh')
      e('/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh')
      if (minorOf(v) >= 20) e('/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh')
      e('/docker-entrypoint.sh: Configuration complete; ready for start up')
      // error_log notice goes to stderr (the image links error.log to /dev/stderr).
      const t = nginxTime(ctx.inst.startedAt)
      const n = (text: string) => out.push({ text: `${t} [notice] 1#1: ${text}`, stream: 'stderr' })
      n('using the "epoll" event method')
      n(`nginx/${v}`)
      n(`built by ${nginxBuild(v).gcc} `)
      n('OS: Linux 6.8.0-1021-azure')
      n('getrlimit(RLIMIT_NOFILE): 1048576:1048576')
      n('start worker processes')
      for (const pid of nginxWorkers(ctx)) n(`start worker process ${pid}`)
    }
    return out
  },
  binaries: {
    nginx: (args, ctx) => {
      if (args[0] === '-v') return { stderr: `nginx version: nginx/${ctx.version}\n`, code: 0 }
      if (args[0] === '-V')
        return {
          stderr: `nginx version: nginx/${ctx.version}\nbuilt by ${nginxBuild(ctx.version).gcc} \nbuilt with OpenSSL\nTLS SNI support enabled\n`,
          code: 0,
        }
      if (args[0] === '-t')
        return {
          stderr: 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n',
          code: 0,
        }
      return {
        stderr: `${nginxTime(ctx.inst.startedAt)} [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)\nnginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n`,
        code: 1,
      }
    },
  },
}

/** Apache httpd (Debian bookworm): `httpd -DFOREGROUND` and its startup notices. */
const httpd: ContainerBehaviour = {
  shell: 'bash',
  os: 'debian',
  path: '/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  home: '/root',
  env: (v) => ({
    HTTPD_PREFIX: '/usr/local/apache2',
    HTTPD_VERSION: v,
    HTTPD_SHA256: 'fa16d72a078210a54c47dd5bef2f8b9b8a01d94909a51453956b3ec6442ea4c5',
    HTTPD_PATCHES: '',
  }),
  builtAt: () => Date.UTC(2025, 0, 23),
  servers: ['httpd', 'httpd-foreground'],
  missing: ['ps', 'curl', 'wget', 'top', 'ip', 'ping', 'vi', 'vim', 'less'],
  processes: () => [
    { user: 'root', command: 'httpd -DFOREGROUND', vszKb: 5772, rssKb: 4480 },
    ...[7, 8, 9].map((pid) => ({ user: 'www-data', command: 'httpd -DFOREGROUND', vszKb: 1998748, rssKb: 4096, pid })),
  ],
  files: (ctx) => ({
    '/usr/local/apache2/htdocs/index.html': { content: '<html><body><h1>It works!</h1></body></html>\n' },
    '/usr/local/apache2/logs/httpd.pid': { content: '1\n', mtime: ctx.inst.startedAt },
    '/usr/local/apache2/conf/httpd.conf': { content: 'ServerRoot "/usr/local/apache2"\nListen 80\n' },
    '/etc/os-release': { content: debianOsRelease('12') },
  }),
  startupLogs: (ctx) => {
    const d = new Date(ctx.inst.startedAt)
    const ip = ctx.inst.podIP ?? '10.244.0.5'
    const stamp = `[${d.toUTCString().slice(0, 3)} ${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000 ${d.getUTCFullYear()}]`
    return [
      {
        text: `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ip}. Set the 'ServerName' directive globally to suppress this message`,
        stream: 'stderr',
      },
      {
        text: `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ip}. Set the 'ServerName' directive globally to suppress this message`,
        stream: 'stderr',
      },
      { text: `${stamp} [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/${ctx.version} (Unix) configured -- resuming normal operations`, stream: 'stderr' },
      { text: `${stamp} [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'`, stream: 'stderr' },
    ]
  },
  binaries: {
    httpd: (args, ctx) =>
      args[0] === '-v'
        ? { stdout: `Server version: Apache/${ctx.version} (Unix)\nServer built:   Jan 23 2025 00:00:00\n`, code: 0 }
        : { code: 1, stderr: 'httpd: Could not open configuration file\n' },
  },
}

/** A shell-only image: PID 1 is the pod's command (busybox and alpine images run `sh` by default). */
function shellImage(os: 'busybox' | 'alpine'): ContainerBehaviour {
  return {
    shell: 'busybox',
    os,
    path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    home: '/root',
    env: () => ({}),
    builtAt: () => Date.UTC(2024, 8, 26),
    processes: () => [{ user: 'root', command: 'sh', vszKb: 1636, rssKb: 1024 }],
    // CMD ["sh"] (busybox) / ["/bin/sh"] (alpine): without stdin it reads EOF and exits 0 at once.
    cmd: [os === 'alpine' ? '/bin/sh' : 'sh'],
    files: () => ({
      '/etc/os-release': {
        content:
          os === 'alpine'
            ? 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME="Alpine Linux v3.21"\nHOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n'
            : 'NAME=BusyBox\nID=busybox\nVERSION_ID=1.37.0\nPRETTY_NAME="BusyBox v1.37.0"\n',
      },
    }),
    startupLogs: () => [],
  }
}

/** A distroless/static binary image: no shell, one process. */
function distroless(command: string): ContainerBehaviour {
  return {
    servers: [command.split(' ')[0].split('/').pop()!],
    shell: 'none',
    os: 'distroless',
    path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    home: '/root',
    env: () => ({}),
    builtAt: () => Date.UTC(2024, 11, 12),
    processes: () => [{ user: 'root', command, vszKb: 1280000, rssKb: 40000 }],
    files: () => ({}),
    startupLogs: () => [],
  }
}

/** An image we know nothing about: a Debian-like shell, PID 1 its command or `/bin/sh`. */
const generic: ContainerBehaviour = {
  ...nginx,
  env: () => ({}),
  builtAt: () => Date.UTC(2024, 0, 1),
  missing: [],
  processes: () => [{ user: 'root', command: '/bin/sh', vszKb: 2576, rssKb: 1536 }],
  files: () => ({ '/etc/os-release': { content: debianOsRelease('12') } }),
  startupLogs: () => [],
  binaries: {},
}

/** echo-hname is nginx answering with its hostname (its version comes from the catalogue: `versionFor`). */
const echoHname: ContainerBehaviour = nginx

/** Behaviours by fully-qualified repository. */
export const behaviours: Record<string, ContainerBehaviour> = {
  'docker.io/library/nginx': nginx,
  'docker.io/library/httpd': httpd,
  'docker.io/sysnet4admin/echo-hname': echoHname,
  'docker.io/sysnet4admin/echo-ip': echoHname,
  'docker.io/library/busybox': shellImage('busybox'),
  'docker.io/library/alpine': shellImage('alpine'),
  'registry.k8s.io/pause': distroless('/pause'),
  'registry.k8s.io/kube-proxy': {
    ...generic,
    servers: ['kube-proxy'],
    processes: () => [
      {
        user: 'root',
        command: '/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=$(NODE_NAME)',
        vszKb: 1290000,
        rssKb: 52000,
      },
    ],
  },
  'registry.k8s.io/coredns/coredns': distroless('/coredns -conf /etc/coredns/Corefile'),
  'registry.k8s.io/metrics-server/metrics-server': distroless('/metrics-server --cert-dir=/tmp --secure-port=10250 --metric-resolution=15s'),
}

/** The behaviour of an image reference: the tables above, then the catalogue (per tag), else the generic one. */
export function behaviourFor(image: string): ContainerBehaviour {
  const ref = parseImageRef(image || 'unknown')
  const known = behaviours[ref.repository]
  if (known) return known
  const entry = catalogueImage(ref.repository)
  return entry ? catalogueBehaviour(entry, ref.tag || 'latest') : generic
}

/** Whether the image is one the simulation knows (its files and programs are known, so a missing program is an error). */
export function knownImage(image: string): boolean {
  return behaviourFor(image) !== generic
}

/** The context behaviour functions get for an instance. */
export function behaviourContext(inst: ContainerInstance, command?: string[], cpus = 4): BehaviourContext {
  const ref = parseImageRef(inst.image || 'unknown')
  return { inst, tag: ref.tag || 'latest', version: versionFor(inst.image), command, cpus }
}

/** The log lines the main process writes when the instance starts (appended at startedAt + offset). */
export function startupLogs(inst: ContainerInstance, cpus = 4): StartupLine[] {
  return behaviourFor(inst.image).startupLogs(behaviourContext(inst, inst.command, cpus))
}
