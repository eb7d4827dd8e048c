/** @module http: what a container's image answers over TCP/HTTP (ports, pages, headers), the access-log lines it writes, and HTTP/1.1 wire helpers. */
import type { ContainerInstance, LogBuffer } from './runtime.js'
import { nginxReleaseTime, parseImageRef, versionFor } from '../images.js'
import { catalogueServer } from '../catalogue/catalogue-behaviour.js'
import { catalogueImage } from '../catalogue/catalogue-images.js'

/** One HTTP request as the container's server sees it. Header names are lower-case. */
export interface HTTPRequest {
  method: string
  /** The request target as sent: path plus optional query (`/index.html?x=1`). */
  path: string
  headers: Record<string, string | undefined>
  body?: Buffer | string
  /** `1.1` (default) or `1.0`. */
  httpVersion?: string
  /**
   * The peer address the server sees (`$remote_addr`). Default: the pod network's gateway
   * (`x.y.z.1` of the pod IP), which is where the apiserver's proxy and kube-proxy traffic come from.
   */
  remoteAddr?: string
}

/** The server's answer. `headers` keep the order the server writes them. */
export interface HTTPResponse {
  status: number
  statusText: string
  headers: Record<string, string>
  /** Empty for HEAD (Content-Length still says what GET would send). */
  body: string
  /** False when the server closes the connection after this response. */
  keepAlive: boolean
}

/** Extra context for {@link serveHTTP}. */
export interface ServeOptions {
  /** The instance's log buffer: the access-log (and error-log) lines are appended to it. */
  logs?: LogBuffer
  /** Simulated time (ms) for Date and the log lines; default Date.now(). */
  now?: number
}

/** Which server program answers, and how. Data, keyed by image repository in {@link imageServers}. */
export interface ImageServer {
  /** TCP ports the entrypoint listens on. */
  ports: number[]
  /** Answers one request; undefined for a listener that does not speak HTTP (redis). */
  serve?: (inst: ContainerInstance, req: HTTPRequest, now: number) => { res: HTTPResponse; errorLog?: string }
  /** The access-log line for one served request (undefined: the server logs nothing). */
  accessLog?: (inst: ContainerInstance, req: HTTPRequest, res: HTTPResponse, now: number) => string
  /** The answer to bytes that are not an HTTP request (then the server closes the connection). */
  badRequest?: (inst: ContainerInstance, now: number) => HTTPResponse
  /** The ports that speak HTTP when not all do (rabbitmq: 15672 does, 5672 does not). */
  httpPorts?: number[]
  /** HTTP ports that speak TLS (HTTPS only: a plain request gets Go's 400). */
  tlsPorts?: number[]
  /** A listener that is not HTTP: its answer to the bytes of one read (undefined: it says nothing). */
  wire?: (bytes: string, inst: ContainerInstance, conn?: Record<string, unknown>) => string | undefined
}

const statusTexts: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Not Allowed',
  503: 'Service Unavailable',
}

// nginx's welcome page (docs/html/index.html in nginx/nginx): the 2012 text until 1.21.1
// (612 bytes), then the dark-mode one from 1.21.2 (615 bytes; "Dark mode support in welcome and
// 50x error pages", 2021-08-16). 1.29.6 changed the text again; the catalogue stops at 1.29.1.
const nginxWelcomeHead2012 = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
`
const nginxWelcomeHead2021 = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
`
const nginxWelcomeBody = `<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`

function versionAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number)
  const b = min.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  return true
}

/** The welcome page an nginx version ships (byte-exact). */
export function nginxWelcomePage(version: string): string {
  return (versionAtLeast(version, '1.21.2') ? nginxWelcomeHead2021 : nginxWelcomeHead2012) + nginxWelcomeBody
}

/**
 * nginx's built-in error page (src/http/ngx_http_special_response.c): CRLF line ends, the version
 * in the tail (server_tokens on), `bgcolor="white"` on body before 1.15.4.
 */
export function nginxErrorPage(version: string, status: number): string {
  const title = `${status} ${statusTexts[status] ?? ''}`
  const body = versionAtLeast(version, '1.15.4') ? '<body>' : '<body bgcolor="white">'
  return `<html>\r\n<head><title>${title}</title></head>\r\n${body}\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`
}

/** `Fri, 27 Nov 2026 23:12:01 GMT` (RFC 1123, as HTTP Date/Last-Modified). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString()
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `27/Nov/2026:23:12:01 +0000`: nginx `$time_local` and Apache `%t` in a UTC container. */
export function logTimeLocal(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/** `2026/11/27 23:12:01`: the time format of nginx's error log. */
function errorLogTime(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** The gateway of the pod's /24 (where traffic from outside the pod appears to come from). */
export function podGateway(inst: ContainerInstance): string {
  const ip = inst.podIP ?? '10.244.0.2'
  return ip.replace(/\.\d+$/, '.1')
}

function wantsKeepAlive(req: HTTPRequest): boolean {
  const c = (req.headers.connection ?? '').toLowerCase()
  if ((req.httpVersion ?? '1.1') === '1.0') return c.includes('keep-alive')
  return !c.includes('close')
}

function requestLine(req: HTTPRequest): string {
  return `${req.method} ${req.path} HTTP/${req.httpVersion ?? '1.1'}`
}

const q = (v: string | undefined) => (v === undefined || v === '' ? '-' : v)

/** nginx's connection counter (`*N` in its error log), per instance. */
const nginxConnections = new WeakMap<ContainerInstance, number>()

/** nginx with the official image's default.conf: / and /index.html, everything else 404. `file: false` pages are `return 200` answers (any method). */
function nginxServer(
  versionOf: (inst: ContainerInstance) => string,
  page: (inst: ContainerInstance, req: HTTPRequest, version: string) => { body: string; type: string; file?: boolean } | undefined,
): ImageServer {
  return {
    ports: [80],
    serve(inst, req, now) {
      const version = versionOf(inst)
      const keepAlive = wantsKeepAlive(req)
      const conn = (nginxConnections.get(inst) ?? 0) + 1
      nginxConnections.set(inst, conn)
      const path = req.path.split('?')[0]
      const found = page(inst, req, version)
      const head = req.method === 'HEAD'
      const headers: Record<string, string> = { Server: `nginx/${version}`, Date: httpDate(now) }
      let status = 200
      let body: string
      let errorLog: string | undefined
      if (found && (req.method === 'GET' || head || !found.file)) {
        body = found.body
        headers['Content-Type'] = found.type
        headers['Content-Length'] = String(Buffer.byteLength(body))
        if (found.file) {
          const mtime = nginxReleaseTime(version) / 1000
          headers['Last-Modified'] = httpDate(mtime * 1000)
          headers.Connection = keepAlive ? 'keep-alive' : 'close'
          headers.ETag = `"${mtime.toString(16)}-${Buffer.byteLength(body).toString(16)}"`
          headers['Accept-Ranges'] = 'bytes'
        } else {
          headers.Connection = keepAlive ? 'keep-alive' : 'close'
        }
      } else {
        // The static module refuses methods other than GET/HEAD/POST at once and POST on a file
        // that exists (405); a missing file is a 404, with the failed open() in the error log.
        status = found || !['GET', 'HEAD', 'POST'].includes(req.method) ? 405 : 404
        body = nginxErrorPage(version, status)
        headers['Content-Type'] = 'text/html'
        headers['Content-Length'] = String(Buffer.byteLength(body))
        headers.Connection = keepAlive ? 'keep-alive' : 'close'
        if (status === 404) {
          const host = req.headers.host ? `, host: "${req.headers.host}"` : ''
          errorLog = `${errorLogTime(now)} [error] 29#29: *${conn} open() "/usr/share/nginx/html${path}" failed (2: No such file or directory), client: ${req.remoteAddr ?? podGateway(inst)}, server: localhost, request: "${requestLine(req)}"${host}`
        }
      }
      return { res: { status, statusText: statusTexts[status] ?? '', headers, body: head ? '' : body, keepAlive }, errorLog }
    },
    badRequest(inst, now) {
      const version = versionOf(inst)
      const body = nginxErrorPage(version, 400)
      const headers = {
        Server: `nginx/${version}`,
        Date: httpDate(now),
        'Content-Type': 'text/html',
        'Content-Length': String(body.length),
        Connection: 'close',
      }
      return { status: 400, statusText: 'Bad Request', headers, body, keepAlive: false }
    },
    // log_format main in the image's nginx.conf.
    accessLog(inst, req, res, now) {
      const sent = req.method === 'HEAD' ? 0 : Buffer.byteLength(res.body)
      return `${req.remoteAddr ?? podGateway(inst)} - - [${logTimeLocal(now)}] "${requestLine(req)}" ${res.status} ${sent} "${q(req.headers.referer)}" "${q(req.headers['user-agent'])}" "${q(req.headers['x-forwarded-for'])}"`
    },
  }
}

/** The version every server answers with is the catalogue's (`nginx -v` and the startup log read the same). */
const imageVersion = (inst: ContainerInstance) => versionFor(inst.image)

const officialNginx = nginxServer(imageVersion, (_inst, req, version) => {
  const path = req.path.split('?')[0]
  if (path === '/' || path === '/index.html') return { body: nginxWelcomePage(version), type: 'text/html', file: true }
  return undefined
})

// sysnet4admin/echo-hname and echo-ip (the tutorial's images): nginx with a config answering every
// path with the pod's hostname / the request and the pod address.
const echoHname = nginxServer(imageVersion, (inst) => ({ body: `${inst.hostname}\n`, type: 'text/plain' }))
const echoIP = nginxServer(imageVersion, (inst, req) => ({ body: `request_method : ${req.method} | ip_dest: ${inst.podIP ?? ''}\n`, type: 'text/plain' }))

const httpdNotFound = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
`

// httpd: htdocs/index.html is the famous 45-byte "It works!" page (mtime 2007-06-11); the image's
// httpd.conf logs in the common format to stdout.
const httpd: ImageServer = {
  ports: [80],
  serve(inst, req, now) {
    const path = req.path.split('?')[0]
    const keepAlive = wantsKeepAlive(req)
    const head = req.method === 'HEAD'
    const headers: Record<string, string> = { Date: httpDate(now), Server: `Apache/${imageVersion(inst)} (Unix)` }
    if (path === '/' || path === '/index.html') {
      const body = '<html><body><h1>It works!</h1></body></html>\n'
      Object.assign(headers, {
        'Last-Modified': 'Mon, 11 Jun 2007 18:53:14 GMT',
        ETag: '"2d-432a5e4a73a80"',
        'Accept-Ranges': 'bytes',
        'Content-Length': String(body.length),
        'Content-Type': 'text/html',
      })
      return { res: { status: 200, statusText: 'OK', headers, body: head ? '' : body, keepAlive } }
    }
    Object.assign(headers, { 'Content-Length': String(httpdNotFound.length), 'Content-Type': 'text/html; charset=iso-8859-1' })
    return { res: { status: 404, statusText: 'Not Found', headers, body: head ? '' : httpdNotFound, keepAlive } }
  },
  accessLog(inst, req, res, now) {
    const sent = Buffer.byteLength(res.body)
    return `${req.remoteAddr ?? podGateway(inst)} - - [${logTimeLocal(now)}] "${requestLine(req)}" ${res.status} ${sent === 0 ? '-' : sent}`
  },
}

/**
 * A Go program's net/http endpoints (health checks, metrics): a fixed body per path answered
 * `200` as text/plain, the standard mux's `404 page not found` for anything else.
 */
function goHTTPServer(ports: number[], httpPorts: number[], answers: (inst: ContainerInstance) => Record<string, string>, tlsPorts?: number[]): ImageServer {
  return {
    ports,
    httpPorts,
    tlsPorts,
    serve(inst, req, now) {
      const body = answers(inst)[req.path.split('?')[0]]
      const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' }
      if (body === undefined) {
        const text = '404 page not found\n'
        Object.assign(headers, { 'X-Content-Type-Options': 'nosniff', Date: httpDate(now), 'Content-Length': String(text.length) })
        return { res: { status: 404, statusText: 'Not Found', headers, body: req.method === 'HEAD' ? '' : text, keepAlive: wantsKeepAlive(req) } }
      }
      Object.assign(headers, { Date: httpDate(now), 'Content-Length': String(Buffer.byteLength(body)) })
      return { res: { status: 200, statusText: 'OK', headers, body: req.method === 'HEAD' ? '' : body, keepAlive: wantsKeepAlive(req) } }
    },
  }
}

// CoreDNS (kind's kube-dns): port 53 speaks DNS; the health plugin answers /health on 8080, the
// ready plugin /ready on 8181 and prometheus /metrics on 9153.
const coredns = goHTTPServer([53, 8080, 8181, 9153], [8080, 8181, 9153], (inst) => ({
  '/health': 'OK',
  '/ready': 'OK',
  '/metrics': `# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.\n# TYPE coredns_build_info gauge\ncoredns_build_info{goversion="go1.21.11",revision="a6338e9",version="${imageVersion(inst).replace(/^v/, '')}"} 1\n`,
}))

// metrics-server: the apiserver library's health checks on its secure port (10250 in
// components.yaml), answering `ok` over TLS.
const metricsServer = goHTTPServer([10250], [10250], () => ({ '/livez': 'ok', '/readyz': 'ok', '/healthz': 'ok' }), [10250])

/** What each image repository serves; images not listed listen on nothing (connections are refused). */
export const imageServers: Record<string, ImageServer> = {
  'docker.io/library/nginx': officialNginx,
  'docker.io/library/httpd': httpd,
  'docker.io/sysnet4admin/echo-hname': echoHname,
  'docker.io/sysnet4admin/echo-ip': echoIP,
  'registry.k8s.io/coredns/coredns': coredns,
  'registry.k8s.io/metrics-server/metrics-server': metricsServer,
}

/** The server behaviour of an instance's image, if it listens on anything (the tables above, then the catalogue). */
export function imageServer(inst: ContainerInstance): ImageServer | undefined {
  const repository = parseImageRef(inst.image).repository
  const known = imageServers[repository]
  if (known) return known
  const entry = catalogueImage(repository)
  return entry && catalogueServer(entry, parseImageRef(inst.image).tag || 'latest')
}

/** How a TCP connect to `port` of this container ends. */
export type ConnectResult = 'http' | 'not-http' | 'refused'

/**
 * Whether something in the container accepts a connection on `port` now: only a running
 * instance listens (between an exit and the restart, connections are refused).
 */
export function connectPort(inst: ContainerInstance | undefined, port: number): ConnectResult {
  if (!inst?.running) return 'refused'
  const server = imageServer(inst)
  if (!server?.ports.includes(port)) return 'refused'
  return server.serve && (!server.httpPorts || server.httpPorts.includes(port)) ? 'http' : 'not-http'
}

/** Whether the container's listener on `port` speaks TLS (an HTTPS server). */
export function speaksTLS(inst: ContainerInstance | undefined, port: number): boolean {
  return !!(inst && imageServer(inst)?.tlsPorts?.includes(port))
}

/**
 * Serves one HTTP request with the instance's image behaviour and appends the access-log line
 * (and error-log line, e.g. nginx's failed open() for a 404) to `opts.logs`. The caller checks
 * {@link connectPort} first; an instance whose image does not speak HTTP gets undefined.
 * Never touches the host: pages are data.
 */
export function serveHTTP(inst: ContainerInstance, req: HTTPRequest, opts: ServeOptions = {}): HTTPResponse | undefined {
  const server = imageServer(inst)
  if (!server?.serve) return undefined
  const now = opts.now ?? Date.now()
  const { res, errorLog } = server.serve(inst, req, now)
  if (opts.logs) {
    if (errorLog) opts.logs.append(errorLog, 'stderr', now)
    if (server.accessLog) opts.logs.append(server.accessLog(inst, req, res, now), 'stdout', now)
  }
  return res
}

/** What the server sends back for bytes that are not HTTP (nginx: its 400 page), if anything. */
export function malformedRequestResponse(inst: ContainerInstance, now: number): HTTPResponse | undefined {
  return imageServer(inst)?.badRequest?.(inst, now)
}

/** The status line and headers of a response as they go on the wire (ends with the blank line). */
export function formatResponseHead(res: HTTPResponse): string {
  let s = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`
  for (const [k, v] of Object.entries(res.headers)) s += `${k}: ${v}\r\n`
  return `${s}\r\n`
}

/** Incremental HTTP/1.1 request parser for a byte stream (port-forward, raw TCP). */
export class HTTPRequestParser {
  private buf = Buffer.alloc(0)
  /** Set when the bytes are not HTTP: the server answers 400 and closes. */
  malformed = false

  /** Feeds bytes; returns every request completed by them (headers plus Content-Length body). */
  push(chunk: Buffer): HTTPRequest[] {
    this.buf = Buffer.concat([this.buf, chunk])
    const out: HTTPRequest[] = []
    for (;;) {
      if (this.malformed) return out
      const end = this.buf.indexOf('\r\n\r\n')
      if (end < 0) {
        if (this.buf.length > 65536) this.malformed = true
        return out
      }
      const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n')
      const m = /^([A-Z]+) (\S+) HTTP\/(\d\.\d)$/.exec(lines[0])
      if (!m) {
        this.malformed = true
        return out
      }
      const headers: Record<string, string> = {}
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':')
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim()
      }
      const len = Number(headers['content-length'] ?? 0) || 0
      if (this.buf.length < end + 4 + len) return out
      const body = this.buf.subarray(end + 4, end + 4 + len)
      this.buf = this.buf.subarray(end + 4 + len)
      out.push({ method: m[1], path: m[2], httpVersion: m[3], headers, body })
    }
  }
}
