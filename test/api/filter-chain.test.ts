/** @module filter-chain.test: the request filters run in order as one hook; one that answers ends the request, one that throws is answered as an error. */
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { installFilterChain } from '../../src/api/filter-chain.js'

function appWith(seen: string[]) {
  const app = Fastify()
  const chain = installFilterChain(app)
  chain.add((req) => {
    seen.push('first')
    if (req.url === '/throw') throw Object.assign(new Error('bad timeout'), { statusCode: 400 })
    return false
  })
  chain.add((req, reply) => {
    seen.push('second')
    if (req.url !== '/answer') return false
    reply.code(403).send('refused')
    return true
  })
  chain.add(() => {
    seen.push('third')
    return false
  })
  app.get('/*', async () => {
    seen.push('handler')
    return 'ok'
  })
  return app
}

describe('installFilterChain', () => {
  it('runs every filter in the order added, then the handler', async () => {
    const seen: string[] = []
    const res = await appWith(seen).inject('/pass')
    expect(res.statusCode).toBe(200)
    expect(seen).toEqual(['first', 'second', 'third', 'handler'])
  })

  it('stops at a filter that answers: later filters and the handler never run', async () => {
    const seen: string[] = []
    const res = await appWith(seen).inject('/answer')
    expect([res.statusCode, res.body]).toEqual([403, 'refused'])
    expect(seen).toEqual(['first', 'second'])
  })

  it('answers a filter that throws through the error handler, with the error status', async () => {
    const seen: string[] = []
    const res = await appWith(seen).inject('/throw')
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toBe('bad timeout')
    expect(seen).toEqual(['first'])
  })
})
