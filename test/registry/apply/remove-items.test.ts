import { describe, expect, test } from 'vitest'
import { fieldSetFromFieldsV1 } from '../../../src/registry/apply/field-set.js'
import { ensureNamedFieldsAreMembers, extractItems, removeItems } from '../../../src/registry/apply/remove-items.js'
import { openAPISchema } from '../../../src/registry/apply/schema.js'

const atom = openAPISchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
  },
})
const obj = Object.freeze({
  spec: {
    items: [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ],
    labels: { x: '1', y: '2' },
    tags: ['t'],
  },
})

describe('removeItems / extractItems', () => {
  const set = fieldSetFromFieldsV1({
    'f:spec': { 'f:items': { 'k:{"name":"a"}': {}, 'k:{"name":"b"}': { 'f:value': {} } }, 'f:labels': { 'f:y': {} }, 'f:tags': {} },
  })

  test('removes whole items, single fields and atomic lists; fields left empty go', () => {
    expect(removeItems(obj, set, atom)).toEqual({ spec: { items: [{ name: 'b' }], labels: { x: '1' } } })
    expect(removeItems({ spec: { labels: { y: '2' } } }, set, atom)).toBeUndefined()
  })

  test('extracts only what the set names, with what lies below it', () => {
    expect(extractItems(obj, set, atom)).toEqual({ spec: { items: [{ name: 'a', value: '1' }, { value: '2' }], labels: { y: '2' }, tags: ['t'] } })
  })

  test('ensureNamedFieldsAreMembers adds struct fields on the way, not map keys or items', () => {
    const s = fieldSetFromFieldsV1({ 'f:spec': { 'f:labels': { 'f:y': {} }, 'f:items': { 'k:{"name":"b"}': { 'f:value': {} } } } })
    expect(ensureNamedFieldsAreMembers(s, atom).paths()).toEqual(['.spec', '.spec.items', '.spec.labels', '.spec.items[name="b"].value', '.spec.labels.y'])
  })
})
