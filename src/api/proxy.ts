/** @module proxy: pods/proxy, services/proxy and nodes/proxy — the apiserver's HTTP proxy into the simulated pod network. */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import { connectPort, imageServer, serveHTTP, type HTTPResponse } from '../sim/containers/http.js'
import { runtimeFor } from '../sim/containers/runtime.js'
import { notFoundResource } from './errors.js'
import type { ResourceCall } from './resources.js'
import { RegistryMap } from '../registry/with-field-manager.js'

/** Hop-by-hop headers httputil.ReverseProxy drops in both directions. */
const hopByHop = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/** `name`, `name:port` or `scheme:name:port`, as SplitSchemeNamePort (apimachinery/pkg/util/net/port_split.go). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':')
  let scheme = ''
  let name: string
  let port = ''
  if (parts.length === 1) name = parts[0]
  else if (parts.length === 2) [name, port] = parts
  else if (parts.length === 3) [scheme, name, port] = parts
  else return undefined
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined
  return { scheme, name, port }
}

/** Where a proxy request goes: a pod (for its containers' listeners), an address and a port. */
interface Backend {
  pod: Pod
  ip: string
  port: number
  scheme: string
}

/** The raw path split at the proxy subresource: the prefix through `/proxy`, and the rest ('' when absent). */
function splitProxyPath(rawPath: string, plural: string): { prepend: string; rest: string } {
  const segs = rawPath.split('/')
  for (let i = 0; i + 2 < segs.length; i++) {
    if (segs[i] === plural && segs[i + 2] === 'proxy') {
      const rest = segs.length > i + 3 ? `/${segs.slice(i + 3).join('/')}` : ''
      return { prepend: segs.slice(0, i + 3).join('/'), rest }
    }
  }
  return { prepend: rawPath, rest: '' }
}

/** Numeric port, or a well-known service name (Go's net package knows http/https). */
function portNumber(port: string, scheme: string): number {
  if (port === '') return scheme === 'https' ? 443 : 80
  if (/^\d+$/.test(port)) return Number(port)
  const known: Record<string, number> = { http: 80, https: 443 }
  if (known[port]) return known[port]
  throw reachError(`dial tcp: lookup tcp/${port}: unknown port`)
}

function reachError(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${message}`)
}

/** pods/NAME[:PORT]/proxy target, as pod.ResourceLocation (pkg/registry/core/pod/strategy.go). */
function podBackend(call: ResourceCall): Backend {
  const id = splitSchemeNamePort(call.name!)
  if (!id) throw StatusError.badRequest(`invalid pod request "${call.name}"`)
  const pod = call.registry.find('', 'pods')!.get(call.namespace, id.name).obj as Pod
  let port = id.port
  if (port === '') {
    for (const c of pod.spec?.containers ?? []) {
      if (c.ports?.length) {
        port = String(c.ports[0].containerPort)
        break
      }
    }
  }
  const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? ''
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || ip.startsWith('127.') || ip === '0.0.0.0') throw StatusError.badRequest('address not allowed')
  return { pod, ip, port: portNumber(port, id.scheme), scheme: id.scheme }
}

function isPodReady(pod: Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
}

/** Round-robin position per service, per cluster (the real apiserver picks at random). */
const rotation = new RegistryMap<Map<string, number>>()

function nextIndex(registry: Registry, key: string, n: number): number {
  let m = rotation.get(registry)
  if (!m) rotation.set(registry, (m = new Map()))
  const i = m.get(key) ?? 0
  m.set(key, i + 1)
  return i % n
}

/** Ready addresses and target ports of a service port: the Endpoints object when there is one, else derived from the selector. */
function serviceAddresses(registry: Registry, svc: Service, portName: string): { ip: string; port: number; pod?: Pod }[] {
  const ns = svc.metadata?.namespace ?? ''
  const name = svc.metadata?.name ?? ''
  const eps = registry.find('', 'endpoints')?.getStored(ns, name)?.obj as Endpoints | undefined
  const pods = registry.find('', 'pods')!
  if (eps?.subsets?.length) {
    const out: { ip: string; port: number }[] = []
    for (const ss of eps.subsets) {
      const p = ss.ports?.find((x) => (x.name ?? '') === portName)
      if (p) for (const a of ss.addresses ?? []) out.push({ ip: a.ip, port: p.port })
    }
    return out
  }
  const selector = svc.spec?.selector
  if (!selector || !Object.keys(selector).length) return []
  const sp = svc.spec?.ports?.find((p) => (p.name ?? '') === portName)
  if (!sp) return []
  const out: { ip: string; port: number; pod: Pod }[] = []
  for (const s of pods.list(ns).items) {
    const pod = s.obj as Pod
    const labels = pod.metadata?.labels ?? {}
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue
    if (pod.metadata?.deletionTimestamp || !pod.status?.podIP || !isPodReady(pod)) continue
    let port: number | undefined
    const tp = sp.targetPort ?? sp.port
    if (typeof tp === 'number') port = tp
    else if (/^\d+$/.test(tp)) port = Number(tp)
    else {
      for (const c of pod.spec?.containers ?? []) for (const cp of c.ports ?? []) if (cp.name === tp && port === undefined) port = cp.containerPort
    }
    if (port !== undefined) out.push({ ip: pod.status.podIP, port, pod })
  }
  return out
}

/** services/NAME[:PORT]/proxy target, as the service REST's ResourceLocation (pkg/registry/core/service/storage). */
function serviceBackend(call: ResourceCall): Backend {
  const id = splitSchemeNamePort(call.name!)
  if (!id) throw StatusError.badRequest(`invalid service request "${call.name}"`)
  const svc = call.rs.get(call.namespace, id.name).obj as Service
  let portName = id.port
  if (/^\d+$/.test(portName)) {
    const sp = svc.spec?.ports?.find((p) => p.port === Number(portName))
    if (!sp) throw new StatusError(503, 'ServiceUnavailable', `no service port ${Number(portName)} found for service "${id.name}"`)
    portName = sp.name ?? ''
  }
  const addrs = serviceAddresses(call.registry, svc, portName)
  if (!addrs.length) throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${call.name}"`)
  const a = addrs[nextIndex(call.registry, `${call.namespace}/${id.name}:${portName}`, addrs.length)]
  const pod = a.pod ?? podByIP(call.registry, call.namespace, a.ip)
  if (!pod) throw reachError(`dial tcp ${a.ip}:${a.port}: connect: no route to host`)
  return { pod, ip: a.ip, port: a.port, scheme: id.scheme }
}

function podByIP(registry: Registry, ns: string, ip: string): Pod | undefined {
  return registry
    .find('', 'pods')!
    .list(ns)
    .items.map((s) => s.obj as Pod)
    .find((p) => p.status?.podIP === ip && !p.metadata?.deletionTimestamp)
}

/**
 * Rewrites same-host absolute links in an HTML page so they go back through the proxy, as the
 * proxy transport does (apimachinery/pkg/util/proxy/transport.go: a/href, img/src, form/action …).
 */
export function rewriteHTMLLinks(html: string, prepend: string, backendHost: string, requestHost: string): string {
  return html.replace(
    /(<[a-zA-Z][^>]*?\s(?:href|src|action|formaction|poster|cite|background|data|codebase|longdesc|usemap|manifest|profile|icon|classid)=)("([^"]*)"|'([^']*)')/g,
    (all, pre: string, _q, dq?: string, sq?: string) => {
      const val = dq ?? sq ?? ''
      const m = /^(?:https?:)?\/\/([^/]+)(\/.*)?$/.exec(val)
      let path: string
      if (m) {
        if (m[1] !== backendHost && m[1] !== requestHost) return all
        path = m[2] ?? ''
      } else if (val.startsWith('/')) path = val
      else return all
      if (!path.startsWith('/') || path.startsWith(prepend)) return all
      return `${pre}"${prepend}${path}"`
    },
  )
}

/** Sends the backend's answer: the apiserver's own headers, then the backend's minus hop-by-hop ones. */
function sendBackendResponse(call: ResourceCall, res: HTTPResponse, body: string) {
  const { reply } = call
  const headers: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string
  for (const [k, v] of Object.entries(res.headers)) if (!hopByHop.has(k.toLowerCase()) && !k.toLowerCase().startsWith('access-control-')) headers[k] = v
  if (body !== res.body) headers['Content-Length'] = Buffer.byteLength(body)
  reply.hijack()
  reply.raw.writeHead(res.status, res.statusText, headers)
  reply.raw.end(call.req.method === 'HEAD' ? undefined : body)
  return reply
}

/** Forwards the request to the backend's simulated listener, or fails the way a dial/TLS/HTTP error would. */
function forward(call: ResourceCall, backend: Backend, plural: string) {
  const { req, reply } = call
  const [rawPath, rawQuery] = (req.raw.url ?? '').split(/\?(.*)/s, 2)
  const { prepend, rest } = splitProxyPath(rawPath, plural)
  if (rest === '' && (req.method === 'GET' || req.method === 'HEAD')) {
    reply.hijack()
    reply.raw.writeHead(301, {
      ...(reply.getHeaders() as Record<string, string>),
      Location: `${rawPath}/${rawQuery ? `?${rawQuery}` : ''}`,
      'Content-Length': 0,
    })
    reply.raw.end()
    return reply
  }
  const rt = runtimeFor(call.registry)
  const ns = backend.pod.metadata?.namespace ?? ''
  const podName = backend.pod.metadata?.name ?? ''
  let kind: ReturnType<typeof connectPort> = 'refused'
  let inst: ReturnType<typeof rt.current>
  for (const c of backend.pod.spec?.containers ?? []) {
    const i = rt.current(ns, podName, c.name)
    const k = connectPort(i, backend.port)
    if (k !== 'refused') {
      kind = k
      inst = i
      break
    }
  }
  if (kind === 'refused' || !inst) throw reachError(`dial tcp ${backend.ip}:${backend.port}: connect: connection refused`)
  if (backend.scheme === 'https') throw reachError('tls: first record does not look like a TLS handshake')
  if (kind === 'not-http') {
    // Go's transport reads the listener's first line as a status line (redis: `-ERR …`); a silent one (postgres) closes: EOF.
    const reply = imageServer(inst)?.wire?.(`${req.method} ${rawPath} HTTP/1.1\r\nHost: ${backend.ip}:${backend.port}\r\n\r\n`, inst)
    throw reachError(reply ? `net/http: HTTP/1.x transport connection broken: malformed HTTP response ${JSON.stringify(reply.split('\r\n')[0])}` : 'EOF')
  }
  const headers: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v
  const hostPort = backend.port === 80 ? backend.ip : `${backend.ip}:${backend.port}`
  headers['x-forwarded-for'] = [headers['x-forwarded-for'], req.ip].filter(Boolean).join(', ')
  headers['x-forwarded-uri'] = `${prepend}${rest || '/'}`
  const path = `${rest || '/'}${rawQuery !== undefined ? `?${rawQuery}` : ''}`
  const res = serveHTTP(
    inst,
    { method: req.method, path, headers, body: typeof req.body === 'string' ? req.body : undefined, httpVersion: '1.1' },
    { logs: rt.logs(inst.containerID), now: call.registry.clock.now() },
  )!
  let body = res.body
  if ((res.headers['Content-Type'] ?? '').split(';')[0].trim() === 'text/html') body = rewriteHTMLLinks(body, prepend, hostPort, req.headers.host ?? '')
  return sendBackendResponse(call, res, body)
}

/** nodes/NAME/proxy: a tiny kubelet read-only surface (healthz, pods); anything else is Go's 404 text. */
function nodeProxy(call: ResourceCall) {
  const { reply } = call
  const node = call.rs.get('', splitSchemeNamePort(call.name!)?.name ?? call.name!).obj
  const { rest } = splitProxyPath((call.req.raw.url ?? '').split('?')[0], 'nodes')
  const send = (code: number, type: string, body: string) => reply.code(code).type(type).send(body)
  if (rest === '/healthz') return send(200, 'text/plain; charset=utf-8', 'ok')
  if (rest === '/pods' || rest === '/pods/') {
    const items = call.registry
      .find('', 'pods')!
      .list(undefined)
      .items.map((s) => s.obj)
      .filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node.metadata.name)
    return send(200, 'application/json', JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }))
  }
  return send(404, 'text/plain; charset=utf-8', '404 page not found\n')
}

/** The `proxy` subresource of pods, services and nodes (every HTTP method). */
export function serveProxy(call: ResourceCall): unknown {
  switch (call.rs.def.plural) {
    case 'pods':
      return forward(call, podBackend(call), 'pods')
    case 'services':
      return forward(call, serviceBackend(call), 'services')
    case 'nodes':
      return nodeProxy(call)
    default:
      throw notFoundResource()
  }
}
