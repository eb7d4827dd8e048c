/** @module websocket-watch.test: watch over WebSocket (the browser path) with the `ws` client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { withTimeout } from '../helpers/with-timeout.js'

/** A connected socket plus every message it received, in order, with its frame type. */
interface Recorder {
  ws: WebSocket
  messages: { text: string; binary: boolean }[]
  /** Resolves once `n` messages have arrived. */
  waitFor(n: number): Promise<void>
  closed: Promise<number>
}

function open(url: string, protocols: string[] | undefined, origin: string): Promise<Recorder> {
  const ws = new WebSocket(url, protocols, { origin })
  const messages: { text: string; binary: boolean }[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  ws.on('message', (data, binary) => {
    messages.push({ text: data.toString(), binary })
    for (const w of waiters) if (messages.length >= w.n) w.resolve()
  })
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  return withTimeout(
    new Promise<Recorder>((resolve, reject) => {
      ws.once('open', () =>
        resolve({
          ws,
          messages,
          closed,
          waitFor: (n) =>
            withTimeout(
              new Promise<void>((r) => {
                waiters.push({ n, resolve: r })
                if (messages.length >= n) r()
              }),
              5_000,
              () => `${n} messages; got ${JSON.stringify(messages)}`,
            ),
        }),
      )
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    }),
    5_000,
    `websocket open on ${url}`,
  )
}

describe('watch over WebSocket', () => {
  let km: Kubemock
  const ns = 'wsns'
  // Every namespace also gets a kube-root-ca.crt configmap (as from kube-controller-manager's
  // root-ca-cert-publisher), so the watches select only this test's objects by label.
  const wsUrl = () => `ws://127.0.0.1:${km.port}/api/v1/namespaces/${ns}/configmaps?watch=1&labelSelector=ws%3Dyes`

  async function createConfigMap(name: string) {
    const res = await fetch(`${km.url}/api/v1/namespaces/${ns}/configmaps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { ws: 'yes' } }, data: { k: name } }),
    })
    expect(res.status).toBe(201)
  }

  beforeAll(async () => {
    km = await startKubemock()
    const res = await fetch(`${km.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
    })
    expect(res.status).toBe(201)
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('sends one JSON watch event per text message', async () => {
    // No labelled configmap exists yet, so the watch (no resourceVersion) has no synthetic ADDED events.
    const rec = await open(wsUrl(), undefined, km.url)
    try {
      await createConfigMap('ws-a')
      await createConfigMap('ws-b')
      await rec.waitFor(2)
      expect(rec.messages.map((m) => m.binary)).toEqual([false, false])
      const events = rec.messages.map((m) => {
        // Same bytes as the HTTP stream: one event, newline-terminated (protocol-core.md §6).
        expect(m.text.endsWith('\n')).toBe(true)
        expect(m.text.trimEnd().includes('\n')).toBe(false)
        return JSON.parse(m.text)
      })
      expect(events.map((e) => [e.type, e.object.kind, e.object.apiVersion, e.object.metadata.name, e.object.data])).toEqual([
        ['ADDED', 'ConfigMap', 'v1', 'ws-a', { k: 'ws-a' }],
        ['ADDED', 'ConfigMap', 'v1', 'ws-b', { k: 'ws-b' }],
      ])
      expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[0].object.metadata.resourceVersion))
    } finally {
      rec.ws.close()
    }
  })

  it('a watch without resourceVersion starts with synthetic ADDED events for existing objects', async () => {
    const rec = await open(wsUrl(), undefined, km.url)
    try {
      await rec.waitFor(2)
      const names = rec.messages.map((m) => JSON.parse(m.text)).map((e) => `${e.type} ${e.object.metadata.name}`)
      expect(names.sort()).toEqual(['ADDED ws-a', 'ADDED ws-b'])
    } finally {
      rec.ws.close()
    }
  })

  it('strips the bearer-token subprotocol and echoes base64.binary.k8s.io', async () => {
    const token = Buffer.from('kubemock-token').toString('base64url').replace(/=+$/, '')
    const rec = await open(
      `${wsUrl()}&resourceVersion=${await currentResourceVersion()}`,
      [`base64url.bearer.authorization.k8s.io.${token}`, 'base64.binary.k8s.io'],
      km.url,
    )
    try {
      expect(rec.ws.protocol).toBe('base64.binary.k8s.io')
      await createConfigMap('ws-c')
      await rec.waitFor(1)
      // The protocol name does not change watch framing: still a JSON text frame.
      expect(rec.messages[0].binary).toBe(false)
      expect(JSON.parse(rec.messages[0].text)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'ws-c' } } })
    } finally {
      rec.ws.close()
    }
  })

  it('closes the socket when timeoutSeconds runs out', async () => {
    const rec = await open(`${wsUrl()}&resourceVersion=${await currentResourceVersion()}&timeoutSeconds=1`, undefined, km.url)
    await withTimeout(rec.closed, 5_000, 'server-side close after timeoutSeconds=1')
    expect(rec.messages).toEqual([])
  })

  async function currentResourceVersion(): Promise<string> {
    const res = await fetch(`${km.url}/api/v1/namespaces/${ns}/configmaps`)
    return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion
  }
})
