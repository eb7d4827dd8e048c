/** @module generated-names.test: generateName suffixes — random as upstream's, or drawn from a scenario seed and the count so far. */
import { describe, expect, it } from 'vitest'
import { randomNames, seededNames } from '../../src/registry/generated-names.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'

const alphabet = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/

async function names(opts: { seed?: string; count: number; from?: number }): Promise<string[]> {
  const names = opts.seed !== undefined ? seededNames(opts.seed) : undefined
  names?.restore(opts.from)
  const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0 }), definitions, names })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  const cms = registry.resource('', 'configmaps')
  const out: string[] = []
  for (let i = 0; i < opts.count; i++) out.push((await cms.create('default', { metadata: { generateName: i % 2 ? 'web-' : 'db-' } })).obj.metadata.name!)
  return out
}

describe('generated names', () => {
  it('are random without a seed, in the upstream alphabet', async () => {
    const a = await names({ count: 20 })
    const b = await names({ count: 20 })
    expect(a).not.toEqual(b)
    for (const n of a) expect(n.replace(/^(web|db)-/, '')).toMatch(alphabet)
    expect(randomNames.seeded).toBe(false)
  })

  it('under a seed: the same names on every run, others for another seed, and they go on from a count', async () => {
    const a = await names({ seed: 'busy', count: 20 })
    expect(await names({ seed: 'busy', count: 20 })).toEqual(a)
    expect(await names({ seed: 'quiet', count: 20 })).not.toEqual(a)
    for (const n of a) expect(n.replace(/^(web|db)-/, '')).toMatch(alphabet)
    // They look random: twenty names, twenty suffixes.
    expect(new Set(a.map((n) => n.slice(-5))).size).toBe(20)
    // A snapshot's count: the names after it are those of the run that was not interrupted.
    const g = seededNames('busy')
    for (let i = 0; i < 7; i++) g.suffix('x-')
    expect(g.drawn()).toBe(7)
    const rest = seededNames('busy')
    rest.restore(7)
    expect(rest.suffix('x-')).toBe(g.suffix('x-'))
    rest.restore()
    expect(rest.suffix('x-')).toBe(seededNames('busy').suffix('x-'))
  })
})
