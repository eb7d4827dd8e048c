import { describe, expect, it } from 'vitest'
import { checkPatchedObject, decodeObject } from '../../src/api/decode-object.js'
import { StatusError } from '../../src/errors.js'
import type { ResourceStore } from '../../src/registry/generic-registry.js'

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: { cronSpec: { type: 'string' }, image: { type: 'string', nullable: true }, replicas: { type: 'integer' } },
    },
  },
}

// decodeObject reads only the definition's names and schema and the endpoint's apiVersion.
const rs = {
  apiVersion: 'stable.example.com/v1',
  def: { group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', schema: () => schema },
} as unknown as ResourceStore

const body = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'x' }) =>
  JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata, spec })

describe('fieldValidation for custom resources', () => {
  it('Strict rejects unknown fields with the decoder text', () => {
    let err: unknown
    try {
      decodeObject(rs, body({ cronSpec: '* * * * */5', foo: 1, bar: { a: 1 } }, { name: 'x', nope: true }), 'application/json', 'Strict')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StatusError)
    expect((err as StatusError).code).toBe(400)
    expect((err as StatusError).message).toBe(
      'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "metadata.nope", unknown field "spec.bar", unknown field "spec.foo"',
    )
  })

  it("lists metadata's unknown fields before the pruned ones, as the coercer appends them", () => {
    const raw = JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x', nope: true }, extra: 1, spec: { foo: 1 } })
    expect(() => decodeObject(rs, raw, 'application/json', 'Strict')).toThrow(
      'strict decoding error: unknown field "metadata.nope", unknown field "extra", unknown field "spec.foo"',
    )
  })

  it('Strict reports duplicate fields too', () => {
    const raw = '{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x"},"spec":{"image":"a","image":"b"}}'
    expect(() => decodeObject(rs, raw, 'application/json', 'Strict')).toThrow('strict decoding error: duplicate field "spec.image"')
  })

  it('Warn prunes and warns, Ignore prunes silently', () => {
    const warned = decodeObject(rs, body({ cronSpec: 'x', foo: 1 }), 'application/json', 'Warn')
    expect(warned.warnings).toEqual(['unknown field "spec.foo"'])
    expect(warned.obj.spec).toEqual({ cronSpec: 'x' })
    const ignored = decodeObject(rs, body({ cronSpec: 'x', foo: 1 }), 'application/json', 'Ignore')
    expect(ignored.warnings).toEqual([])
    expect(ignored.obj.spec).toEqual({ cronSpec: 'x' })
  })

  it('keeps nulls for the schema to judge, and drops them in metadata', () => {
    const { obj } = decodeObject(rs, body({ image: null }, { name: 'x', labels: null }), 'application/json', 'Strict')
    expect(obj.spec).toEqual({ image: null })
    expect(obj.metadata).toEqual({ name: 'x' })
  })

  it('checks patched objects: Strict is a 422 naming the patch', () => {
    const patched = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x' }, spec: { foo: 1 } }
    expect(() => checkPatchedObject(rs, structuredClone(patched), 'Strict', { spec: { foo: 1 } })).toThrow('strict decoding error: unknown field "spec.foo"')
    const copy = structuredClone(patched)
    expect(checkPatchedObject(rs, copy, 'Warn', { spec: { foo: 1 } })).toEqual(['unknown field "spec.foo"'])
    expect(copy.spec).toEqual({})
  })
})
