import { describe, expect, it } from 'vitest'
import { Reflector, type KubeObject, type ListResult, type WatchEvent, type WatchTransport } from '../../ui/src/watch.js'

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } })

/** A transport that records calls and lets the test play the server's part. */
function fakeTransport() {
  const lists: ListResult[] = []
  const calls: string[] = []
  let current: { onEvent: (e: WatchEvent) => void; onClose: () => void; closed: boolean } | undefined
  const transport: WatchTransport = {
    async list(path) {
      calls.push(`list ${path}`)
      const next = lists.shift()
      if (!next) throw Object.assign(new Error('no list'), { code: 500 })
      return next
    },
    watch(path, rv, onEvent, onClose) {
      calls.push(`watch ${path} rv=${rv}`)
      const w = { onEvent, onClose, closed: false }
      current = w
      return {
        close() {
          w.closed = true
        },
      }
    },
  }
  return {
    transport,
    lists,
    calls,
    send: (e: WatchEvent) => current!.onEvent(e),
    end: () => current!.onClose(),
    get watchClosed() {
      return current?.closed ?? false
    },
  }
}

/** Timers run by hand. */
function manualDelay() {
  const due: { ms: number; fn: () => void }[] = []
  return {
    due,
    delay: (ms: number, fn: () => void) => void due.push({ ms, fn }),
    run: () => {
      for (const d of due.splice(0)) d.fn()
    },
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('ui watch: a Reflector resumes from the last resourceVersion and re-lists on 410', () => {
  function setup() {
    const t = fakeTransport()
    const timers = manualDelay()
    const seen: string[] = []
    const r = new Reflector(
      'pods',
      '/api/v1/pods',
      t.transport,
      {
        replace: (_res, items) => seen.push(`replace ${items.map((i) => i.metadata.name).join(',')}`),
        apply: (_res, e) => seen.push(`${e.type} ${e.object.metadata.name}`),
      },
      { delay: timers.delay },
    )
    return { t, timers, seen, r }
  }

  it('lists, then watches from the list resourceVersion; a watch that ends resumes from the last event or bookmark', async () => {
    const { t, timers, seen, r } = setup()
    t.lists.push({ items: [obj('a', '5')], resourceVersion: '10' })
    r.start()
    await settle()
    expect(t.calls).toEqual(['list /api/v1/pods', 'watch /api/v1/pods rv=10'])
    t.send({ type: 'ADDED', object: obj('b', '11') })
    t.send({ type: 'BOOKMARK', object: obj('', '15') })
    expect(r.resourceVersion).toBe('15')
    t.end()
    timers.run()
    expect(t.calls.at(-1)).toBe('watch /api/v1/pods rv=15')
    // Bookmarks move the resourceVersion but are not objects.
    expect(seen).toEqual(['replace a', 'ADDED b'])
  })

  it('an ERROR event with code 410 (Expired) means a fresh list, then a watch from its resourceVersion', async () => {
    const { t, seen, r } = setup()
    t.lists.push({ items: [obj('a', '5')], resourceVersion: '10' }, { items: [obj('c', '40')], resourceVersion: '42' })
    r.start()
    await settle()
    t.send({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (30)' } as unknown as KubeObject })
    expect(t.watchClosed).toBe(true)
    await settle()
    expect(t.calls).toEqual(['list /api/v1/pods', 'watch /api/v1/pods rv=10', 'list /api/v1/pods', 'watch /api/v1/pods rv=42'])
    expect(seen).toEqual(['replace a', 'replace c'])
  })

  it('a failed list retries with a growing backoff; stop() ends everything', async () => {
    const { t, timers, r } = setup()
    r.start()
    await settle()
    expect(timers.due.map((d) => d.ms)).toEqual([500])
    timers.run()
    await settle()
    expect(timers.due.map((d) => d.ms)).toEqual([1000])
    t.lists.push({ items: [], resourceVersion: '3' })
    timers.run()
    await settle()
    expect(t.calls.at(-1)).toBe('watch /api/v1/pods rv=3')
    r.stop()
    expect(t.watchClosed).toBe(true)
  })

  it('a watch that closes without any event backs off before watching again', async () => {
    const { t, timers, r } = setup()
    t.lists.push({ items: [], resourceVersion: '7' })
    r.start()
    await settle()
    t.end()
    expect(timers.due.map((d) => d.ms)).toEqual([500])
    timers.run()
    expect(t.calls.at(-1)).toBe('watch /api/v1/pods rv=7')
  })
})
