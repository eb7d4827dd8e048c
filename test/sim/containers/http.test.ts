/** @module http.test: image HTTP behaviours — nginx pages and headers per version, 404/405, HEAD, httpd, echo-hname, access logs, refused ports, the HTTP/1.1 parser. */
import { describe, expect, test } from 'vitest'
import {
  HTTPRequestParser,
  connectPort,
  formatResponseHead,
  logTimeLocal,
  nginxErrorPage,
  nginxWelcomePage,
  serveHTTP,
} from '../../../src/sim/containers/http.js'
import { nginxVersion } from '../../../src/sim/images.js'
import type { ContainerInstance, LogBuffer, LogLine } from '../../../src/sim/containers/runtime.js'

const t0 = Date.parse('2026-11-27T23:12:01Z')

function instance(image: string, over: Partial<ContainerInstance> = {}): ContainerInstance {
  return {
    namespace: 'default',
    pod: 'nginx-pod',
    podUID: 'u',
    container: 'nginx',
    containerID: `containerd://${'a'.repeat(64)}`,
    image,
    startedAt: t0 - 60_000,
    running: true,
    restartCount: 0,
    podIP: '10.244.1.5',
    nodeName: 'w1',
    hostname: 'nginx-pod',
    env: {},
    ...over,
  }
}

function buffer(): LogBuffer & { lines: LogLine[] } {
  const lines: LogLine[] = []
  return { lines, append: (text, stream = 'stdout', ts = 0) => void lines.push({ text, stream, ts }), subscribe: () => () => {} }
}

const get = (path: string, headers: Record<string, string> = {}) => ({
  method: 'GET',
  path,
  headers: { host: '10.244.1.5', 'user-agent': 'curl/7.88.1', ...headers },
})

describe('nginx', () => {
  test('the welcome page of 1.15.12 is the 612-byte 2012 page, with the real header set and order', () => {
    const res = serveHTTP(instance('nginx:1.15.12'), get('/'), { now: t0 })!
    expect(res.status).toBe(200)
    expect(res.body).toContain('<title>Welcome to nginx!</title>')
    expect(Buffer.byteLength(res.body)).toBe(612)
    expect(Object.keys(res.headers)).toEqual(['Server', 'Date', 'Content-Type', 'Content-Length', 'Last-Modified', 'Connection', 'ETag', 'Accept-Ranges'])
    expect(res.headers).toMatchObject({
      Server: 'nginx/1.15.12',
      Date: 'Fri, 27 Nov 2026 23:12:01 GMT',
      'Content-Type': 'text/html',
      'Content-Length': '612',
      Connection: 'keep-alive',
      'Accept-Ranges': 'bytes',
    })
    expect(res.headers.ETag).toMatch(/^"[0-9a-f]{8}-264"$/)
    expect(new Date(res.headers['Last-Modified']).getUTCFullYear()).toBe(2019)
  })

  test('1.21.2 and later serve the 615-byte dark-mode page; tags resolve to versions', () => {
    expect(Buffer.byteLength(nginxWelcomePage('1.21.1'))).toBe(612)
    expect(Buffer.byteLength(nginxWelcomePage('1.21.2'))).toBe(615)
    expect(nginxWelcomePage('1.27.5')).toContain('html { color-scheme: light dark; }')
    expect(nginxVersion('1.15')).toBe('1.15.12')
    expect(nginxVersion('1.14.2-alpine')).toBe('1.14.2')
    expect(nginxVersion('latest')).toBe('1.29.1')
    expect(nginxVersion('stable')).toBe('1.28.0')
    expect(serveHTTP(instance('nginx'), get('/'), { now: t0 })!.headers.Server).toBe('nginx/1.29.1')
  })

  test('other paths are the built-in 404 page (CRLF, version in the tail; bgcolor before 1.15.4)', () => {
    const res = serveHTTP(instance('nginx:1.15.12'), get('/nope'), { now: t0 })!
    expect(res.status).toBe(404)
    expect(res.statusText).toBe('Not Found')
    expect(res.body).toBe(
      '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.15.12</center>\r\n</body>\r\n</html>\r\n',
    )
    expect(res.headers['Content-Length']).toBe(String(res.body.length))
    expect(nginxErrorPage('1.14.2', 404)).toContain('<body bgcolor="white">')
  })

  test('HEAD has the GET headers and no body; POST on the page is 405, PUT anywhere is 405', () => {
    const head = serveHTTP(instance('nginx:1.15.12'), { ...get('/'), method: 'HEAD' }, { now: t0 })!
    expect(head.body).toBe('')
    expect(head.headers['Content-Length']).toBe('612')
    expect(serveHTTP(instance('nginx:1.15.12'), { ...get('/'), method: 'POST' }, { now: t0 })!.status).toBe(405)
    expect(serveHTTP(instance('nginx:1.15.12'), { ...get('/x'), method: 'POST' }, { now: t0 })!.status).toBe(404)
    expect(serveHTTP(instance('nginx:1.15.12'), { ...get('/x'), method: 'PUT' }, { now: t0 })!.status).toBe(405)
  })

  test('Connection: close is honoured', () => {
    const res = serveHTTP(instance('nginx:1.15.12'), get('/', { connection: 'close' }), { now: t0 })!
    expect(res.keepAlive).toBe(false)
    expect(res.headers.Connection).toBe('close')
  })

  test('every request appends an access line in log_format main; a 404 also logs the failed open() to stderr', () => {
    const logs = buffer()
    const inst = instance('nginx:1.15.12')
    serveHTTP(inst, get('/', { 'x-forwarded-for': '127.0.0.1' }), { now: t0, logs })
    serveHTTP(inst, { ...get('/missing'), remoteAddr: '127.0.0.1' }, { now: t0, logs })
    expect(logs.lines.map((l) => [l.stream, l.text])).toEqual([
      ['stdout', '10.244.1.1 - - [27/Nov/2026:23:12:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/7.88.1" "127.0.0.1"'],
      [
        'stderr',
        '2026/11/27 23:12:01 [error] 29#29: *2 open() "/usr/share/nginx/html/missing" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /missing HTTP/1.1", host: "10.244.1.5"',
      ],
      ['stdout', '127.0.0.1 - - [27/Nov/2026:23:12:01 +0000] "GET /missing HTTP/1.1" 404 154 "-" "curl/7.88.1" "-"'],
    ])
    expect(logTimeLocal(Date.parse('2026-01-05T03:04:05Z'))).toBe('05/Jan/2026:03:04:05 +0000')
  })
})

describe('other images', () => {
  test('httpd: It works! with its ETag, common log format', () => {
    const logs = buffer()
    const res = serveHTTP(instance('httpd:2.4.62'), get('/'), { now: t0, logs })!
    expect(res.body).toBe('<html><body><h1>It works!</h1></body></html>\n')
    expect(res.headers).toMatchObject({ Server: 'Apache/2.4.62 (Unix)', ETag: '"2d-432a5e4a73a80"', 'Content-Length': '45' })
    expect(logs.lines[0].text).toBe('10.244.1.1 - - [27/Nov/2026:23:12:01 +0000] "GET / HTTP/1.1" 200 45')
    expect(serveHTTP(instance('httpd'), get('/x'), { now: t0 })!.status).toBe(404)
  })

  test('echo-hname answers every path and method with the pod hostname', () => {
    const inst = instance('sysnet4admin/echo-hname', { hostname: 'echo-hname-7894b67f-abcde' })
    expect(serveHTTP(inst, get('/anything'), { now: t0 })!.body).toBe('echo-hname-7894b67f-abcde\n')
    expect(serveHTTP(inst, { ...get('/'), method: 'POST' }, { now: t0 })!.status).toBe(200)
  })

  test('connectPort: only a running instance listens, on its image ports; redis is not HTTP; unknown images listen on nothing', () => {
    expect(connectPort(instance('nginx:1.15.12'), 80)).toBe('http')
    expect(connectPort(instance('nginx:1.15.12'), 8080)).toBe('refused')
    expect(connectPort(instance('nginx:1.15.12', { running: false }), 80)).toBe('refused')
    expect(connectPort(undefined, 80)).toBe('refused')
    expect(connectPort(instance('redis:7.4'), 6379)).toBe('not-http')
    expect(serveHTTP(instance('redis:7.4'), get('/'))).toBeUndefined()
    expect(connectPort(instance('busybox'), 80)).toBe('refused')
  })
})

describe('wire helpers', () => {
  test('the parser splits pipelined requests across chunk boundaries, with bodies', () => {
    const p = new HTTPRequestParser()
    expect(p.push(Buffer.from('GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\n'))).toEqual([])
    const reqs = p.push(Buffer.from('\r\nPOST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /y HTTP/1.0\r\n\r\n'))
    expect(reqs.map((r) => [r.method, r.path, r.httpVersion, String(r.body)])).toEqual([
      ['GET', '/', '1.1', ''],
      ['POST', '/x', '1.1', 'abc'],
      ['GET', '/y', '1.0', ''],
    ])
    expect(reqs[0].headers).toEqual({ host: 'localhost:8080', 'user-agent': 'curl/8.5.0' })
    const bad = new HTTPRequestParser()
    bad.push(Buffer.from('\x16\x03\x01 hello\r\n\r\n'))
    expect(bad.malformed).toBe(true)
  })

  test('formatResponseHead writes the status line and headers in order', () => {
    const res = serveHTTP(instance('nginx:1.15.12'), get('/'), { now: t0 })!
    expect(formatResponseHead(res)).toMatch(
      /^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.15\.12\r\nDate: Fri, 27 Nov 2026 23:12:01 GMT\r\nContent-Type: text\/html\r\nContent-Length: 612\r\n.*\r\n\r\n$/s,
    )
  })
})
