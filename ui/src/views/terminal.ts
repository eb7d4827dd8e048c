/** @module ui/views/terminal: a minimal exec terminal over the WebSocket exec endpoint (v5/v4.channel.k8s.io), no xterm.js. */
import { wsProtocols, wsUrl } from '../api.js'
import { h } from '../dom.js'

/** Channel numbers of the channel.k8s.io protocols (remotecommand: stdin 0, stdout 1, stderr 2, error 3, resize 4; v5 adds close 255). */
const stdin = 0
const stdout = 1
const stderr = 2
const errorChannel = 3
const resize = 4

/** Keys that are not printable characters, as a terminal sends them. */
const keyBytes: Record<string, string> = {
  Enter: '\r',
  Backspace: '\x7f',
  Tab: '\t',
  Escape: '\x1b',
  ArrowUp: '\x1b[A',
  ArrowDown: '\x1b[B',
  ArrowRight: '\x1b[C',
  ArrowLeft: '\x1b[D',
}

/** A CSI escape sequence (ESC [ params letter). */
const csi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g')

/**
 * Applies terminal output to the text shown: CSI sequences (colours, erase-line) are dropped, a
 * backspace removes the last character, \r\n is a new line and a lone \r returns to the line's start.
 */
export function applyOutput(screen: string, chunk: string): string {
  let out = screen
  const text = chunk.replace(csi, '').replace(/\r\n/g, '\n')
  for (const ch of text) {
    if (ch === '\b') out = out.endsWith('\n') ? out : out.slice(0, -1)
    else if (ch === '\r') out = out.slice(0, out.lastIndexOf('\n') + 1)
    else if (ch === '\x07') continue
    else out += ch
  }
  return out
}

/**
 * Opens `kubectl exec -it`'s equivalent on `pod`: a focusable <pre> that sends keys on stdin (TTY,
 * so the shell echoes) and shows stdout; the error channel's Status ends the session with its
 * exit message. Returns the element and a function that closes the socket.
 */
export function openTerminal(namespace: string, pod: string, container: string, command: string): { el: HTMLElement; close: () => void } {
  const screen = h('pre', { class: 'terminal', tabindex: 0, 'data-role': 'terminal' })
  let text = ''
  const show = (s: string) => {
    text = applyOutput(text, s)
    screen.textContent = text
    screen.scrollTop = screen.scrollHeight
  }
  const args = command
    .trim()
    .split(/\s+/)
    .map((c) => `command=${encodeURIComponent(c)}`)
    .join('&')
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${args}&container=${encodeURIComponent(container)}&stdin=true&stdout=true&tty=true`
  const ws = new WebSocket(wsUrl(path), wsProtocols(['v5.channel.k8s.io', 'v4.channel.k8s.io']))
  ws.binaryType = 'arraybuffer'
  const enc = new TextEncoder()
  const dec = new TextDecoder()
  const send = (channel: number, s: string) => {
    if (ws.readyState !== WebSocket.OPEN) return
    const body = enc.encode(s)
    const frame = new Uint8Array(body.length + 1)
    frame[0] = channel
    frame.set(body, 1)
    ws.send(frame)
  }
  ws.onopen = () => send(resize, JSON.stringify({ Width: 100, Height: 30 }))
  ws.onmessage = (m) => {
    if (!(m.data instanceof ArrayBuffer)) return
    const bytes = new Uint8Array(m.data)
    if (bytes.length === 0) return
    const body = dec.decode(bytes.subarray(1))
    if (bytes[0] === stdout || bytes[0] === stderr) show(body)
    else if (bytes[0] === errorChannel && body) {
      const status = JSON.parse(body) as { status?: string; message?: string }
      show(status.status === 'Success' ? '\n[exited 0]\n' : `\n[${status.message ?? 'failed'}]\n`)
    }
  }
  ws.onclose = () => show('\n[session closed]\n')
  screen.addEventListener('keydown', (e) => {
    if (e.metaKey) return
    let s: string | undefined
    if (e.ctrlKey && e.key.length === 1) s = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) - 64)
    else s = keyBytes[e.key] ?? (e.key.length === 1 ? e.key : undefined)
    if (s === undefined) return
    e.preventDefault()
    send(stdin, s)
  })
  screen.addEventListener('paste', (e) => {
    e.preventDefault()
    send(stdin, e.clipboardData?.getData('text') ?? '')
  })
  return { el: screen, close: () => ws.close() }
}
