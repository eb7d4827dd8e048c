/** @module logging: pino options for the server and the one-line-per-request log (readable on a TTY, JSON otherwise). */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'

/** The log levels `--log-level` accepts. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Where log lines go: anything with a `write(line)`, like pino's destinations. */
export interface LineSink {
  write(line: string): void
}

/** A pino destination that can be flushed before the process exits. */
export interface LogStream extends LineSink {
  /** Writes out anything buffered, synchronously enough for a following process.exit. */
  flush(): void
}

/** Options for {@link createLogStream}. */
export interface LogStreamOptions {
  /** Render readable lines instead of pino's JSON (default: whether `out` is a TTY). */
  pretty?: boolean
  /** Default process.stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean }
}

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }

function clockTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/**
 * Renders one pino JSON line for a terminal: request lines as
 * `12:00:01.123 GET /api/v1/pods 200 1.2ms kubectl/v1.32.4`, anything else as
 * `12:00:01.123 WARN message key=value…`. Unparseable input passes through unchanged.
 */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json
  }
  const time = clockTime(typeof o.time === 'number' ? o.time : Date.now())
  if (typeof o.method === 'string' && typeof o.status === 'number') {
    const ua = typeof o.userAgent === 'string' && o.userAgent ? ` ${o.userAgent}` : ''
    return `${time} ${o.method} ${o.url} ${o.status} ${o.ms}ms${ua}\n`
  }
  const { level, time: _t, pid: _p, hostname: _h, msg, reqId: _r, err, ...rest } = o
  let line = `${time} ${levelNames[level as number] ?? String(level)} ${msg ?? ''}`
  for (const [k, v] of Object.entries(rest)) line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`
  if (err && typeof err === 'object') line += `\n${(err as { stack?: string; message?: string }).stack ?? (err as { message?: string }).message}`
  return `${line}\n`
}

/**
 * A destination for pino. JSON mode batches the lines written during one event-loop turn into a
 * single write (a syscall per request would cost more than the request under load); pretty mode
 * writes each rendered line at once. Call `flush()` before `process.exit`.
 */
export function createLogStream(opts: LogStreamOptions = {}): LogStream {
  const out = opts.out ?? process.stdout
  const pretty = opts.pretty ?? Boolean(out.isTTY)
  if (pretty) return { write: (line) => void out.write(prettyLine(line)), flush: () => {} }
  let buffered: string[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (buffered.length === 0) return
    const chunk = buffered.join('')
    buffered = []
    out.write(chunk)
  }
  return {
    write(line) {
      buffered.push(line)
      if (buffered.length >= 256) return flush()
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}

/**
 * Fastify `logger` options for `--log-level`: false for `silent`, else pino at that level writing
 * to `stream` (default: a {@link createLogStream} on stdout).
 */
export function loggerOptions(level: string, stream: LineSink = createLogStream()): FastifyServerOptions['logger'] {
  if (level === 'silent') return false
  return { level, stream }
}

/**
 * Fastify's `childLoggerFactory`: hands every request the server's logger itself instead of a
 * per-request child carrying `reqId`. A child costs about as much as the request line itself, and
 * the request line already says which request it was; error logs lose only the reqId binding.
 */
export function sharedRequestLogger<L>(logger: L): L {
  return logger
}

/** Health probes (a container healthcheck hits them every few seconds) are logged at debug level. */
const probePaths = new Set(['/healthz', '/livez', '/readyz'])

/** `kubectl/v1.32.4 (linux/amd64) kubernetes/abc` → `kubectl/v1.32.4`: the product token is what tells clients apart. */
export function shortUserAgent(ua: string | undefined): string {
  if (!ua) return ''
  const sp = ua.indexOf(' ')
  return sp < 0 ? ua : ua.slice(0, sp)
}

/**
 * Logs one line per finished request (method, path with query, status, milliseconds, short user
 * agent) at info level, probes at debug. Installs nothing when the logger would drop info and
 * debug lines anyway, so a quiet server pays nothing per request. Watches and other long
 * requests are logged when they end.
 */
export function installRequestLog(app: FastifyInstance): void {
  if (!['info', 'debug', 'trace'].includes(app.log.level)) return
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = req.raw.url ?? '/'
    const q = url.indexOf('?')
    const entry = {
      method: req.method,
      url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      userAgent: shortUserAgent(req.headers['user-agent']),
    }
    if (probePaths.has(q < 0 ? url : url.slice(0, q))) req.log.debug(entry, 'request')
    else req.log.info(entry, 'request')
    done()
  })
}
