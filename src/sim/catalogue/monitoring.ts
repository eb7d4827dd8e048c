/** @module monitoring: grafana/grafana (3000: the login redirect, /login, /api/health) and prom/prometheus (9090: /-/healthy, /-/ready, the query UI redirect). */
import type { CatalogueImage } from './catalogue-image.js'
import { answer, goNotFound, json, pathOf } from './http-answer.js'

const grafanaVersions = ['12.1.1', '12.1.0', '12.0.4', '11.6.5', '11.5.8', '10.4.19']
const grafanaTags: Record<string, number> = { latest: 190_000_000, 'latest-ubuntu': 215_000_000, main: 190_000_000 }
for (const v of grafanaVersions) Object.assign(grafanaTags, { [v]: 190_000_000, [`${v}-ubuntu`]: 215_000_000 })

const ts = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}456789Z`

/** docker.io/grafana/grafana (Alpine; `-ubuntu` variants). */
export const grafana: CatalogueImage = {
  repository: 'docker.io/grafana/grafana',
  tags: grafanaTags,
  version: (tag) => (tag.startsWith('latest') || tag === 'main' ? grafanaVersions[0] : tag.replace(/-ubuntu$/, '')),
  os: (tag) => (tag.includes('ubuntu') ? 'ubuntu' : 'alpine'),
  builtAt: Date.UTC(2025, 7, 13),
  daemon: 'grafana',
  env: () => ({
    GF_PATHS_CONFIG: '/etc/grafana/grafana.ini',
    GF_PATHS_DATA: '/var/lib/grafana',
    GF_PATHS_HOME: '/usr/share/grafana',
    GF_PATHS_LOGS: '/var/log/grafana',
    GF_PATHS_PLUGINS: '/var/lib/grafana/plugins',
    GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
  }),
  path: () => '/usr/share/grafana/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: () => [
    {
      user: 'grafana',
      command: 'grafana server --homepath=/usr/share/grafana --config=/etc/grafana/grafana.ini --packaging=docker cfg:default.log.mode=console',
      vszKb: 1_600_000,
      rssKb: 180_000,
    },
  ],
  logs: (ctx) => {
    const t = ctx.inst.startedAt
    const v = ctx.version
    return [
      `logger=settings t=${ts(t)} level=info msg="Starting Grafana" version=${v} commit=0000000000000000000000000000000000000000 branch=HEAD compiled=${ts(t).slice(0, 19)}Z`,
      `logger=settings t=${ts(t)} level=info msg="Config loaded from" file=/usr/share/grafana/conf/defaults.ini`,
      `logger=settings t=${ts(t)} level=info msg="Config loaded from" file=/etc/grafana/grafana.ini`,
      `logger=settings t=${ts(t)} level=info msg="Path Home" path=/usr/share/grafana`,
      `logger=settings t=${ts(t)} level=info msg="Path Data" path=/var/lib/grafana`,
      `logger=sqlstore t=${ts(t + 20)} level=info msg="Connecting to DB" dbtype=sqlite3`,
      `logger=migrator t=${ts(t + 40)} level=info msg="Starting DB migrations"`,
      `logger=migrator t=${ts(t + 900)} level=info msg="migrations completed" performed=0 skipped=0 duration=1.2s`,
      `logger=http.server t=${ts(t + 1200)} level=info msg="HTTP Server Listen" address=[::]:3000 protocol=http subUrl= socket=`,
    ].map((text, i) => ({ text, stream: 'stdout' as const, offsetMs: [0, 0, 0, 0, 0, 20, 40, 900, 1200][i] }))
  },
  binaries: {
    grafana: (args, ctx) => (args.includes('-v') || args.includes('--version') ? { stdout: `grafana version ${ctx.version}\n`, code: 0 } : { code: 1 }),
  },
  ports: () => [3000],
  serve: (req, now, { version }) => {
    const path = pathOf(req)
    if (path === '/')
      return answer(
        req,
        now,
        302,
        {
          'Cache-Control': 'no-store',
          'Content-Type': 'text/html; charset=utf-8',
          Location: '/login',
          'X-Content-Type-Options': 'nosniff',
          'X-Frame-Options': 'deny',
          'X-Xss-Protection': '1; mode=block',
        },
        '<a href="/login">Found</a>.\n\n',
      )
    if (path === '/login')
      return answer(
        req,
        now,
        200,
        {
          'Cache-Control': 'no-store',
          'Content-Type': 'text/html; charset=UTF-8',
          'X-Content-Type-Options': 'nosniff',
          'X-Frame-Options': 'deny',
          'X-Xss-Protection': '1; mode=block',
        },
        `<!doctype html><html lang="en-US"><head><meta charset="utf-8"/><meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1"/><meta name="viewport" content="width=device-width"/><meta name="theme-color" content="#000"/><title>Grafana</title><base href="/"/></head><body class="theme-dark app-grafana"><div id="reactRoot"></div><script nonce="">window.grafanaBootData = {"settings":{"buildInfo":{"version":"${version}","edition":"Open Source"}}};</script></body></html>\n`,
      )
    if (path === '/api/health')
      return json(req, now, 200, { database: 'ok', version, commit: '0000000000000000000000000000000000000000' }, true, 'application/json; charset=UTF-8')
    return json(req, now, 401, { message: 'Unauthorized' }, false, 'application/json')
  },
}

const promVersions = ['3.5.0', '3.4.2', '3.4.1', '3.3.1', '2.55.1', '2.53.5', '2.53.4']
const promTags: Record<string, number> = { latest: 115_000_000, main: 115_000_000 }
for (const v of promVersions) Object.assign(promTags, { [`v${v}`]: v.startsWith('3') ? 115_000_000 : 105_000_000 })

/** docker.io/prom/prometheus (BusyBox base). */
export const prometheus: CatalogueImage = {
  repository: 'docker.io/prom/prometheus',
  tags: promTags,
  version: (tag) => (tag === 'latest' || tag === 'main' ? promVersions[0] : tag.replace(/^v/, '')),
  os: () => 'busybox',
  builtAt: Date.UTC(2025, 6, 14),
  daemon: 'prometheus',
  env: () => ({}),
  processes: () => [
    {
      user: 'nobody',
      command: '/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus',
      vszKb: 1_400_000,
      rssKb: 90_000,
    },
  ],
  files: () => ({
    '/etc/prometheus/prometheus.yml': {
      content:
        '# my global config\nglobal:\n  scrape_interval: 15s # Set the scrape interval to every 15 seconds. Default is every 1 minute.\n  evaluation_interval: 15s # Evaluate rules every 15 seconds. The default is every 1 minute.\n\nscrape_configs:\n  - job_name: "prometheus"\n    static_configs:\n      - targets: ["localhost:9090"]\n',
    },
    '/prometheus': { dir: true, owner: 'nobody' },
  }),
  logs: (ctx) => {
    const t = new Date(ctx.inst.startedAt).toISOString()
    const v = ctx.version
    const v3 = v.startsWith('3')
    const l = (src: string, msg: string, extra = '') =>
      v3 ? `time=${t} level=INFO source=${src} msg="${msg}"${extra}` : `ts=${t} caller=${src} level=info msg="${msg}"${extra}`
    return [
      l('main.go:1544', 'No time or size retention was set so using the default time retention', ' duration=15d'),
      l('main.go:1608', 'Starting Prometheus Server', ` mode=server version="(version=${v}, branch=HEAD, revision=0000000000000000000000000000000000000000)"`),
      l(
        'main.go:1613',
        'operational information',
        ' build_context="(go=go1.24.5, platform=linux/amd64, user=root@buildkitsandbox, date=20250714-16:15:23, tags=netgo,builtinassets)"',
      ),
      l('web.go:686', 'Start listening for connections', ' component=web address=0.0.0.0:9090'),
      l('main.go:1134', 'Server is ready to receive web requests.'),
    ].map((text) => ({ text, stream: 'stderr' as const }))
  },
  binaries: {
    prometheus: (args, ctx) =>
      args[0] === '--version'
        ? { stdout: `prometheus, version ${ctx.version} (branch: HEAD, revision: 0000000000000000000000000000000000000000)\n`, code: 0 }
        : { code: 1 },
  },
  ports: () => [9090],
  serve: (req, now, { version }) => {
    const path = pathOf(req)
    const text = (body: string) => answer(req, now, 200, { 'Content-Type': 'text/plain; charset=utf-8' }, body)
    const ui = version.startsWith('3') ? '/query' : '/graph'
    if (path === '/') return answer(req, now, 302, { 'Content-Type': 'text/html; charset=utf-8', Location: ui }, `<a href="${ui}">Found</a>.\n\n`)
    if (path === '/-/healthy') return text('Prometheus Server is Healthy.\n')
    if (path === '/-/ready') return text('Prometheus Server is Ready.\n')
    if (path === '/api/v1/status/buildinfo')
      return json(req, now, 200, {
        status: 'success',
        data: { version, revision: '0000000000000000000000000000000000000000', branch: 'HEAD', goVersion: 'go1.24.5' },
      })
    if (path === '/metrics')
      return answer(
        req,
        now,
        200,
        { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores' },
        `# HELP prometheus_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.\n# TYPE prometheus_build_info gauge\nprometheus_build_info{branch="HEAD",goarch="amd64",goos="linux",goversion="go1.24.5",revision="0000000000000000000000000000000000000000",tags="netgo,builtinassets",version="${version}"} 1\n`,
      )
    if (path === ui)
      return answer(
        req,
        now,
        200,
        { 'Content-Type': 'text/html; charset=utf-8' },
        '<!doctype html><html lang="en"><head><meta charset="UTF-8"/><title>Prometheus</title></head><body><div id="root"></div></body></html>\n',
      )
    return goNotFound(req, now)
  },
}
