import { describe, expect, it } from 'vitest'
import { applySchemaDefaults } from '../../../../src/registry/apiextensions/schema/index.js'
import { rootWith } from './crd-fixtures.js'

const defaulted = (obj: Record<string, unknown>, schema: Record<string, unknown>) => {
  const copy = structuredClone(obj)
  applySchemaDefaults(copy, schema)
  return copy
}

describe('applySchemaDefaults', () => {
  const schema = rootWith({
    type: 'object',
    properties: {
      replicas: { type: 'integer', default: 1 },
      image: { type: 'string' },
      strategy: { type: 'object', default: {}, properties: { type: { type: 'string', default: 'Rolling' }, maxSurge: { type: 'integer' } } },
      optional: { type: 'object', properties: { level: { type: 'string', default: 'info' } } },
      ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } },
      env: { type: 'object', additionalProperties: { type: 'string', default: 'unset' } },
      nullableName: { type: 'string', nullable: true, default: 'n' },
      note: { type: 'string' },
    },
  })

  it('fills absent fields top-down, only inside objects that are present', () => {
    expect(defaulted({ spec: { image: 'nginx' } }, schema)).toEqual({
      spec: { image: 'nginx', replicas: 1, strategy: { type: 'Rolling' }, nullableName: 'n' },
    })
    expect(defaulted({}, schema)).toEqual({})
    expect(defaulted({ spec: { optional: {}, replicas: 3 } }, schema).spec).toEqual({
      optional: { level: 'info' },
      replicas: 3,
      strategy: { type: 'Rolling' },
      nullableName: 'n',
    })
  })

  it('defaults list items and map values', () => {
    const out = defaulted({ spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], env: { A: null, B: 'b' } } }, schema).spec as Record<string, unknown>
    expect(out.ports).toEqual([
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ])
    expect(out.env).toEqual({ A: 'unset', B: 'b' })
  })

  it('defaults non-nullable nulls, keeps nullable nulls, drops nulls without a default', () => {
    const out = defaulted({ spec: { replicas: null, nullableName: null, note: null } }, schema).spec as Record<string, unknown>
    expect(out.replicas).toBe(1)
    expect(out.nullableName).toBeNull()
    expect('note' in out).toBe(false)
  })

  it('copies defaults and prunes them by their schema', () => {
    const s = rootWith({ type: 'object', properties: { cfg: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', unknown: 1 } } } })
    const one = defaulted({ spec: {} }, s)
    const two = defaulted({ spec: {} }, s)
    expect(one.spec).toEqual({ cfg: { a: 'x' } })
    ;(one.spec as { cfg: { a: string } }).cfg.a = 'changed'
    expect(two.spec).toEqual({ cfg: { a: 'x' } })
    expect(defaulted({ spec: {} }, s).spec).toEqual({ cfg: { a: 'x' } })
  })
})
