/** @module exec-spdy: the SPDY/3.1 transport of pods/exec and pods/attach (kubectl up to 1.29 and every client-go SPDY executor), as the kubelet's streaming server speaks it. */
import {
  loadShell,
  preflight,
  resolveContainer,
  ResizeDecoder,
  runAttach,
  runExec,
  runningInstance,
  streamOptions,
  upgradeRequired,
  type RemoteCommandInput,
  type RemoteCommandOutput,
} from './exec.js'
import type { ResourceCall } from './resources.js'
import type { SpdyStream } from './spdy/connection.js'
import { acceptSpdy, isSpdyUpgrade, negotiateStreamProtocol, replyPlainError } from './spdy/upgrade.js'
import { extraSubresources } from './subresources.js'
import { hijackUpgrade, isRawUpgrade } from './upgrade.js'
import type { WsCall } from './ws-subresources.js'

/**
 * The remotecommand protocols the kubelet negotiates over SPDY (remotecommand
 * SupportedStreamingProtocols); the client's order of preference decides among them.
 */
export const spdyExecProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']

/** How long the kubelet waits for the client to open its streams (DefaultStreamCreationTimeout). */
export const streamCreationTimeoutMs = 30_000

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize'
const streamTypes: readonly string[] = ['error', 'stdin', 'stdout', 'stderr', 'resize']

/** The protocol's version: 4, 3, 2, or 1 for the unnumbered `channel.k8s.io`. */
function protocolVersion(protocol: string): number {
  const m = /^v(\d+)\./.exec(protocol)
  return m ? Number(m[1]) : 1
}

/**
 * pods/exec or pods/attach over plain HTTP. A raw `Upgrade: SPDY/3.1` request gets the
 * apiserver's checks (Status errors), then the kubelet's: the container must be running (500
 * `container not found ("c")`, which kubectl prints as `unable to upgrade connection: …`) and a
 * stream protocol must be agreed (httpstream.Handshake's 400/403); then 101 and the streams.
 * Anything else is `Upgrade request required`.
 */
function serveHTTP(sub: 'exec' | 'attach') {
  return (call: ResourceCall): unknown => {
    if (!isRawUpgrade(call.req) || !isSpdyUpgrade(call.req.headers)) return upgradeRequired(call, sub)
    preflight(call, sub)
    const inst = runningInstance(call, resolveContainer(call).container)
    if (typeof inst === 'string') return replyPlainError(call.reply, 500, inst)
    const neg = negotiateStreamProtocol(call.req.headers['x-stream-protocol-version'], spdyExecProtocols)
    if ('code' in neg) return replyPlainError(call.reply, neg.code, neg.message, neg.headers)
    return loadShell().then(() => {
      serveSpdySession(call, sub, neg.protocol)
      return undefined
    })
  }
}

/**
 * The kubelet's createHTTPStreamStreams + ServeExec/ServeAttach: every stream the client opens is
 * accepted; once the expected ones are there (error, the requested stdin/stdout/stderr, resize
 * for a tty from v3 on) the session starts. The end writes the Status on the error stream (v4:
 * JSON; v2/v3: the message text, failures only; v1 reset its error stream at the start), then
 * FIN on every stream and GOAWAY. Streams missing after {@link streamCreationTimeoutMs} end the
 * connection.
 */
function serveSpdySession(call: WsCall & Pick<ResourceCall, 'reply'>, sub: 'exec' | 'attach', protocol: string): void {
  const version = protocolVersion(protocol)
  const opts = streamOptions(call)
  const resizing = opts.tty && version >= 3
  const expected = 1 + Number(opts.stdin) + Number(opts.stdout) + Number(opts.stderr && !opts.tty) + Number(resizing)
  const streams: Partial<Record<StreamType, SpdyStream>> = {}
  const pending: { stdin: Buffer[]; stdinClosed: boolean; size?: { width: number; height: number } } = { stdin: [], stdinClosed: false }
  const resize = new ResizeDecoder()
  let received = 0
  let input: RemoteCommandInput | undefined
  let finished = false

  const out: RemoteCommandOutput = {
    stdout: (s) => streams.stdout?.write(s),
    stderr: (s) => streams.stderr?.write(s),
    backlog: () => socket.writableLength,
    finish(status) {
      if (finished) return
      finished = true
      if (version >= 4) streams.error?.write(JSON.stringify(status))
      else if (status.status !== 'Success') streams.error?.write(String(status.message ?? ''))
      spdy.close()
    },
  }

  const start = () => {
    clearTimeout(timer)
    if (finished) return
    if (version === 1) {
      // What 1.0 kubelets did and the v1 handler keeps: the error stream is reset once all
      // streams are there (so v1 clients never see an error text), and stdin is closed our side.
      streams.error?.reset()
      streams.stdin?.end()
    }
    input = sub === 'exec' ? runExec(call, out) : runAttach(call, out)
    for (const c of pending.stdin.splice(0)) input.stdin(c)
    if (pending.stdinClosed) input.closeStdin()
    if (pending.size) input.resize(pending.size.width, pending.size.height)
  }

  const onStream = (s: SpdyStream) => {
    const type = s.header('streamtype')
    // Unknown types (and resize before v3) are accepted and ignored, as the kubelet only logs them.
    if (!streamTypes.includes(type) || (type === 'resize' && !resizing)) return true
    streams[type as StreamType] = s
    if (type === 'stdin') {
      s.handlers = {
        data: (c) => (input ? input.stdin(c) : pending.stdin.push(c)),
        end: () => (input ? input.closeStdin() : (pending.stdinClosed = true)),
      }
    } else if (type === 'resize') {
      s.handlers = {
        data: (c) => {
          for (const size of resize.push(c)) {
            if (input) input.resize(size.width, size.height)
            else pending.size = size
          }
        },
      }
    }
    // Start after this stream's SYN_REPLY is out (the connection sends it when we return).
    if (++received === expected) {
      queueMicrotask(() => {
        // Nothing known throws here, but a throw in a microtask would end the process: end this
        // connection instead.
        try {
          start()
        } catch {
          socket.destroy()
        }
      })
    }
    return true
  }

  const socket = hijackUpgrade(call.req, call.reply)
  const timer = setTimeout(() => socket.destroy(), streamCreationTimeoutMs)
  const spdy = acceptSpdy(socket, protocol, {
    onStream,
    onGoAway: () => spdy.close(),
    onGone: () => {
      clearTimeout(timer)
      finished = true
      input?.gone()
    },
  })
}

extraSubresources.exec = serveHTTP('exec')
extraSubresources.attach = serveHTTP('attach')
