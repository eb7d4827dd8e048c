/** @module exec: pods/exec and pods/attach over WebSocket (v5/v4.channel.k8s.io), driving simulated processes; never the host. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { WebSocket } from 'ws'
import { StatusError } from '../errors.js'
import { runtimeFor, type ContainerInstance } from '../sim/containers/runtime.js'
import { ExecSession, ExecStartError } from '../sim/shell/session.js'
import { queryBool, queryValues } from './query-params.js'
import { extraSubresources } from './subresources.js'
import { isWebSocketUpgrade, wsSubresources, type WsCall } from './ws-subresources.js'
import type { ResourceCall } from './resources.js'

/** Channel ids of the remotecommand stream protocol (staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const

/** The subprotocols we speak; v5 adds the CLOSE channel (half-close of stdin). */
export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

/** One framed message: the channel byte then the payload. */
export function frame(channel: number, payload: string | Buffer = ''): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from([channel]), body])
}

/** The Status written on the error channel when the process ends (remotecommand/v4 errorDecoder reads it). */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  }
}

/** An InternalError Status for the error channel (kubectl prints `error: <message>`). */
export function internalErrorStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 }
}


/**
 * The checks the apiserver makes before it proxies to the kubelet
 * (pkg/registry/core/pod/strategy.go ExecLocation/AttachLocation → streamLocation): pod exists,
 * has a node, the container is one of its containers (or the only one).
 */
export function resolveContainer(call: WsCall): { pod: Pod; container: string } {
  const pod = call.rs.get(call.namespace, call.name!).obj as Pod
  const name = call.name!
  let container = queryValues(call.query, 'container')[0] ?? ''
  const containers = (pod.spec?.containers ?? []).map((c) => c.name)
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name)
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name)
  if (!container) {
    if (containers.length === 1) container = containers[0]
    else {
      let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`
      if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`
      throw StatusError.badRequest(msg)
    }
  } else if (![...containers, ...inits, ...ephemeral].includes(container)) {
    throw StatusError.badRequest(`container ${container} is not valid for pod ${name}`)
  }
  if (!pod.spec?.nodeName) throw StatusError.badRequest(`pod ${name} does not have a host assigned`)
  return { pod, container }
}

function preflight(call: WsCall, sub: 'exec' | 'attach'): void {
  resolveContainer(call)
  if (sub === 'exec' && !queryValues(call.query, 'command').length) throw StatusError.badRequest('you must specify at least 1 command')
  if (!queryBool(call.query, 'stdin') && !queryBool(call.query, 'stdout') && !queryBool(call.query, 'stderr')) {
    throw StatusError.badRequest('you must specify at least 1 of stdin, stdout, stderr')
  }
  if (queryBool(call.query, 'tty') && queryBool(call.query, 'stderr')) throw StatusError.badRequest('stderr cannot be true when tty is true')
}

/** Writes frames on an upgraded socket; ends with the status on channel 3 and a normal close. */
class ChannelWriter {
  private closed = false
  constructor(private readonly socket: WebSocket) {}

  send(channel: number, payload: string | Buffer): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    this.socket.send(frame(channel, payload), { binary: true })
  }

  finish(status: Record<string, unknown>): void {
    if (this.closed) return
    this.send(Channel.error, JSON.stringify(status))
    this.closed = true
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1000)
  }
}

/** Parses the client's frames: stdin bytes, resize JSON, v5 CLOSE. */
function onFrames(socket: WebSocket, handlers: { stdin(s: string): void; resize(w: number, h: number): void; closeStdin(): void; gone(): void }): void {
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    if (!buf.length) return
    void isBinary
    const ch = buf[0]
    const body = buf.subarray(1)
    if (ch === Channel.stdin) handlers.stdin(body.toString('utf8'))
    else if (ch === Channel.resize) {
      for (const line of body.toString('utf8').split('\n')) {
        if (!line.trim()) continue
        try {
          const size = JSON.parse(line) as { Width?: number; Height?: number }
          handlers.resize(size.Width ?? 0, size.Height ?? 0)
        } catch {
          // A malformed resize message is ignored, as the kubelet's handleResizing does.
        }
      }
    } else if (ch === Channel.close && body[0] === Channel.stdin) handlers.closeStdin()
  })
  socket.on('close', () => handlers.gone())
  socket.on('error', () => handlers.gone())
}

/** The kubelet's view: the running instance of the container, or the error it answers on channel 3. */
function runningInstance(call: WsCall, container: string): ContainerInstance | string {
  const inst = runtimeFor(call.registry).current(call.namespace, call.name!, container)
  if (!inst?.running) return `unable to upgrade connection: container not found ("${container}")`
  return inst
}

/** The container the request names (or the default one); answers the error on channel 3 otherwise. */
function containerFor(out: ChannelWriter, call: WsCall): string | undefined {
  try {
    return resolveContainer(call).container
  } catch (e) {
    out.finish(internalErrorStatus((e as Error).message))
    return undefined
  }
}

/** The container's running instance; answers the kubelet's error on channel 3 when there is none. */
function instanceFor(out: ChannelWriter, call: WsCall, container: string): ContainerInstance | undefined {
  const inst = runningInstance(call, container)
  if (typeof inst !== 'string') return inst
  out.finish(internalErrorStatus(inst))
  return undefined
}

function serveExec(socket: WebSocket, call: WsCall): void {
  const out = new ChannelWriter(socket)
  const container = containerFor(out, call)
  if (container === undefined) return
  const tty = queryBool(call.query, 'tty')
  const wantStdout = queryBool(call.query, 'stdout')
  const wantStderr = queryBool(call.query, 'stderr')
  // The translating apiserver writes one empty frame first (harmless; kubectl ignores it).
  out.send(wantStdout ? Channel.stdout : wantStderr ? Channel.stderr : Channel.error, '')
  const inst = instanceFor(out, call, container)
  if (!inst) return
  const session = new ExecSession(call.registry, inst, {
    command: queryValues(call.query, 'command'),
    tty,
    stdin: queryBool(call.query, 'stdin'),
    io: {
      stdout: (s) => wantStdout && out.send(Channel.stdout, s),
      stderr: (s) => (tty ? wantStdout && out.send(Channel.stdout, s) : wantStderr && out.send(Channel.stderr, s)),
      backlog: () => socket.bufferedAmount,
    },
  })
  onFrames(socket, {
    stdin: (s) => session.input(s),
    resize: (w, h) => session.resize(w, h),
    closeStdin: () => session.closeStdin(),
    gone: () => session.abort(),
  })
  try {
    session.start()
  } catch (e) {
    if (e instanceof ExecStartError) {
      out.finish({ metadata: {}, status: 'Failure', message: e.message, reason: 'InternalError', details: { causes: [{ message: e.message.replace(/^Internal error occurred: /, '') }] }, code: 500 })
      return
    }
    throw e
  }
  // Without stdin the process sees EOF at once (cat with no input ends).
  if (!queryBool(call.query, 'stdin')) session.closeStdin()
  void session.done.then((code) => out.finish(exitStatus(code)))
}

function serveAttach(socket: WebSocket, call: WsCall): void {
  const out = new ChannelWriter(socket)
  const container = containerFor(out, call)
  if (container === undefined) return
  const tty = queryBool(call.query, 'tty')
  const inst = instanceFor(out, call, container)
  if (!inst) return
  const rt = runtimeFor(call.registry)
  out.send(queryBool(call.query, 'stdout') ? Channel.stdout : Channel.error, '')
  // Attach shows what PID 1 writes from now on (its stdout and stderr, merged on a tty).
  const unsubscribe = rt.logs(inst.containerID).subscribe((line) => {
    const text = line.text + (tty ? '\r\n' : '\n')
    if (line.stream === 'stderr' && !tty) {
      if (queryBool(call.query, 'stderr')) out.send(Channel.stderr, text)
    } else if (queryBool(call.query, 'stdout')) out.send(Channel.stdout, text)
  })
  const stopExit = rt.onExit((i) => {
    if (i.containerID !== inst.containerID) return
    cleanup()
    out.finish({ metadata: {}, status: 'Success' })
  })
  let session: ExecSession | undefined
  if (queryBool(call.query, 'stdin')) {
    // A shell as PID 1 (busybox `sh` with stdin/tty in the pod) reads what the client types.
    try {
      session = new ExecSession(call.registry, inst, { command: ['sh'], tty, stdin: true, io: { stdout: (s) => out.send(Channel.stdout, s), stderr: (s) => out.send(tty ? Channel.stdout : Channel.stderr, s), backlog: () => socket.bufferedAmount } })
      session.start()
      void session.done.then((code) => {
        cleanup()
        out.finish(exitStatus(code))
      })
    } catch {
      session = undefined
    }
  }
  const cleanup = () => {
    unsubscribe()
    stopExit()
  }
  onFrames(socket, {
    stdin: (s) => session?.input(s),
    resize: (w, h) => session?.resize(w, h),
    closeStdin: () => session?.closeStdin(),
    gone: () => {
      cleanup()
      session?.abort()
    },
  })
}

/**
 * A plain request (kubectl's SPDY fallback POST, or curl) reaches the HTTP handler: answer with the
 * same Status the upgrade would have got, or the apiserver's `Upgrade request required`.
 */
function plainRequest(sub: 'exec' | 'attach') {
  return (call: ResourceCall) => {
    preflight(call, sub)
    throw StatusError.badRequest('Upgrade request required')
  }
}

wsSubresources.exec = { preflight: (call) => preflight(call, 'exec'), serve: serveExec }
wsSubresources.attach = { preflight: (call) => preflight(call, 'attach'), serve: serveAttach }
extraSubresources.exec = plainRequest('exec')
extraSubresources.attach = plainRequest('attach')

export { isWebSocketUpgrade }
