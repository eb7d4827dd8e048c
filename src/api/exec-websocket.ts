/** @module exec-websocket: the WebSocket transport of pods/exec and pods/attach (v5/v4.channel.k8s.io channel frames; kubectl 1.30+, client libraries). */
import type { WebSocket } from 'ws'
import { loadShell, preflight, ResizeDecoder, runAttach, runExec, streamOptions, type RemoteCommandInput, type RemoteCommandOutput } from './exec.js'
import { wsSubresources, type WsCall } from './ws-subresources.js'

/** Channel ids of the remotecommand stream protocol (staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const

/** The subprotocols we speak; v5 adds the CLOSE channel (half-close of stdin). */
export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

/** One framed message: the channel byte then the payload. */
export function frame(channel: number, payload: string | Buffer = ''): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from([channel]), body])
}

/**
 * The session output as channel frames on an upgraded socket; the status goes on channel 3, then
 * a normal close. `opened` writes the translating apiserver's empty first frame (kubectl ignores it).
 */
function channelOutput(socket: WebSocket, call: WsCall): RemoteCommandOutput {
  let closed = false
  const send = (channel: number, payload: string | Buffer) => {
    if (closed || socket.readyState !== socket.OPEN) return
    socket.send(frame(channel, payload), { binary: true })
  }
  const opts = streamOptions(call)
  return {
    opened: () => send(opts.stdout ? Channel.stdout : call.subresource === 'exec' && opts.stderr ? Channel.stderr : Channel.error, ''),
    stdout: (s) => send(Channel.stdout, s),
    stderr: (s) => send(Channel.stderr, s),
    backlog: () => socket.bufferedAmount,
    finish(status) {
      if (closed) return
      send(Channel.error, JSON.stringify(status))
      closed = true
      if (socket.readyState === socket.OPEN) socket.close(1000)
    },
  }
}

/** Feeds the client's frames into the session: stdin bytes, resize JSON, v5 CLOSE; and its going away. */
function feedFrames(socket: WebSocket, input: RemoteCommandInput): void {
  const resize = new ResizeDecoder()
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    if (!buf.length) return
    const ch = buf[0]
    const body = buf.subarray(1)
    if (ch === Channel.stdin) input.stdin(body)
    else if (ch === Channel.resize) for (const s of resize.push(Buffer.concat([body, Buffer.from('\n')]))) input.resize(s.width, s.height)
    else if (ch === Channel.close && body[0] === Channel.stdin) input.closeStdin()
  })
  socket.on('close', () => input.gone())
  socket.on('error', () => input.gone())
}

wsSubresources.exec = {
  preflight: (call) => preflight(call, 'exec'),
  prepare: loadShell,
  serve: (socket, call) => feedFrames(socket, runExec(call, channelOutput(socket, call))),
}
wsSubresources.attach = {
  preflight: (call) => preflight(call, 'attach'),
  prepare: loadShell,
  serve: (socket, call) => feedFrames(socket, runAttach(call, channelOutput(socket, call))),
}
