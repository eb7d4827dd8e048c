/** @module exec: the pods/exec and pods/attach session driver — checks, the simulated process, the exit Status — shared by the WebSocket and SPDY transports; never the host. */
import { StringDecoder } from 'node:string_decoder'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import { pid1For } from '../sim/containers/pid1.js'
import { runtimeFor, type ContainerInstance } from '../sim/containers/runtime.js'
import { loadSession } from '../sim/shell/load-session.js'
import { queryBool, queryValues } from './query-params.js'
import type { WsCall } from './ws-subresources.js'
import type { ResourceCall } from './resources.js'

type ShellModule = typeof import('../sim/shell/session.js')
let shellModule: ShellModule | undefined

/**
 * Loads the simulated shell, which only exec and attach use (a start-up does not load it). The
 * transports await it before the connection is upgraded; {@link runExec} and {@link runAttach}
 * throw if it has not finished.
 */
export async function loadShell(): Promise<void> {
  shellModule ??= await loadSession()
}

function shell(): ShellModule {
  if (!shellModule) throw new Error('exec: loadShell() has not finished')
  return shellModule
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
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  }
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

/**
 * The apiserver's checks before it proxies exec/attach to the kubelet (any transport): the
 * container ({@link resolveContainer}), a command for exec, at least one stream, no stderr with a
 * tty. Throws the StatusError (400) that is answered instead of the upgrade.
 */
export function preflight(call: WsCall, sub: 'exec' | 'attach'): void {
  resolveContainer(call)
  if (sub === 'exec' && !queryValues(call.query, 'command').length) throw StatusError.badRequest('you must specify at least 1 command')
  if (!queryBool(call.query, 'stdin') && !queryBool(call.query, 'stdout') && !queryBool(call.query, 'stderr')) {
    throw StatusError.badRequest('you must specify at least 1 of stdin, stdout, stderr')
  }
  if (queryBool(call.query, 'tty') && queryBool(call.query, 'stderr')) throw StatusError.badRequest('stderr cannot be true when tty is true')
}

/** The streams a request asks for (its stdin/stdout/stderr/tty query parameters). */
export interface StreamOptions {
  stdin: boolean
  stdout: boolean
  stderr: boolean
  tty: boolean
}

/** The request's {@link StreamOptions}. */
export function streamOptions(call: WsCall): StreamOptions {
  return {
    stdin: queryBool(call.query, 'stdin'),
    stdout: queryBool(call.query, 'stdout'),
    stderr: queryBool(call.query, 'stderr'),
    tty: queryBool(call.query, 'tty'),
  }
}

/** What a session writes towards the client; each transport (WebSocket channels, SPDY streams) implements it. */
export interface RemoteCommandOutput {
  /**
   * The session is about to produce output (called once, where the translating apiserver writes
   * its empty first WebSocket frame); optional.
   */
  opened?(): void
  /** Text is sent as UTF-8; a Buffer (binary output such as `tar zcf -`) as it is. */
  stdout(data: string | Buffer): void
  stderr(data: string): void
  /** Bytes written but not yet taken by the client: the shell pauses while this is large (backpressure). */
  backlog?(): number
  /** The session is over with this Status (the v4 error stream's JSON); the transport closes. Called once. */
  finish(status: Record<string, unknown>): void
}

/** What the transport feeds into a session. */
export interface RemoteCommandInput {
  /** Bytes from the client's stdin (UTF-8 split anywhere is reassembled). */
  stdin(chunk: Buffer): void
  /** A terminal size from the resize stream/channel. */
  resize(width: number, height: number): void
  /** The client half-closed stdin. */
  closeStdin(): void
  /** The client went away: the process is ended. */
  gone(): void
}

const noInput: RemoteCommandInput = { stdin() {}, resize() {}, closeStdin() {}, gone() {} }

/**
 * Decodes the resize stream: JSON `{Width,Height}` objects, newline-separated as Go's encoder
 * writes them, split anywhere. A malformed one is dropped, as the kubelet's decoder gives up.
 */
export class ResizeDecoder {
  private buf = ''

  /** Feeds bytes; returns the sizes they complete. */
  push(chunk: Buffer | string): { width: number; height: number }[] {
    this.buf += chunk.toString()
    const out: { width: number; height: number }[] = []
    let end: number
    // Each object ends at its `}` (the sizes hold no nested objects); newlines between are noise.
    while ((end = this.buf.search(/[\n}]/) + 1) > 0) {
      const text = this.buf.slice(0, end).trim()
      this.buf = this.buf.slice(end)
      if (!text) continue
      try {
        const size = JSON.parse(text) as { Width?: number; Height?: number }
        out.push({ width: size.Width ?? 0, height: size.Height ?? 0 })
      } catch {
        // A malformed resize message is ignored, as the kubelet's handleResizing does.
      }
    }
    return out
  }
}

/** The kubelet's view: the running instance of the container, or the error text it answers (`container not found ("c")`). */
export function runningInstance(call: WsCall, container: string): ContainerInstance | string {
  const inst = runtimeFor(call.registry).current(call.namespace, call.name!, container)
  if (!inst?.running) return `container not found ("${container}")`
  return inst
}

/** The container the request names (or the default one); finishes with the error otherwise. */
function containerFor(out: RemoteCommandOutput, call: WsCall): string | undefined {
  try {
    return resolveContainer(call).container
  } catch (e) {
    out.finish(internalErrorStatus((e as Error).message))
    return undefined
  }
}

/** The container's running instance; finishes with the kubelet's error (as the translating apiserver reports it) when there is none. */
function instanceFor(out: RemoteCommandOutput, call: WsCall, container: string): ContainerInstance | undefined {
  const inst = runningInstance(call, container)
  if (typeof inst !== 'string') return inst
  out.finish(internalErrorStatus(`unable to upgrade connection: ${inst}`))
  return undefined
}

/** A stdin sink that decodes UTF-8 across chunk boundaries; each chunk's bytes go along (binary readers: `tar xzf -`). */
function stdinDecoder(write: (s: string, raw: Buffer) => void): (chunk: Buffer) => void {
  const dec = new StringDecoder('utf8')
  return (chunk) => {
    const s = dec.write(chunk)
    if (s || chunk.length) write(s, chunk)
  }
}

/**
 * Runs `command` in the container as exec does, writing to `out`; returns where the client's
 * input goes. Errors (no such container, not running, unknown binary) finish `out` with the
 * Status the kubelet reports; the process's end finishes it with {@link exitStatus}.
 */
export function runExec(call: WsCall, out: RemoteCommandOutput): RemoteCommandInput {
  const { ExecSession, ExecStartError } = shell()
  const container = containerFor(out, call)
  if (container === undefined) return noInput
  const opts = streamOptions(call)
  out.opened?.()
  const inst = instanceFor(out, call, container)
  if (!inst) return noInput
  const session = new ExecSession(call.registry, inst, {
    command: queryValues(call.query, 'command'),
    tty: opts.tty,
    stdin: opts.stdin,
    io: {
      stdout: (s) => opts.stdout && out.stdout(s),
      stdoutBytes: (b) => opts.stdout && out.stdout(b),
      stderr: (s) => (opts.tty ? opts.stdout && out.stdout(s) : opts.stderr && out.stderr(s)),
      backlog: () => out.backlog?.() ?? 0,
    },
  })
  const input: RemoteCommandInput = {
    stdin: stdinDecoder((s, raw) => session.input(s, raw)),
    resize: (w, h) => session.resize(w, h),
    closeStdin: () => session.closeStdin(),
    gone: () => session.abort(),
  }
  try {
    session.start()
  } catch (e) {
    if (e instanceof ExecStartError) {
      out.finish({
        metadata: {},
        status: 'Failure',
        message: e.message,
        reason: 'InternalError',
        details: { causes: [{ message: e.message.replace(/^Internal error occurred: /, '') }] },
        code: 500,
      })
      return noInput
    }
    throw e
  }
  // Without stdin the process sees EOF at once (cat with no input ends).
  if (!opts.stdin) session.closeStdin()
  void session.done.then((code) => out.finish(exitStatus(code)))
  return input
}

/**
 * Attaches to PID 1 of the container: what it writes from now on goes to `out` (merged on a
 * tty). A simulated PID 1 (pid1.ts: a shell, `sleep`, …) is attached to itself: its output as
 * written (prompts included), and with the container's `stdin: true` what the client types is
 * its input. An image's own server is attached through its log lines. Ends with Success when
 * the container exits.
 */
export function runAttach(call: WsCall, out: RemoteCommandOutput): RemoteCommandInput {
  const container = containerFor(out, call)
  if (container === undefined) return noInput
  const opts = streamOptions(call)
  const inst = instanceFor(out, call, container)
  if (!inst) return noInput
  const rt = runtimeFor(call.registry)
  out.opened?.()
  const write = (stream: 'stdout' | 'stderr', text: string) => {
    if (stream === 'stderr' && !opts.tty) {
      if (opts.stderr) out.stderr(text)
    } else if (opts.stdout) out.stdout(text)
  }
  const pid1 = pid1For(call.registry).process(inst.containerID)
  const unsubscribe = pid1 ? pid1.subscribe(write) : rt.logs(inst.containerID).subscribe((line) => write(line.stream, line.text + (opts.tty ? '\r\n' : '\n')))
  const stopExit = rt.onExit((i) => {
    if (i.containerID !== inst.containerID) return
    cleanup()
    out.finish({ metadata: {}, status: 'Success' })
  })
  const cleanup = () => {
    unsubscribe()
    stopExit()
  }
  return {
    stdin: stdinDecoder((s) => s && opts.stdin && pid1?.input(s)),
    resize: (w, h) => pid1?.resize(w, h),
    // The client's stdin ending is one attached client going away (`stdinOnce` closes PID 1's stdin).
    closeStdin: () => pid1?.detached(),
    gone: () => {
      cleanup()
      pid1?.detached()
    },
  }
}

/** Answers a request that is no upgrade at all (curl, `inject()`): the same checks, then `Upgrade request required`. */
export function upgradeRequired(call: ResourceCall, sub: 'exec' | 'attach'): never {
  preflight(call, sub)
  throw StatusError.badRequest('Upgrade request required')
}
