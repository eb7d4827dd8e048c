/**
 * @module run-probe: one run of a container probe (exec, httpGet, tcpSocket, grpc) against the simulated container, with
 * the outputs pkg/probe/{exec,http,tcp,grpc} report (1.32).
 */
import type { Container, Probe } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import type { Clock } from '../clock.js'
import { connectPort, serveHTTP, speaksTLS } from '../containers/http.js'
import { runtimeFor, type ContainerInstance } from '../containers/runtime.js'
import { loadSession } from '../shell/load-session.js'
import { goDuration } from '../stages/go-duration.js'

/** probe.Result: Warning counts as success (a redirect the prober did not follow). */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown'

/** What one run reports: the result, its output (the event text), or an error (the result is then thrown away). */
export interface ProbeOutcome {
  result: ProbeResult
  output: string
  error?: string
}

/** Everything a probe run needs to know about its container. */
export interface ProbeTarget {
  registry: Registry
  clock: Clock
  inst: ContainerInstance
  container: Container
  podIP: string
  /** False after the control API made the container's probe endpoints fail. */
  healthy: boolean
  /** `kube-probe/1.32` (the kubelet's major.minor). */
  userAgent: string
}

/** pkg/probe/http and exec read at most 10 KiB of a response or of a command's output. */
const maxReadLength = 10 * 1024

/** probe.ResolveContainerPort: a number, a named container port, or a number in a string. */
export function resolveContainerPort(port: number | string | undefined, container: Container): { port: number } | { error: string } {
  let n: number
  if (typeof port === 'number') n = port
  else {
    const named = (container.ports ?? []).find((p) => p.name === port)
    if (named) n = named.containerPort
    else if (/^[+-]?\d+$/.test(port ?? '')) n = Number(port)
    else return { error: `strconv.Atoi: parsing ${JSON.stringify(port ?? '')}: invalid syntax` }
  }
  return n > 0 && n < 65536 ? { port: n } : { error: `invalid port number: ${n}` }
}

/** Go's net.JoinHostPort. */
export const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

/** Runs `probe` once against the target. Never throws; an exec command that outlives timeoutSeconds is stopped. */
export async function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000
  if (probe.exec) return execProbe(probe.exec.command ?? [], timeoutMs, t)
  if (probe.httpGet) {
    const p = resolveContainerPort(probe.httpGet.port, t.container)
    if ('error' in p) return { result: 'unknown', output: '', error: p.error }
    return httpProbe(probe.httpGet, p.port, t)
  }
  if (probe.tcpSocket) {
    const p = resolveContainerPort(probe.tcpSocket.port, t.container)
    if ('error' in p) return { result: 'unknown', output: '', error: p.error }
    const addr = hostPort(probe.tcpSocket.host || t.podIP, p.port)
    // tcp.go: a failed dial is a Failure with the dial error as output.
    if (!t.healthy || connectPort(t.inst, p.port) === 'refused') return { result: 'failure', output: `dial tcp ${addr}: connect: connection refused` }
    return { result: 'success', output: '' }
  }
  if (probe.grpc) return grpcProbe(probe.grpc.port, timeoutMs, t)
  return { result: 'unknown', output: '', error: `missing probe handler for ${t.inst.namespace}/${t.inst.pod}:${t.inst.container}` }
}

/**
 * pkg/probe/http DoHTTPProbe: 200–299 success, else `HTTP probe failed with statuscode: N`.
 * Redirects to the same host are followed (at most 10, as Go's client); one to another host ends
 * the probe with its 3xx, a warning that counts as success.
 */
function httpProbe(get: NonNullable<Probe['httpGet']>, port: number, t: ProbeTarget): ProbeOutcome {
  const host = get.host || t.podIP
  const path = get.path ?? ''
  let scheme = (get.scheme ?? 'HTTP').toLowerCase()
  let cur = { port, path: path || '/', url: `${scheme}://${hostPort(host, port)}${path && !path.startsWith('/') ? '/' : ''}${path}` }
  for (let hops = 0; ; hops++) {
    const get1 = (err: string): ProbeOutcome => ({ result: 'failure', output: `Get ${JSON.stringify(cur.url)}: ${err}` })
    const conn = connectPort(t.inst, cur.port)
    if (conn === 'refused') return get1(`dial tcp ${hostPort(host, cur.port)}: connect: connection refused`)
    if (!t.healthy) return { result: 'failure', output: 'HTTP probe failed with statuscode: 500' }
    const tls = speaksTLS(t.inst, cur.port)
    if (scheme === 'https' && !tls) return get1('http: server gave HTTP response to HTTPS client')
    // Go's TLS server answers a plain request with 400 (`Client sent an HTTP request to an HTTPS server.`).
    if (scheme !== 'https' && tls) return { result: 'failure', output: 'HTTP probe failed with statuscode: 400' }
    if (conn === 'not-http') return get1('EOF')
    // The kubelet's request: its User-Agent and Accept unless the probe sets them (Host too).
    const headers: Record<string, string> = { host: hostPort(host, cur.port), 'user-agent': t.userAgent, accept: '*/*', connection: 'close' }
    for (const h of get.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value
    const logs = runtimeFor(t.registry).logs(t.inst.containerID)
    const res = serveHTTP(t.inst, { method: 'GET', path: cur.path, headers }, { logs, now: t.clock.now() })
    if (!res) return get1('EOF')
    const body = res.body.slice(0, maxReadLength)
    if (res.status >= 200 && res.status < 300) return { result: 'success', output: body }
    const location = Object.entries(res.headers).find(([k]) => k.toLowerCase() === 'location')?.[1]
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, `http://${hostPort(host, cur.port)}${cur.path}`)
      if (next.hostname.replace(/^\[|\]$/g, '') !== host) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` }
      if (hops >= 9) return { result: 'failure', output: `Get ${JSON.stringify(next.href)}: stopped after 10 redirects` }
      scheme = next.protocol.replace(/:$/, '')
      cur = { port: Number(next.port || (scheme === 'https' ? 443 : 80)), path: `${next.pathname}${next.search}`, url: next.href }
      continue
    }
    if (res.status >= 300 && res.status < 400) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` }
  }
}

/** pkg/probe/grpc: a listening port answers the standard health service (SERVING unless made unhealthy). */
async function grpcProbe(port: number, timeoutMs: number, t: ProbeTarget): Promise<ProbeOutcome> {
  const addr = hostPort(t.podIP, port)
  if (connectPort(t.inst, port) === 'refused') {
    // grpc.DialContext with WithBlock keeps retrying a refused connection until the probe's timeout.
    await new Promise<void>((r) => t.clock.setTimer(timeoutMs, r))
    return {
      result: 'failure',
      output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${goDuration(timeoutMs)}: context deadline exceeded`,
    }
  }
  if (!t.healthy) return { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' }
  return { result: 'success', output: 'service healthy' }
}

/**
 * pkg/probe/exec over the runtime's ExecSync: the command runs in the container's shell as
 * `kubectl exec` does; exit 0 is success, another code a failure with the combined output, a
 * command still running after timeoutSeconds is stopped (`command "…" timed out`).
 */
async function execProbe(command: string[], timeoutMs: number, t: ProbeTarget): Promise<ProbeOutcome> {
  if (!t.healthy) return { result: 'failure', output: '' }
  const r = await execInContainer(t.registry, t.clock, t.inst, command, timeoutMs)
  if ('error' in r) return { result: 'unknown', output: '', error: r.error }
  if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` }
  return { result: r.code === 0 ? 'success' : 'failure', output: r.output }
}

/** What ExecSync reports: the exit code and combined output (at most 10 KiB), a timeout, or the runtime's error. */
export type ExecSyncResult = { code: number; output: string; timedOut: boolean } | { error: string }

/**
 * Runs a command in the container the way the kubelet's ExecSync does (the probe and hook path),
 * through the same simulated shell as `kubectl exec`. `timeoutMs` 0 = no timeout.
 */
export async function execInContainer(
  registry: Registry,
  clock: Clock,
  inst: ContainerInstance,
  command: string[],
  timeoutMs: number,
): Promise<ExecSyncResult> {
  const { ExecSession, ExecStartError } = await loadSession()
  let out = ''
  const collect = (s: string) => {
    if (out.length < maxReadLength) out = (out + s).slice(0, maxReadLength)
  }
  const session = new ExecSession(registry, inst, { command, tty: false, stdin: false, io: { stdout: collect, stderr: collect } })
  try {
    session.start()
  } catch (err) {
    if (!(err instanceof ExecStartError)) throw err
    // The CRI error as the kubelet prints it (a gRPC status from containerd).
    const desc = err.message.replace(/^Internal error occurred: error executing command in container: /, '')
    return { error: `rpc error: code = Unknown desc = ${desc}` }
  }
  session.closeStdin()
  return new Promise((resolve) => {
    let timedOut = false
    const timer =
      timeoutMs > 0
        ? clock.setTimer(timeoutMs, () => {
            timedOut = true
            session.abort()
          })
        : undefined
    void session.done.then((code) => {
      clock.clearTimer(timer)
      resolve({ code, output: out, timedOut })
    })
  })
}
