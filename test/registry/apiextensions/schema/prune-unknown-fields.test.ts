import { describe, expect, it } from 'vitest'
import { pruneUnknownFields } from '../../../../src/registry/apiextensions/schema/index.js'
import { loadYAML, rootWith, versionsOf } from './crd-fixtures.js'

describe('pruneUnknownFields', () => {
  const schema = rootWith({
    type: 'object',
    properties: {
      image: { type: 'string' },
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
      },
    },
  })

  it('drops unspecified fields and returns their sorted paths', () => {
    const obj = {
      apiVersion: 'v',
      kind: 'K',
      metadata: { name: 'a', unknownMeta: 1 },
      spec: {
        image: 'x',
        foo: 1,
        items: [{ name: 'a', bar: true }, { zed: 1 }],
        labels: { any: 'thing' },
        free: { anything: { goes: 1 }, known: { a: 'x', b: 'y' } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'x', y: 'y' }, extra: 1 },
      },
      status: { ready: true },
    }
    expect(pruneUnknownFields(obj, schema)).toEqual([
      'spec.foo',
      'spec.free.known.b',
      'spec.items[0].bar',
      'spec.items[1].zed',
      'spec.template.extra',
      'spec.template.spec.y',
      'status',
    ])
    expect(obj).toEqual({
      apiVersion: 'v',
      kind: 'K',
      metadata: { name: 'a', unknownMeta: 1 },
      spec: {
        image: 'x',
        items: [{ name: 'a' }, {}],
        labels: { any: 'thing' },
        free: { anything: { goes: 1 }, known: { a: 'x' } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'x' } },
      },
    })
    expect(pruneUnknownFields(obj, schema)).toEqual([])
  })

  it('keeps everything under a preserving root', () => {
    const obj = { apiVersion: 'v', kind: 'K', metadata: {}, spec: { a: { b: 1 } } }
    expect(pruneUnknownFields(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toEqual([])
    expect(obj.spec).toEqual({ a: { b: 1 } })
  })

  it('leaves the real examples whole', () => {
    const example = loadYAML('example-servicemonitor.yaml')
    const copy = structuredClone(example)
    expect(pruneUnknownFields(copy, versionsOf(loadYAML('monitoring.coreos.com_servicemonitors.yaml'))[0].schema)).toEqual([])
    expect(copy).toEqual(example)
  })
})
