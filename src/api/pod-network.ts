/** @module pod-network: a pod's ports as seen from inside its network namespace (containerd dials localhost:PORT) — the far end of every port-forward transport. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../registry/registry.js'
import { HTTPRequestParser, connectPort, formatResponseHead, imageServer, malformedRequestResponse, serveHTTP } from '../sim/containers/http.js'
import { runtimeFor, type ContainerInstance, type LogBuffer } from '../sim/containers/runtime.js'

/** The pod side of one forwarded TCP connection. */
export interface PodConnection {
  /** Bytes the client sent. */
  write(chunk: Buffer): void
  /** The client closed its sending side. */
  end(): void
}

/** What the forwarded connection may do towards the client. */
export interface ConnectionIO {
  send(chunk: Buffer): void
  /** The pod closed the connection (nginx after `Connection: close`, or the process died). */
  close(): void
}

/** Opens a connection to a port of the pod, or returns the error text the error stream carries. */
export type PodDialer = (port: number, io: ConnectionIO) => PodConnection | { error: string }

/** What `connectPort` said nobody listens on: containerd's wording, as the kubelet wraps it. */
export function portForwardRefusedText(pod: Pod, port: number): string {
  const sandbox = sandboxID(pod)
  return (
    `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${netnsID(pod)}": ` +
    `failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
    `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  )
}

function hex(s: string, len: number): string {
  let h = ''
  let x = 0x811c9dc5
  while (h.length < len) {
    for (const c of s + h.length) x = Math.imul(x ^ c.charCodeAt(0), 16777619) >>> 0
    h += x.toString(16).padStart(8, '0')
  }
  return h.slice(0, len)
}

/** A stable fake pod sandbox id (64 hex) from the pod uid. */
function sandboxID(pod: Pod): string {
  return hex(`sandbox:${pod.metadata?.uid ?? ''}`, 64)
}

/** A stable fake CNI netns uuid from the pod uid. */
function netnsID(pod: Pod): string {
  const h = hex(`netns:${pod.metadata?.uid ?? ''}`, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * An HTTP server connection on a running instance: parses requests from the bytes, answers each
 * with the image behaviour (access lines go to the instance's logs with client 127.0.0.1, as
 * containerd connects from inside the pod), closes after `Connection: close`, on bad requests
 * (nginx's 400 page) and when the process exits.
 */
export function httpConnection(
  inst: ContainerInstance,
  io: ConnectionIO,
  opts: { logs: LogBuffer; now: () => number; onExit: (fn: () => void) => () => void },
): PodConnection {
  const parser = new HTTPRequestParser()
  let open = true
  const stopExit = opts.onExit(() => shut())
  function shut() {
    if (!open) return
    open = false
    stopExit()
    io.close()
  }
  return {
    write(chunk) {
      if (!open) return
      for (const req of parser.push(chunk)) {
        const res = serveHTTP(inst, { ...req, remoteAddr: '127.0.0.1' }, { logs: opts.logs, now: opts.now() })
        if (!res) return shut()
        io.send(Buffer.concat([Buffer.from(formatResponseHead(res), 'latin1'), Buffer.from(res.body)]))
        if (!res.keepAlive) return shut()
      }
      if (parser.malformed) {
        const res = malformedRequestResponse(inst, opts.now())
        if (res) io.send(Buffer.concat([Buffer.from(formatResponseHead(res), 'latin1'), Buffer.from(res.body)]))
        shut()
      }
    },
    end() {
      shut()
    },
  }
}

/** The dialer for one pod: the first container whose instance listens on the port serves it. */
export function podDialer(registry: Registry, namespace: string, podName: string): PodDialer {
  const rt = runtimeFor(registry)
  return (port, io) => {
    const pod = registry.find('', 'pods')?.getStored(namespace, podName)?.obj as Pod | undefined
    if (!pod) return { error: `pod ${podName} not found` }
    for (const c of pod.spec?.containers ?? []) {
      const inst = rt.current(namespace, podName, c.name)
      const kind = connectPort(inst, port)
      if (kind === 'refused' || !inst) continue
      if (kind === 'not-http') {
        // A listener with a wire protocol (redis RESP, memcached) answers each read; others stay silent.
        const wire = imageServer(inst)?.wire
        const conn: Record<string, unknown> = {}
        return {
          write(chunk) {
            const out = inst.running ? wire?.(chunk.toString('latin1'), inst, conn) : undefined
            if (out) io.send(Buffer.from(out, 'latin1'))
          },
          end: () => io.close(),
        }
      }
      return httpConnection(inst, io, {
        logs: rt.logs(inst.containerID),
        now: () => registry.clock.now(),
        onExit: (fn) =>
          rt.onExit((stopped) => {
            if (stopped.containerID === inst.containerID) fn()
          }),
      })
    }
    return { error: portForwardRefusedText(pod, port) }
  }
}
