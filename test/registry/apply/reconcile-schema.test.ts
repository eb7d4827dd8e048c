// After structured-merge-diff's merge/schema_change_test.go: a CRD update that changes a field's
// list or map type is reconciled into the ownership recorded under the old schema.
import { describe, expect, test } from 'vitest'
import { createUpdater } from '../../../src/registry/apply/create-updater.js'
import { fieldSetFromFieldsV1 } from '../../../src/registry/apply/field-set.js'
import { reconcileFieldSetWithSchema } from '../../../src/registry/apply/reconcile-schema.js'
import { openAPISchema } from '../../../src/registry/apply/schema.js'
import { ApplyConflicts } from '../../../src/registry/apply/updater.js'

const struct = (mapType?: 'atomic') =>
  openAPISchema({
    type: 'object',
    properties: {
      struct: {
        type: 'object',
        ...(mapType ? { 'x-kubernetes-map-type': mapType } : {}),
        properties: { numeric: { type: 'integer' }, string: { type: 'string' } },
      },
      list: { type: 'array', ...(mapType ? { 'x-kubernetes-list-type': 'atomic' } : { 'x-kubernetes-list-type': 'set' }), items: { type: 'string' } },
    },
  })

describe('reconcileFieldSetWithSchema', () => {
  test('a struct and a list that became atomic are owned whole', () => {
    const set = fieldSetFromFieldsV1({ 'f:struct': { 'f:numeric': {}, 'f:string': {} }, 'f:list': { 'v:"a"': {} } })
    expect(reconcileFieldSetWithSchema(set, struct('atomic'))!.paths()).toEqual(['.list', '.struct'])
  })

  test('a set that already fits is left alone', () => {
    expect(reconcileFieldSetWithSchema(fieldSetFromFieldsV1({ 'f:struct': {}, 'f:list': {} }), struct('atomic'))).toBeUndefined()
    expect(reconcileFieldSetWithSchema(fieldSetFromFieldsV1({ 'f:struct': { 'f:string': {} } }), struct())).toBeUndefined()
  })
})

describe('applies across a schema change', () => {
  test('granular to atomic: the earlier applier now owns the struct, and a change to it conflicts', () => {
    const before = createUpdater(struct())
    const after = createUpdater(struct('atomic'))
    const r = before.apply(undefined, { struct: { numeric: 1, string: 'a' } }, 'v1', new Map(), 'one', false)
    let err: unknown
    try {
      after.apply(r.object, { struct: { string: 'b' } }, 'v1', r.managers, 'two', false)
    } catch (e) {
      err = e
    }
    expect((err as ApplyConflicts).conflicts).toEqual([{ manager: 'one', path: '.struct' }])
  })

  test('atomic to granular: the old owner keeps the struct itself, the new applier takes its field without conflict', () => {
    const before = createUpdater(struct('atomic'))
    const after = createUpdater(struct())
    const one = before.apply(undefined, { struct: { numeric: 1, string: 'a' } }, 'v1', new Map(), 'one', false)
    expect(() => before.apply(one.object, { struct: { string: 'b' } }, 'v1', one.managers, 'two', false)).toThrow(ApplyConflicts)
    const two = after.apply(one.object, { struct: { string: 'b' } }, 'v1', one.managers, 'two', false)
    expect(two.object).toEqual({ struct: { numeric: 1, string: 'b' } })
    expect(two.managers.get('one')!.set.paths()).toEqual(['.struct'])
    expect(two.managers.get('two')!.set.paths()).toEqual(['.struct.string'])
  })
})
