/** @module index-shared-app.test: start() calls of one process share one app, and their clusters stay apart. */
import { describe, expect, it } from 'vitest'
import { start } from '../src/index.js'

describe('start() clusters sharing one app', () => {
  it('keeps objects, clocks and tokens apart, and one close() leaves the others serving', async () => {
    const a = await start({ speed: 0, tokens: ['token-a'] })
    const b = await start({ speed: 0, nodes: 3 })
    try {
      expect(a.url).not.toBe(b.url)
      const created = await fetch(`${a.url}/api/v1/namespaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer token-a' },
        body: JSON.stringify({ metadata: { name: 'only-in-a' } }),
      })
      expect(created.status).toBe(201)
      expect((await fetch(`${b.url}/api/v1/namespaces/only-in-a`)).status).toBe(404)
      // a asks for its token, b for none.
      expect((await fetch(`${a.url}/api/v1/nodes`)).status).toBe(401)
      expect((await fetch(`${b.url}/api/v1/nodes`)).status).toBe(200)
      const before = b.clock.now()
      await a.advance(30)
      expect(b.clock.now()).toBe(before)
      expect(a.requests({ verb: 'create' }).map((r) => r.resource)).toEqual(['namespaces'])
      expect(b.requests({ verb: 'create' })).toEqual([])
      await a.close()
      await expect(fetch(`${a.url}/version`)).rejects.toThrow()
      const nodes = await fetch(`${b.url}/api/v1/nodes`)
      expect(((await nodes.json()) as { items: unknown[] }).items).toHaveLength(4)
      // A second close() of a releases nothing more: b goes on.
      await a.close()
      expect((await fetch(`${b.url}/readyz`)).status).toBe(200)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
