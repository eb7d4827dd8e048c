/** @module api/ui: serves the web view's static files (dist/ui/, built by `npm run build`) at /kubemock/ui/. */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendStatus, notFoundResource } from './errors.js'

/** Where the web view lives; the page and its assets are served without credentials (see auth.ts). */
export const uiPrefix = '/kubemock/ui'

/** True for the web view's own paths (`/kubemock/ui` and everything under `/kubemock/ui/`). */
export function isUiPath(path: string): boolean {
  return path === uiPrefix || path.startsWith(`${uiPrefix}/`)
}

/** The files the build puts in dist/ui/, with their content types: nothing else is served, so no path reaches the disk. */
const uiFiles: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
}

/**
 * The page may talk only to this server (fetch, WebSocket: CSP 3 `'self'` covers ws:/wss: on the
 * same host), run only its own script and never be framed by another site.
 */
const contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

interface UiFile {
  body: Buffer
  etag: string
}

/** Options for {@link registerUiRoutes}. */
export interface UiRoutesOptions {
  /** The folder holding the built files; default: dist/ui/ of this package (two levels above this module, as the openapi/ lookups). */
  dir?: URL
}

/**
 * Registers GET (and HEAD) `/kubemock/ui` (301 to `/kubemock/ui/`), `/kubemock/ui/` (index.html) and
 * `/kubemock/ui/<file>` for the built files. A file is read once and kept; every answer carries an
 * ETag and `Cache-Control: no-cache` (the names carry no hash, so the browser revalidates and gets a
 * 304 when nothing changed). Any other name, or a build without dist/ui/, is the API's 404 Status.
 */
export async function registerUiRoutes(app: FastifyInstance, opts: UiRoutesOptions = {}): Promise<void> {
  const dir = opts.dir ?? new URL('../../dist/ui/', import.meta.url)
  const cache = new Map<string, Promise<UiFile | undefined>>()
  const load = (name: string): Promise<UiFile | undefined> => {
    let p = cache.get(name)
    if (!p) {
      p = readFile(new URL(name, dir)).then(
        (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
        () => {
          // Not built (yet): look again next time rather than remembering the miss.
          cache.delete(name)
          return undefined
        },
      )
      cache.set(name, p)
    }
    return p
  }
  const serve = async (name: string, req: FastifyRequest, reply: FastifyReply) => {
    const type = Object.hasOwn(uiFiles, name) ? uiFiles[name] : undefined
    const file = type ? await load(name) : undefined
    if (!type || !file) return sendStatus(reply, notFoundResource())
    reply.header('Cache-Control', 'no-cache')
    reply.header('ETag', file.etag)
    reply.header('X-Content-Type-Options', 'nosniff')
    if (name === 'index.html') {
      reply.header('Content-Security-Policy', contentSecurityPolicy)
      reply.header('Referrer-Policy', 'no-referrer')
    }
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.type(type).send(file.body)
  }
  app.get(uiPrefix, async (req, reply) => {
    const q = (req.raw.url ?? '').indexOf('?')
    return reply.redirect(`${uiPrefix}/${q < 0 ? '' : (req.raw.url ?? '').slice(q)}`, 301)
  })
  app.get(`${uiPrefix}/`, async (req, reply) => serve('index.html', req, reply))
  app.get(`${uiPrefix}/:file`, async (req, reply) => serve((req.params as { file: string }).file, req, reply))
}
